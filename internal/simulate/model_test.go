package simulate

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// findCall plans calls until one satisfies ok.
func findCall(t *testing.T, p *planner, ok func(*call) bool) *call {
	t.Helper()
	for i := 0; i < 5000; i++ {
		c := p.plan(i, testStart.Add(time.Duration(i)*time.Minute))
		if ok(c) {
			return c
		}
	}
	t.Fatal("no call of the wanted shape in 5000")
	return nil
}

func finalsOf(recs []Record, cat string) []Record {
	var out []Record
	for _, r := range recs {
		if r.Category == cat {
			out = append(out, r)
		}
	}
	return out
}

// A P2P call of two endpoints that both send audio and video: two summary
// rows and four diagnostics rows, each an outbound stream of its endpoint.
func TestP2PAudioVideoRowCounts(t *testing.T) {
	p := testPlanner(t, 21)
	c := findCall(t, p, func(c *call) bool {
		if c.group || c.unanswered || len(c.legs) != 2 {
			return false
		}
		for _, l := range c.legs {
			if len(l.video) == 0 || len(l.screen) > 0 {
				return false
			}
		}
		return !c.legs[0].dropped && !c.legs[1].dropped
	})
	recs := build(c, true)
	sum, diag := finalsOf(recs, catSummary), finalsOf(recs, catDiag)
	if len(sum) != 2 || len(diag) != 4 {
		t.Fatalf("P2P audio+video call: %d summary rows, %d diagnostics rows; want 2 and 4", len(sum), len(diag))
	}
	perEndpoint := map[string][]string{}
	for _, r := range diag {
		d := parse(t, r)
		if d.str("StreamDirection") != "Outbound" || d.str("endpointType") != "VoIP" {
			t.Errorf("P2P diagnostics row is %s/%s", d.str("StreamDirection"), d.str("endpointType"))
		}
		if pid := d.props["participantId"]; pid != nil && pid != "null" {
			t.Errorf("P2P row has participantId %v", pid)
		}
		perEndpoint[d.str("endpointId")] = append(perEndpoint[d.str("endpointId")], d.str("mediaType"))
	}
	if len(perEndpoint) != 2 {
		t.Fatalf("diagnostics of %d endpoints", len(perEndpoint))
	}
	for ep, kinds := range perEndpoint {
		if strings.Join(kinds, ",") != "Audio,Video" && strings.Join(kinds, ",") != "Video,Audio" {
			t.Errorf("endpoint %s streams %v", ep, kinds)
		}
	}
	for _, r := range sum {
		if s := parse(t, r); s.str("callType") != "P2P" {
			t.Errorf("callType %q", s.str("callType"))
		}
	}
}

// In a group call every participant has its outbound streams (its own
// endpoint type) and the inbound streams the server sends it (endpoint type
// Server, no endpoint id), joined by participantId.
func TestGroupRowCounts(t *testing.T) {
	p := testPlanner(t, 22)
	c := findCall(t, p, func(c *call) bool {
		if c.kind != kindMeeting || len(c.legs) < 4 {
			return false
		}
		video := 0
		for _, l := range c.legs {
			if len(l.video) > 0 {
				video++
			}
		}
		return video >= 2
	})
	recs := build(c, true)
	type rows struct{ out, in int }
	got := map[string]*rows{}
	for _, r := range finalsOf(recs, catDiag) {
		d := parse(t, r)
		pid := d.str("participantId")
		if got[pid] == nil {
			got[pid] = &rows{}
		}
		switch d.str("StreamDirection") {
		case "Inbound":
			if d.str("endpointType") != "Server" || d.props["endpointId"] != nil {
				t.Errorf("inbound row of %s: endpointType %q endpointId %v", pid, d.str("endpointType"), d.props["endpointId"])
			}
			got[pid].in++
		case "Outbound":
			if d.str("endpointType") == "Server" {
				t.Errorf("outbound row of %s from the server", pid)
			}
			got[pid].out++
		}
	}
	if n := len(finalsOf(recs, catSummary)); n != len(c.legs) {
		t.Errorf("%d summary rows for %d participants", n, len(c.legs))
	}
	for _, l := range c.legs {
		if !l.answered {
			continue
		}
		want := rows{}
		for _, s := range l.streams {
			if s.inbound {
				want.in++
			} else {
				want.out++
			}
		}
		g := got[l.pid]
		if g == nil || *g != want || want.in == 0 || want.out == 0 {
			t.Errorf("participant %s (%s): rows %+v, want %+v", l.pid, l.ep.typ, g, want)
		}
		if len(l.video) > 0 && want.out < 2 {
			t.Errorf("participant %s sends video but has %d outbound rows", l.pid, want.out)
		}
	}
}

