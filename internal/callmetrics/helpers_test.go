package callmetrics

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The day most tests compute, and the resource their operations belong to.
var day0 = time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)

const (
	resource = "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg/providers/microsoft.communication/communicationservices/acs1"

	chromeMacUA = "azure-communication-services/1.3.1 azsdk-js-communication-calling/1.32.1 (javascript_calling_sdk;#clientTag:5b1c). " +
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
	androidUA = "azure-communication-services/1.3.1 azsdk-android-communication-calling/2.9.0 (android_calling_sdk;#clientTag:77a0). " +
		"Android 13.0; samsung SM-A525F"
	webSDK = "1.32.1.0_stable"
)

// opAt builds an operation of a web client at day0 plus at, with the
// client's timestamp set; the service received it two seconds later.
// The client instance is derived from the leg so that each leg is its own
// client unless a test says otherwise.
func opAt(at time.Duration, name, call, participant, result, payload string) Operation {
	t := day0.Add(at)
	return Operation{
		TimeGenerated:       t.Add(2 * time.Second),
		CallClientTimeStamp: t,
		ResourceID:          resource,
		OperationName:       name,
		CallID:              call,
		ParticipantID:       participant,
		ClientInstanceID:    "instance-" + participant,
		ResultType:          result,
		SdkVersion:          webSDK,
		UserAgent:           chromeMacUA,
		Payload:             payload,
	}
}

// Payloads, as the Calling SDK writes them.
func enterPayload(callType string) string {
	return `{"SdkPlatform":"Web","CallDirection":"Outgoing","CallType":"` + callType + `"}`
}

func failPayload(code, sub int, category string) string {
	return fmt.Sprintf(`{"SdkPlatform":"Web","Code":%d,"SubCode":%d,"ResultCategory":%q}`, code, sub, category)
}

func statePayload(state string) string {
	return `{"SdkPlatform":"Web","NewState":"` + state + `","CallType":"Group"}`
}

func disconnectPayload(code, sub int) string {
	return fmt.Sprintf(`{"SdkPlatform":"Web","NewState":"Disconnected","Code":%d,"SubCode":%d}`, code, sub)
}

func qualityPayload(name, quality string) string {
	return `{"SdkPlatform":"Web","DiagnosticChanged":"` + name + `","DiagnosticQuality":"` + quality + `"}`
}

func flagPayload(name string, on bool) string {
	q := "Good"
	if on {
		q = "Bad"
	}
	return fmt.Sprintf(`{"SdkPlatform":"Web","DiagnosticChanged":%q,"DiagnosticFlag":%t,"DiagnosticQuality":%q}`, name, on, q)
}

// compute runs a fresh Computer over ops for day0.
func compute(ops []Operation) []Row {
	return NewComputer().Compute(ops, []time.Time{day0})
}

// counts is what the tests check of a row.
type counts struct{ legs, success, failed, calls int }

func (r Row) counts() counts {
	return counts{r.LegsDcount, r.SuccessLegsDcount, r.FailedLegsDcount, r.CallsDcount}
}

// selectRows returns the rows of a metric whose ResultType and SubCode are
// the given ones.
func selectRows(rows []Row, metric, resultType, subCode string) []Row {
	var out []Row
	for _, r := range rows {
		if r.MetricName == metric && r.Dims.ResultType == resultType && r.Dims.SubCode == subCode {
			out = append(out, r)
		}
	}
	return out
}

// one returns the single row selectRows finds, failing the test otherwise.
func one(t *testing.T, rows []Row, metric, resultType, subCode string) Row {
	t.Helper()
	got := selectRows(rows, metric, resultType, subCode)
	if len(got) != 1 {
		t.Fatalf("%s %q/%q: %d rows, want 1\n%s", metric, resultType, subCode, len(got), dump(rows))
	}
	return got[0]
}

// metricRows returns the rows of one metric.
func metricRows(rows []Row, metric string) []Row {
	var out []Row
	for _, r := range rows {
		if r.MetricName == metric {
			out = append(out, r)
		}
	}
	return out
}

func wantCounts(t *testing.T, r Row, want counts) {
	t.Helper()
	if got := r.counts(); got != want {
		t.Errorf("%s %s/%s: legs, success, failed, calls = %v, want %v", r.MetricName, r.Dims.ResultType, r.Dims.SubCode, got, want)
	}
	if want.legs > 0 {
		if v := float64(want.success) * 100 / float64(want.legs); r.MetricValueAvg != v {
			t.Errorf("%s: MetricValueAvg = %v, want %v", r.MetricName, r.MetricValueAvg, v)
		}
	}
}

// dump prints rows for failure messages.
func dump(rows []Row) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "  %s %s rt=%q sub=%q type=%q plat=%q legs=%d ok=%d bad=%d calls=%d\n",
			r.Bin.Format("2006-01-02"), r.MetricName, r.Dims.ResultType, r.Dims.SubCode, r.Dims.CallType, r.Dims.Platform,
			r.LegsDcount, r.SuccessLegsDcount, r.FailedLegsDcount, r.CallsDcount)
	}
	return b.String()
}
