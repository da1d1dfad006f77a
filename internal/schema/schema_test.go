package schema

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The tables match the column lists of the reference schemas, name for
// name and type for type (checked when ../shared is present).
func TestMatchesReferenceSchemas(t *testing.T) {
	files, _ := filepath.Glob("../../../shared/schemas/*.json")
	if len(files) == 0 {
		t.Skip("../shared/schemas is not here")
	}
	for _, f := range files {
		var doc struct {
			Table, Category string
			Columns         []struct{ JSON, Column, Type string }
		}
		b, _ := os.ReadFile(f)
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		tbl := ByName(doc.Table)
		if tbl == nil {
			t.Errorf("no table %s", doc.Table)
			continue
		}
		if ByCategory(doc.Category) != tbl {
			t.Errorf("category %s does not lead to %s", doc.Category, doc.Table)
		}
		want := map[string]bool{}
		for _, c := range doc.Columns {
			if c.Column == "" || c.Type == "unconfirmed" {
				continue // documented but not a column of the table
			}
			want[c.Column] = true
			i := tbl.ColumnIndex(c.Column)
			if i < 0 {
				t.Errorf("%s lacks %s", doc.Table, c.Column)
				continue
			}
			if tbl.Columns[i].Type.String() != c.Type {
				t.Errorf("%s.%s is %v, reference says %s", doc.Table, c.Column, tbl.Columns[i].Type, c.Type)
			}
			if c.JSON != "" {
				if j, ok := tbl.Field([]byte(c.JSON)); !ok || j != i {
					t.Errorf("%s: export name %s does not lead to %s", doc.Table, c.JSON, c.Column)
				}
			}
		}
		for _, c := range tbl.Columns {
			if !want[c.Name] && c.Name != AdditionalFields {
				t.Errorf("%s has %s, which the reference does not list", doc.Table, c.Name)
			}
		}
	}
}

func TestSchemaShape(t *testing.T) {
	if n := len(CallLogTables()); n != 10 {
		t.Fatalf("%d call-log tables", n)
	}
	for _, tbl := range Tables() {
		if tbl.Columns[0].Name != TimeGenerated || tbl.Columns[0].Type != DateTime {
			t.Errorf("%s does not start with TimeGenerated", tbl.Name)
		}
		for _, sys := range []string{TenantID, TypeColumn} {
			if i := tbl.ColumnIndex(sys); i < 0 || tbl.Columns[i].Derived == Stored {
				t.Errorf("%s.%s should be derived", tbl.Name, sys)
			}
		}
		if !tbl.IsCallLog() {
			continue
		}
		for _, name := range []string{ResourceID, SubscriptionID, BilledSize, IsBillable, SourceSystem, AdditionalFields} {
			if tbl.ColumnIndex(name) < 0 {
				t.Errorf("%s lacks %s", tbl.Name, name)
			}
		}
		if i, ok := tbl.Field([]byte("time")); !ok || tbl.Columns[i].Name != TimeGenerated {
			t.Errorf("%s: the envelope's time does not map to TimeGenerated", tbl.Name)
		}
	}
	for _, c := range []string{"CALLSUMMARY", "callsummary", "CallSummary"} {
		if ByCategory(c) == nil {
			t.Errorf("category %s not found", c)
		}
	}
	if got := strings.Join(Categories(), ","); !strings.Contains(got, "CallClientMediaStatsTimeSeries") || !strings.Contains(got, "Usage") {
		t.Errorf("categories %s", got)
	}
	if i, ok := ByName("ACSCallSurvey").Field([]byte("ScreenshareLowerBound")); !ok || ByName("ACSCallSurvey").Columns[i].Name != "ScreenshareRatingScoreLowerBound" {
		t.Error("the survey doc's short names are not aliases")
	}
}
