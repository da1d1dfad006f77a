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
	"encoding/json"
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
//
// Only the summaries are looked up by call id alone. They give the call's
// time, and the other tables are read within a window around it: the
// store keeps each block of rows' time range, so a window skips almost
// every block, where a lookup by id alone would read the whole table.
const (
	// unreadColumns are the system columns the explorer never shows; most
	// are computed for every row read, so they are left out.
	unreadColumns = "TenantId, SourceSystem, Type, _ResourceId, _SubscriptionId, _BilledSize, _IsBillable, AdditionalFields"

	summariesKQL = `declare query_parameters(callId:string = '');
union withsource=SourceTable ACSCallSummary, ACSCallSummaryUpdates
| where CorrelationId == callId
| project-away ` + unreadColumns

	// Diagnostics and surveys are written during and after the call;
	// the window reaches well past its end for late finals.
	diagnosticsKQL = `declare query_parameters(callId:string = '', from:datetime, to:datetime);
union withsource=SourceTable ACSCallDiagnostics, ACSCallDiagnosticsUpdates
| where TimeGenerated between (from .. to) and CorrelationId == callId
| project-away ` + unreadColumns

	surveysKQL = `declare query_parameters(callId:string = '', from:datetime, to:datetime);
ACSCallSurvey | where TimeGenerated between (from .. to) and (CallId == callId or CorrelationId == callId)`

	// Client operations of the call: those naming it, then those of the
	// same participants or SDK instances from two hours before to two
	// hours after, which catches what happened before joining
	// (CallAgentInit, device permissions) and has no call id yet.
	operationsKQL = `declare query_parameters(callId:string = '', from:datetime, to:datetime);
ACSCallClientOperations
| where CallClientTimeStamp between (from .. to) and CallId == callId
| order by CallClientTimeStamp asc`

	relatedOperationsKQL = `declare query_parameters(callId:string = '', from:datetime, to:datetime,
    instances:dynamic = dynamic([]), participants:dynamic = dynamic([]));
ACSCallClientOperations
| where CallClientTimeStamp between (from .. to) and CallId != callId
| where ClientInstanceId in (instances) or ParticipantId in (participants)
| order by CallClientTimeStamp asc`
)

// Windows around a call's known times (its start, end and the times its
// summaries were written) within which its other rows are looked for.
const (
	rowsBefore       = 24 * time.Hour
	rowsAfter        = 3 * 24 * time.Hour
	operationsAround = 2 * time.Hour // as Call Diagnostics does
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
	d := &data{}
	d.summaries, d.final = newest(sums, keyOfRow)
	for _, r := range sums {
		d.span(r.time("CallStartTime"))
		d.span(r.time("TimeGenerated"))
		if start, dur := r.time("CallStartTime"), r.int("CallDuration"); !start.IsZero() && dur > 0 {
			d.span(start.Add(time.Duration(dur) * time.Second))
		}
	}

	// Without summaries yet (a call known only from client logs), the
	// windows are the last year.
	from, to := d.first, d.last
	if from.IsZero() {
		to = time.Now().UTC().Add(operationsAround)
		from = to.AddDate(-1, 0, 0)
	}
	p["from"], p["to"] = timeParam(from.Add(-rowsBefore)), timeParam(to.Add(rowsAfter))
	diags, err := s.run(ctx, diagnosticsKQL, p)
	if err != nil {
		return nil, err
	}
	if d.surveys, err = s.run(ctx, surveysKQL, p); err != nil {
		return nil, err
	}
	d.streams, _ = newest(diags, func(r row) string { return keyOfRow(r) + "\x00" + r.str("StreamId") })
	for _, r := range diags {
		d.span(r.time("TimeGenerated"))
	}
	if withOps || len(sums) == 0 {
		p["from"], p["to"] = timeParam(from.Add(-operationsAround)), timeParam(to.Add(operationsAround))
		if d.operations, err = s.run(ctx, operationsKQL, p); err != nil {
			return nil, err
		}
		if err := s.addRelatedOperations(ctx, d, p); err != nil {
			return nil, err
		}
	}
	if len(d.summaries) == 0 && len(d.streams) == 0 && len(d.surveys) == 0 && !hasCallOps(d.operations, callID) {
		return nil, ErrNotFound
	}
	return d, nil
}

// addRelatedOperations adds the operations of the call's participants and
// SDK instances that do not name the call.
func (s *Service) addRelatedOperations(ctx context.Context, d *data, p map[string]string) error {
	instances, participants := map[string]bool{}, map[string]bool{}
	for _, op := range d.operations {
		if v := op.str("ClientInstanceId"); v != "" {
			instances[v] = true
		}
		if v := op.str("ParticipantId"); v != "" {
			participants[v] = true
		}
	}
	for _, r := range d.summaries {
		if v := r.str("ParticipantId"); v != "" {
			participants[v] = true
		}
	}
	if len(instances) == 0 && len(participants) == 0 {
		return nil
	}
	p["instances"], p["participants"] = jsonKeys(instances), jsonKeys(participants)
	more, err := s.run(ctx, relatedOperationsKQL, p)
	if err != nil || len(more) == 0 {
		return err
	}
	d.operations = append(d.operations, more...)
	sort.SliceStable(d.operations, func(i, j int) bool {
		return d.operations[i].time("CallClientTimeStamp").Before(d.operations[j].time("CallClientTimeStamp"))
	})
	return nil
}

// jsonKeys writes a set as a JSON array, for a dynamic query parameter.
func jsonKeys(set map[string]bool) string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b, _ := json.Marshal(keys)
	return string(b)
}

func timeParam(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

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
func participantKey(participantID, endpointID string) string {
	if participantID != "" {
		return participantID
	}
	return "endpoint:" + endpointID
}

// keyOfRow is participantKey of a row of any of the call's tables.
func keyOfRow(r row) string { return participantKey(r.str("ParticipantId"), r.str("EndpointId")) }

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
