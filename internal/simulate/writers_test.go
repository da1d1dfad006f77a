package simulate

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteNDJSON(t *testing.T) {
	var buf bytes.Buffer
	counts, err := Generate(Options{Seed: 51, Calls: 5}, WriteNDJSON(&buf))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != counts.Total() {
		t.Fatalf("%d lines for %d records", len(lines), counts.Total())
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, `{"time":"`) || !strings.HasSuffix(l, "}}") {
			t.Fatalf("line %q", l)
		}
	}
}

func TestAzureLayout(t *testing.T) {
	dir := t.TempDir()
	l := AzureLayout(dir)
	l.MaxOpen = 3 // force files to be closed and reopened
	want := map[string]int{}
	counts, err := Generate(Options{Seed: 52, Calls: 15, Finals: true}, func(r Record) error {
		sub, rg, name, _ := resourceParts(r.Resource)
		ts := r.Time.UTC()
		p := filepath.Join(dir, "insights-logs-"+strings.ToLower(r.Category), "resourceId=", "SUBSCRIPTIONS", sub,
			"RESOURCEGROUPS", rg, "PROVIDERS", "MICROSOFT.COMMUNICATION", "COMMUNICATIONSERVICES", name,
			ts.Format("y=2006"), ts.Format("m=01"), ts.Format("d=02"), ts.Format("h=15"), "m=00", "PT1H.json")
		want[p]++
		return l.Write(r)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	total := 0
	for p, n := range want {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			got++
			if !strings.Contains(sc.Text(), `"category":"`) {
				t.Fatalf("%s: line %q", p, sc.Text())
			}
		}
		f.Close()
		if got != n {
			t.Errorf("%s: %d lines, want %d", p, got, n)
		}
		total += got
	}
	if total != counts.Total() {
		t.Errorf("%d lines on disk for %d records", total, counts.Total())
	}
	if _, err := os.Stat(filepath.Join(dir, "insights-logs-callclientmediastatstimeseries")); err != nil {
		t.Error(err)
	}
}

func TestAzureLayoutRefusesOddPaths(t *testing.T) {
	l := AzureLayout(t.TempDir())
	defer l.Close()
	bad := []Record{
		{Time: testStart, Category: "../x", Resource: DefaultResources()[0].ID},
		{Time: testStart, Category: "CallSummary", Resource: "/SUBSCRIPTIONS/../RESOURCEGROUPS/a/PROVIDERS/b/c/d"},
		{Time: testStart, Category: "CallSummary", Resource: "nonsense"},
	}
	for _, r := range bad {
		if err := l.Write(r); err == nil {
			t.Errorf("record for %q / %q was written", r.Category, r.Resource)
		}
	}
}
