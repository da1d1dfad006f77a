package querytest

import (
	"encoding/json"
	"sort"
	"strconv"
	"time"
)

// semanticCases pin down the language's rules that the engine chose
// (strings are never null, == is case-sensitive, long/long divides whole
// numbers, …), and check queries written the way the Call Diagnostics
// queries compute things against answers computed here in Go from the
// fixture's rows, independently of the engine.
var semanticCases = []Case{
	// ---- strings ----
	{
		Name:  "string == is case-sensitive",
		Query: "ACSCallSummary | where CallType == 'group' | count",
		Rows:  [][]string{{"0"}},
	},
	{
		Name:  "string =~ is not",
		Query: "ACSCallSummary | where CallType =~ 'group' | count",
		Rows:  [][]string{{"6"}},
	},
	{
		Name:  "contains, has and startswith ignore case",
		Query: "ACSCallSummary | summarize c = countif(OsVersion contains 'WINDOWS'), h = countif(OsVersion has 'android'), s = countif(SdkVersion startswith '1.20.1_STABLE')",
		Rows:  [][]string{{"3", "1", "4"}},
	},
	{
		Name:  "a missing string is the empty string in every test",
		Query: "ACSCallSummary | where EndpointId == 'e7' | project a = isempty(SdkVersion), b = isnull(SdkVersion), c = SdkVersion == '', d = strlen(SdkVersion), e = strcat('[', SdkVersion, ']')",
		Rows:  [][]string{{"true", "false", "true", "0", "[]"}},
	},
	{
		Name: "a missing string tests as the empty string",
		Query: `ACSCallSummary | where EndpointId == 'e7'
| project a = SdkVersion !contains 'x', b = SdkVersion startswith '', c = SdkVersion !startswith 'a', d = SdkVersion matches regex '^$',
    e = SdkVersion has_any ('a'), f = SdkVersion !has 'x', g = SdkVersion endswith_cs 'a', h = SdkVersion !hasprefix 'a'`,
		Rows: [][]string{{"true", "true", "true", "true", "false", "true", "false", "true"}},
	},
	{
		Name:  "a filter on a negated test keeps the rows with a missing string",
		Query: "ACSCallSummary | where SdkVersion !startswith '1.' and SdkVersion !contains 'beta' | project EndpointId",
		Rows:  [][]string{{"e3"}, {"e5"}, {"e7"}},
	},
	{
		Name:  "a missing string groups with the empty string",
		Query: "ACSCallSummary | extend p = iff(EndpointId == 'e4', '', ParticipantId) | summarize n = count() by p | where p == ''",
		Rows:  [][]string{{"", "2"}},
	},
	{
		Name:  "a string column compared with a number constant compares as text",
		Query: "ACSCallSummary | where ParticipantEndReason != 0 | project ParticipantId",
		Rows:  [][]string{{"p2"}},
	},
	{
		Name:  "strings compare in order",
		Query: "ACSCallSummary | where EndpointId > 'e5' | project EndpointId",
		Rows:  [][]string{{"e6"}, {"e6"}, {"e7"}},
	},

	// ---- numbers ----
	{
		Name:    "long / long divides whole numbers",
		Query:   "print a = 7 / 2, b = -7 / 2, c = 7 % 3, d = 7 / 2.0, e = 7.0 / 2",
		Columns: []string{"a:long", "b:long", "c:long", "d:real", "e:real"},
		Rows:    [][]string{{"3", "-3", "1", "3.5", "3.5"}},
	},
	{
		Name:    "long / long divides whole numbers over columns",
		Query:   "ACSCallSummary | where EndpointId == 'e1' | project a = CallDuration / 7, b = ParticipantDuration * 1.0 / 4",
		Columns: []string{"a:long", "b:real"},
		Rows:    [][]string{{"85", "147.5"}},
	},
	{
		Name:    "int and long widen to long, int and real to real",
		Query:   "ACSCallDiagnostics | where StreamId == 1 | project a = JitterAvg + StreamId, b = JitterAvg + PacketLossRateAvg, c = JitterAvg * 2",
		Columns: []string{"a:long", "b:real", "c:long"},
		Rows:    [][]string{{"13", "12.01", "24"}},
	},
	{
		Name:  "arithmetic with null is null",
		Query: "ACSCallDiagnostics | where StreamId == 6 | project a = JitterAvg + 1, b = isnull(JitterAvg * 2)",
		Rows:  [][]string{{"null", "true"}},
	},
	{
		Name:    "long division and remainder truncate toward zero",
		Query:   "datatable(a:long, b:long)[-7, 2, 7, -2] | project q = a / b, m = a % b",
		Columns: []string{"q:long", "m:long"},
		Rows:    [][]string{{"-3", "-1"}, {"-3", "1"}},
	},
	{
		Name:    "decimal division keeps its fraction",
		Query:   "print a = todecimal(7) / todecimal(2), b = todecimal(1) / todecimal(3)",
		Columns: []string{"a:decimal", "b:decimal"},
		Rows:    [][]string{{"3.5", "0.3333333333"}},
	},

	// ---- datetimes and timespans ----
	{
		Name:    "datetime minus datetime is a timespan",
		Query:   "ACSCallSummary | where EndpointId == 'e3' | project d = ParticipantStartTime - CallStartTime, e = TimeGenerated - CallStartTime",
		Columns: []string{"d:timespan", "e:timespan"},
		Rows:    [][]string{{"00:02:00", "00:15:00"}},
	},
	{
		Name:    "datetime plus a timespan, and seconds as a timespan",
		Query:   "ACSCallSummary | where EndpointId == 'e1' | project endsAt = CallStartTime + CallDuration * 1s, half = CallDuration * 1s / 2",
		Columns: []string{"endsAt:datetime", "half:timespan"},
		Rows:    [][]string{{"2024-05-01T10:10:00Z", "00:05:00"}},
	},
	{
		Name:    "timespan divided by a timespan is a real",
		Query:   "print a = 90m / 1h, b = 1d / 1h, c = 1h * 1.5",
		Columns: []string{"a:real", "b:real", "c:timespan"},
		Rows:    [][]string{{"1.5", "24", "01:30:00"}},
	},
	{
		Name:  "datetimes compare with a datetime text",
		Query: "ACSCallSummary | where CallStartTime >= '2024-05-01T11:00:00Z' | distinct CorrelationId",
		Rows:  [][]string{{"c-b"}, {"c-c"}},
	},
	{
		Name:  "ago and the query's now",
		Query: "ACSCallSummary | where TimeGenerated > ago(25h) | distinct CorrelationId",
		Rows:  [][]string{{"c-b"}, {"c-c"}},
	},
	{
		Name:     "a timespan that ends before now",
		Query:    "ACSCallSurvey | project SurveyId",
		Timespan: "2024-05-01T10:10:00Z/PT1H",
		Rows:     [][]string{{"s1"}},
	},

	// ---- dynamic values ----
	{
		Name:  "dynamic properties by dot and by index",
		Query: "ACSCallClientOperations | where OperationId == 'op4' | project a = tostring(OperationPayload.SdkPlatform), b = tostring(OperationPayload['CallType']), c = tostring(OperationPayload.Tags[1]), d = array_length(OperationPayload.Tags)",
		Rows:  [][]string{{"Web", "P2P", "b", "2"}},
	},
	{
		Name:  "a missing dynamic property is null and its text empty",
		Query: "ACSCallClientOperations | where OperationId == 'op3' | project a = isnull(OperationPayload.CallDirection), b = tostring(OperationPayload.CallDirection)",
		Rows:  [][]string{{"true", ""}},
	},
	{
		Name:  "a dynamic number compares with a number",
		Query: `datatable(d:dynamic)[dynamic({"n": 5}), dynamic({"n": 50})] | where d.n > 10 | project n = toint(d.n)`,
		Rows:  [][]string{{"50"}},
	},

	// ---- default names ----
	{
		Name:    "default names follow Kusto",
		Query:   "ACSCallSurvey | where SurveyId == 's2' | summarize count(), dcount(CallId), avg(OverallRatingScore), percentile(OverallRatingScore, 50), make_list(SurveyId), make_set(CallId), take_any(ParticipantId)",
		Columns: []string{"count_:long", "dcount_CallId:long", "avg_OverallRatingScore:real", "percentile_OverallRatingScore_50:int", "list_SurveyId:dynamic", "set_CallId:dynamic", "ParticipantId:string"},
		Rows:    [][]string{{"1", "1", "2", "2", `["s2"]`, `["c-a"]`, "p2"}},
	},
	{
		Name:    "a clash of default names gets a suffix",
		Query:   "ACSCallSurvey | summarize count(), count()",
		Columns: []string{"count_:long", "count_1:long"},
		Rows:    [][]string{{"3", "3"}},
	},
	{
		Name:    "dcount counts the empty string as a value",
		Query:   "ACSCallSummary | summarize dcount(ParticipantId), dcount(PstnParticipantCallType)",
		Columns: []string{"dcount_ParticipantId:long", "dcount_PstnParticipantCallType:long"},
		Rows:    [][]string{{"6", "2"}},
	},

	// ---- corpus-style queries, answered in Go from the fixture ----
	{
		Name: "corpus: participants per call in decimal",
		Query: `ACSCallSummary
| extend who = iff(isempty(ParticipantId), EndpointId, ParticipantId)
| summarize participants = dcount(who) by CorrelationId, CallType
| summarize calls = count(), participants = sum(participants) by CallType
| extend perCall = todecimal(participants) / todecimal(calls)`,
		Columns: []string{"CallType:string", "calls:long", "participants:long", "perCall:decimal"},
		Rows:    participantsPerCall(),
	},
	{
		Name: "corpus: a per-call quality verdict from stream rules",
		Query: `ACSCallDiagnostics
| summarize streams = count(),
    poor = countif(JitterAvg > 30 or PacketLossRateAvg > 0.1 or RoundTripTimeAvg > 500
                   or (MediaType in ('Video', 'VBSS') and VideoFrameRateAvg < 1)),
    unknown = countif(isnull(JitterAvg) and isnull(RoundTripTimeAvg))
  by CorrelationId
| extend verdict = case(poor > 0, 'Poor', unknown == streams, 'Unknown', 'Good')`,
		Columns: []string{"CorrelationId:string", "streams:long", "poor:long", "unknown:long", "verdict:string"},
		Rows:    qualityVerdicts(),
	},
	{
		Name: "corpus: survey ratings normalised to 5",
		Query: `ACSCallSurvey
| summarize rating = avg(OverallRatingScore * 5.0 / OverallRatingScoreUpperBound),
            poor = countif(OverallRatingScore <= OverallRatingScoreThreshold),
            surveys = count()
  by CallId`,
		Columns: []string{"CallId:string", "rating:real", "poor:long", "surveys:long"},
		Rows:    surveyRatings(),
	},
	{
		Name: "corpus: dropped participants by SIP code",
		Query: `let dropCodes = dynamic(['408', '410', '480', '487', '500', '503']);
ACSCallSummary
| summarize participants = dcount(ParticipantId),
            dropped = count_distinctif(ParticipantId, ParticipantEndReason in (dropCodes))
  by CorrelationId
| extend dropRate = round(100.0 * dropped / participants, 1)`,
		Columns: []string{"CorrelationId:string", "participants:long", "dropped:long", "dropRate:real"},
		Rows:    droppedParticipants(),
	},
	{
		Name: "corpus: each participant's latest client operations as one bag",
		Query: `ACSCallClientOperations
| where isnotempty(ParticipantId)
| summarize arg_max(CallClientTimeStamp, *) by ParticipantId, OperationName
| extend detail = iff(OperationName == 'UserFacingDiagnostics', tostring(OperationPayload.DiagnosticQuality), ResultType)
| summarize ops = make_bag(bag_pack(OperationName, detail)), base = make_bag(bag_pack('sdk', SdkVersion)) by ParticipantId
| project ParticipantId, info = bag_merge(base, ops, bag_pack('participant', ParticipantId))`,
		Columns: []string{"ParticipantId:string", "info:dynamic"},
		Rows:    latestOperations(),
	},
	{
		Name: "corpus: media stats per metric and direction",
		Query: `ACSCallClientMediaStatsTimeSeries
| summarize samples = sum(Count), avgValue = sum(Sum) / sum(Count), peak = max(Maximum)
  by MetricName, MediaStreamDirection`,
		Columns: []string{"MetricName:string", "MediaStreamDirection:string", "samples:long", "avgValue:real", "peak:real"},
		Rows:    mediaStats(),
	},
}

