package callmetrics

import (
	"testing"
	"time"
)

const join = apiPrefix + "Join"

// Three legs in two calls join. a1 and b1 succeed; a2 fails with 410/41048.
// Successes: legs {a1, b1} in calls {A, B} → one row of 2 legs, 2 calls,
// all successful. The failure: leg {a2} in call {A} → a row of its own under
// its ResultType and SubCode, 1 leg failed. The dashboard's reliability is
// then (2 + 0) × 100 / (2 + 1) = 66.7 %.
func TestJoinRowsPerResultAndSubCode(t *testing.T) {
	rows := compute([]Operation{
		opAt(10*time.Hour, "Join", "A", "a1", "Succeeded", enterPayload("Group")),
		opAt(10*time.Hour+time.Minute, "Join", "A", "a2", "Failed",
			`{"SdkPlatform":"Web","CallType":"Group","Code":410,"SubCode":41048,"ResultCategory":"UnexpectedClientError"}`),
		opAt(11*time.Hour, "Join", "B", "b1", "Succeeded", enterPayload("Group")),
	})
	if n := len(metricRows(rows, join)); n != 2 {
		t.Fatalf("%d Join rows, want 2\n%s", n, dump(rows))
	}
	ok := one(t, rows, join, "Succeeded", "")
	wantCounts(t, ok, counts{legs: 2, success: 2, failed: 0, calls: 2})
	bad := one(t, rows, join, "Failed", "41048")
	wantCounts(t, bad, counts{legs: 1, success: 0, failed: 1, calls: 1})

	if ok.Goal != ">= 99.0" || ok.Unit != "percentage" {
		t.Errorf("Goal, Unit = %q, %q", ok.Goal, ok.Unit)
	}
	if want := day0.Add(11 * time.Hour); !ok.LatestData.Equal(want) {
		t.Errorf("LatestData = %v, want %v (b1's Join, by its client timestamp)", ok.LatestData, want)
	}
	if !ok.Bin.Equal(day0) || ok.Bin.Location() != time.UTC {
		t.Errorf("Bin = %v, want %v UTC", ok.Bin, day0)
	}
	if ok.Dims.CallType != "Group" || ok.Dims.Platform != "Web" || ok.Dims.SdkVersion != webSDK {
		t.Errorf("dims = %+v", ok.Dims)
	}
}

// One leg tries Join three times: a timeout (408/40114), then two successes.
// It is one failed leg of the timeout row and one successful leg of the
// success row — distinct legs, however many attempts.
func TestLegRetryingJoin(t *testing.T) {
	rows := compute([]Operation{
		opAt(time.Hour, "Join", "A", "p", "UnexpectedClientError",
			`{"SdkPlatform":"Web","CallType":"P2P","Code":408,"SubCode":40114,"ResultCategory":"UnexpectedClientError"}`),
		opAt(time.Hour+5*time.Second, "Join", "A", "p", "Succeeded", enterPayload("P2P")),
		opAt(time.Hour+9*time.Second, "Join", "A", "p", "Succeeded", enterPayload("P2P")),
	})
	wantCounts(t, one(t, rows, join, "UnexpectedClientError", "40114"), counts{legs: 1, failed: 1, calls: 1})
	wantCounts(t, one(t, rows, join, "Succeeded", ""), counts{legs: 1, success: 1, calls: 1})
}

// ExpectedError is a success (the app's misuse, not a failure of the SDK).
func TestExpectedErrorIsSuccess(t *testing.T) {
	rows := compute([]Operation{
		opAt(time.Hour, "StartVideo", "A", "p", "ExpectedError",
			`{"SdkPlatform":"Web","StreamType":"Video","Code":412,"SubCode":43000,"ResultCategory":"ExpectedError"}`),
		opAt(time.Hour, "StopVideo", "A", "p", "expectederror", `{"SdkPlatform":"Web","Code":400,"SubCode":41030}`),
	})
	wantCounts(t, one(t, rows, apiPrefix+"StartVideo", "ExpectedError", "43000"), counts{legs: 1, success: 1, calls: 1})
	wantCounts(t, one(t, rows, apiPrefix+"StopVideo", "expectederror", "41030"), counts{legs: 1, success: 1, calls: 1})
}

