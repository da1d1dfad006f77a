package query_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/kql/sqlgen"
	"github.com/callscope/callscope/internal/kql/sqlgen/duckdbsql"
	"github.com/callscope/callscope/internal/query"
	"github.com/callscope/callscope/internal/schema"
)

// arg_max(…, *) packs only the columns that the rest of the query reads;
// the others never reach the engine's aggregation.
func TestArgMaxPacksOnlyWhatIsRead(t *testing.T) {
	const src = `ACSCallSummary
| summarize arg_max(TimeGenerated, *) by CorrelationId
| where ParticipantEndReason != '0'
| project CorrelationId, ParticipantId`
	tr, err := query.Translate("duckdb", query.Request{Query: src})
	if err != nil {
		t.Fatal(err)
	}
	packed := packedFields(t, tr.Statement.SQL)
	if packed != `"f0" := "ParticipantId", "f1" := "ParticipantEndReason"` {
		t.Errorf("arg_max packs %s, want only ParticipantId and ParticipantEndReason:\n%s", packed, tr.Statement.SQL)
	}

	// Pruning leaves the checked query as it was.
	now := time.Now()
	checked, err := kql.Compile(src, kql.Options{Tables: schema.ByName, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := kql.Compile(src, kql.Options{Tables: schema.ByName, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqlgen.Generate(checked, duckdbsql.Dialect{}, sqlgen.Options{}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(checked, fresh) {
		t.Error("writing the SQL changed the checked query")
	}

	// Every column of the result is read, so nothing is pruned there.
	tr, err = query.Translate("duckdb", query.Request{Query: `ACSCallSummary | summarize arg_max(TimeGenerated, *) by CorrelationId`})
	if err != nil {
		t.Fatal(err)
	}
	// The result is the key, the maximum, then every other column.
	want := len(tr.Checked.Plan.Columns()) - 2
	if packed := packedFields(t, tr.Statement.SQL); strings.Count(packed, ":=") != want {
		t.Errorf("arg_max packs %d columns, want all %d others: %s", strings.Count(packed, ":="), want, packed)
	}
}

// packedFields is the field list of the struct DuckDB's arg_max carries.
func packedFields(t *testing.T, sql string) string {
	t.Helper()
	_, after, ok := strings.Cut(sql, "struct_pack(")
	if !ok {
		t.Fatalf("no struct in:\n%s", sql)
	}
	fields, _, _ := strings.Cut(after, "), ")
	return fields
}
