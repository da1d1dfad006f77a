package report

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestTableAlignsFiguresRight(t *testing.T) {
	tb := &Table{Header: []string{"Table", "Rows", "Size"}}
	tb.Add("ACSCallSummary", 1234567, "12.3 MB")
	tb.Add("ACSCallSurvey", 7, "1.0 KB")
	var b bytes.Buffer
	tb.Write(&b)
	want := `Table                Rows     Size
──────────────  ─────────  ───────
ACSCallSummary  1,234,567  12.3 MB
ACSCallSurvey           7   1.0 KB
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestFormats(t *testing.T) {
	cases := map[string]string{
		Thousands(0):             "0",
		Thousands(999):           "999",
		Thousands(1000):          "1,000",
		Thousands(-1234567):      "-1,234,567",
		Bytes(512):               "512 B",
		Bytes(1536):              "1.5 KB",
		Bytes(5 << 30):           "5.0 GB",
		Rate(500, 2*time.Second): "250/s",
		Rate(1, 0):               "–",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

func TestProgressWithoutTerminal(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, "import", 1000)
	p.Update(500, 10) // the first update prints at once
	p.Update(600, 12) // within the interval: silent
	p.Done(1000, 20)
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "50.0%") || !strings.Contains(lines[0], "ETA") || !strings.Contains(lines[1], "100.0%") {
		t.Errorf("progress output:\n%s", b.String())
	}
}
