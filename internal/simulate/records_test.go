package simulate

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// Updates come in increasing versions, each later than the one before; the
// final row is the highest version without its version number.
func TestUpdatesVersionsAndFinals(t *testing.T) {
	t.Parallel()
	recs := eagerRecords(t, 31, 150, true)
	type key struct{ call, row string }
	type version struct {
		n     int
		at    time.Time
		props map[string]any
	}
	updates := map[key][]version{}
	finals := map[key]map[string]any{}
	rowKey := func(p parsed, cat string) key {
		call, _ := p.top["correlationId"].(string)
		row := p.str("participantId") + "|" + p.str("endpointId") + "|" + p.str("identifier")
		if cat == catDiag || cat == catDiagUpdates {
			row += "|" + p.str("mediaType") + "|" + p.str("StreamDirection")
		}
		return key{call, row}
	}
	for _, r := range recs {
		switch r.Category {
		case catSummaryUpdates, catDiagUpdates:
			p := parse(t, r)
			var n int
			found := 0
			for k, v := range p.props {
				if strings.EqualFold(k, "CallUpdatesVersion") {
					n = int(p.num(k))
					delete(p.props, k)
					found++
					_ = v
				}
			}
			if found != 1 || n < 1 {
				t.Fatalf("update without a version: %s", r.JSON)
			}
			k := rowKey(p, r.Category)
			k.row = r.Category + k.row
			updates[k] = append(updates[k], version{n, r.Time, p.props})
		case catSummary, catDiag:
			p := parse(t, r)
			k := rowKey(p, r.Category)
			k.row = r.Category + "Updates" + k.row
			if _, dup := finals[k]; dup {
				t.Fatalf("two final rows for %v", k)
			}
			finals[k] = p.props
		}
	}
	if len(updates) == 0 || len(updates) != len(finals) {
		t.Fatalf("%d updated rows, %d final rows", len(updates), len(finals))
	}
	late, gaps := 0, 0
	for k, vs := range updates {
		sort.Slice(vs, func(i, j int) bool { return vs[i].n < vs[j].n })
		for i, v := range vs {
			if v.n != i+1 {
				t.Fatalf("%v: versions %v", k, vs)
			}
			if i > 0 && !v.at.After(vs[i-1].at) {
				t.Fatalf("%v: version %d at %v, not after version %d", k, v.n, v.at, vs[i-1].n)
			}
		}
		if len(vs) < 2 {
			t.Fatalf("%v: only %d version", k, len(vs))
		}
		if vs[len(vs)-1].at.Sub(vs[0].at) > 20*time.Hour {
			late++
		}
		if !reflect.DeepEqual(vs[0].props, vs[len(vs)-1].props) {
			gaps++
		}
		if f := finals[k]; !reflect.DeepEqual(f, vs[len(vs)-1].props) {
			t.Fatalf("%v: the final row differs from the highest version\nfinal:   %v\nhighest: %v", k, f, vs[len(vs)-1].props)
		}
	}
	if late == 0 {
		t.Error("no version arrives days later")
	}
	if gaps < len(updates)/2 {
		t.Errorf("only %d of %d rows have gaps in version 1", gaps, len(updates))
	}
}

// The quirks of real exports appear, each in a minority of records.
func TestQuirksAppear(t *testing.T) {
	t.Parallel()
	recs := eagerRecords(t, 32, 600, false)
	media, _ := generate(t, Options{Seed: 32, Calls: 20})
	recs = append(recs, media...)
	found := map[string]int{}
	for _, r := range recs {
		s := string(r.JSON)
		if r.Category == catMediaStats {
			if strings.Contains(s, `"Count":"`) {
				found["media numbers as strings"]++
			}
			continue
		}
		p := parse(t, r)
		switch r.Category {
		case catSummaryUpdates, catDiagUpdates:
			if strings.Contains(s, `"callupdatesversion":`) {
				found["lower-case version key"]++
			}
			if strings.Contains(s, `"roundTripTimeAvg":"`) || strings.Contains(s, `"callDuration":"`) {
				found["numbers as strings"]++
			}
			if strings.Contains(s, `"participantId":"null"`) {
				found[`participantId "null"`]++
			}
			if p.str("endpointType") == "Server" && p.props["endpointId"] == nil {
				found["server endpointId null"]++
			}
			if strings.Contains(s, `E-0`) {
				found["exponent float"]++
			}
			if strings.Contains(s, `00000Z"`) {
				found["7-digit times"]++
			}
		case catClientOps:
			if _, ok := p.props["OperationPayload"].(string); ok {
				found["payload as string"]++
			}
		}
	}
	for _, q := range []string{"lower-case version key", "numbers as strings", `participantId "null"`, "server endpointId null",
		"exponent float", "7-digit times", "payload as string", "media numbers as strings"} {
		if found[q] == 0 {
			t.Errorf("quirk %q never appears", q)
		}
	}
	t.Log(found)
}