// CreateView is split by Source: a local preview by leg p; remote streams
// rendered by p (twice, same outcome: one leg) and by q (no Source: remote);
// a failed remote render by r. Local: {p} ok. Remote: {p, q} ok, {r} failed
// under 408/43203.
func TestCreateViewLocalAndRemote(t *testing.T) {
	view := func(source string) string {
		if source == "" {
			return `{"SdkPlatform":"Web","StreamType":"Video","StreamId":"2.0"}`
		}
		return `{"SdkPlatform":"Web","StreamType":"Video","StreamId":"1.0","Source":"` + source + `"}`
	}
	rows := compute([]Operation{
		opAt(time.Hour, "CreateView", "A", "p", "Succeeded", view("local")),
		opAt(time.Hour, "CreateView", "A", "p", "Succeeded", view("remote")),
		opAt(time.Hour+time.Minute, "CreateView", "A", "p", "Succeeded", view("remote")),
		opAt(time.Hour, "CreateView", "A", "q", "Succeeded", view("")),
		opAt(time.Hour, "CreateView", "A", "r", "UnexpectedClientError",
			`{"SdkPlatform":"Web","Source":"remote","Code":408,"SubCode":43203,"ResultCategory":"UnexpectedClientError"}`),
		opAt(time.Hour, "DisposeView", "A", "p", "Succeeded", view("local")), // no metric
	})
	wantCounts(t, one(t, rows, createViewLocal, "Succeeded", ""), counts{legs: 1, success: 1, calls: 1})
	wantCounts(t, one(t, rows, createViewRemote, "Succeeded", ""), counts{legs: 2, success: 2, calls: 1})
	wantCounts(t, one(t, rows, createViewRemote, "UnexpectedClientError", "43203"), counts{legs: 1, failed: 1, calls: 1})
	if len(rows) != 3 {
		t.Errorf("%d rows, want 3\n%s", len(rows), dump(rows))
	}
}

// CallAgentInit happens before any call: no ParticipantId, no CallId. The
// SDK instance is the leg. Instance i1 fails once then succeeds, i2
// succeeds: the success row has legs {i1, i2} and no calls; the failure row
// {i1}. A pre-call instance is not a call leg: it has no drop or UFD rows.
func TestCallAgentInitKeyedByClientInstance(t *testing.T) {
	init := func(at time.Duration, instance, result, payload string) Operation {
		o := opAt(at, "CallAgentInit", "", "", result, payload)
		o.ClientInstanceID = instance
		return o
	}
	ask := opAt(2*time.Hour, "AskDevicePermission", "", "", "Succeeded", `{"SdkPlatform":"Web","Audio":true}`)
	ask.ClientInstanceID = "i1"
	rows := compute([]Operation{
		init(time.Hour, "i1", "UnexpectedClientError", failPayload(412, 40115, "UnexpectedClientError")),
		init(time.Hour+10*time.Second, "i1", "Succeeded", `{"SdkPlatform":"Web"}`),
		init(time.Hour, "i2", "Succeeded", `{"SdkPlatform":"Web"}`),
		ask,
	})
	metric := apiPrefix + "CallAgentInit"
	ok := one(t, rows, metric, "Succeeded", "")
	wantCounts(t, ok, counts{legs: 2, success: 2})
	wantCounts(t, one(t, rows, metric, "UnexpectedClientError", "40115"), counts{legs: 1, failed: 1})
	if ok.Dims.CallType != "" {
		t.Errorf("CallType = %q, want none before the call", ok.Dims.CallType)
	}
	if len(rows) != 2 {
		t.Errorf("%d rows, want only the two CallAgentInit rows\n%s", len(rows), dump(rows))
	}
}

// An operation with neither a ParticipantId nor a ClientInstanceId cannot
// be counted against any leg.
func TestOperationWithoutLegIsSkipped(t *testing.T) {
	o := opAt(time.Hour, "CallAgentInit", "", "", "Succeeded", "")
	o.ClientInstanceID = ""
	if rows := compute([]Operation{o}); len(rows) != 0 {
		t.Errorf("rows = \n%s", dump(rows))
	}
}

