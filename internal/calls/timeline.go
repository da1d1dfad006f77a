package calls

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/quality"
)

// Timeline is the call's events, per participant, in lanes.
type Timeline struct {
	CallID       string                `json:"callId"`
	Start        time.Time             `json:"start,omitzero"`
	End          time.Time             `json:"end,omitzero"`
	Participants []TimelineParticipant `json:"participants"`
}

// TimelineParticipant is one participant's row: its own span and issues,
// and its lanes of events.
type TimelineParticipant struct {
	ParticipantID string    `json:"participantId,omitempty"`
	EndpointID    string    `json:"endpointId,omitempty"`
	Start         time.Time `json:"start,omitzero"`
	End           time.Time `json:"end,omitzero"`
	// Issues repeats the participant's failed operations and bad
	// diagnostics on its own row, where a reader looks first.
	Issues []Event `json:"issues"`
	Lanes  []Lane  `json:"lanes"`
}

// Lane is one row of events of a participant: Call, Audio, Video,
// ScreenSharing or Network.
type Lane struct {
	Name   string  `json:"name"`
	Events []Event `json:"events"`
}

// Event is a point (a state change), a bar (an operation that took time)
// or a range (a user-facing diagnostic from its first to its last report).
type Event struct {
	ID         string           `json:"id"`
	Operation  string           `json:"operation"`
	Kind       string           `json:"kind"` // point, bar or range
	Start      time.Time        `json:"start"`
	End        time.Time        `json:"end"`
	Result     string           `json:"result,omitempty"`
	ResultCode string           `json:"resultCode,omitempty"`
	Failed     bool             `json:"failed"`
	Payload    map[string]any   `json:"payload,omitempty"`
	Reports    []map[string]any `json:"reports,omitempty"` // a range's reports, in time order
}

// The lanes, in the order they are drawn.
const (
	LaneCall          = "Call"
	LaneAudio         = "Audio"
	LaneVideo         = "Video"
	LaneScreenSharing = "ScreenSharing"
	LaneNetwork       = "Network"
)

var laneOrder = []string{LaneCall, LaneAudio, LaneVideo, LaneScreenSharing, LaneNetwork}

// operationLanes places SDK operations; the others go by their stream
// type (streamLaneOps), by their diagnostic (UFDs) or to the Call lane.
var operationLanes = map[string]string{
	"StateChanged": LaneCall, "AcceptIncomingCall": LaneCall, "AskDevicePermission": LaneCall, "CallAgentInit": LaneCall,
	"EnterCall": LaneCall, "Hangup": LaneCall, "Hold": LaneCall, "Join": LaneCall, "PageHidden": LaneCall,
	"RejectIncomingCall": LaneCall, "SelectedDeviceChanged": LaneCall, "StartCall": LaneCall,
	"IsMuted-changed": LaneAudio, "IsIncomingAudioMuted-changed": LaneAudio, "MuteMicrophone": LaneAudio,
	"UnmuteMicrophone": LaneAudio, "StartAudio": LaneAudio, "StopAudio": LaneAudio,
	"SelectedMicrophoneChanged": LaneAudio, "SelectedSpeakerChanged": LaneAudio,
	"StartScreenShare": LaneScreenSharing, "StopScreenShare": LaneScreenSharing,
	"OptimalVideoCount-changed": LaneVideo,
}

// streamLaneOps are placed by the stream type in their payload.
var streamLaneOps = map[string]bool{"CreateView": true, "DisposeView": true, "StartVideo": true, "StopVideo": true, "SwitchSource": true}

// pointOperations are state changes: drawn as instants.
var pointOperations = map[string]bool{
	"selectedmicrophonechanged": true, "selectedspeakerchanged": true, "optimalvideocount-changed": true, "state-changed": true,
	"callmode-changed": true, "ismuted-changed": true, "isincomingaudiomuted-changed": true, "id-changed": true, "role-changed": true,
	"selecteddevice-changed": true, "pagehidden": true,
}

// minBar is the shortest bar drawn, so that a zero-length operation shows.
const minBar = 10 * time.Millisecond

// Timeline answers for one call.
func (s *Service) Timeline(ctx context.Context, callID string) (*Timeline, error) {
	d, err := s.load(ctx, callID, true)
	if err != nil {
		return nil, err
	}
	return buildTimeline(callID, buildOverview(callID, d), d), nil
}

