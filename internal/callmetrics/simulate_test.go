package callmetrics

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/simulate"
)

// documentedMetrics is the MetricName list of the ACSCallingMetrics schema.
var documentedMetrics = []string{
	"reliability/api/CreateView/Local", "reliability/api/Join", "reliability/api/StartVideo",
	"reliability/api/AcceptIncomingCall", "reliability/api/CreateView/Remote", "reliability/api/StopVideo",
	"reliability/api/CallAgentInit", "reliability/api/StartCall", "reliability/api/Drop", "reliability/leg/Drop", // the documented name and the workbook's
	"reliability/leg/UFD/NetworkReconnect", "reliability/leg/UFD/CameraStoppedUnexpectedly",
	"reliability/leg/UFD/MicrophoneMuteUnexpectedly", "reliability/leg/UFD/NetworkReceiveQuality",
	"reliability/leg/UFD/MicrophonePermissionDenied", "reliability/leg/UFD/MicrophoneNotFunctioning",
	"reliability/leg/UFD/NoMicrophoneDevicesEnumerated", "reliability/leg/UFD/CameraPermissionDenied",
	"reliability/leg/UFD/CameraStartFailed", "reliability/leg/UFD/CapturerStoppedUnexpectedly",
	"reliability/leg/UFD/CapturerStartFailed", "reliability/leg/UFD/CameraStartTimedOut",
	"reliability/leg/UFD/NoSpeakerDevicesEnumerated", "reliability/leg/UFD/CameraFreeze",
	"reliability/leg/UFD/NetworkRelaysNotReachable", "reliability/leg/UFD/SpeakingWhileMicrophoneIsMuted",
	"reliability/leg/UFD/NoNetwork", "reliability/leg/UFD/NetworkSendQuality",
	"reliability/leg/UFD/ScreenshareRecordingDisabled",
	"reliability/api/UFD/recovery/NetworkReceiveQuality", "reliability/api/UFD/recovery/NetworkReconnect",
	"reliability/api/UFD/recovery/CameraStoppedUnexpectedly", "reliability/api/UFD/recovery/NetworkSendQuality",
	"reliability/api/UFD/recovery/MicrophoneMuteUnexpectedly", "reliability/api/UFD/recovery/MicrophoneNotFunctioning",
	"reliability/api/UFD/recovery/CapturerStoppedUnexpectedly", "reliability/api/UFD/recovery/CameraFreeze",
	"reliability/api/UFD/recovery/CameraStartFailed", "reliability/api/UFD/recovery/NoMicrophoneDevicesEnumerated",
	"reliability/api/UFD/recovery/MicrophonePermissionDenied", "reliability/api/UFD/recovery/CameraPermissionDenied",
	"reliability/api/UFD/recovery/NoSpeakerDevicesEnumerated", "reliability/api/UFD/recovery/CapturerStartFailed",
	"reliability/api/UFD/recovery/ScreenshareRecordingDisabled", "reliability/api/UFD/recovery/NoNetwork",
	"reliability/api/UFD/recovery/CameraStartTimedOut", "reliability/api/UFD/recovery/SpeakingWhileMicrophoneIsMuted",
	"reliability/api/UFD/recovery/NetworkRelaysNotReachable",
}

