// Package storetest is the behaviour every storage engine owes callscope,
// as tests: appends that are all or nothing, finalisation of updates,
// scans, replacement, retention and volume. Each engine's tests call Run
// with a function that opens a fresh store of that engine, so that DuckDB
// and ClickHouse answer to one suite.
package storetest

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

// Opener opens a new, empty store; the test closes it.
type Opener func(t *testing.T) store.Store

// Ref is the workspace every test uses.
var Ref = store.WorkspaceRef{Name: "default", ID: "0f8fad5b-d9cb-469f-a165-70867728950e"}

// Run runs the suite, each test on a store of its own.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st store.Store, ws store.Workspace)
	}{
		{"BatchAllOrNothing", testBatchAllOrNothing},
		{"ValuesKeptAsSent", testValuesKeptAsSent},
		{"Finalize", testFinalize},
		{"FinalizeP2PRowCounts", testFinalizeP2PRowCounts},
		{"ScanReplaceDeleteVolume", testScanReplaceDeleteVolume},
		{"ReplaceKeepsTheNewestWrite", testReplaceKeepsTheNewestWrite},
		{"DropWorkspace", testDropWorkspace},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := open(t)
			t.Cleanup(func() { st.Close() })
			ws, err := st.Workspace(context.Background(), Ref)
			if err != nil {
				t.Fatal(err)
			}
			tc.fn(t, st, ws)
		})
	}
}

// Row builds a row of a table from column values.
func Row(t *testing.T, table string, vals map[string]any) []any {
	t.Helper()
	tbl := schema.ByName(table)
	r := make([]any, len(tbl.Columns))
	for k, v := range vals {
		i := tbl.ColumnIndex(k)
		if i < 0 {
			t.Fatalf("%s has no column %s", table, k)
		}
		r[i] = v
	}
	return r
}

// Add appends rows to a table in one batch.
func Add(t *testing.T, ws store.Workspace, table string, rows ...map[string]any) {
	t.Helper()
	var b store.Batch
	for _, v := range rows {
		b.Add(schema.ByName(table), Row(t, table, v))
	}
	if err := ws.Append(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
}

// Query runs a statement that both engines read the same way.
func Query(t *testing.T, ws store.Workspace, q string) *store.Result {
	t.Helper()
	res, err := ws.Query(context.Background(), q, store.QueryOptions{})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return res
}

// count counts a table's rows.
func count(t *testing.T, ws store.Workspace, table string) int64 {
	t.Helper()
	res := Query(t, ws, "SELECT count(*) FROM "+table)
	n, ok := res.Rows[0][0].(int64)
	if !ok {
		t.Fatalf("count of %s: %#v", table, res.Rows[0][0])
	}
	return n
}

var t0 = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)

// A batch whose second table holds a value no engine can store fails
// whole: the rows of its first table are not kept, and batches appended
// at the same time are not affected.
func testBatchAllOrNothing(t *testing.T, _ store.Store, ws store.Workspace) {
	sum := schema.ByName(schema.SummaryTable)
	diag := schema.ByName(schema.DiagnosticsTable)
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			var b store.Batch
			b.Add(sum, Row(t, schema.SummaryTable, map[string]any{"TimeGenerated": t0, "CorrelationId": fmt.Sprintf("good-%d", i), "CallDuration": int64(i)}))
			if i%5 == 0 {
				bad := make([]any, len(diag.Columns))
				bad[diag.ColumnIndex("TimeGenerated")] = t0
				bad[diag.ColumnIndex("StreamId")] = struct{}{}
				b.Add(diag, bad)
			}
			errs[i] = ws.Append(context.Background(), &b)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if (i%5 == 0) != (err != nil) {
			t.Errorf("batch %d: err = %v", i, err)
		}
	}
	if n := count(t, ws, schema.SummaryTable); n != 16 {
		t.Errorf("%d summary rows stored, want 16 (4 bad batches taken back whole)", n)
	}
	if n := count(t, ws, schema.DiagnosticsTable); n != 0 {
		t.Errorf("%d diagnostics rows stored, want 0", n)
	}
}