func buildTimeline(callID string, o *Overview, d *data) *Timeline {
	t := &Timeline{CallID: callID, Start: o.Start, End: o.End}
	rows := map[string]*TimelineParticipant{}
	var order []string
	rowOf := func(participant, endpoint string) *TimelineParticipant {
		k := participantKey(participant, endpoint)
		if r := rows[k]; r != nil {
			return r
		}
		r := &TimelineParticipant{ParticipantID: participant, EndpointID: endpoint, Issues: []Event{}}
		rows[k] = r
		order = append(order, k)
		return r
	}
	for _, p := range o.Participants {
		r := rowOf(p.ParticipantID, p.EndpointID)
		r.Start, r.End = p.Start, p.End
	}

	// Operations without a participant id (before joining) belong to the
	// participant their SDK instance later joined as.
	instanceOwner := map[string]string{}
	for _, op := range d.operations {
		if id, ci := op.str("ParticipantId"), op.str("ClientInstanceId"); id != "" && ci != "" && instanceOwner[ci] == "" {
			instanceOwner[ci] = id
		}
	}

	lanes := map[*TimelineParticipant]map[string][]Event{}
	add := func(r *TimelineParticipant, lane string, e Event) {
		if lanes[r] == nil {
			lanes[r] = map[string][]Event{}
		}
		lanes[r][lane] = append(lanes[r][lane], e)
		if e.Failed {
			r.Issues = append(r.Issues, e)
		}
	}

	ufd := map[string]*Event{}
	ufdRow := map[string]*TimelineParticipant{}
	ufdLane := map[string]string{}
	var ufdOrder []string
	seen := map[string]bool{}
	for _, op := range d.operations {
		name := op.str("OperationName")
		at := op.time("CallClientTimeStamp")
		dedup := op.str("OperationId") + "\x00" + name + "\x00" + at.Format(time.RFC3339Nano)
		if seen[dedup] {
			continue // the same report sent twice
		}
		seen[dedup] = true
		pid := op.str("ParticipantId")
		if pid == "" {
			pid = instanceOwner[op.str("ClientInstanceId")]
		}
		r := rowOf(pid, op.str("EndpointId"))
		pl := payload(op)

		if name == "UserFacingDiagnostics" {
			diag, _ := pl["DiagnosticChanged"].(string)
			key := op.str("OperationId") + "\x00" + diag
			e := ufd[key]
			if e == nil {
				e = &Event{ID: op.str("OperationId") + ":" + diag, Operation: diag, Kind: "range", Start: at, End: at}
				ufd[key], ufdRow[key], ufdLane[key] = e, r, ufdLaneOf(diag)
				ufdOrder = append(ufdOrder, key)
			}
			if at.Before(e.Start) {
				e.Start = at
			}
			if at.After(e.End) {
				e.End = at
			}
			q := pl["DiagnosticQuality"]
			e.Reports = append(e.Reports, map[string]any{"time": at, "quality": q, "value": pl["DiagnosticValue"]})
			if quality.UFDCounts(diag) && quality.UFDBad(toString(q)) {
				e.Failed = true
			}
			continue
		}

		e := Event{ID: op.str("OperationId"), Operation: name, Result: op.str("ResultType"), ResultCode: op.str("ResultSignature"),
			Failed: quality.OperationFailed(op.str("ResultType")), Payload: pl}
		if pointOperations[strings.ToLower(name)] {
			e.Kind, e.Start, e.End = "point", at, at
		} else {
			// The client stamps an operation when it ends; it began DurationMs earlier.
			dur := time.Duration(op.int("DurationMs")) * time.Millisecond
			if dur < minBar {
				dur = minBar
			}
			e.Kind, e.Start, e.End = "bar", at.Add(-dur), at
		}
		add(r, laneOf(name, pl), e)
	}
	for _, k := range ufdOrder {
		e := ufd[k]
		for _, rep := range e.Reports {
			if q := toString(rep["quality"]); quality.UFDBad(q) {
				e.Result = "Bad"
			}
		}
		if e.Result == "" {
			e.Result = "Good"
		}
		add(ufdRow[k], ufdLane[k], *e)
	}

	for _, k := range order {
		r := rows[k]
		for _, name := range laneOrder {
			evs := lanes[r][name]
			sort.SliceStable(evs, func(i, j int) bool { return evs[i].Start.Before(evs[j].Start) })
			if evs == nil {
				evs = []Event{}
			}
			r.Lanes = append(r.Lanes, Lane{Name: name, Events: evs})
		}
		sort.SliceStable(r.Issues, func(i, j int) bool { return r.Issues[i].Start.Before(r.Issues[j].Start) })
		t.Participants = append(t.Participants, *r)
	}
	return t
}

// laneOf places an operation.
func laneOf(name string, pl map[string]any) string {
	if l, ok := operationLanes[name]; ok {
		return l
	}
	if streamLaneOps[name] {
		st := strings.ToLower(toString(pl["StreamType"]))
		switch {
		case strings.Contains(st, "screen"):
			return LaneScreenSharing
		case strings.Contains(st, "audio"):
			return LaneAudio
		}
		return LaneVideo
	}
	return LaneCall
}

// ufdLaneOf places a user-facing diagnostic by what its name is about.
func ufdLaneOf(name string) string {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "speak") || strings.Contains(n, "microphone"):
		return LaneAudio
	case strings.Contains(n, "camera") || strings.Contains(n, "capture"):
		return LaneVideo
	case strings.Contains(n, "screenshare"):
		return LaneScreenSharing
	case strings.Contains(n, "network"):
		return LaneNetwork
	}
	return LaneCall
}

func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(jsonText(v)), `"`))
}

// Detail is everything the call page shows but the media series: what a
// reader opening a call waits for.
type Detail struct {
	Overview *Overview `json:"overview"`
	Issues   []Issue   `json:"issues"`
	Timeline *Timeline `json:"timeline"`
}

// Detail answers overview, issues and timeline from one read of the call.
func (s *Service) Detail(ctx context.Context, callID string) (*Detail, error) {
	d, err := s.load(ctx, callID, true)
	if err != nil {
		return nil, err
	}
	o := buildOverview(callID, d)
	return &Detail{Overview: o, Issues: findIssues(callID, o, d), Timeline: buildTimeline(callID, o, d)}, nil
}
