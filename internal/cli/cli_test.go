package cli

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Settings come from flags, then CALLSCOPE_* variables, then the TOML file
// (a command's own table over the top level), then defaults.
func TestSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "callscope.toml")
	os.WriteFile(conf, []byte(`
data = "/from/file"
memory-limit = "1GB"
threads = 3
max-records = 10

[serve]
threads = 4
listen = "127.0.0.1:9999"
`), 0o644)

	parse := func(args []string, env map[string]string) *serveCmd {
		t.Helper()
		for k, v := range env {
			t.Setenv(k, v)
		}
		c := &serveCmd{}
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		path := fs.String("config", "", "")
		c.flags(fs)
		if _, err := parseInterspersed(fs, args); err != nil {
			t.Fatal(err)
		}
		if err := applySettings(fs, "serve", *path); err != nil {
			t.Fatal(err)
		}
		return c
	}

	c := parse([]string{"--config", conf, "--data", "/from/flag"}, map[string]string{"CALLSCOPE_DATA": "/from/env", "CALLSCOPE_MEMORY_LIMIT": "2GB"})
	if c.store.data != "/from/flag" {
		t.Errorf("flag lost to %q", c.store.data)
	}
	if c.store.memoryLimit != "2GB" {
		t.Errorf("environment lost to %q", c.store.memoryLimit)
	}
	if c.store.threads != 4 {
		t.Errorf("[serve] table lost: threads = %d", c.store.threads)
	}
	if c.srv.listen != "127.0.0.1:9999" || c.limits.lim.MaxRecords != 10 {
		t.Errorf("file settings lost: %q %d", c.srv.listen, c.limits.lim.MaxRecords)
	}
	if c.log.level != "info" {
		t.Errorf("default lost: %q", c.log.level)
	}

	// CALLSCOPE_CONFIG names the file when --config does not.
	c = parse(nil, map[string]string{"CALLSCOPE_CONFIG": conf, "CALLSCOPE_DATA": "", "CALLSCOPE_MEMORY_LIMIT": "1GB"})
	if c.srv.listen != "127.0.0.1:9999" {
		t.Errorf("CALLSCOPE_CONFIG ignored: %q", c.srv.listen)
	}
}

func TestSettingsErrors(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		`lisen = "x"`:          `unknown setting "lisen"`,
		"[serve]\nthredas = 2": `unknown setting "thredas" in [serve]`,
		"[servr]\nthreads = 2": `[servr] is not a command`,
		`threads = "many"`:     `threads = "many"`,
		`data = "x`:            "config file",
	}
	for content, want := range cases {
		conf := filepath.Join(dir, "c.toml")
		os.WriteFile(conf, []byte(content), 0o644)
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		(&serveCmd{}).flags(fs)
		err := applySettings(fs, "serve", conf)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to mention %q", content, err, want)
		}
	}
	t.Setenv("CALLSCOPE_THREADS", "lots")
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	(&serveCmd{}).flags(fs)
	if err := applySettings(fs, "serve", ""); err == nil || !strings.Contains(err.Error(), "CALLSCOPE_THREADS") {
		t.Errorf("bad environment value: %v", err)
	}
}

func TestDecideOpen(t *testing.T) {
	cases := []struct {
		listen          string
		asked, haveKeys bool
		open, fails     bool
	}{
		{"127.0.0.1:8080", false, false, true, false}, // loopback without keys: open
		{"[::1]:80", false, true, false, false},       // keys exist: checked, even on loopback
		{"localhost:1", true, true, true, false},      // --open on loopback
		{"0.0.0.0:8080", false, false, false, true},   // reachable without keys: refused
		{"10.0.0.5:80", false, true, false, false},    // reachable with keys: checked
		{"10.0.0.5:80", true, true, false, true},      // --open off loopback: refused
		{":8080", false, false, false, true},
	}
	for _, c := range cases {
		open, err := decideOpen(c.listen, c.asked, c.haveKeys, "/data")
		if open != c.open || (err != nil) != c.fails {
			t.Errorf("decideOpen(%s, asked=%v, keys=%v) = %v, %v", c.listen, c.asked, c.haveKeys, open, err)
		}
	}
	if _, err := decideOpen("0.0.0.0:8080", false, false, "/data"); err == nil || !strings.Contains(err.Error(), "callscope key create --kind admin --data /data") {
		t.Errorf("the refusal does not say how to make a key: %v", err)
	}
}
