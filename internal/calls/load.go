// Package calls answers the questions of the Call Diagnostics explorer about
// one call: who took part and how it ended (overview), what went wrong
// (issues), and later the timeline and media series. It reads through the
// KQL layer, as a user's query would, with the call id bound as a query
// parameter.
//
// ACS writes a call's final summary hours after it ends. callscope answers
// from whatever has arrived: the final rows where they exist, otherwise the
// newest update of each participant and stream, so that a call in progress
// already has an overview and its issues, and the answer only sharpens as
// finals arrive.
package calls

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/query"
	"github.com/callscope/callscope/internal/store"
)

// Service answers for one workspace.
type Service struct {
	WS     store.Workspace
	Engine string // the store's engine, for the KQL dialect
	// Timeout bounds each query; 0 for query.DefaultTimeout.
	Timeout time.Duration
}

// ErrNotFound is returned for a call id with no rows in any table.
var ErrNotFound = fmt.Errorf("no call with this id")

// row is one result row by column name.
type row map[string]any

func (r row) str(col string) string {
	if s, ok := r[col].(string); ok {
		return s
	}
	if r[col] == nil {
		return ""
	}
	return fmt.Sprint(r[col])
}

func (r row) num(col string) (float64, bool) {
	switch v := r[col].(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func (r row) int(col string) int64 {
	v, _ := r.num(col)
	return int64(v)
}

func (r row) time(col string) time.Time {
	t, _ := r[col].(time.Time)
	return t
}

// run runs KQL with parameters and returns its rows by name.
func (s *Service) run(ctx context.Context, kql string, params map[string]string) ([]row, error) {
	res, err := query.Run(ctx, s.WS, s.Engine, query.Request{Query: kql, Parameters: params, MaxRows: 200_000, Timeout: s.Timeout})
	if err != nil {
		return nil, err
	}
	if res.Truncated {
		return nil, fmt.Errorf("the call has more than 200,000 rows in one table; narrow the query")
	}
	out := make([]row, len(res.Rows))
	for i, vals := range res.Rows {
		r := make(row, len(vals))
		for j, c := range res.Columns {
			r[c.Name] = vals[j]
		}
		out[i] = r
	}
	return out, nil
}

// The queries that read one call. Final and update rows come together;
// the newest of each participant or stream is chosen in Go (a call has
// tens of them, not thousands).
const (
	summariesKQL = `declare query_parameters(callId:string = '');
union withsource=SourceTable ACSCallSummary, ACSCallSummaryUpdates
| where CorrelationId == callId`

	diagnosticsKQL = `declare query_parameters(callId:string = '');
union withsource=SourceTable ACSCallDiagnostics, ACSCallDiagnosticsUpdates
| where CorrelationId == callId`

	surveysKQL = `declare query_parameters(callId:string = '');
ACSCallSurvey | where CallId == callId or CorrelationId == callId`

	// Client operations of the call: those naming it, and those of the same
	// participants or SDK instances from two hours before to two hours
	// after, which catches what happened before joining (CallAgentInit,
	// device permissions) and has no call id yet.
	operationsKQL = `declare query_parameters(callId:string = '', from:datetime, to:datetime);
let byCall = ACSCallClientOperations | where CallId == callId;
let instances = byCall | where isnotempty(ClientInstanceId) | distinct ClientInstanceId;
let participants = union (byCall | distinct ParticipantId),
    (union ACSCallSummary, ACSCallSummaryUpdates | where CorrelationId == callId | distinct ParticipantId)
  | where isnotempty(ParticipantId);
ACSCallClientOperations
| where CallClientTimeStamp between (from .. to)
| where CallId == callId or ClientInstanceId in (instances) or ParticipantId in (participants)
| order by CallClientTimeStamp asc`
)

// data is everything read about one call.
type data struct {
	summaries   []row // the newest row per participant
	streams     []row // the newest row per participant and stream
	surveys     []row
	operations  []row
	final       bool // every participant has its final summary row
	first, last time.Time
}

func (s *Service) load(ctx context.Context, callID string, withOps bool) (*data, error) {
	p := map[string]string{"callId": callID}
	sums, err := s.run(ctx, summariesKQL, p)
	if err != nil {
		return nil, err
	}
	diags, err := s.run(ctx, diagnosticsKQL, p)
	if err != nil {
		return nil, err
	}
	surveys, err := s.run(ctx, surveysKQL, p)
	if err != nil {
		return nil, err
	}
	d := &data{surveys: surveys}
	d.summaries, d.final = newest(sums, participantKey)
	d.streams, _ = newest(diags, func(r row) string { return participantKey(r) + "\x00" + r.str("StreamId") })
	for _, r := range sums {
		d.span(r.time("CallStartTime"))
		d.span(r.time("TimeGenerated"))
		if start, dur := r.time("CallStartTime"), r.int("CallDuration"); !start.IsZero() && dur > 0 {
			d.span(start.Add(time.Duration(dur) * time.Second))
		}
	}
	for _, r := range diags {
		d.span(r.time("TimeGenerated"))
	}
	if withOps || d.first.IsZero() {
		from, to := d.first.Add(-2*time.Hour), d.last.Add(2*time.Hour)
		if d.first.IsZero() {
			// Only client logs so far: look back a year, as the explorer does.
			to = time.Now().UTC().Add(2 * time.Hour)
			from = to.AddDate(-1, 0, 0)
		}
		p["from"], p["to"] = from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano)
		if d.operations, err = s.run(ctx, operationsKQL, p); err != nil {
			return nil, err
		}
	}
	if len(d.summaries) == 0 && len(d.streams) == 0 && len(d.surveys) == 0 && !hasCallOps(d.operations, callID) {
		return nil, ErrNotFound
	}
	return d, nil
}

func hasCallOps(ops []row, callID string) bool {
	for _, o := range ops {
		if o.str("CallId") == callID {
			return true
		}
	}
	return false
}

func (d *data) span(t time.Time) {
	if t.IsZero() {
		return
	}
	if d.first.IsZero() || t.Before(d.first) {
		d.first = t
	}
	if t.After(d.last) {
		d.last = t
	}
}

// participantKey names a participant: its id, or for P2P calls (where ACS
// leaves ParticipantId empty) its endpoint.
func participantKey(r row) string {
	if id := r.str("ParticipantId"); id != "" {
		return id
	}
	return "endpoint:" + r.str("EndpointId")
}

// newest keeps, per key, the final row if there is one, else the update
// with the highest version (then the latest TimeGenerated). It reports
// whether every key had a final row.
func newest(rows []row, key func(row) string) ([]row, bool) {
	best := map[string]row{}
	var order []string
	for _, r := range rows {
		k := key(r)
		cur, ok := best[k]
		if !ok {
			order = append(order, k)
			best[k] = r
			continue
		}
		if newer(r, cur) {
			best[k] = r
		}
	}
	out := make([]row, 0, len(order))
	allFinal := len(order) > 0
	for _, k := range order {
		out = append(out, best[k])
		allFinal = allFinal && isFinal(best[k])
	}
	sort.SliceStable(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out, allFinal
}

func isFinal(r row) bool { return !strings.HasSuffix(r.str("SourceTable"), "Updates") }

// newer reports whether a should replace b as the row of its participant
// or stream.
func newer(a, b row) bool {
	if isFinal(a) != isFinal(b) {
		return isFinal(a)
	}
	if va, vb := a.int("CallUpdatesVersion"), b.int("CallUpdatesVersion"); va != vb {
		return va > vb
	}
	return a.time("TimeGenerated").After(b.time("TimeGenerated"))
}