func TestRejoinKeepsEndpoint(t *testing.T) {
	p := testPlanner(t, 23)
	c := findCall(t, p, func(c *call) bool {
		for _, e := range c.endpoints {
			if len(e.legs) > 1 {
				return true
			}
		}
		return false
	})
	byEndpoint := map[string][]string{}
	for _, r := range finalsOf(build(c, true), catSummary) {
		s := parse(t, r)
		byEndpoint[s.str("endpointId")] = append(byEndpoint[s.str("endpointId")], s.str("participantId"))
	}
	found := false
	for ep, pids := range byEndpoint {
		if len(pids) > 1 {
			found = true
			if pids[0] == pids[1] || pids[0] == "" {
				t.Errorf("endpoint %s rejoined with participant ids %v", ep, pids)
			}
		}
	}
	if !found {
		t.Fatal("no endpoint with two summary rows")
	}
}

func TestEscalatedCallBecomesGroup(t *testing.T) {
	p := testPlanner(t, 24)
	c := findCall(t, p, func(c *call) bool { return c.kind == kindEscalated })
	recs := build(c, true)
	sum := finalsOf(recs, catSummary)
	if len(sum) < 3 {
		t.Fatalf("escalated call has %d participants", len(sum))
	}
	for _, r := range sum {
		s := parse(t, r)
		if s.str("callType") != "Group" || s.str("participantId") == "" || s.str("participantId") == "null" {
			t.Errorf("escalated call row: callType %q participantId %v", s.str("callType"), s.props["participantId"])
		}
	}
	// The first two started it as a 1:1 call.
	for _, r := range finalsOf(recs, catClientOps) {
		o := parse(t, r)
		if op := o.top["operationName"]; op == "StartCall" {
			if pl, ok := o.props["OperationPayload"].(map[string]any); ok && pl["CallType"] != "P2P" {
				t.Errorf("StartCall of an escalated call has CallType %v", pl["CallType"])
			}
		}
	}
}

// TestPopulationMix plans a few thousand calls and checks the shares the
// dashboards will show.
func TestPopulationMix(t *testing.T) {
	p := testPlanner(t, 25)
	const n = 4000
	var p2p, legs, cross, eligible, surveyed, dropped int
	types := map[string]int{}
	platforms := map[string]int{}
	partTypes := map[string]int{}
	nativeCalls := map[string]map[string]bool{} // native endpoint id → calls
	webEndpoints := map[string]int{}
	sizes := map[int]int{}
	for i := 0; i < n; i++ {
		c := p.plan(i, testStart.Add(time.Duration(i)*time.Minute))
		if !c.group {
			p2p++
		}
		if c.kind == kindMeeting {
			sizes[len(c.endpoints)]++
		}
		for _, l := range c.legs {
			legs++
			e := l.ep
			types[e.typ]++
			partTypes[e.partType]++
			if e.cross(c) {
				cross++
			}
			if strings.Contains(l.reason.category, "Unexpected") {
				dropped++
			}
			if e.sdk && l.last && l.answered {
				eligible++
				if l.survey {
					surveyed++
				}
			}
		}
		for _, e := range c.endpoints {
			if !e.sdk {
				continue
			}
			platforms[e.dev.platform.sdkPlatform()]++
			if e.dev.platform.native() {
				if nativeCalls[e.id] == nil {
					nativeCalls[e.id] = map[string]bool{}
				}
				nativeCalls[e.id][c.id] = true
			} else {
				webEndpoints[e.id]++
			}
		}
	}
	check := func(name string, got, lo, hi float64) {
		t.Helper()
		if got < lo || got > hi {
			t.Errorf("%s = %.3f, want within [%.2f, %.2f]", name, got, lo, hi)
		}
	}
	check("P2P share", float64(p2p)/n, 0.45, 0.57)
	check("cross-tenant share", float64(cross)/float64(legs), 0.07, 0.13)
	check("survey rate", float64(surveyed)/float64(eligible), 0.17, 0.23)
	check("ungraceful end share", float64(dropped)/float64(legs), 0.01, 0.06)
	for _, typ := range []string{"VoIP", "PSTN", "Bot"} {
		if types[typ] == 0 {
			t.Errorf("no %s endpoints", typ)
		}
	}
	for _, pl := range []string{"Web", "Android", "iOS", "Windows"} {
		if platforms[pl] == 0 {
			t.Errorf("no %s clients", pl)
		}
	}
	for _, pt := range []string{"ACS", "Teams", "ACS as Teams external user", "ACS as Microsoft 365 user", "PSTN"} {
		if partTypes[pt] == 0 {
			t.Errorf("no participants of type %q", pt)
		}
	}
	recurring := 0
	for _, calls := range nativeCalls {
		if len(calls) > 1 {
			recurring++
		}
	}
	if recurring < 50 {
		t.Errorf("only %d native endpoints appear in more than one call", recurring)
	}
	for id, k := range webEndpoints {
		if k > 1 {
			t.Fatalf("web endpoint %s used %d times", id, k)
		}
	}
	for size := 3; size <= 12; size++ {
		if sizes[size] == 0 {
			t.Errorf("no meeting of %d endpoints", size)
		}
	}
	t.Logf("P2P %.1f%%, cross-tenant %.1f%%, surveys %.1f%%, ungraceful %.1f%%, types %v",
		100*float64(p2p)/n, 100*float64(cross)/float64(legs), 100*float64(surveyed)/float64(eligible),
		100*float64(dropped)/float64(legs), types)
}

