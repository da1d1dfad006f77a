package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

var testRef = store.WorkspaceRef{Name: "default", ID: "0f8fad5b-d9cb-469f-a165-70867728950e"}

func openTest(t *testing.T, dir string) (*Store, store.Workspace) {
	t.Helper()
	st, err := Open(Options{Dir: dir, MemoryLimit: "256MB", Threads: 2, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := st.Workspace(context.Background(), testRef)
	if err != nil {
		t.Fatal(err)
	}
	return st, ws
}

// summaryRow builds an ACSCallSummary row with a few values set.
func summaryRow(t *testing.T, callID string, duration int64, at time.Time) []any {
	tbl := schema.ByName("ACSCallSummary")
	row := make([]any, len(tbl.Columns))
	set := func(col string, v any) {
		i := tbl.ColumnIndex(col)
		if i < 0 {
			t.Fatalf("no column %s", col)
		}
		row[i] = v
	}
	set("TimeGenerated", at)
	set("CorrelationId", callID)
	set("CallDuration", duration)
	set("TPE", false)
	set("_BilledSize", 123.0)
	set("AdditionalFields", `{"x":[1,2]}`)
	set("_ResourceId", "/subscriptions/sub-1/resourcegroups/rg/providers/microsoft.communication/communicationservices/acs")
	return row
}

func query(t *testing.T, ws store.Workspace, q string) *store.Result {
	t.Helper()
	res, err := ws.Query(context.Background(), q, store.QueryOptions{})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return res
}

func TestTablesFromSchema(t *testing.T) {
	st, ws := openTest(t, t.TempDir())
	defer st.Close()
	for _, tbl := range schema.Tables() {
		res := query(t, ws, fmt.Sprintf(`SELECT * FROM %q LIMIT 0`, tbl.Name))
		if len(res.Columns) != len(tbl.Columns) {
			t.Fatalf("%s has %d columns, schema %d", tbl.Name, len(res.Columns), len(tbl.Columns))
		}
		for i, c := range tbl.Columns {
			if res.Columns[i].Name != c.Name || res.Columns[i].Type != c.Type {
				t.Errorf("%s column %d is %s %v, schema says %s %v", tbl.Name, i, res.Columns[i].Name, res.Columns[i].Type, c.Name, c.Type)
			}
		}
	}
	if ws.ID() != testRef.ID {
		t.Errorf("workspace id %q, opened as %q", ws.ID(), testRef.ID)
	}
}

func TestAppendQueryAndReopen(t *testing.T) {
	dir := t.TempDir()
	st, ws := openTest(t, dir)
	id := ws.ID()
	at := time.Date(2026, 1, 2, 3, 4, 5, 678000000, time.UTC)
	var b store.Batch
	tbl := schema.ByName("ACSCallSummary")
	b.Add(tbl, summaryRow(t, "call-1", 42, at))
	b.Add(tbl, summaryRow(t, "call-2", 7, at))
	if err := ws.Append(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	res := query(t, ws, `SELECT CorrelationId, CallDuration, TimeGenerated, TPE, AdditionalFields, AdditionalFields.x[1] AS first FROM ACSCallSummary ORDER BY CorrelationId`)
	if len(res.Rows) != 2 {
		t.Fatalf("%d rows", len(res.Rows))
	}
	r := res.Rows[0]
	if r[0] != "call-1" || r[1] != int64(42) || !r[2].(time.Time).Equal(at) || r[3] != false || r[4] != `{"x":[1,2]}` {
		t.Errorf("row = %#v", r)
	}
	if res.Columns[4].Type != schema.Dynamic || res.Columns[5].Type != schema.Dynamic {
		t.Errorf("dynamic columns typed %v, %v", res.Columns[4].Type, res.Columns[5].Type)
	}
	// Derived columns are computed by the store.
	res = query(t, ws, `SELECT TenantId, Type, Category, SourceSystem, _IsBillable, _SubscriptionId FROM ACSCallSummary WHERE CorrelationId = 'call-1'`)
	if got := fmt.Sprint(res.Rows[0]); got != fmt.Sprintf("[%s ACSCallSummary CallSummary Azure True sub-1]", ws.ID()) {
		t.Errorf("derived columns: %s", got)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	// The caller's metadata owns the id: reopening with another one
	// changes what TenantId reports.
	st, err := Open(Options{Dir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ws, err = st.Workspace(context.Background(), store.WorkspaceRef{Name: "default", ID: "other-id"})
	if err != nil {
		t.Fatal(err)
	}
	if r := query(t, ws, `SELECT DISTINCT TenantId FROM ACSCallSummary`); r.Rows[0][0] != "other-id" || id != testRef.ID {
		t.Errorf("TenantId after reopening with another id: %v", r.Rows[0][0])
	}
	res = query(t, ws, `SELECT count(*) AS n FROM ACSCallSummary`)
	if res.Rows[0][0] != int64(2) || res.Columns[0].Type != schema.Long {
		t.Errorf("after reopening: %v (%v)", res.Rows[0][0], res.Columns[0].Type)
	}
}

// A batch is one transaction: a row that cannot be stored takes its whole
// batch with it, and concurrent batches committed in the same group are
// not affected.
func TestBatchAtomicAndGroupIsolation(t *testing.T) {
	st, ws := openTest(t, t.TempDir())
	defer st.Close()
	tbl := schema.ByName("ACSCallSummary")
	diag := schema.ByName("ACSCallDiagnostics")

	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Go(func() {
			var b store.Batch
			b.Add(tbl, summaryRow(t, fmt.Sprintf("good-%d", i), int64(i), time.Now()))
			if i%10 == 0 {
				// A second table in the same batch, with a value of the
				// wrong type: the appender refuses it.
				bad := make([]any, len(diag.Columns))
				bad[diag.ColumnIndex("StreamId")] = "not a number"
				b.Add(diag, bad)
			}
			errs[i] = ws.Append(context.Background(), &b)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if (i%10 == 0) != (err != nil) {
			t.Errorf("batch %d: err = %v", i, err)
		}
	}
	res := query(t, ws, `SELECT count(*) FROM ACSCallSummary`)
	if res.Rows[0][0] != int64(36) {
		t.Errorf("%v summary rows stored, want 36 (4 bad batches rolled back whole)", res.Rows[0][0])
	}
	res = query(t, ws, `SELECT count(*) FROM ACSCallDiagnostics`)
	if res.Rows[0][0] != int64(0) {
		t.Errorf("%v diagnostics rows stored, want 0", res.Rows[0][0])
	}
}

func TestQueriesAreReadOnly(t *testing.T) {
	dir := t.TempDir()
	st, ws := openTest(t, dir)
	defer st.Close()
	refused := []string{
		`INSERT INTO ACSCallSummary (CorrelationId) VALUES ('x')`,
		`DELETE FROM ACSCallSummary`,
		`DELETE FROM callscope.ACSCallSummary`,
		`UPDATE callscope.ACSCallSummary SET CallType = 'x'`,
		`DROP TABLE ACSCallSummary`,
		`CREATE TABLE t (x INT)`,
		`SELECT 1; DROP TABLE ACSCallSummary`,
		`ATTACH '/tmp/x.db' AS x`,
		`COPY ACSCallSummary TO '/tmp/out.csv'`,
		`SET enable_external_access = true`,
		`PRAGMA enable_profiling`,
	}
	for _, q := range refused {
		if _, err := ws.Query(context.Background(), q, store.QueryOptions{}); !errors.Is(err, store.ErrNotReadOnly) {
			t.Errorf("%s: %v, want it refused as not read-only", q, err)
		}
	}
	// Reading files through table functions is refused by the engine.
	for _, q := range []string{`SELECT * FROM read_csv('/etc/passwd')`, `SELECT * FROM read_json('` + dir + `/x.json')`} {
		_, err := ws.Query(context.Background(), q, store.QueryOptions{})
		var qe *store.QueryError
		if !errors.As(err, &qe) || !strings.Contains(qe.Msg, "disabled") {
			t.Errorf("%s: %v, want a permission error", q, err)
		}
	}
	res := query(t, ws, `SELECT count(*) FROM ACSCallSummary`)
	if res.Rows[0][0] != int64(0) {
		t.Errorf("table changed: %v", res.Rows[0][0])
	}
	// A syntax error is a QueryError naming the position.
	_, err := ws.Query(context.Background(), "SELECT CorrelationId FRM ACSCallSummary", store.QueryOptions{})
	var qe *store.QueryError
	if !errors.As(err, &qe) || !strings.Contains(qe.Msg, "LINE 1") {
		t.Errorf("syntax error: %v", err)
	}
}

func TestQueryLimitsAndTypes(t *testing.T) {
	st, ws := openTest(t, t.TempDir())
	defer st.Close()
	res, err := ws.Query(context.Background(), `SELECT range AS n FROM range(10)`, store.QueryOptions{MaxRows: 3})
	if err != nil || len(res.Rows) != 3 || !res.Truncated {
		t.Fatalf("row limit: %v rows, truncated %v, %v", len(res.Rows), res != nil && res.Truncated, err)
	}
	_, err = ws.Query(context.Background(), `SELECT count(*) FROM range(1000000000000) a`, store.QueryOptions{Timeout: 200 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: %v", err)
	}
	res = query(t, ws, `SELECT 1::INTEGER AS i, 2::BIGINT AS l, 1.5::DOUBLE AS r, 'x' AS s, true AS b,
		TIMESTAMP '2024-01-02 03:04:05.123' AS d, INTERVAL 90 MINUTE AS ts, [1,2] AS list, {'a': 1} AS st,
		sum(3)::HUGEINT AS h, 1.25::DECIMAL(5,2) AS dec, uuid() AS g`)
	wantTypes := []schema.Type{schema.Int, schema.Long, schema.Real, schema.String, schema.Bool, schema.DateTime,
		schema.Timespan, schema.Dynamic, schema.Dynamic, schema.Long, schema.Decimal, schema.GUID}
	for i, w := range wantTypes {
		if res.Columns[i].Type != w {
			t.Errorf("column %s typed %v, want %v", res.Columns[i].Name, res.Columns[i].Type, w)
		}
	}
	r := res.Rows[0]
	if r[0] != int64(1) || r[1] != int64(2) || r[2] != 1.5 || r[6] != 90*time.Minute || r[7] != "[1,2]" || r[8] != `{"a":1}` || r[9] != int64(3) || r[10] != 1.25 {
		t.Errorf("values %#v", r)
	}
	if g, ok := r[11].(string); !ok || len(g) != 36 {
		t.Errorf("guid %#v", r[11])
	}
}

// A table written by an older callscope gains the columns added since.
func TestMissingColumnsAreAdded(t *testing.T) {
	dir := t.TempDir()
	st, _ := openTest(t, dir)
	path := st.Path("default")
	st.Close()

	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`ALTER TABLE callscope.ACSCallSummary DROP COLUMN TPE`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	st, ws := openTest(t, dir)
	defer st.Close()
	res := query(t, ws, `SELECT TPE FROM ACSCallSummary`)
	if res.Columns[0].Name != "TPE" {
		t.Fatal("TPE not restored")
	}
}

func TestWorkspaceNames(t *testing.T) {
	st, err := Open(Options{Dir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, bad := range []string{"", "../x", "A", "a b", "-x", strings.Repeat("a", 64)} {
		if _, err := st.Workspace(context.Background(), store.WorkspaceRef{Name: bad, ID: "x"}); err == nil {
			t.Errorf("workspace %q accepted", bad)
		}
	}
}