// Media stats rows are consistent aggregates of at most 10 one-second samples.
func TestMediaStatsRows(t *testing.T) {
	t.Parallel()
	recs, _ := generate(t, Options{Seed: 33, Calls: 40})
	type seriesKey struct{ pid, metric, dir, typ, remote string }
	last := map[seriesKey]time.Time{}
	metrics := map[string]bool{}
	n := 0
	for _, r := range recs {
		if r.Category != catMediaStats {
			continue
		}
		n++
		p := parse(t, r)
		count, sum, avg, lo, hi := p.num("Count"), p.num("Sum"), p.num("Average"), p.num("Minimum"), p.num("Maximum")
		if count < 1 || count > 10 || count != math.Trunc(count) {
			t.Fatalf("Count %v: %s", count, r.JSON)
		}
		if lo > avg || avg > hi || lo < 0 {
			t.Fatalf("min %v avg %v max %v: %s", lo, avg, hi, r.JSON)
		}
		if math.Abs(sum/count-avg) > 0.01*math.Max(1, avg) {
			t.Fatalf("sum %v / count %v != average %v", sum, count, avg)
		}
		if p.num("AggregationIntervalSeconds") != 10 {
			t.Fatalf("interval %v", p.props["AggregationIntervalSeconds"])
		}
		dir, typ := p.str("MediaStreamDirection"), p.str("MediaStreamType")
		if (dir != "send" && dir != "recv") || (typ != "audio" && typ != "video" && typ != "screen") {
			t.Fatalf("direction %q type %q", dir, typ)
		}
		metrics[p.str("MetricName")] = true
		k := seriesKey{p.str("ParticipantId"), p.str("MetricName"), dir, typ, p.str("RemoteParticipantId")}
		ts, err := time.Parse(time.RFC3339Nano, p.str("CallClientTimeStamp"))
		if err != nil {
			t.Fatal(err)
		}
		// Rows of a series are at least an interval apart, except the last
		// (partial) interval of a span.
		if prev, ok := last[k]; ok && ts.Sub(prev) <= 0 {
			t.Fatalf("series %v rows %v apart", k, ts.Sub(prev))
		}
		last[k] = ts
	}
	if n == 0 {
		t.Fatal("no media stats")
	}
	for _, m := range []string{"Bitrate", "JitterInMs", "PacketsPerSecond", "PacketsLostPerSecond", "RttInMs",
		"JitterBufferInMs", "HealedRatio", "FrameRateSent", "FrameRateReceived", "FrameHeightReceived"} {
		if !metrics[m] {
			t.Errorf("metric %s never reported", m)
		}
	}
}

