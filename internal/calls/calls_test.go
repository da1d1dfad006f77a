package calls_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/calls"
	"github.com/callscope/callscope/internal/quality"
	qt "github.com/callscope/callscope/internal/query/querytest"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/store/enginetest"
)

// The Call Diagnostics tests, on each storage engine.
func TestCallDiagnostics(t *testing.T) {
	enginetest.Run(t,
		enginetest.Test{Name: "OverviewOfAGroupCall", Fn: testOverviewOfAGroupCall},
		enginetest.Test{Name: "OverviewOfAP2PCall", Fn: testOverviewOfAP2PCall},
		enginetest.Test{Name: "UnknownCall", Fn: testUnknownCall},
		enginetest.Test{Name: "IssuesOfAGroupCall", Fn: testIssuesOfAGroupCall},
		enginetest.Test{Name: "TimelineOfAGroupCall", Fn: testTimelineOfAGroupCall},
		enginetest.Test{Name: "Series", Fn: testSeries},
		enginetest.Test{Name: "LiveCallThenFinal", Fn: testLiveCallThenFinal},
		enginetest.Test{Name: "Search", Fn: testSearch},
		enginetest.Test{Name: "EveryRuleOnACall", Fn: testEveryRuleOnACall},
	)
}

// allSearches runs every case of the call search on ClickHouse too (see
// testSearch for why they do not by default).
var allSearches = flag.Bool("all-searches", false, "run every call search case on ClickHouse too (3 to 5 s each on 18.16)")

