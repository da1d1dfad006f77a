package calls

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/quality"
)

// Issue is one problem found in a call, with what it means and what to do.
type Issue struct {
	Kind          string         `json:"kind"` // poorStream, dropped, failedOperation, userFacingDiagnostic
	ParticipantID string         `json:"participantId,omitempty"`
	EndpointID    string         `json:"endpointId,omitempty"`
	Title         string         `json:"title"`
	Explanation   string         `json:"explanation"`
	NextStep      string         `json:"nextStep"`
	Start         time.Time      `json:"start,omitzero"`
	End           time.Time      `json:"end,omitzero"`
	Recovered     *bool          `json:"recovered,omitempty"` // user-facing diagnostics: back to good before the end
	Details       map[string]any `json:"details,omitempty"`
}

// Issue kinds.
const (
	KindPoorStream      = "poorStream"
	KindDropped         = "dropped"
	KindFailedOperation = "failedOperation"
	KindUFD             = "userFacingDiagnostic"
)

// Issues answers for one call: its issues, poor streams first, then
// dropped participants, failed operations and bad user-facing diagnostics,
// each in time order.
func (s *Service) Issues(ctx context.Context, callID string) ([]Issue, error) {
	d, err := s.load(ctx, callID, true)
	if err != nil {
		return nil, err
	}
	return findIssues(callID, buildOverview(callID, d), d), nil
}

func findIssues(callID string, o *Overview, d *data) []Issue {
	out := []Issue{}
	for _, p := range o.Participants {
		for _, st := range p.Streams {
			if st.Quality != "poor" {
				continue
			}
			var names []string
			for _, f := range st.Fired {
				names = append(names, fmt.Sprintf("%s %v (limit %s %v)", f.Metric, f.Value, f.Comparison, f.Threshold))
			}
			first := st.Fired[0]
			out = append(out, Issue{Kind: KindPoorStream, ParticipantID: p.ParticipantID, EndpointID: p.EndpointID,
				Title:       fmt.Sprintf("Poor %s stream %s (%s)", strings.ToLower(st.MediaType), st.StreamID, strings.Join(names, ", ")),
				Explanation: first.Explanation, NextStep: first.NextStep,
				Details: map[string]any{"streamId": st.StreamID, "mediaType": st.MediaType, "fired": st.Fired, "metrics": st.Metrics}})
		}
	}
	for _, p := range o.Participants {
		if !p.Dropped {
			continue
		}
		code, _ := quality.ParseCode(p.EndReasonCode)
		er := quality.LookupEndReason(code, subCode(p.EndReasonSubCode))
		out = append(out, Issue{Kind: KindDropped, ParticipantID: p.ParticipantID, EndpointID: p.EndpointID,
			Title:       fmt.Sprintf("Participant left the call ungracefully (%s/%s: %s)", p.EndReasonCode, p.EndReasonSubCode, er.Phrase),
			Explanation: er.Explanation, NextStep: er.NextStep, End: p.End,
			Details: map[string]any{"endReasonCode": p.EndReasonCode, "endReasonSubCode": p.EndReasonSubCode, "resultCategory": p.ResultCategory}})
	}
	// The operations of this call and those before it (no call id yet);
	// the timeline also shows the same SDK instance's other calls, but
	// their failures are not this call's issues.
	var ops []row
	for _, op := range d.operations {
		if id := op.str("CallId"); id == callID || id == "" {
			ops = append(ops, op)
		}
	}
	out = append(out, failedOperations(ops)...)
	out = append(out, badDiagnostics(ops)...)
	return out
}

// payload reads an operation's OperationPayload.
func payload(r row) map[string]any { return jsonObject(r["OperationPayload"]) }

// jsonObject reads a dynamic value that is an object, which arrives as a
// decoded value or as JSON text; nil if it is not one.
func jsonObject(v any) map[string]any {
	switch v := v.(type) {
	case map[string]any:
		return v
	case string:
		var m map[string]any
		if json.Unmarshal([]byte(v), &m) == nil {
			return m
		}
	case []byte:
		var m map[string]any
		if json.Unmarshal(v, &m) == nil {
			return m
		}
	}
	return nil
}

func failedOperations(ops []row) []Issue {
	var out []Issue
	for _, op := range ops {
		name := op.str("OperationName")
		if name == "UserFacingDiagnostics" || !quality.OperationFailed(op.str("ResultType")) {
			continue
		}
		code, _ := quality.ParseCode(op.str("ResultSignature"))
		sub := quality.NoSubCode
		if p := payload(op); p != nil {
			if v, ok := p["SubCode"].(float64); ok {
				sub = int(v)
			}
		}
		er := quality.LookupEndReason(code, sub)
		at := op.time("CallClientTimeStamp")
		out = append(out, Issue{Kind: KindFailedOperation, ParticipantID: op.str("ParticipantId"), EndpointID: op.str("EndpointId"),
			Title:       fmt.Sprintf("%s failed (%s, %s)", name, op.str("ResultType"), op.str("ResultSignature")),
			Explanation: er.Explanation, NextStep: er.NextStep, Start: at, End: at.Add(time.Duration(op.int("DurationMs")) * time.Millisecond),
			Details: map[string]any{"operationName": name, "operationId": op.str("OperationId"), "resultType": op.str("ResultType"),
				"resultSignature": op.str("ResultSignature"), "subCode": sub}})
	}
	return out
}

// badDiagnostics turns user-facing diagnostics into ranges, one per
// operation id and diagnostic, from its first to its last event; a range
// is an issue when any event was not good, unless the diagnostic never
// counts (speaking while muted).
func badDiagnostics(ops []row) []Issue {
	type rng struct {
		participant, endpoint, name string
		first, last                 time.Time
		bad                         bool
		lastQuality                 string
		events                      []map[string]any
	}
	ranges := map[string]*rng{}
	var order []string
	for _, op := range ops {
		if op.str("OperationName") != "UserFacingDiagnostics" {
			continue
		}
		p := payload(op)
		name, _ := p["DiagnosticChanged"].(string)
		q := fmt.Sprint(p["DiagnosticQuality"])
		if name == "" || !quality.UFDCounts(name) {
			continue
		}
		key := op.str("OperationId") + "\x00" + name
		r := ranges[key]
		at := op.time("CallClientTimeStamp")
		if r == nil {
			r = &rng{participant: op.str("ParticipantId"), endpoint: op.str("EndpointId"), name: name, first: at}
			ranges[key] = r
			order = append(order, key)
		}
		if at.Before(r.first) {
			r.first = at
		}
		if !at.Before(r.last) {
			r.last, r.lastQuality = at, q
		}
		r.bad = r.bad || quality.UFDBad(q)
		r.events = append(r.events, map[string]any{"time": at, "quality": q})
	}
	var out []Issue
	for _, k := range order {
		r := ranges[k]
		if !r.bad {
			continue
		}
		u := quality.LookupUFD(r.name)
		recovered := !quality.UFDBad(r.lastQuality)
		out = append(out, Issue{Kind: KindUFD, ParticipantID: r.participant, EndpointID: r.endpoint,
			Title:       fmt.Sprintf("%s went bad", r.name),
			Explanation: u.Explanation, NextStep: u.NextStep, Start: r.first, End: r.last, Recovered: &recovered,
			Details: map[string]any{"diagnostic": r.name, "events": r.events}})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}
