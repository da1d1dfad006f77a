package quality

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// sharedDir is the project's ../shared folder. Tests that read it skip when
// it is absent: the package has to stand alone.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared reference folder not found at %s", dir)
	}
	return dir
}

// TestRuleColumnsMatchSchema checks every rule against the published
// ACSCallDiagnostics columns: the column exists, is numeric, and is
// documented in the unit the rule assumes (a fraction rule on a column
// documented in percent would be off by a factor of 100).
func TestRuleColumnsMatchSchema(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(sharedDir(t), "schemas", "ACSCallDiagnostics.json"))
	if err != nil {
		t.Skipf("schema not readable: %v", err)
	}
	var schema struct {
		Columns []struct {
			Column string `json:"column"`
			Type   string `json:"type"`
			Unit   string `json:"unit"`
		} `json:"columns"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatalf("schema: %v", err)
	}
	type col struct{ typ, unit string }
	cols := map[string]col{}
	for _, c := range schema.Columns {
		cols[c.Column] = col{c.Type, c.Unit}
	}
	schemaUnit := map[string]string{
		"ms":       "milliseconds",
		"fraction": "fraction 0..1",
		"fps":      "frames per second",
		"px":       "pixels",
		"ms/min":   "milliseconds per minute",
		"bps":      "bits per second",
	}
	for _, r := range Rules() {
		c, ok := cols[r.Column]
		if !ok {
			t.Errorf("rule %s: column %s is not in ACSCallDiagnostics", r.ID, r.Column)
			continue
		}
		if c.typ != "int" && c.typ != "real" && c.typ != "long" {
			t.Errorf("rule %s: column %s has type %s, not a number", r.ID, r.Column, c.typ)
		}
		if want := schemaUnit[r.Unit]; c.unit != want {
			t.Errorf("rule %s: unit %s, but the schema documents %s in %q", r.ID, r.Unit, r.Column, c.unit)
		}
	}
}

// TestSourceKeysExist checks that every source key the data cites is a
// key of the reference's source table.
func TestSourceKeysExist(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(sharedDir(t), "reference", "acs-tools.md"))
	if err != nil {
		t.Skipf("reference not readable: %v", err)
	}
	keys := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\| ([A-Z][0-9]+[a-z]?) \|`).FindAllStringSubmatch(string(raw), -1) {
		keys[m[1]] = true
	}
	if len(keys) < 10 {
		t.Fatalf("found only %d source keys in acs-tools.md; has its table changed?", len(keys))
	}
	check := func(where string, srcs []string) {
		for _, s := range srcs {
			if !keys[s] {
				t.Errorf("%s cites %q, which is not a key in acs-tools.md §0", where, s)
			}
		}
	}
	for _, r := range Rules() {
		check("rule "+r.ID, r.Sources)
	}
	for _, u := range UFDs() {
		check("UFD "+u.Name, u.Sources)
	}
	check("ungraceful codes", reliability.UngracefulCodesSources)
	check("unexpected category", reliability.UnexpectedCategorySources)
	check("success result types", reliability.SuccessResultTypesSources)
	check("UFD good values", reliability.UFDGoodValuesSources)
}

// TestUngracefulCodesMatchPublishedQuery compares the list with the one in
// the published participants query, when the corpus is present.
func TestUngracefulCodesMatchPublishedQuery(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(sharedDir(t), "kql", "acs-docs.kql"))
	if err != nil {
		t.Skipf("corpus not readable: %v", err)
	}
	m := regexp.MustCompile(`CallDroppedUngracefully = ParticipantEndReason in \(([^)]*)\)`).FindSubmatch(raw)
	if m == nil {
		t.Skip("the ungraceful-codes expression is not in the corpus")
	}
	var fromQuery []string
	for _, q := range regexp.MustCompile(`'(\d+)'`).FindAllSubmatch(m[1], -1) {
		fromQuery = append(fromQuery, string(q[1]))
	}
	ours := UngracefulEndCodes()
	if len(fromQuery) != len(ours) {
		t.Fatalf("query lists %d codes %v, we list %d %v", len(fromQuery), fromQuery, len(ours), ours)
	}
	for i, c := range ours {
		if n, _ := ParseCode(fromQuery[i]); n != c {
			t.Errorf("code %d: query %s, ours %d", i, fromQuery[i], c)
		}
	}
}