// The call type is the leg's, whichever operation carries it: StartVideo
// has none, the leg's StartCall says P2P → "1 to 1". Group stays Group, an
// unknown value passes as it is, a leg without any is "".
func TestCallTypeMapping(t *testing.T) {
	video := `{"SdkPlatform":"Web","StreamType":"Video"}`
	rows := compute([]Operation{
		opAt(time.Hour, "StartVideo", "A", "p2p", "Succeeded", video),
		opAt(time.Hour-time.Minute, "StartCall", "A", "p2p", "Succeeded", enterPayload("P2P")),
		opAt(time.Hour, "StartVideo", "B", "grp", "Succeeded", video),
		opAt(time.Hour, "StateChanged", "B", "grp", "Succeeded", statePayload("Connected")),
		opAt(time.Hour, "StartVideo", "C", "odd", "Succeeded", video),
		opAt(time.Hour, "Join", "C", "odd", "Succeeded", enterPayload("TeamsMeeting")),
		opAt(time.Hour, "StartVideo", "D", "none", "Succeeded", video),
	})
	got := map[string]int{}
	for _, r := range metricRows(rows, apiPrefix+"StartVideo") {
		got[r.Dims.CallType] += r.LegsDcount
	}
	want := map[string]int{"1 to 1": 1, "Group": 1, "TeamsMeeting": 1, "": 1}
	if len(got) != len(want) {
		t.Fatalf("StartVideo legs by call type = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("StartVideo legs by call type = %v, want %v", got, want)
		}
	}
}

// The SubCode may be written as a number, a string or a float, and the
// payload as a JSON string holding the object: all land in one row.
func TestPayloadSpellings(t *testing.T) {
	rows := compute([]Operation{
		opAt(time.Hour, "Join", "A", "a", "Failed", `{"SdkPlatform":"Web","SubCode":41048,"Code":410}`),
		opAt(time.Hour, "Join", "A", "b", "Failed", `{"SdkPlatform":"Web","SubCode":"41048","Code":"410"}`),
		opAt(time.Hour, "Join", "A", "c", "Failed", `{"SdkPlatform":"Web","SubCode":41048.0}`),
		opAt(time.Hour, "Join", "A", "d", "Failed", `"{\"SdkPlatform\":\"Web\",\"SubCode\":41048}"`),
		opAt(time.Hour, "Join", "A", "e", "Failed", `not json`),
	})
	wantCounts(t, one(t, rows, join, "Failed", "41048"), counts{legs: 4, failed: 4, calls: 1})
	wantCounts(t, one(t, rows, join, "Failed", ""), counts{legs: 1, failed: 1, calls: 1})
}

// Only the requested days count. An operation's day is that of its client
// timestamp (received after midnight but done before it: day0), or of
// TimeGenerated when the client sent none.
func TestOtherDaysIgnored(t *testing.T) {
	late := opAt(24*time.Hour-time.Second, "Join", "A", "late", "Succeeded", enterPayload("Group"))
	late.TimeGenerated = day0.Add(24*time.Hour + time.Minute)
	noClock := opAt(0, "Join", "A", "noclock", "Succeeded", enterPayload("Group"))
	noClock.CallClientTimeStamp = time.Time{}
	noClock.TimeGenerated = day0.Add(3 * time.Hour)
	ops := []Operation{
		opAt(-time.Second, "Join", "A", "before", "Succeeded", enterPayload("Group")),
		opAt(time.Hour, "Join", "A", "in", "Succeeded", enterPayload("Group")),
		late,
		noClock,
		opAt(24*time.Hour, "Join", "A", "after", "Succeeded", enterPayload("Group")),
	}
	rows := compute(ops)
	r := one(t, rows, join, "Succeeded", "")
	wantCounts(t, r, counts{legs: 3, success: 3, calls: 1})
	if want := day0.Add(24*time.Hour - time.Second); !r.LatestData.Equal(want) {
		t.Errorf("LatestData = %v, want %v", r.LatestData, want)
	}
	for _, r := range rows {
		if !r.Bin.Equal(day0) {
			t.Errorf("row of %v", r.Bin)
		}
	}

	// Two days at once: each gets its own rows; a day given at any time of
	// day means that whole UTC day.
	rows = NewComputer().Compute(ops, []time.Time{day0.Add(-12 * time.Hour), day0.Add(25 * time.Hour)})
	bins := map[time.Time]int{}
	for _, r := range metricRows(rows, join) {
		bins[r.Bin] += r.LegsDcount
	}
	if len(bins) != 2 || bins[day0.Add(-24*time.Hour)] != 1 || bins[day0.Add(24*time.Hour)] != 1 {
		t.Errorf("legs per bin = %v, want one on the day before and one on the day after", bins)
	}
	if rows := NewComputer().Compute(ops, nil); rows != nil {
		t.Errorf("no days: %d rows", len(rows))
	}
}