// simulated is one simulator batch's client operations and the days they
// fall on, generated once for all tests and benchmarks.
var simulated = sync.OnceValues(func() ([]Operation, []time.Time) {
	var ops []Operation
	_, err := simulate.Generate(simulate.Options{Seed: 11, Calls: 400}, func(r simulate.Record) error {
		if r.Category == "CallClientOperations" {
			ops = append(ops, decodeOperation(r.JSON))
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	seen := map[int64]bool{}
	var days []time.Time
	for i := range ops {
		if d := dayOf(ops[i].time()); !seen[d] {
			seen[d] = true
			days = append(days, binTime(d))
		}
	}
	return ops, days
})

// decodeOperation reads a CallClientOperations record in the export shape,
// tolerating the simulator's irregular spellings (numbers as strings, the
// payload as a string holding JSON).
func decodeOperation(b []byte) Operation {
	var rec struct {
		Time          string                     `json:"time"`
		ResourceID    string                     `json:"resourceId"`
		OperationName string                     `json:"operationName"`
		Properties    map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		panic(err)
	}
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(rec.Properties[k], &s)
		return s
	}
	at := func(s string) time.Time {
		t, _ := time.Parse(time.RFC3339Nano, s)
		return t
	}
	payload := string(rec.Properties["OperationPayload"])
	if strings.HasPrefix(payload, `"`) {
		payload = str("OperationPayload")
	}
	return Operation{
		TimeGenerated:       at(rec.Time),
		CallClientTimeStamp: at(str("CallClientTimeStamp")),
		ResourceID:          rec.ResourceID,
		OperationName:       rec.OperationName,
		CallID:              str("CallId"),
		ParticipantID:       str("ParticipantId"),
		ClientInstanceID:    str("ClientInstanceId"),
		ResultType:          str("ResultType"),
		SdkVersion:          str("SdkVersion"),
		UserAgent:           str("UserAgent"),
		Payload:             payload,
	}
}

func TestSimulatedBatch(t *testing.T) {
	ops, days := simulated()
	rows := NewComputer().Compute(ops, days)
	if len(rows) == 0 {
		t.Fatal("no rows")
	}

	platforms := map[string]bool{"Web": true, "Android": true, "iOS": true, "Windows": true}
	prefixes := map[string]int{}
	for i, r := range rows {
		if !slices.Contains(documentedMetrics, r.MetricName) {
			t.Errorf("undocumented metric %q", r.MetricName)
		}
		for _, p := range []string{apiPrefix + "UFD/", ufdLegPrefix, DropMetric, apiPrefix} {
			if strings.HasPrefix(r.MetricName, p) {
				prefixes[p]++
				break
			}
		}
		if r.LegsDcount <= 0 || r.SuccessLegsDcount+r.FailedLegsDcount != r.LegsDcount || r.SuccessLegsDcount < 0 || r.FailedLegsDcount < 0 {
			t.Errorf("%s: legs %d = success %d + failed %d?", r.MetricName, r.LegsDcount, r.SuccessLegsDcount, r.FailedLegsDcount)
		}
		if r.CallsDcount > r.LegsDcount {
			t.Errorf("%s: %d calls for %d legs", r.MetricName, r.CallsDcount, r.LegsDcount)
		}
		if want := 100 * float64(r.SuccessLegsDcount) / float64(r.LegsDcount); math.Abs(r.MetricValueAvg-want) > 1e-9 {
			t.Errorf("%s: MetricValueAvg %v, want %v", r.MetricName, r.MetricValueAvg, want)
		}
		if r.Unit != "percentage" || !strings.HasPrefix(r.Goal, ">= ") {
			t.Errorf("%s: unit %q goal %q", r.MetricName, r.Unit, r.Goal)
		}
		if !r.Bin.Equal(r.Bin.Truncate(24*time.Hour)) || r.LatestData.Before(r.Bin) || !r.LatestData.Before(r.Bin.Add(24*time.Hour)) {
			t.Errorf("%s: bin %v, latest %v", r.MetricName, r.Bin, r.LatestData)
		}
		if !platforms[r.Dims.Platform] {
			t.Errorf("%s: platform %q", r.MetricName, r.Dims.Platform)
		}
		if i > 0 && rows[i-1].Key() >= r.Key() {
			t.Errorf("rows %d and %d out of order or equal", i-1, i)
		}
	}
	for _, p := range []string{apiPrefix, DropMetric, apiPrefix + "UFD/", ufdLegPrefix} {
		if prefixes[p] == 0 {
			t.Errorf("no %s rows", p)
		}
	}

	// Reliability as the dashboard reads it.
	reliability := func(metric string) (float64, int) {
		ok, legs := 0, 0
		for _, r := range metricRows(rows, metric) {
			ok += r.SuccessLegsDcount
			legs += r.LegsDcount
		}
		if legs == 0 {
			return 0, 0
		}
		return float64(ok) * 100 / float64(legs), legs
	}
	if rel, legs := reliability(join); legs == 0 || rel < 80 || rel > 100 {
		t.Errorf("Join reliability %.2f %% over %d legs, want 80–100 %%", rel, legs)
	}
	for _, m := range []string{join, apiPrefix + "StartCall", apiPrefix + "CallAgentInit", createViewRemote, DropMetric,
		ufdRecoveryPrefix + "NetworkReceiveQuality", ufdLegPrefix + "NetworkReceiveQuality"} {
		rel, legs := reliability(m)
		t.Logf("%-50s %6.2f %% of %d legs", m, rel, legs)
	}
	t.Logf("%d operations → %d rows over %d days; some rows:", len(ops), len(rows), len(days))
	for _, m := range []string{join, DropMetric, ufdRecoveryPrefix + "NetworkReceiveQuality", ufdLegPrefix + "NetworkReceiveQuality"} {
		for i, r := range metricRows(rows, m) {
			if i == 2 {
				break
			}
			t.Logf("  %s %s rt=%q sub=%q type=%q %s/%s %s %s.%s %s %s.%s sdk=%s legs=%d ok=%d failed=%d calls=%d value=%.1f goal=%q latest=%s",
				r.Bin.Format("2006-01-02"), r.MetricName, r.Dims.ResultType, r.Dims.SubCode, r.Dims.CallType,
				r.Dims.Platform, r.Dims.DeviceFamily, r.Dims.DeviceOsName, r.Dims.DeviceOsVersionMajor, r.Dims.DeviceOsVersionMinor,
				r.Dims.DeviceBrowser, r.Dims.DeviceBrowserVersionMajor, r.Dims.DeviceBrowserVersionMinor, r.Dims.SdkVersion,
				r.LegsDcount, r.SuccessLegsDcount, r.FailedLegsDcount, r.CallsDcount, r.MetricValueAvg, r.Goal,
				r.LatestData.Format(time.RFC3339))
		}
	}
}

// The same operations in another order give the same rows, from a fresh
// Computer or one whose cache is warm.
func TestDeterministic(t *testing.T) {
	ops, days := simulated()
	c := NewComputer()
	a := c.Compute(ops, days)
	rev := slices.Clone(ops)
	slices.Reverse(rev)
	b := c.Compute(rev, days)
	d := NewComputer().Compute(ops, days)
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(a, d) {
		t.Error("rows differ between runs")
	}
}

// BenchmarkCompute measures a batch with the user agents already cached,
// as in a long-running job.
func BenchmarkCompute(b *testing.B) {
	ops, days := simulated()
	c := NewComputer()
	c.Compute(ops, days) // warm the user-agent cache
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		c.Compute(ops, days)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ops)), "ns/operation")
}

// BenchmarkParseUserAgent is the cost the cache saves, per distinct user
// agent. Each iteration parses a new one (ua-parser keeps a cache of its own).
func BenchmarkParseUserAgent(b *testing.B) {
	uaParser()
	i := 0
	for b.Loop() {
		i++
		parseUserAgent(strings.Replace(chromeMacUA, "Chrome/124.0.0.0", "Chrome/124.0."+strconv.Itoa(i)+".0", 1))
	}
}