// Values come back exactly as they were appended: floats to the bit
// (ClickHouse before 26.7 reads the floats of text formats a bit off),
// integers at their limits, strings with the bytes text formats escape,
// and missing values as missing.
func testValuesKeptAsSent(t *testing.T, _ store.Store, ws store.Workspace) {
	const table = "ACSCallClientMediaStatsTimeSeries"
	floats := []float64{2.28, 1.7091, 15933490, 0.30000000000000004, 3.146336e-05, -1e-300, 1.7976931348623157e308}
	longs := []int64{math.MinInt64, math.MaxInt64, -1}
	strs := []string{"tab\tnew\nline cr\r nul\x00 back\\ \\N quote\" ünï 通话", "", "null"}
	var rows []map[string]any
	for i, f := range floats {
		rows = append(rows, map[string]any{"TimeGenerated": t0.Add(time.Duration(i) * time.Second), "Average": f,
			"Count": longs[i%len(longs)], "CallId": strs[i%len(strs)], "Minimum": nil})
	}
	Add(t, ws, table, rows...)
	seen := 0
	err := ws.Scan(context.Background(), schema.ByName(table), []string{"TimeGenerated", "Average", "Count", "CallId", "Minimum"}, t0, t0.Add(time.Hour), func(r []any) error {
		i := int(r[0].(time.Time).Sub(t0) / time.Second)
		want := []any{rows[i]["Average"], rows[i]["Count"], rows[i]["CallId"], nil}
		if fmt.Sprintf("%#v", r[1:]) != fmt.Sprintf("%#v", want) {
			t.Errorf("row %d: read %#v, appended %#v", i, r[1:], want)
		}
		seen++
		return nil
	})
	if err != nil || seen != len(rows) {
		t.Errorf("scanned %d of %d rows: %v", seen, len(rows), err)
	}
}

// summaryUpdate is a participant's summary update.
func summaryUpdate(call, participant, endpoint string, version int64, at time.Time, duration any) map[string]any {
	m := map[string]any{
		"TimeGenerated": at, "CorrelationId": call, "EndpointId": endpoint, "CallUpdatesVersion": version,
		"CallStartTime": t0, "CallDuration": duration, "OperationName": "CallSummary",
		"ParticipantDuration": version * 10, // tells the versions apart
	}
	if participant != "" {
		m["ParticipantId"] = participant
	}
	return m
}