// newService opens a workspace in a new store of the engine, holding the
// given rows.
func newService(t *testing.T, eng enginetest.Engine, data ...map[string][]qt.Row) (*calls.Service, store.Workspace) {
	t.Helper()
	st := eng.Open(t, enginetest.Options{})
	ws, err := st.Workspace(context.Background(), store.WorkspaceRef{Name: "calls", ID: "00000000-0000-0000-0000-0000000000c1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range data {
		if err := ws.Append(context.Background(), qt.BatchOf(d)); err != nil {
			t.Fatal(err)
		}
	}
	return &calls.Service{WS: ws, Engine: st.Engine()}, ws
}

func participant(t *testing.T, o *calls.Overview, id string) calls.Participant {
	t.Helper()
	for _, p := range o.Participants {
		if p.ParticipantID == id || (p.ParticipantID == "" && p.EndpointID == id) {
			return p
		}
	}
	t.Fatalf("no participant %s in %+v", id, o.Participants)
	return calls.Participant{}
}

func testOverviewOfAGroupCall(t *testing.T, eng enginetest.Engine) {
	svc, _ := newService(t, eng, finished())
	o, err := svc.Overview(context.Background(), "g1")
	if err != nil {
		t.Fatal(err)
	}
	if !o.Final || o.CallType != "Group" || !o.Start.Equal(at(10, 0, 0)) || !o.End.Equal(at(10, 10, 0)) || o.DurationSeconds != 600 {
		t.Errorf("call facts: %+v", o)
	}
	if len(o.Participants) != 6 {
		t.Fatalf("%d participants, want 6 (p1, its rejoin p1b, p2, p3, p4, p5)", len(o.Participants))
	}
	if o.Quality != "poor" || o.Rating != "poor" {
		t.Errorf("quality %s rating %s; want poor (two poor streams) and poor (avg of 4 and 1.5 of 5 = 2.75)", o.Quality, o.Rating)
	}

	p1 := participant(t, o, "p1")
	if p1.Browser != "Chrome 120" || p1.SDKType != "azsdk-js-communication-calling" || p1.DiagnosticOptions != "appName=demo tag=ab-test-7" {
		t.Errorf("p1 client: browser %q sdk %q options %q", p1.Browser, p1.SDKType, p1.DiagnosticOptions)
	}
	if len(p1.Streams) != 2 {
		t.Fatalf("p1 streams: %+v", p1.Streams)
	}
	audio, video := p1.Streams[0], p1.Streams[1]
	if audio.Quality != "good" || audio.MOS == nil || audio.MOS.MOS < 4 || audio.MOS.MOS > 4.5 {
		t.Errorf("p1 audio: %+v mos %+v", audio, audio.MOS)
	}
	if video.Quality != "poor" || len(video.Fired) != 1 || video.Fired[0].Metric != "VideoFrameRateAvg" || video.Fired[0].Value != 5 || video.MOS != nil {
		t.Errorf("p1 video: %+v", video)
	}
	if rejoin := participant(t, o, "p1b"); rejoin.EndpointID != "e1" || !rejoin.Start.Equal(at(10, 4, 0)) || rejoin.Dropped {
		t.Errorf("rejoin: %+v", rejoin)
	}

	p2 := participant(t, o, "p2")
	if !p2.Dropped || p2.EndReasonCode != "410" || p2.EndReasonSubCode != "301005" || p2.EndReasonPhrase == "" {
		t.Errorf("p2 end: %+v", p2)
	}
	if p3 := participant(t, o, "p3"); p3.EndpointType != "PSTN" || p3.PstnCallType != "Inbound" || len(p3.Streams) != 0 {
		t.Errorf("PSTN participant: %+v", p3)
	}
	if p4 := participant(t, o, "p4"); p4.EndpointType != "Bot" || p4.Dropped {
		t.Errorf("bot: %+v", p4)
	}
	p5 := participant(t, o, "p5")
	if !slices.Equal(p5.Redacted, []string{"Identifier", "OsVersion", "SdkVersion"}) || p5.Identifier != "Redacted" {
		t.Errorf("cross-tenant participant: redacted %v identifier %q", p5.Redacted, p5.Identifier)
	}

	if len(o.Surveys) != 2 {
		t.Fatalf("surveys: %+v", o.Surveys)
	}
	for _, s := range o.Surveys {
		switch s.SurveyID {
		case "s1":
			if s.Normalized["Overall"] != 4 || len(s.Poor) != 0 {
				t.Errorf("s1: %+v", s)
			}
		case "s2": // 3 on 0–10 is 1.5 of 5, and at or below the user's threshold of 5
			if s.Normalized["Overall"] != 1.5 || !slices.Equal(s.Poor, []string{"Overall"}) || s.Issues["Audio"] != "Echo,AudioNoise" {
				t.Errorf("s2: %+v", s)
			}
		}
	}
}

func testOverviewOfAP2PCall(t *testing.T, eng enginetest.Engine) {
	svc, _ := newService(t, eng, finished())
	o, err := svc.Overview(context.Background(), "p2p1")
	if err != nil {
		t.Fatal(err)
	}
	if o.CallType != "P2P" || len(o.Participants) != 2 || o.Quality != "unknown" || o.Rating != "unknown" {
		t.Fatalf("P2P overview: %+v", o)
	}
	a, b := participant(t, o, "e10"), participant(t, o, "e11")
	if a.Identifier != "8:acs:alice" || b.Identifier != "8:acs:bob" || a.ParticipantID != "" {
		t.Errorf("P2P participants are their endpoints: %+v %+v", a, b)
	}
}

func testUnknownCall(t *testing.T, eng enginetest.Engine) {
	svc, _ := newService(t, eng, finished())
	if _, err := svc.Overview(context.Background(), "no-such-call"); !errors.Is(err, calls.ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

func kinds(issues []calls.Issue) []string {
	var out []string
	for _, is := range issues {
		out = append(out, is.Kind+":"+is.ParticipantID)
	}
	return out
}

func testIssuesOfAGroupCall(t *testing.T, eng enginetest.Engine) {
	svc, _ := newService(t, eng, finished())
	issues, err := svc.Issues(context.Background(), "g1")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"poorStream:p1", "poorStream:p2", "dropped:p2", "failedOperation:p2", "userFacingDiagnostic:p2"}
	if got := kinds(issues); !slices.Equal(got, want) {
		t.Fatalf("issues %v, want %v", got, want)
	}
	for _, is := range issues {
		if is.Explanation == "" || is.NextStep == "" || is.Title == "" {
			t.Errorf("issue without words: %+v", is)
		}
	}
	if !strings.Contains(issues[1].Title, "JitterAvg 45") {
		t.Errorf("poor stream title should name the rule and the value: %s", issues[1].Title)
	}
	if fo := issues[3]; fo.Details["operationName"] != "StartVideo" || fo.Details["subCode"] != 41048 {
		t.Errorf("failed operation: %+v", fo)
	}
	u := issues[4]
	if u.Details["diagnostic"] != "networkReceiveQuality" || u.Recovered == nil || !*u.Recovered ||
		!u.Start.Equal(at(10, 3, 0)) || !u.End.Equal(at(10, 3, 40)) {
		t.Errorf("UFD range: %+v", u)
	}
	// speakingWhileMicrophoneIsMuted was bad for p1 but never counts.
	for _, is := range issues {
		if strings.Contains(is.Title, "speakingWhileMicrophoneIsMuted") {
			t.Errorf("speaking while muted counted: %+v", is)
		}
	}
}

func testTimelineOfAGroupCall(t *testing.T, eng enginetest.Engine) {
	svc, _ := newService(t, eng, finished())
	tl, err := svc.Timeline(context.Background(), "g1")
	if err != nil {
		t.Fatal(err)
	}
	lane := func(pid, name string) []calls.Event {
		for _, p := range tl.Participants {
			if p.ParticipantID != pid {
				continue
			}
			for _, l := range p.Lanes {
				if l.Name == name {
					return l.Events
				}
			}
		}
		t.Fatalf("no lane %s of %s", name, pid)
		return nil
	}
	call := lane("p1", "Call")
	if len(call) != 3 || call[0].Operation != "CallAgentInit" || call[1].Operation != "Join" || call[2].Operation != "State-changed" {
		t.Fatalf("p1 Call lane: %+v", call)
	}
	if j := call[1]; j.Kind != "bar" || !j.End.Equal(at(10, 0, 5)) || !j.Start.Equal(at(10, 0, 5).Add(-1500*time.Millisecond)) {
		t.Errorf("Join bar: %+v", j)
	}
	if s := call[2]; s.Kind != "point" || !s.Start.Equal(s.End) {
		t.Errorf("state change: %+v", s)
	}
	if a := lane("p1", "Audio"); len(a) != 1 || a[0].Kind != "range" || a[0].Failed {
		t.Errorf("speaking while muted is drawn but is no failure: %+v", a)
	}
	video := lane("p2", "Video")
	if len(video) != 1 || video[0].Operation != "StartVideo" || !video[0].Failed {
		t.Errorf("p2 Video lane: %+v", video)
	}
	net := lane("p2", "Network")
	if len(net) != 1 || net[0].Kind != "range" || !net[0].Start.Equal(at(10, 3, 0)) || !net[0].End.Equal(at(10, 3, 40)) || len(net[0].Reports) != 2 {
		t.Errorf("p2 Network lane: %+v", net)
	}
	for _, p := range tl.Participants {
		if p.ParticipantID == "p2" && (len(p.Issues) != 2 || p.Issues[0].Operation != "StartVideo") {
			t.Errorf("p2's own row should repeat its failures: %+v", p.Issues)
		}
	}
}

func testSeries(t *testing.T, eng enginetest.Engine) {
	svc, _ := newService(t, eng, finished())
	series, err := svc.Series(context.Background(), "g1")
	if err != nil {
		t.Fatal(err)
	}
	if len(series) != 1 {
		t.Fatalf("series: %+v", series)
	}
	s := series[0]
	if s.ParticipantID != "p1" || s.Metric != "JitterInMs" || s.Direction != "recv" || s.StreamType != "audio" || s.Codec != "opus" ||
		len(s.Points) != 2 || s.Points[0].Average != 10 || s.Points[1].Average != 12 || !s.Points[0].Time.Before(s.Points[1].Time) {
		t.Errorf("series: %+v", s)
	}
}

// A call in progress already answers from its updates, client operations
// and media stats; the finals sharpen the answer and lose nothing.
func testLiveCallThenFinal(t *testing.T, eng enginetest.Engine) {
	svc, ws := newService(t, eng, live())
	ctx := context.Background()
	o, err := svc.Overview(ctx, "live1")
	if err != nil {
		t.Fatal(err)
	}
	p := participant(t, o, "p20")
	if o.Final || p.Final || p.SdkVersion != "1.20.1.1_beta" || len(p.Streams) != 1 || p.Streams[0].Quality != "poor" || o.Quality != "poor" {
		t.Fatalf("live overview (newest update, poor stream): %+v", o)
	}
	liveIssues, err := svc.Issues(ctx, "live1")
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(liveIssues); !slices.Equal(got, []string{"poorStream:p20", "userFacingDiagnostic:p20"}) || *liveIssues[1].Recovered {
		t.Fatalf("live issues: %v", got)
	}
	tl, err := svc.Timeline(ctx, "live1")
	if err != nil || len(tl.Participants) != 1 || len(tl.Participants[0].Lanes[0].Events) != 1 {
		t.Fatalf("live timeline: %+v %v", tl, err)
	}
	if series, err := svc.Series(ctx, "live1"); err != nil || len(series) != 1 {
		t.Fatalf("live series: %+v %v", series, err)
	}

	if err := ws.Append(ctx, qt.BatchOf(liveFinals())); err != nil {
		t.Fatal(err)
	}
	o, err = svc.Overview(ctx, "live1")
	if err != nil {
		t.Fatal(err)
	}
	p = participant(t, o, "p20")
	if !o.Final || !p.Final || p.DurationSeconds != 419 || o.DurationSeconds != 420 || p.Streams[0].Metrics["PacketLossRateAvg"] != 0.03 || !p.Streams[0].Final {
		t.Fatalf("final overview: %+v", o)
	}
	finalIssues, err := svc.Issues(ctx, "live1")
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(finalIssues); !slices.Equal(got, kinds(liveIssues)) {
		t.Errorf("issues after the finals %v, before %v", got, kinds(liveIssues))
	}
}

func callIDs(p *calls.SearchPage) []string {
	var out []string
	for _, c := range p.Calls {
		out = append(out, c.CallID)
	}
	return out
}

func testSearch(t *testing.T, eng enginetest.Engine) {
	svc, ws := newService(t, eng, finished(), live())
	ctx := context.Background()
	base := calls.SearchRequest{From: at(0, 0, 0), To: at(23, 59, 59)}
	search := func(t *testing.T, mod func(*calls.SearchRequest)) *calls.SearchPage {
		t.Helper()
		req := base
		mod(&req)
		page, err := svc.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return page
	}
	all := search(t, func(*calls.SearchRequest) {})
	if got := callIDs(all); !slices.Equal(got, []string{"live1", "g1", "p2p1"}) || all.Next != "" {
		t.Fatalf("all calls newest first: %v (next %q)", got, all.Next)
	}
	g1 := all.Calls[1]
	if g1.Participants != 6 || g1.ClientTypes != "4 VoIP, 1 Bot, 1 PSTN" || g1.ParticipantType != "5 ACS, 1 Teams" || g1.Quality != "poor" ||
		g1.Rating != "poor" || g1.OsVersions != "3 Windows 10, 1 Redacted" || g1.Dropped != 1 || g1.PoorStreams != 2 || g1.Issues != 5 || !g1.End.Equal(at(10, 10, 0)) {
		t.Errorf("g1 row: %+v", g1)
	}
	wantBreakdown := map[string]int{"Call Ended Ungracefully": 1, "Poor Media Streams": 2, "StartVideo": 1, "networkReceiveQuality": 1}
	for k, v := range wantBreakdown {
		if g1.Breakdown[k] != v {
			t.Errorf("breakdown %v, want %v", g1.Breakdown, wantBreakdown)
			break
		}
	}
	if _, err := svc.Search(ctx, calls.SearchRequest{From: at(0, 0, 0), To: at(1, 0, 0), After: "garbage"}); err == nil {
		t.Error("a bad cursor was accepted")
	}

	slow := func(t *testing.T, searches int) {
		if eng.Name == "clickhouse" && !*allSearches {
			t.Skipf("%d more searches: ClickHouse 18.16 takes 3 to 5 s to plan the statements of each search, whatever the data "+
				"(without common table expressions each let of the search is its own statement, into a temporary table); "+
				"they pass there too, in about 80 s: run them with -all-searches", searches)
		}
	}
	yes, no := true, false
	cases := []struct {
		name string
		mod  func(*calls.SearchRequest)
		want []string
	}{
		{"call id", func(r *calls.SearchRequest) { r.Keyword = "g1" }, []string{"g1"}},
		{"participant id", func(r *calls.SearchRequest) { r.Keyword = "p1b" }, []string{"g1"}},
		{"identifier", func(r *calls.SearchRequest) { r.Keyword = "8:acs:alice" }, []string{"p2p1"}},
		{"DiagnosticOptions tag", func(r *calls.SearchRequest) { r.Keyword = "AB-TEST-7" }, []string{"g1"}},
		{"client operations only", func(r *calls.SearchRequest) { r.Keyword = "unique-marker-xyz" }, []string{"p2p1"}},
		{"nothing", func(r *calls.SearchRequest) { r.Keyword = "zzz-nothing" }, nil},
		{"call type", func(r *calls.SearchRequest) { r.CallType = "P2P" }, []string{"p2p1"}},
		{"client type", func(r *calls.SearchRequest) { r.ClientType = "PSTN" }, []string{"g1"}},
		{"quality poor", func(r *calls.SearchRequest) { r.Quality = "poor" }, []string{"live1", "g1"}},
		{"quality unknown", func(r *calls.SearchRequest) { r.Quality = "unknown" }, []string{"p2p1"}},
		{"rating poor", func(r *calls.SearchRequest) { r.Rating = "poor" }, []string{"g1"}},
		{"rating unknown", func(r *calls.SearchRequest) { r.Rating = "unknown" }, []string{"live1", "p2p1"}},
		{"has issues", func(r *calls.SearchRequest) { r.HasIssues = &yes }, []string{"live1", "g1"}},
		{"has no issues", func(r *calls.SearchRequest) { r.HasIssues = &no }, []string{"p2p1"}},
		{"failed operation", func(r *calls.SearchRequest) { r.Failed = "StartVideo" }, []string{"g1"}},
		{"bad diagnostic", func(r *calls.SearchRequest) { r.Failed = "networkReceiveQuality" }, []string{"g1"}},
		{"diagnostic that never counts", func(r *calls.SearchRequest) { r.Failed = "speakingWhileMicrophoneIsMuted" }, nil},
		{"operation that succeeded", func(r *calls.SearchRequest) { r.Failed = "Join" }, nil},
		{"diagnostic in another case", func(r *calls.SearchRequest) { r.Failed = "NetworkReceiveQuality" }, []string{"g1"}},
		{"participant type", func(r *calls.SearchRequest) { r.ParticipantType = "Teams" }, []string{"g1"}},
		{"end reason", func(r *calls.SearchRequest) { r.EndReason = "0" }, []string{"g1", "p2p1"}},
		{"end reason class", func(r *calls.SearchRequest) { r.EndReason = "4xx" }, []string{"g1"}},
		{"dropped", func(r *calls.SearchRequest) { r.Dropped = &yes }, []string{"g1"}},
		{"not dropped", func(r *calls.SearchRequest) { r.Dropped = &no }, []string{"live1", "p2p1"}},
		{"time range", func(r *calls.SearchRequest) { r.From, r.To = at(9, 30, 0), at(11, 0, 0) }, []string{"g1"}},
	}
	t.Run("Filters", func(t *testing.T) {
		slow(t, len(cases))
		for _, c := range cases {
			if got := callIDs(search(t, c.mod)); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	})

	// Paging: one call per page, in order; a call arriving meanwhile
	// (newer than all) does not move the pages after the first.
	t.Run("Paging", func(t *testing.T) {
		slow(t, 3)
		p1 := search(t, func(r *calls.SearchRequest) { r.PageSize = 1 })
		if got := callIDs(p1); !slices.Equal(got, []string{"live1"}) || p1.Next == "" {
			t.Fatalf("page 1: %v next %q", got, p1.Next)
		}
		newer := map[string][]qt.Row{"ACSCallSummary": {summary("new1", "p30", "e30", qt.Row{"CallStartTime": at(13, 0, 0)})}}
		if err := ws.Append(ctx, qt.BatchOf(newer)); err != nil {
			t.Fatal(err)
		}
		p2 := search(t, func(r *calls.SearchRequest) { r.PageSize = 1; r.After = p1.Next })
		p3 := search(t, func(r *calls.SearchRequest) { r.PageSize = 1; r.After = p2.Next })
		if !slices.Equal(callIDs(p2), []string{"g1"}) || !slices.Equal(callIDs(p3), []string{"p2p1"}) || p3.Next != "" {
			t.Errorf("pages 2 and 3: %v %v (next %q)", callIDs(p2), callIDs(p3), p3.Next)
		}
	})
}

// Per stream rule, a call where exactly that rule fires and a call just
// inside its threshold. The issues (computed in Go) and the search's
// quality column (computed by the store from the same rules) must agree.
func testEveryRuleOnACall(t *testing.T, eng enginetest.Engine) {
	mediaOf := map[quality.Kind]string{quality.KindAudio: "Audio", quality.KindVideo: "Video", quality.KindScreenShare: "VBSS"}
	type want struct {
		rule string
		poor bool
	}
	expect := map[string]want{}
	var sums, diags []qt.Row
	n := 0
	for _, r := range quality.Rules() {
		for _, k := range []quality.Kind{quality.KindAudio, quality.KindVideo, quality.KindScreenShare} {
			if !r.AppliesTo(k) || (r.AppliesTo(quality.KindAll) && k != quality.KindAudio) {
				continue
			}
			// Just past the threshold, and exactly at it (strict comparisons).
			past := r.Threshold * 1.01
			if r.Comparison == "<" {
				past = r.Threshold * 0.99
			}
			for _, c := range []struct {
				value float64
				poor  bool
			}{{past, true}, {r.Threshold, false}} {
				n++
				id := fmt.Sprintf("rule-%02d", n)
				expect[id] = want{r.ID, c.poor}
				sums = append(sums, summary(id, "p-"+id, "e-"+id, qt.Row{"CallStartTime": at(10, 0, n)}))
				var v any = c.value
				table := schema.ByName("ACSCallDiagnostics")
				if i := table.ColumnIndex(r.Column); i >= 0 && table.Columns[i].Type != schema.Real {
					v = int64(c.value)
					if c.poor && r.Comparison == ">" {
						v = int64(c.value) + 1
					}
				}
				diags = append(diags, stream(id, "p-"+id, "e-"+id, 1, mediaOf[k], qt.Row{r.Column: v}))
			}
		}
	}
	svc, _ := newService(t, eng, map[string][]qt.Row{"ACSCallSummary": sums, "ACSCallDiagnostics": diags})
	ctx := context.Background()
	page, err := svc.Search(ctx, calls.SearchRequest{From: at(0, 0, 0), To: at(23, 0, 0), PageSize: calls.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	searched := map[string]string{}
	for _, c := range page.Calls {
		searched[c.CallID] = c.Quality
	}
	for id, w := range expect {
		issues, err := svc.Issues(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		wantQuality := "good"
		if w.poor {
			wantQuality = "poor"
			if len(issues) != 1 || issues[0].Kind != calls.KindPoorStream {
				t.Errorf("%s (%s past its threshold): issues %v", id, w.rule, kinds(issues))
				continue
			}
			fired := issues[0].Details["fired"].([]calls.FiredRule)
			if len(fired) != 1 || fired[0].Rule != w.rule {
				t.Errorf("%s: fired %+v, want only %s", id, fired, w.rule)
			}
		} else if len(issues) != 0 {
			t.Errorf("%s (%s at its threshold): issues %v", id, w.rule, kinds(issues))
		}
		if searched[id] != wantQuality {
			t.Errorf("%s (%s, poor %v): the search says quality %q", id, w.rule, w.poor, searched[id])
		}
	}
	if len(expect) < 20 {
		t.Errorf("only %d calls for the rules", len(expect))
	}
}