// text writes a value as Format does.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', 10, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	panic("querytest: no text for a value")
}

func str(r Row, col string) string {
	s, _ := r[col].(string)
	return s
}

// num reads a number column; ok is false for null.
func num(r Row, col string) (float64, bool) {
	switch x := r[col].(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// participantsPerCall counts each call's participants (the participant id,
// or the endpoint for rows without one) and averages them per call type.
func participantsPerCall() [][]string {
	type call struct {
		typ string
		who map[string]bool
	}
	calls := map[string]*call{}
	for _, r := range Summary {
		id := str(r, "CorrelationId")
		if calls[id] == nil {
			calls[id] = &call{typ: str(r, "CallType"), who: map[string]bool{}}
		}
		who := str(r, "ParticipantId")
		if who == "" {
			who = str(r, "EndpointId")
		}
		calls[id].who[who] = true
	}
	n, total := map[string]int64{}, map[string]int64{}
	for _, c := range calls {
		n[c.typ]++
		total[c.typ] += int64(len(c.who))
	}
	var out [][]string
	for _, t := range sortedKeys(n) {
		out = append(out, []string{t, text(n[t]), text(total[t]), text(float64(total[t]) / float64(n[t]))})
	}
	return out
}

// qualityVerdicts applies the stream rules to each stream of each call.
func qualityVerdicts() [][]string {
	type tally struct{ streams, poor, unknown int64 }
	calls := map[string]*tally{}
	for _, r := range Diagnostics {
		id := str(r, "CorrelationId")
		if calls[id] == nil {
			calls[id] = &tally{}
		}
		t := calls[id]
		t.streams++
		jitter, hasJitter := num(r, "JitterAvg")
		loss, hasLoss := num(r, "PacketLossRateAvg")
		rtt, hasRTT := num(r, "RoundTripTimeAvg")
		fps, hasFPS := num(r, "VideoFrameRateAvg")
		video := str(r, "MediaType") == "Video" || str(r, "MediaType") == "VBSS"
		if hasJitter && jitter > 30 || hasLoss && loss > 0.1 || hasRTT && rtt > 500 || video && hasFPS && fps < 1 {
			t.poor++
		}
		if !hasJitter && !hasRTT {
			t.unknown++
		}
	}
	var out [][]string
	for _, id := range sortedKeys(calls) {
		t := calls[id]
		verdict := "Good"
		switch {
		case t.poor > 0:
			verdict = "Poor"
		case t.unknown == t.streams:
			verdict = "Unknown"
		}
		out = append(out, []string{id, text(t.streams), text(t.poor), text(t.unknown), verdict})
	}
	return out
}

// surveyRatings scales each rating to 0–5 by its upper bound and averages
// them per call.
func surveyRatings() [][]string {
	type tally struct {
		sum           float64
		poor, surveys int64
	}
	calls := map[string]*tally{}
	for _, r := range Surveys {
		id := str(r, "CallId")
		if calls[id] == nil {
			calls[id] = &tally{}
		}
		score, _ := num(r, "OverallRatingScore")
		upper, _ := num(r, "OverallRatingScoreUpperBound")
		threshold, _ := num(r, "OverallRatingScoreThreshold")
		calls[id].sum += score * 5 / upper
		calls[id].surveys++
		if score <= threshold {
			calls[id].poor++
		}
	}
	var out [][]string
	for _, id := range sortedKeys(calls) {
		t := calls[id]
		out = append(out, []string{id, text(t.sum / float64(t.surveys)), text(t.poor), text(t.surveys)})
	}
	return out
}

// droppedParticipants counts the distinct participants of each call and
// those that ended with one of the SIP codes of a dropped call.
func droppedParticipants() [][]string {
	drop := map[string]bool{"408": true, "410": true, "480": true, "487": true, "500": true, "503": true}
	all, dropped := map[string]map[string]bool{}, map[string]map[string]bool{}
	for _, r := range Summary {
		id, p := str(r, "CorrelationId"), str(r, "ParticipantId")
		if all[id] == nil {
			all[id], dropped[id] = map[string]bool{}, map[string]bool{}
		}
		all[id][p] = true
		if drop[str(r, "ParticipantEndReason")] {
			dropped[id][p] = true
		}
	}
	var out [][]string
	for _, id := range sortedKeys(all) {
		n, d := len(all[id]), len(dropped[id])
		rate := float64(int64(1000.0*float64(d)/float64(n)+0.5)) / 10 // one decimal, rounded half up
		out = append(out, []string{id, text(int64(n)), text(int64(d)), text(rate)})
	}
	return out
}

// latestOperations keeps, per participant and operation, the operation
// with the latest client time, and packs what each says with the SDK.
func latestOperations() [][]string {
	type key struct{ p, op string }
	latest := map[key]Row{}
	for _, r := range Operations {
		p := str(r, "ParticipantId")
		if p == "" {
			continue
		}
		k := key{p, str(r, "OperationName")}
		if prev, ok := latest[k]; !ok || r["CallClientTimeStamp"].(time.Time).After(prev["CallClientTimeStamp"].(time.Time)) {
			latest[k] = r
		}
	}
	bags := map[string]map[string]string{}
	for k, r := range latest {
		if bags[k.p] == nil {
			bags[k.p] = map[string]string{"participant": k.p}
		}
		detail := str(r, "ResultType")
		if k.op == "UserFacingDiagnostics" {
			var payload map[string]any
			if err := json.Unmarshal([]byte(str(r, "OperationPayload")), &payload); err != nil {
				panic(err)
			}
			detail, _ = payload["DiagnosticQuality"].(string)
		}
		bags[k.p][k.op] = detail
		bags[k.p]["sdk"] = str(r, "SdkVersion")
	}
	var out [][]string
	for _, p := range sortedKeys(bags) {
		b, err := json.Marshal(bags[p]) // keys sorted, as Format writes dynamic values
		if err != nil {
			panic(err)
		}
		out = append(out, []string{p, string(b)})
	}
	return out
}

// mediaStats weighs each series' average by its sample count.
func mediaStats() [][]string {
	type tally struct {
		count     int64
		sum, peak float64
	}
	groups := map[string]*tally{}
	names := map[string][2]string{}
	for _, r := range MediaStats {
		metric, dir := str(r, "MetricName"), str(r, "MediaStreamDirection")
		k := metric + "\x00" + dir
		if groups[k] == nil {
			groups[k] = &tally{}
			names[k] = [2]string{metric, dir}
		}
		n, _ := num(r, "Count")
		s, _ := num(r, "Sum")
		m, _ := num(r, "Maximum")
		groups[k].count += int64(n)
		groups[k].sum += s
		if m > groups[k].peak {
			groups[k].peak = m
		}
	}
	var out [][]string
	for _, k := range sortedKeys(groups) {
		g := groups[k]
		out = append(out, []string{names[k][0], names[k][1], text(g.count), text(g.sum / float64(g.count)), text(g.peak)})
	}
	return out
}
