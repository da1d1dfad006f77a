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

func TestCheckOpenListen(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:8080": true, "[::1]:80": true, "localhost:1": true, "0.0.0.0:8080": false, ":8080": false, "10.0.0.5:80": false} {
		if err := checkOpenListen(addr); (err == nil) != ok {
			t.Errorf("%s: %v", addr, err)
		}
	}
}
