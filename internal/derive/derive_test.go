package derive

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/decode"
	"github.com/callscope/callscope/internal/ingest"
	"github.com/callscope/callscope/internal/query"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/simulate"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/store/enginetest"
	"github.com/callscope/callscope/internal/workspace"
)

// The jobs' tests, on each storage engine.
func TestJobs(t *testing.T) {
	enginetest.Run(t,
		enginetest.Test{Name: "FinalizeMatchesTheSimulatorsFinals", Fn: testFinalizeMatchesTheSimulatorsFinals},
		enginetest.Test{Name: "Rollup", Fn: testRollup},
		enginetest.Test{Name: "UsageAndRetention", Fn: testUsageAndRetention},
		enginetest.Test{Name: "RunOnceReports", Fn: testRunOnceReports},
	)
}

// clock is a clock the test moves.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

type env struct {
	jobs   *Jobs
	clock  *clock
	ws     store.Workspace
	engine string
	reg    *workspace.Registry
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// newEnv opens a store of the engine and a registry with its default
// workspace.
func newEnv(t *testing.T, eng enginetest.Engine, now time.Time) *env {
	t.Helper()
	st := eng.Open(t, enginetest.Options{})
	b, err := workspace.OpenFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	reg, err := workspace.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	def, _ := reg.Workspace(workspace.DefaultName)
	ws, err := st.Workspace(context.Background(), store.WorkspaceRef{Name: def.Name, ID: def.ID})
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{now}
	return &env{jobs: New(Config{Store: st, Registry: reg, Clock: c, Logger: quiet}), clock: c, ws: ws, engine: st.Engine(), reg: reg}
}

// load ingests NDJSON records into the default workspace, as an import.
func (e *env) load(t *testing.T, records ...[]byte) {
	t.Helper()
	in := ingest.New(decode.Limits{}, nil)
	target := ingest.Target{Source: "test", Errors: e.ws, Route: func(*schema.Table, string) []store.Workspace { return []store.Workspace{e.ws} }}
	sum, err := in.Body(context.Background(), bytes.NewReader(bytes.Join(records, []byte("\n"))), target)
	if err != nil || sum.RejectedCount > 0 {
		t.Fatalf("load: %v %+v", err, sum.Rejected)
	}
}

// rows runs a KQL query, which each engine's dialect translates, so that
// the tests read both stores alike.
func (e *env) rows(t *testing.T, kql string) [][]any {
	t.Helper()
	res, err := query.Run(context.Background(), e.ws, e.engine, query.Request{Query: kql})
	if err != nil {
		t.Fatalf("%s: %v", kql, err)
	}
	return res.Rows
}

// count counts the rows of a table or tabular expression.
func (e *env) count(t *testing.T, tabular string) int64 {
	t.Helper()
	return e.rows(t, tabular+" | count")[0][0].(int64)
}

func (e *env) run(t *testing.T, job string) {
	t.Helper()
	if err := e.jobs.Run1(context.Background(), job); err != nil {
		t.Fatal(err)
	}
}

// Finalisation over simulated calls sent only as updates yields exactly the
// final rows the simulator itself would have sent: one per participant and
// one per stream.
func testFinalizeMatchesTheSimulatorsFinals(t *testing.T, eng enginetest.Engine) {
	from := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
	opts := simulate.Options{Seed: 3, Calls: 30, From: from, To: from.Add(2 * time.Hour), Finals: true}
	var updates [][]byte
	counts, err := simulate.Generate(opts, func(r simulate.Record) error {
		if r.Category == "CallSummaryUpdates" || r.Category == "CallDiagnosticsUpdates" {
			updates = append(updates, r.JSON)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, eng, from)
	e.load(t, updates...)

	// While calls are in progress or within the grace period, nothing.
	e.clock.t = from.Add(time.Minute)
	e.run(t, JobFinalize)
	if n := e.count(t, "ACSCallSummary"); n != 0 {
		t.Errorf("%d final rows before any call settled", n)
	}
	// Days later every call has settled, even the latest versions.
	e.clock.t = from.Add(30 * 24 * time.Hour)
	e.run(t, JobFinalize)
	summaries := e.count(t, "ACSCallSummary")
	diagnostics := e.count(t, "ACSCallDiagnostics")
	if summaries != int64(counts["CallSummary"]) || diagnostics != int64(counts["CallDiagnostics"]) {
		t.Errorf("derived %d summaries and %d diagnostics; the simulator's finals are %d and %d",
			summaries, diagnostics, counts["CallSummary"], counts["CallDiagnostics"])
	}
	// Each final row is the highest version of its participant: every
	// update meets its participant's final row (P2P participants, without
	// a ParticipantId, by their endpoint), and none is newer.
	pairs := e.rows(t, `ACSCallSummary
		| join kind=inner ACSCallSummaryUpdates on CorrelationId, ParticipantId, EndpointId
		| summarize pairs = count(), stale = countif(TimeGenerated1 > TimeGenerated)`)[0]
	if updates := e.count(t, "ACSCallSummaryUpdates"); pairs[0] != updates || pairs[1] != int64(0) {
		t.Errorf("%v of %d updates meet their final row; %v final rows are older than an update of their participant", pairs[0], updates, pairs[1])
	}
	// Running again writes nothing.
	if r, _ := e.ws.Finalize(context.Background(), e.clock.t, 2*time.Minute); r.Summaries+r.Diagnostics+r.Replaced != 0 {
		t.Errorf("second run wrote %+v", r)
	}
}

// op renders a client operation record.
func op(at time.Time, name, call, participant, result, payload string) []byte {
	return []byte(fmt.Sprintf(`{"time":%q,"resourceId":"/subscriptions/s/resourcegroups/rg/providers/microsoft.communication/communicationservices/a","category":"CallClientOperations","properties":{"CallClientTimeStamp":%q,"OperationName":%q,"CallId":%q,"ParticipantId":%q,"ResultType":%q,"SdkVersion":"1.32.1.0_stable","OperationPayload":%s,"UserAgent":"azure-communication-services/1.3.1 azsdk-js-communication-calling/1.32.1 (javascript_calling_sdk;#clientTag:x). Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"}}`,
		at.Format(time.RFC3339Nano), at.Format(time.RFC3339Nano), name, call, participant, result, payload))
}

// The rollup writes the day's metric rows from the operations, and a
// recomputation writes only the rows whose counts changed, with a later
// TimestampMax, so that the latest row per dimension set is the truth.
func testRollup(t *testing.T, eng enginetest.Engine) {
	day := time.Date(2026, 4, 2, 0, 0, 0, 0, time.UTC)
	e := newEnv(t, eng, day.Add(12*time.Hour))
	join := `{"SdkPlatform":"Web","CallType":"Group"}`
	e.load(t,
		op(day.Add(9*time.Hour), "Join", "c1", "p1", "Succeeded", join),
		op(day.Add(9*time.Hour), "Join", "c1", "p2", "Succeeded", join),
		op(day.Add(10*time.Hour), "Join", "c2", "p3", "Failed", `{"SdkPlatform":"Web","CallType":"Group","SubCode":41048}`),
		op(day.Add(-2*24*time.Hour), "Join", "old", "p9", "Succeeded", join), // outside today and yesterday
	)
	e.run(t, JobRollup)
	const latest = `ACSCallingMetrics
		| where MetricName == 'reliability/api/Join'
		| summarize arg_max(TimestampMax, *) by CorrelationId
		| project ResultType, SubCode, LegsDcount, SuccessLegsDcount, FailedLegsDcount, CallsDcount, MetricValueAvg, CallType, Platform, DeviceBrowser, DeviceOsName
		| order by ResultType asc`
	got := fmt.Sprint(e.rows(t, latest))
	want := "[[Failed 41048 1 0 1 1 0 Group Web Chrome Windows] [Succeeded  2 2 0 1 100 Group Web Chrome Windows]]"
	if got != want {
		t.Errorf("Join rows:\n got %s\nwant %s", got, want)
	}
	written := e.count(t, "ACSCallingMetrics")
	if written == 0 {
		t.Fatal("no rows written")
	}
	// Nothing changed: nothing written.
	e.clock.t = e.clock.t.Add(5 * time.Minute)
	e.run(t, JobRollup)
	if n := e.count(t, "ACSCallingMetrics"); n != written {
		t.Errorf("an unchanged recomputation wrote %d rows", n-written)
	}
	// A third leg joins successfully: the Succeeded row is rewritten with a
	// later TimestampMax and the new counts; the Failed row is not.
	e.load(t, op(day.Add(9*time.Hour), "Join", "c3", "p4", "Succeeded", join))
	e.clock.t = e.clock.t.Add(5 * time.Minute)
	e.run(t, JobRollup)
	got = fmt.Sprint(e.rows(t, latest))
	want = "[[Failed 41048 1 0 1 1 0 Group Web Chrome Windows] [Succeeded  3 3 0 2 100 Group Web Chrome Windows]]"
	if got != want {
		t.Errorf("after a new leg:\n got %s\nwant %s", got, want)
	}
	if n := e.count(t, "ACSCallingMetrics | where MetricName == 'reliability/api/Join'"); n != 3 {
		t.Errorf("%d Join rows in all, want 3 (two, then one rewritten)", n)
	}
	// The Insights tab's reliability over deduplicated rows.
	rel := e.rows(t, `ACSCallingMetrics
		| summarize arg_max(TimestampMax, *) by CorrelationId
		| where MetricName == 'reliability/api/Join'
		| summarize round(sum(SuccessLegsDcount) * 100.0 / sum(LegsDcount), 1)`)
	if rel[0][0] != 75.0 {
		t.Errorf("Join reliability %v, want 75 (3 of 4 legs)", rel[0][0])
	}
}

func testUsageAndRetention(t *testing.T, eng enginetest.Engine) {
	now := time.Date(2026, 4, 10, 12, 30, 0, 0, time.UTC)
	e := newEnv(t, eng, now)
	survey := func(at time.Time, id string) []byte {
		return []byte(fmt.Sprintf(`{"time":%q,"category":"CallSurvey","properties":{"SurveyId":%q}}`, at.Format(time.RFC3339), id))
	}
	e.load(t,
		survey(now.Add(-10*time.Minute), "a"), survey(now.Add(-20*time.Minute), "b"), // this hour
		survey(now.Add(-90*time.Minute), "c"),     // the hour before
		survey(now.Add(-3*24*time.Hour), "old"),   // three days ago
		survey(now.Add(-40*24*time.Hour), "gone"), // past the default retention
	)
	e.run(t, JobUsage)
	usage := func() string {
		var out []string
		for _, r := range e.rows(t, `Usage | where DataType == 'ACSCallSurvey' | project StartTime, Records, IsBillable, billed = Quantity > 0 | order by StartTime asc`) {
			out = append(out, fmt.Sprintf("%s:%v:%v:%v", r[0].(time.Time).Format("01-02T15"), r[1], r[2], r[3]))
		}
		return strings.Join(out, " ")
	}
	if got := usage(); got != "04-10T11:1:true:true 04-10T12:2:true:true" {
		t.Errorf("usage: %s", got)
	}
	// An hour later, with a record arriving late for the past hour.
	e.load(t, survey(now.Add(-15*time.Minute), "late"))
	e.clock.t = now.Add(time.Hour)
	e.run(t, JobUsage)
	if got := usage(); got != "04-10T11:1:true:true 04-10T12:3:true:true" {
		t.Errorf("usage an hour later: %s", got)
	}

	// Retention: the default 30 days removes "gone"; a 2-day retention on
	// the table removes "old" too.
	e.run(t, JobRetention)
	ids := func() string {
		var out []string
		for _, r := range e.rows(t, `ACSCallSurvey | project SurveyId`) {
			out = append(out, r[0].(string))
		}
		sort.Strings(out)
		return strings.Join(out, ",")
	}
	if got := ids(); got != "a,b,c,late,old" {
		t.Errorf("after default retention: %s", got)
	}
	if _, err := e.reg.SetRetention(workspace.DefaultName, "ACSCallSurvey", 2); err != nil {
		t.Fatal(err)
	}
	e.run(t, JobRetention)
	if got := ids(); got != "a,b,c,late" {
		t.Errorf("after 2-day retention: %s", got)
	}
	// The clock moves on a month: everything ages out, Usage included.
	e.clock.t = now.Add(40 * 24 * time.Hour)
	e.run(t, JobRetention)
	if n := e.count(t, "ACSCallSurvey") + e.count(t, "Usage"); n != 0 {
		t.Errorf("%d rows left after 40 days", n)
	}
}

func testRunOnceReports(t *testing.T, eng enginetest.Engine) {
	e := newEnv(t, eng, time.Now())
	var seen []string
	e.jobs.cfg.Observer = observerFunc(func(job string, _ time.Duration, _ int, err error) {
		if err != nil {
			t.Errorf("%s: %v", job, err)
		}
		seen = append(seen, job)
	})
	if err := e.jobs.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(seen, ","); got != "finalize,calling_metrics,usage,retention" {
		t.Errorf("jobs reported: %s", got)
	}
}

type observerFunc func(string, time.Duration, int, error)

func (f observerFunc) JobDone(job string, took time.Duration, rows int, err error) {
	f(job, took, rows, err)
}