// End reasons always come in documented combinations, and the category
// tells graceful from ungraceful ends.
func TestEndReasonsConsistent(t *testing.T) {
	p := testPlanner(t, 26)
	valid := map[string]bool{}
	for _, r := range []endReason{endNormal, endOrganizer, endRemoved, endAbrupt, endMediaLost, endServerError,
		endUnavailable, endTimeout, endCancelled, endNoAnswer, endDeclined, endPSTNHangup, endPSTNBusy, endPSTNNotAvail} {
		valid[r.code+"/"+r.sub+"/"+r.category] = true
	}
	seen := map[string]int{}
	for i := 0; i < 3000; i++ {
		c := p.plan(i, testStart)
		for _, l := range c.legs {
			k := l.reason.code + "/" + l.reason.sub + "/" + l.reason.category
			if !valid[k] {
				t.Fatalf("end reason %s", k)
			}
			seen[k]++
			if l.dropped != strings.HasPrefix(l.reason.category, "Unexpected") {
				t.Fatalf("leg dropped=%v with %s", l.dropped, k)
			}
			if !l.end.After(l.start) && l.answered {
				t.Fatalf("leg ends %v before it starts %v", l.end, l.start)
			}
			if l.end.After(c.end) || l.start.Before(c.start) {
				t.Fatalf("leg [%v, %v] outside call [%v, %v]", l.start, l.end, c.start, c.end)
			}
		}
	}
	if len(seen) < 10 {
		t.Errorf("only %d end reasons seen: %v", len(seen), seen)
	}
}

// A bad network shows up in the diagnostics: some streams cross the Call
// Diagnostics thresholds, most do not, and poor networks cross far more
// often than good ones.
func TestNetworkTail(t *testing.T) {
	p := testPlanner(t, 27)
	var streams, poor [4]int
	for i := 0; i < 1500; i++ {
		c := p.plan(i, testStart)
		for _, l := range c.legs {
			for _, s := range l.streams {
				st := s.stats
				bad := st.jitterAvg > 30 || st.lossAvg > 0.1 || st.rttAvg > 500
				class := l.ep.class
				streams[class]++
				if bad {
					poor[class]++
				}
			}
		}
	}
	rate := func(c netClass) float64 { return float64(poor[c]) / float64(max(streams[c], 1)) }
	total := 0
	for _, n := range poor {
		total += n
	}
	all := streams[0] + streams[1] + streams[2] + streams[3]
	share := float64(total) / float64(all)
	if share < 0.02 || share > 0.2 {
		t.Errorf("%.1f%% of streams are poor by the three Insights rules", 100*share)
	}
	if rate(netGood) > 0.03 || rate(netVeryPoor) < 0.6 || rate(netPoor) < rate(netFair) {
		t.Errorf("poor-stream rate by class: good %.3f fair %.3f poor %.3f very poor %.3f",
			rate(netGood), rate(netFair), rate(netPoor), rate(netVeryPoor))
	}
	t.Logf("poor streams %.1f%%: good %.3f fair %.3f poor %.3f very poor %.3f", 100*share,
		rate(netGood), rate(netFair), rate(netPoor), rate(netVeryPoor))
}

func TestUnansweredCallHasNoMedia(t *testing.T) {
	p := testPlanner(t, 28)
	c := findCall(t, p, func(c *call) bool { return c.unanswered })
	recs := build(c, true)
	counts := map[string]int{}
	for _, r := range recs {
		counts[r.Category]++
	}
	if counts[catDiag] != 0 || counts[catMediaStats] != 0 || counts[catSummary] != 2 {
		t.Errorf("unanswered call records: %v", counts)
	}
	for _, r := range finalsOf(recs, catSummary) {
		if s := parse(t, r); s.str("participantEndReason") == "0" {
			t.Errorf("unanswered call ended with %s/%s", s.str("participantEndReason"), s.str("ParticipantEndSubCode"))
		}
	}
}

func TestContactCenterCall(t *testing.T) {
	p := testPlanner(t, 29)
	c := findCall(t, p, func(c *call) bool { return c.kind == kindContact && len(c.legs) == 3 })
	recs := build(c, true)
	ops := map[string]int{}
	types := map[string]bool{}
	for _, r := range recs {
		switch r.Category {
		case catCallAutomation:
			a := parse(t, r)
			ops[fmt.Sprint(a.top["operationName"])]++
			if a.top["correlationId"] != c.id || a.str("CallConnectionId") == "" || a.str("URI") == "" {
				t.Errorf("automation record: %s", r.JSON)
			}
		case catSummary:
			s := parse(t, r)
			types[s.str("endpointType")] = true
			if s.str("endpointType") == "PSTN" && s.str("pstnParticipantCallType") == "" {
				t.Error("PSTN participant without pstnParticipantCallType")
			}
		}
	}
	for _, op := range []string{"Answer", "Play", "Recognize", "Transfer"} {
		if ops[op] == 0 {
			t.Errorf("no %s operation: %v", op, ops)
		}
	}
	if !types["PSTN"] || !types["Bot"] || !types["VoIP"] {
		t.Errorf("participants %v", types)
	}
}
