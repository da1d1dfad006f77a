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
	// The eight call-log tables and three adjacent ones (ACSBillingUsage,
	// ACSCallAutomationIncomingOperations, AppEvents).
	if n := len(CallLogTables()); n != 11 {
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
	if got := strings.Join(Categories(), ","); !strings.Contains(got, "CallClientMediaStatsTimeSeries") || !strings.Contains(got, "Usage") || !strings.Contains(got, "AppEvents") {
		t.Errorf("categories %s", got)
	}
	if i, ok := ByName("ACSCallSurvey").Field([]byte("ScreenshareLowerBound")); !ok || ByName("ACSCallSurvey").Columns[i].Name != "ScreenshareRatingScoreLowerBound" {
		t.Error("the survey doc's short names are not aliases")
	}
}

// AppEvents has the columns of the Log Analytics table, typed as there,
// then the system columns once each. No reference schema covers it (it is
// an Application Insights table), so its columns are listed here.
func TestAppEventsColumns(t *testing.T) {
	tbl := ByCategory("appevents")
	if tbl == nil || tbl.Name != AppEventsTable || ByName(AppEventsTable) != tbl {
		t.Fatalf("category AppEvents leads to %v", tbl)
	}
	want := []struct {
		name string
		typ  Type
	}{
		{"TimeGenerated", DateTime}, {"Name", String}, {"Properties", Dynamic}, {"Measurements", Dynamic},
		{"OperationName", String}, {"OperationId", String}, {"ParentId", String}, {"SyntheticSource", String},
		{"SessionId", String}, {"UserId", String}, {"UserAuthenticatedId", String}, {"UserAccountId", String},
		{"AppVersion", String}, {"AppRoleName", String}, {"AppRoleInstance", String}, {"ClientType", String},
		{"ClientModel", String}, {"ClientOS", String}, {"ClientIP", String}, {"ClientCity", String},
		{"ClientStateOrProvince", String}, {"ClientCountryOrRegion", String}, {"ClientBrowser", String},
		{"ResourceGUID", String}, {"IKey", String}, {"SDKVersion", String}, {"ItemCount", Int},
		{"ReferencedItemId", String}, {"ReferencedType", String},
		{TenantID, String}, {SourceSystem, String}, {TypeColumn, String}, {ResourceID, String},
		{SubscriptionID, String}, {BilledSize, Real}, {IsBillable, String}, {AdditionalFields, Dynamic},
	}
	if len(tbl.Columns) != len(want) {
		t.Errorf("%d columns, want %d", len(tbl.Columns), len(want))
	}
	for i, w := range want {
		if i >= len(tbl.Columns) {
			break
		}
		if c := tbl.Columns[i]; c.Name != w.name || c.Type != w.typ {
			t.Errorf("column %d is %s %v, want %s %v", i, c.Name, c.Type, w.name, w.typ)
		}
	}
	// The properties of an Application Insights export are spelled as the
	// columns, in any case; time and resourceId are the envelope's.
	for key, col := range map[string]string{"properties": "Properties", "sdkversion": "SDKVersion", "time": "TimeGenerated", "resourceId": "_ResourceId"} {
		if i, ok := tbl.Field([]byte(key)); !ok || tbl.Columns[i].Name != col {
			t.Errorf("%s does not lead to %s", key, col)
		}
	}
}