// finals lists the final summary rows as "call/participant/endpoint:duration".
func finals(t *testing.T, ws store.Workspace) string {
	t.Helper()
	res := Query(t, ws, `SELECT CorrelationId, coalesce(ParticipantId, '-'), coalesce(EndpointId, '-'), coalesce(ParticipantDuration, -1) FROM ACSCallSummary`)
	var out []string
	for _, r := range res.Rows {
		out = append(out, fmt.Sprintf("%s/%s/%s:%v", r[0], r[1], r[2], r[3]))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func testFinalize(t *testing.T, _ store.Store, ws store.Workspace) {
	ctx := context.Background()
	grace := 2 * time.Minute
	fin := func(at time.Time) store.FinalizeResult {
		t.Helper()
		r, err := ws.Finalize(ctx, at, grace)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// c1 ended at t0+60s. p1's versions arrive out of order: 2 before 1.
	Add(t, ws, "ACSCallSummaryUpdates",
		summaryUpdate("c1", "p1", "e1", 2, t0.Add(70*time.Second), int64(60)),
		summaryUpdate("c1", "p2", "e2", 1, t0.Add(70*time.Second), int64(60)))
	Add(t, ws, "ACSCallSummaryUpdates", summaryUpdate("c1", "p1", "e1", 1, t0.Add(75*time.Second), int64(60)))
	// c2 is still in progress: its updates have no duration yet.
	Add(t, ws, "ACSCallSummaryUpdates", summaryUpdate("c2", "p3", "e3", 1, t0.Add(70*time.Second), nil))
	// c3 sent its final row directly, and updates as well.
	Add(t, ws, "ACSCallSummary", map[string]any{"TimeGenerated": t0, "CorrelationId": "c3", "ParticipantId": "p5", "EndpointId": "e5", "ParticipantDuration": int64(999)})
	Add(t, ws, "ACSCallSummaryUpdates", summaryUpdate("c3", "p5", "e5", 1, t0.Add(70*time.Second), int64(60)))

	// Within the grace period nothing is final.
	if r := fin(t0.Add(3 * time.Minute)); r.Summaries != 0 {
		t.Errorf("finalised within the grace period: %+v", r)
	}
	if got := finals(t, ws); got != "c3/p5/e5:999" {
		t.Errorf("finals within grace: %s", got)
	}
	r := fin(t0.Add(5 * time.Minute))
	if got := finals(t, ws); got != "c1/p1/e1:20 c1/p2/e2:10 c3/p5/e5:999" || r.Summaries != 2 {
		t.Errorf("finals after grace: %s (%+v)", got, r)
	}
	// Running again changes nothing.
	if r := fin(t0.Add(6 * time.Minute)); r.Summaries != 0 || r.Replaced != 0 {
		t.Errorf("second run: %+v", r)
	}

	// A late, higher version replaces p2's final row once it settles.
	Add(t, ws, "ACSCallSummaryUpdates", summaryUpdate("c1", "p2", "e2", 3, t0.Add(time.Hour), int64(60)))
	fin(t0.Add(time.Hour + time.Minute))
	if got := finals(t, ws); !strings.Contains(got, "c1/p2/e2:10") {
		t.Errorf("replaced before the late version settled: %s", got)
	}
	r = fin(t0.Add(time.Hour + 3*time.Minute))
	if got := finals(t, ws); got != "c1/p1/e1:20 c1/p2/e2:30 c3/p5/e5:999" || r.Replaced != 1 || r.Summaries != 1 {
		t.Errorf("after the late version: %s (%+v)", got, r)
	}

	// A row sent as final after a derived one displaces it.
	Add(t, ws, "ACSCallSummary", map[string]any{"TimeGenerated": t0, "CorrelationId": "c1", "ParticipantId": "p1", "EndpointId": "e1", "ParticipantDuration": int64(777)})
	fin(t0.Add(2 * time.Hour))
	if got := finals(t, ws); got != "c1/p1/e1:777 c1/p2/e2:30 c3/p5/e5:999" {
		t.Errorf("after a final sent directly: %s", got)
	}

	// c2 ends: it becomes final after the grace period.
	Add(t, ws, "ACSCallSummaryUpdates", summaryUpdate("c2", "p3", "e3", 2, t0.Add(3*time.Hour), int64(100)))
	fin(t0.Add(3*time.Hour + 3*time.Minute))
	if got := finals(t, ws); !strings.Contains(got, "c2/p3/e3:20") {
		t.Errorf("c2 after it ended: %s", got)
	}
	// Final rows carry the final table's columns, not the version.
	res := Query(t, ws, `SELECT Category, Type, OperationName FROM ACSCallSummary WHERE CorrelationId = 'c2'`)
	if fmt.Sprint(res.Rows) != "[[CallSummary ACSCallSummary CallSummary]]" {
		t.Errorf("final row columns: %v", res.Rows)
	}

	// Finalising from several nodes at once writes each row once.
	Add(t, ws, "ACSCallSummaryUpdates", summaryUpdate("c4", "p9", "e9", 1, t0.Add(4*time.Hour), int64(10)))
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if _, err := ws.Finalize(ctx, t0.Add(5*time.Hour), grace); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := finals(t, ws); got != "c1/p1/e1:777 c1/p2/e2:30 c2/p3/e3:20 c3/p5/e5:999 c4/p9/e9:10" {
		t.Errorf("after three finalisations at once: %s", got)
	}
}

// A P2P call of two endpoints sending audio and video: two summary rows
// (no ParticipantId) and four diagnostics rows, one per outbound stream,
// however many versions came.
func testFinalizeP2PRowCounts(t *testing.T, _ store.Store, ws store.Workspace) {
	for _, ep := range []string{"alice", "bob"} {
		for v := int64(1); v <= 3; v++ {
			Add(t, ws, "ACSCallSummaryUpdates", summaryUpdate("p2p", "", ep, v, t0.Add(time.Duration(v)*time.Minute), int64(30)))
			for i, media := range []string{"Audio", "Video"} {
				Add(t, ws, "ACSCallDiagnosticsUpdates", map[string]any{
					"TimeGenerated": t0.Add(time.Duration(v) * time.Minute), "CorrelationId": "p2p", "EndpointId": ep,
					"MediaType": media, "StreamId": int64(100 + i), "CallUpdatesVersion": v, "JitterAvg": v,
				})
			}
		}
	}
	r, err := ws.Finalize(context.Background(), t0.Add(time.Hour), 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if r.Summaries != 2 || r.Diagnostics != 4 {
		t.Errorf("finalised %+v, want 2 summaries and 4 diagnostics", r)
	}
	res := Query(t, ws, `SELECT count(*), min(JitterAvg), max(JitterAvg) FROM ACSCallDiagnostics`)
	if fmt.Sprint(res.Rows[0]) != "[4 3 3]" {
		t.Errorf("diagnostics finals: %v, want 4 rows of version 3", res.Rows[0])
	}
}

func testScanReplaceDeleteVolume(t *testing.T, _ store.Store, ws store.Workspace) {
	ctx := context.Background()
	for h := range 5 {
		for i := range h + 1 {
			Add(t, ws, "ACSCallSurvey", map[string]any{"TimeGenerated": t0.Add(time.Duration(h)*time.Hour + time.Duration(i)*time.Minute),
				"SurveyId": fmt.Sprintf("s%d-%d", h, i), "OverallRatingScore": int64(h), "_BilledSize": 100.0})
		}
	}
	// A row of the day before, which retention drops with its day.
	Add(t, ws, "ACSCallSurvey", map[string]any{"TimeGenerated": t0.Add(-24 * time.Hour), "SurveyId": "old"})
	tbl := schema.ByName("ACSCallSurvey")
	var seen []string
	err := ws.Scan(ctx, tbl, []string{"SurveyId", "TimeGenerated", "OverallRatingScore"}, t0.Add(time.Hour), t0.Add(3*time.Hour), func(r []any) error {
		seen = append(seen, fmt.Sprintf("%v@%s:%v", r[0], r[1].(time.Time).Format("15:04"), r[2]))
		return nil
	})
	sort.Strings(seen)
	if err != nil || strings.Join(seen, " ") != "s1-0@11:00:1 s1-1@11:01:1 s2-0@12:00:2 s2-1@12:01:2 s2-2@12:02:2" {
		t.Errorf("scan: %v %v", seen, err)
	}
	vol, err := ws.Volume(ctx, tbl, t0, t0.Add(24*time.Hour))
	if err != nil || len(vol) != 5 || vol[4].Records != 5 || vol[4].Bytes != 500 || !vol[4].Hour.Equal(t0.Add(4*time.Hour)) {
		t.Errorf("volume: %+v %v", vol, err)
	}
	// Every engine takes a retention, expiring rows itself or not; none
	// of these rows is ten years old.
	if err := ws.Retain(ctx, tbl, 3650); err != nil {
		t.Errorf("retain: %v", err)
	}
	n, err := ws.DeleteBefore(ctx, tbl, t0.Add(2*time.Hour))
	if err != nil || n != 4 {
		t.Errorf("deleted %d, %v; want 4", n, err)
	}
	err = ws.Replace(ctx, tbl, t0.Add(4*time.Hour), t0.Add(5*time.Hour), [][]any{Row(t, "ACSCallSurvey", map[string]any{"TimeGenerated": t0.Add(4 * time.Hour), "SurveyId": "new"})})
	if err != nil {
		t.Fatal(err)
	}
	res := Query(t, ws, `SELECT count(*), sum(CASE WHEN SurveyId = 'new' THEN 1 ELSE 0 END) FROM ACSCallSurvey`)
	if fmt.Sprint(res.Rows[0]) != "[8 1]" { // 16 rows, 4 deleted, the 5 of hour 4 replaced by 1
		t.Errorf("after delete and replace: %v", res.Rows[0])
	}
}

// The Usage table is rewritten by every node's usage job: a range written
// twice, or by two nodes at once, shows one write.
func testReplaceKeepsTheNewestWrite(t *testing.T, _ store.Store, ws store.Workspace) {
	ctx := context.Background()
	ut := schema.ByName(schema.UsageTable)
	usage := func(hour int, table string, records int64) []any {
		return Row(t, schema.UsageTable, map[string]any{"TimeGenerated": t0.Add(time.Duration(hour) * time.Hour),
			schema.UsageDataType: table, schema.UsageRecords: records})
	}
	from, to := t0, t0.Add(3*time.Hour)
	if err := ws.Replace(ctx, ut, from, to, [][]any{usage(0, "A", 1), usage(1, "A", 1), usage(2, "B", 1)}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for n := range int64(3) {
		wg.Go(func() {
			if err := ws.Replace(ctx, ut, from, to, [][]any{usage(0, "A", 10+n), usage(1, "A", 10+n)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	res := Query(t, ws, `SELECT DataType, count(*), min(Records) >= 10 FROM Usage GROUP BY DataType ORDER BY DataType`)
	if len(res.Rows) != 1 || fmt.Sprint(res.Rows[0][:2]) != "[A 2]" {
		t.Errorf("usage after concurrent replacements: %v, want two rows of A from one write and no B", res.Rows)
	}
}

func testDropWorkspace(t *testing.T, st store.Store, ws store.Workspace) {
	Add(t, ws, "ACSCallSurvey", map[string]any{"TimeGenerated": t0, "SurveyId": "x"})
	if err := st.DropWorkspace(context.Background(), Ref.Name); err != nil {
		t.Fatal(err)
	}
	ws, err := st.Workspace(context.Background(), Ref)
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, ws, "ACSCallSurvey"); n != 0 {
		t.Errorf("dropped workspace still has %v rows", n)
	}
}