// Client operations: pre-call operations have no call id, UFD episodes
// share one OperationId from bad to good, failures carry an HTTP-like code
// and a payload that explains them.
func TestClientOperations(t *testing.T) {
	t.Parallel()
	recs := eagerRecords(t, 34, 400, false)
	names := map[string]int{}
	type ufd struct{ bad, good int }
	episodes := map[string]*ufd{}
	failures, failedWithCode, sameClock, total := 0, 0, 0, 0
	durations := map[string][]float64{}
	for _, r := range recs {
		if r.Category != catClientOps {
			continue
		}
		p := parse(t, r)
		total++
		name, _ := p.top["operationName"].(string)
		names[name]++
		if p.str("OperationType") != "client-api-request" || p.str("OperationId") == "" || p.str("ClientInstanceId") == "" {
			t.Fatalf("client operation: %s", r.JSON)
		}
		if (name == "CallAgentInit" || name == "AskDevicePermission") != (p.str("CallId") == "") {
			t.Fatalf("%s with CallId %q", name, p.str("CallId"))
		}
		cts, err := time.Parse(time.RFC3339Nano, p.str("CallClientTimeStamp"))
		if err != nil {
			t.Fatal(err)
		}
		if cts.Equal(r.Time) {
			sameClock++
		}
		payload := map[string]any{}
		switch v := p.props["OperationPayload"].(type) {
		case map[string]any:
			payload = v
		case string:
			if err := json.Unmarshal([]byte(v), &payload); err != nil {
				t.Fatalf("payload %q", v)
			}
		}
		if payload["SdkPlatform"] == nil {
			t.Fatalf("payload without SdkPlatform: %s", r.JSON)
		}
		if rt := p.str("ResultType"); rt != "Succeeded" {
			failures++
			if sig := p.num("ResultSignature"); sig >= 400 && payload["SubCode"] != nil && payload["FailureReason"] != nil {
				failedWithCode++
			}
		}
		durations[name] = append(durations[name], p.num("DurationMs"))
		if name == "UserFacingDiagnostics" {
			if payload["DiagnosticChanged"] == nil || payload["DiagnosticQuality"] == nil {
				t.Fatalf("UFD payload %v", payload)
			}
			id := p.str("OperationId")
			if episodes[id] == nil {
				episodes[id] = &ufd{}
			}
			if payload["DiagnosticQuality"] == "Good" {
				episodes[id].good++
			} else {
				episodes[id].bad++
			}
		}
	}
	for _, n := range []string{"CallAgentInit", "StartCall", "Join", "AcceptIncomingCall", "StartVideo", "StopVideo",
		"CreateView", "StateChanged", "Hangup", "UserFacingDiagnostics", "MuteMicrophone", "IsMutedChanged"} {
		if names[n] == 0 {
			t.Errorf("no %s operations", n)
		}
	}
	if sameClock > total/100 {
		t.Errorf("%d of %d operations have CallClientTimeStamp equal to time", sameClock, total)
	}
	recovered := 0
	for id, e := range episodes {
		if e.bad != 1 || e.good > 1 {
			t.Fatalf("UFD episode %s: %d bad, %d good events", id, e.bad, e.good)
		}
		recovered += e.good
	}
	if len(episodes) == 0 || float64(recovered) < 0.6*float64(len(episodes)) {
		t.Errorf("%d of %d UFD episodes recover", recovered, len(episodes))
	}
	if failures == 0 || failedWithCode != failures {
		t.Errorf("%d failed operations, %d with code, sub-code and reason", failures, failedWithCode)
	}
	// Typical latencies stay under the dashboard's P95 targets.
	for name, limit := range map[string]float64{"CallAgentInit": 2000, "AcceptIncomingCall": 3000, "Join": 5000, "StartCall": 1000, "StartVideo": 7000, "StopVideo": 1000} {
		d := durations[name]
		sort.Float64s(d)
		if len(d) < 20 {
			continue
		}
		if med := d[len(d)/2]; med > limit/1.5 {
			t.Errorf("%s median %v ms against a P95 target of %v ms", name, med, limit)
		}
		if p95 := d[len(d)*95/100]; p95 > 3*limit {
			t.Errorf("%s P95 %v ms against a target of %v ms", name, p95, limit)
		}
	}
}

// Surveys: CorrelationId holds the participant id, scores stay within their
// scale, issue tags come from the documented lists, and bad networks rate lower.
func TestSurveys(t *testing.T) {
	t.Parallel()
	recs := eagerRecords(t, 35, 800, false)
	tags := map[string]bool{}
	for _, list := range [][]string{overallIssues, audioIssues, videoIssues, screenIssues} {
		for _, x := range list {
			tags[x] = true
		}
	}
	n, tenScaleN := 0, 0
	for _, r := range recs {
		if r.Category != catSurvey {
			continue
		}
		n++
		p := parse(t, r)
		if p.top["correlationId"] != p.str("ParticipantId") || p.str("CallId") == "" || p.str("SurveyId") == "" {
			t.Fatalf("survey ids: %s", r.JSON)
		}
		if op := p.top["operationName"]; op != "CallSurvey" && op != "EndOfCallSurvey" {
			t.Fatalf("survey operation %v", op)
		}
		for _, cat := range []string{"Overall", "Audio", "Video", "Screenshare"} {
			if _, ok := p.props[cat+"RatingScore"]; !ok {
				if cat == "Overall" {
					t.Fatal("survey without an overall rating")
				}
				continue
			}
			s, lo, hi := p.num(cat+"RatingScore"), p.num(cat+"RatingScoreLowerBound"), p.num(cat+"RatingScoreUpperBound")
			if s < lo || s > hi {
				t.Fatalf("%s score %v outside [%v, %v]", cat, s, lo, hi)
			}
			if cat == "Overall" && hi == 10 {
				tenScaleN++
			}
		}
		for _, k := range []string{"OverallCallIssues", "AudioIssues", "VideoIssues", "ScreenshareIssues"} {
			if v := p.str(k); v != "" {
				for _, tag := range strings.Split(v, ",") {
					if !tags[tag] {
						t.Fatalf("%s tag %q", k, tag)
					}
				}
			}
		}
	}
	if n < 50 || tenScaleN == 0 || tenScaleN > n/3 {
		t.Errorf("%d surveys, %d on the 0–10 scale", n, tenScaleN)
	}
}

