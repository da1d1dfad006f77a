package simulate

import (
	"bufio"
	"bytes"
	"encoding/json"
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
	flat := 0
	for _, l := range lines {
		// The resource-log shape ends with its properties object; the
		// flat Application Insights records end with their last column.
		ok := strings.HasSuffix(l, "}}")
		if strings.Contains(l, `"Type":"AppEvents"`) {
			ok = strings.HasSuffix(l, `"ItemCount":1}`)
			flat++
		}
		if !strings.HasPrefix(l, `{"time":"`) || !ok || !json.Valid([]byte(l)) {
			t.Fatalf("line %q", l)
		}
	}
	if flat != counts[catAppEvents] {
		t.Errorf("%d AppEvents lines, %d counted", flat, counts[catAppEvents])
	}
}

func TestAzureLayout(t *testing.T) {
	dir := t.TempDir()
	l := AzureLayout(dir)
	l.MaxOpen = 3 // force files to be closed and reopened
	want := map[string]int{}
	counts, err := Generate(Options{Seed: 52, Calls: 15, Finals: true}, func(r Record) error {
		sub, rg, name, _ := resourceParts(r.Resource)
		provider := []string{"MICROSOFT.COMMUNICATION", "COMMUNICATIONSERVICES"}
		if r.Category == catAppEvents {
			provider = []string{"MICROSOFT.INSIGHTS", "COMPONENTS"}
		}
		ts := r.Time.UTC()
		p := filepath.Join(dir, "insights-logs-"+strings.ToLower(r.Category), "resourceId=", "SUBSCRIPTIONS", sub,
			"RESOURCEGROUPS", rg, "PROVIDERS", provider[0], provider[1], name,
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
			mark := `"category":"`
			if strings.Contains(p, "insights-logs-appevents") {
				mark = `"Type":"AppEvents"`
			}
			if !strings.Contains(sc.Text(), mark) {
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
	// The apps' survey events sit under the Application Insights resource.
	blobs, _ := filepath.Glob(filepath.Join(dir, "insights-logs-appevents", "resourceId=", "SUBSCRIPTIONS", "*", "RESOURCEGROUPS", "*",
		"PROVIDERS", "MICROSOFT.INSIGHTS", "COMPONENTS", "*", "y=*", "m=*", "d=*", "h=*", "m=00", "PT1H.json"))
	if counts[catAppEvents] == 0 || len(blobs) == 0 {
		t.Errorf("%d AppEvents records, %d blobs of them", counts[catAppEvents], len(blobs))
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