// Surveys follow the participant's network: compare mean normalised scores.
func TestSurveyScoresFollowNetwork(t *testing.T) {
	t.Parallel()
	p := testPlanner(t, 36)
	var sum, cnt [4]float64
	for i := 0; i < 6000; i++ {
		c := p.plan(i, testStart)
		for _, l := range c.legs {
			if !l.survey {
				continue
			}
			b := newBuilder(c, false)
			b.survey(l)
			s := parse(t, b.out[0])
			sum[l.ep.class] += s.num("OverallRatingScore") * 5 / s.num("OverallRatingScoreUpperBound")
			cnt[l.ep.class]++
		}
	}
	good, poor := sum[netGood]/cnt[netGood], (sum[netPoor]+sum[netVeryPoor])/(cnt[netPoor]+cnt[netVeryPoor])
	if good < 4 || poor > 3.2 {
		t.Errorf("mean rating on good networks %.2f, on poor ones %.2f", good, poor)
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	recs := eagerRecords(t, 37, 200, false)
	kinds := map[string]int{}
	for _, r := range recs {
		if r.Category != catUsage {
			continue
		}
		p := parse(t, r)
		kinds[p.str("UsageType")]++
		start, _ := time.Parse(time.RFC3339Nano, p.str("StartTime"))
		end, _ := time.Parse(time.RFC3339Nano, p.str("EndTime"))
		if !end.After(start) || p.num("Quantity") < 1 || p.str("ParticipantId") == "" || p.str("UnitType") == "" {
			t.Fatalf("usage record %s", r.JSON)
		}
		if q := p.num("Quantity"); q > end.Sub(start).Minutes()+1 || p.str("UsageType") == "Audio" && q < end.Sub(start).Minutes() {
			t.Fatalf("quantity %v for %v", q, end.Sub(start))
		}
	}
	if kinds["Audio"] == 0 || kinds["Video"] == 0 {
		t.Errorf("usage kinds %v", kinds)
	}
}

// Network UFDs follow the participant's network: rare on good networks,
// common on poor ones.
func TestNetworkUFDsFollowNetwork(t *testing.T) {
	t.Parallel()
	p := testPlanner(t, 38)
	var legs, badUFDs [4]float64
	for i := 0; i < 600; i++ {
		c := p.plan(i, testStart)
		b := newBuilder(c, false)
		class := map[string]netClass{}
		for _, l := range c.legs {
			if l.ep.sdk && l.answered {
				class[l.clientPID] = l.ep.class
				legs[l.ep.class]++
				b.clientOps(l)
			}
		}
		for _, r := range b.out {
			s := string(r.JSON)
			ufd := strings.Contains(s, `"operationName":"UserFacingDiagnostics"`)
			network := strings.Contains(s, `"DiagnosticChanged":"network`)
			bad := strings.Contains(s, `"DiagnosticQuality":"Bad"`) || strings.Contains(s, `"DiagnosticQuality":"Poor"`)
			if ufd && network && bad {
				badUFDs[class[parse(t, r).str("ParticipantId")]]++
			}
		}
	}
	rate := func(c netClass) float64 { return badUFDs[c] / math.Max(legs[c], 1) }
	if !(rate(netGood) < rate(netFair) && rate(netFair) < rate(netPoor) && rate(netPoor) <= rate(netVeryPoor)*1.5) || rate(netGood) > 0.3 || rate(netPoor) < 1 {
		t.Errorf("bad network UFDs per participant: good %.2f fair %.2f poor %.2f very poor %.2f",
			rate(netGood), rate(netFair), rate(netPoor), rate(netVeryPoor))
	}
	t.Logf("bad network UFDs per participant: good %.2f fair %.2f poor %.2f very poor %.2f",
		rate(netGood), rate(netFair), rate(netPoor), rate(netVeryPoor))
}

// The apps' own survey events (AppEvents, in the Application Insights
// resource): one per survey of a web or Windows app of the telehealth
// tenant, its Properties.id the SurveyId of that survey, a few seconds
// after it, with the fields the JavaScript and .NET SDKs fill.
func TestAppEvents(t *testing.T) {
	t.Parallel()
	var ai Resource
	for _, r := range DefaultResources() {
		if r.AppInsights() {
			ai = r
		}
	}
	recs := eagerRecords(t, 39, 800, false)
	type survey struct {
		at       time.Time
		resource string
		poor     bool
	}
	surveys := map[string]survey{}
	for _, r := range recs {
		if r.Category == catSurvey {
			p := parse(t, r)
			surveys[p.str("SurveyId")] = survey{r.Time, r.Resource, p.num("OverallRatingScore") <= p.num("OverallRatingScoreThreshold")}
		}
	}
	var acsOfTenant []string
	for _, r := range DefaultResources() {
		if !r.AppInsights() && r.TenantID == ai.TenantID {
			acsOfTenant = append(acsOfTenant, r.ID)
		}
	}
	known := map[string]bool{"": true}
	for _, s := range append(append([]string(nil), complaints...), wishes...) {
		known[s] = true
	}
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := map[string]bool{}
	keys := map[string]bool{}
	cityOf := map[string]string{}
	empty, poorWithText, tenantSurveys := 0, 0, 0
	for _, s := range surveys {
		if slices.Contains(acsOfTenant, s.resource) {
			tenantSurveys++
		}
	}
	for _, r := range recs {
		if r.Category != catAppEvents {
			continue
		}
		p := parse(t, r)
		if r.Resource != ai.ID || p.top["resourceId"] != ai.ID {
			t.Fatalf("event of %s (resourceId %v), want %s", r.Resource, p.top["resourceId"], ai.ID)
		}
		if p.str("Type") != "AppEvents" || p.str("Name") != "CallSurvey" || p.num("ItemCount") != 1 {
			t.Fatalf("event %s", r.JSON)
		}
		props, _ := p.props["Properties"].(map[string]any)
		id, _ := props["id"].(string)
		text, hasText := props["improvementSuggestion"].(string)
		s, ok := surveys[id]
		if !ok || seen[id] || !hasText || len(props) != 2 {
			t.Fatalf("Properties %v: not exactly one event per survey of this run (known %v, seen %v)", props, ok, seen[id])
		}
		seen[id] = true
		if !slices.Contains(acsOfTenant, s.resource) {
			t.Fatalf("event for a survey of %s, outside the tenant of %s", s.resource, ai.ID)
		}
		if d := r.Time.Sub(s.at); d < time.Second || d > 8*time.Second {
			t.Fatalf("event %v after its survey", d)
		}
		if !known[text] {
			t.Fatalf("suggestion %q", text)
		}
		switch {
		case text == "":
			empty++
		case s.poor:
			poorWithText++
			if !slices.Contains(complaints, text) {
				t.Errorf("a poorly rated call's suggestion is %q", text)
			}
		}
		switch p.str("ClientType") {
		case "Browser":
			if p.str("SDKVersion") != "javascript:3.2.1" || p.str("ClientBrowser") == "" {
				t.Fatalf("browser event %s", r.JSON)
			}
		case "PC":
			if !strings.HasPrefix(p.str("SDKVersion"), "dotnetc:") || !strings.HasPrefix(p.str("AppRoleInstance"), "DESKTOP-") {
				t.Fatalf("PC event %s", r.JSON)
			}
		default:
			t.Fatalf("ClientType %q", p.str("ClientType"))
		}
		_, _, name, _ := resourceParts(s.resource)
		if p.str("AppRoleName") != strings.ToLower(name) || p.str("ClientOS") == "" || p.str("ClientIP") != "0.0.0.0" {
			t.Fatalf("app fields of %s: %s", name, r.JSON)
		}
		if op := p.str("OperationId"); !hex32.MatchString(op) || p.str("ParentId") != op || p.str("SessionId") == "" || p.str("OperationName") == "" {
			t.Fatalf("operation fields %s", r.JSON)
		}
		keys[p.str("IKey")+" "+p.str("ResourceGUID")] = true
		user, city := p.str("UserId"), p.str("ClientCity")
		if c, ok := cityOf[user]; user == "" || ok && c != city {
			t.Fatalf("user %q in %q and %q", user, c, city)
		}
		cityOf[user] = city
	}
	n := len(seen)
	if len(keys) != 1 {
		t.Errorf("instrumentation key and resource GUID vary: %v", keys)
	}
	// The web and Windows apps of the telehealth tenant send: about half of
	// all surveys, more than half of that tenant's.
	if share, own := float64(n)/float64(len(surveys)), float64(n)/float64(tenantSurveys); share < 0.25 || share > 0.6 || own < 0.4 || own > 0.8 {
		t.Errorf("%d events for %d surveys (%.2f), %d of the tenant (%.2f)", n, len(surveys), share, tenantSurveys, own)
	}
	if empty == 0 || empty == n || poorWithText == 0 {
		t.Errorf("%d events, %d without a suggestion, %d with one after a poor rating", n, empty, poorWithText)
	}
	if len(cityOf) < n/3 {
		t.Errorf("%d users for %d events", len(cityOf), n)
	}
}

// Events go to the Application Insights resource of the ACS resource's
// tenant, and only when there is one; they leave the ACS records of a seed
// as they were.
func TestAppEventsFollowResources(t *testing.T) {
	t.Parallel()
	const tenant, other = "11111111-2222-3333-4444-555555555555", "99999999-2222-3333-4444-555555555555"
	acs := NewResource(tenant, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "rg-one", "solo")
	count := func(res ...Resource) ([]Record, map[string]int) {
		recs, _ := generate(t, Options{Seed: 41, Calls: 120, Resources: res})
		by := map[string]int{}
		var rest []Record
		for _, r := range recs {
			if r.Category == catAppEvents {
				by[r.Resource]++
			} else {
				rest = append(rest, r)
			}
		}
		return rest, by
	}
	alone, none := count(acs)
	if len(none) != 0 {
		t.Errorf("events without an Application Insights resource: %v", none)
	}
	if _, by := count(acs, NewAppInsights(other, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "rg-one", "theirs")); len(by) != 0 {
		t.Errorf("events sent to another tenant's resource: %v", by)
	}
	own := NewAppInsights(tenant, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "rg-one", "ours")
	with, by := count(own, acs)
	if len(by) != 1 || by[own.ID] == 0 {
		t.Errorf("events by resource %v, want all for %s", by, own.ID)
	}
	if len(with) != len(alone) {
		t.Fatalf("%d ACS records with Application Insights, %d without", len(with), len(alone))
	}
	for i := range with {
		if !bytes.Equal(with[i].JSON, alone[i].JSON) {
			t.Fatalf("ACS record %d differs:\n%s\n%s", i, with[i].JSON, alone[i].JSON)
		}
	}
	if _, err := Generate(Options{Calls: 1, Resources: []Resource{own}}, func(Record) error { return nil }); err == nil {
		t.Error("calls without an ACS resource were generated")
	}
}

// Exactly the surveys of web and Windows apps of the resource's own tenant
// get an event: not those of the mobile apps, the Teams client or guests
// from another tenant's app.
func TestAppEventsWhoSends(t *testing.T) {
	t.Parallel()
	p := testPlanner(t, 42)
	sent, skipped := 0, 0
	for i := 0; i < 600; i++ {
		c := p.plan(i, testStart)
		b := newBuilder(c, false)
		b.eager()
		surveyOf, evented := map[string]string{}, map[string]bool{}
		for _, r := range b.out {
			switch r.Category {
			case catSurvey:
				pr := parse(t, r)
				surveyOf[pr.str("ParticipantId")] = pr.str("SurveyId")
			case catAppEvents:
				props, _ := parse(t, r).props["Properties"].(map[string]any)
				id, _ := props["id"].(string)
				evented[id] = true
			}
		}
		for _, l := range c.legs {
			if !l.survey {
				continue
			}
			id, ok := surveyOf[l.clientPID]
			if !ok {
				t.Fatalf("no survey record for leg %s", l.clientPID)
			}
			e := l.ep
			want := c.res.insights != nil && !e.dev.teams && !e.cross(c) && (e.dev.platform == platWeb || e.dev.platform == platWindows)
			if evented[id] != want {
				t.Fatalf("survey of a %v client (cross-tenant %v, resource %s): event %v, want %v", e.dev.platform, e.cross(c), c.res.ID, evented[id], want)
			}
			if want {
				sent++
			} else {
				skipped++
			}
		}
	}
	if sent == 0 || skipped == 0 {
		t.Errorf("%d surveys with an event, %d without", sent, skipped)
	}
}
