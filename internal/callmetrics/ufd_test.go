package callmetrics

import (
	"testing"
	"time"
)

// connected puts a leg of call in a Group call at 10:00, so that test legs
// share their dimensions.
func connected(call, participant string) Operation {
	return opAt(10*time.Hour, "StateChanged", call, participant, "Succeeded", statePayload("Connected"))
}

func ufdOp(at time.Duration, participant, payload string) Operation {
	return opAt(10*time.Hour+at, "UserFacingDiagnostics", "A", participant, "Succeeded", payload)
}

// Five web legs of call A, and one Android leg:
//
//	u1 networkReceiveQuality Bad, Good          → went bad, recovered (1 good ≥ 1 bad)
//	u2 networkReceiveQuality Poor, Good, Bad    → went bad, not recovered (1 good < 2 bad)
//	u3 networkReceiveQuality Good               → never bad
//	u4 networkSendQuality 3, 1 (the enum's numbers: Bad, Good) → bad, recovered
//	u5 no UFD
//	an Android leg, no UFD (another dimension set)
//
// Recovery rows: NetworkReceiveQuality Succeeded {u1}, Failed {u2};
// NetworkSendQuality Succeeded {u4}. Leg rows for the web set of 5 legs:
// NetworkReceiveQuality 2 failed (u1, u2), 3 fine; NetworkSendQuality 1
// failed (u4), 4 fine. The Android set has no bad leg, hence no leg rows.
func TestUFDQualityRecoveryAndLegs(t *testing.T) {
	const nrq, nsq = "networkReceiveQuality", "networkSendQuality"
	android := connected("A", "and")
	android.UserAgent, android.Payload = androidUA, `{"SdkPlatform":"Android","NewState":"Connected","CallType":"Group"}`
	ops := []Operation{
		connected("A", "u1"), connected("A", "u2"), connected("A", "u3"), connected("A", "u4"), connected("A", "u5"), android,
		ufdOp(time.Minute, "u1", qualityPayload(nrq, "Bad")),
		ufdOp(2*time.Minute, "u1", qualityPayload(nrq, "Good")),
		ufdOp(time.Minute, "u2", qualityPayload(nrq, "Poor")),
		ufdOp(2*time.Minute, "u2", qualityPayload(nrq, "Good")),
		ufdOp(3*time.Minute, "u2", qualityPayload(nrq, "Bad")),
		ufdOp(time.Minute, "u3", qualityPayload(nrq, "Good")),
		ufdOp(time.Minute, "u4", `{"SdkPlatform":"Web","DiagnosticChanged":"networkSendQuality","DiagnosticQuality":3}`),
		ufdOp(2*time.Minute, "u4", `{"SdkPlatform":"Web","DiagnosticChanged":"networkSendQuality","DiagnosticQuality":1}`),
		ufdOp(time.Minute, "u5", `{"SdkPlatform":"Web","DiagnosticChanged":"networkSendQuality"}`), // says nothing
	}
	rows := compute(ops)

	recNRQ := ufdRecoveryPrefix + "NetworkReceiveQuality"
	recovered := one(t, rows, recNRQ, "Succeeded", "")
	wantCounts(t, recovered, counts{legs: 1, success: 1, calls: 1})
	wantCounts(t, one(t, rows, recNRQ, "Failed", ""), counts{legs: 1, failed: 1, calls: 1})
	wantCounts(t, one(t, rows, ufdRecoveryPrefix+"NetworkSendQuality", "Succeeded", ""), counts{legs: 1, success: 1, calls: 1})
	if n := len(metricRows(rows, ufdRecoveryPrefix+"NetworkSendQuality")); n != 1 {
		t.Errorf("%d NetworkSendQuality recovery rows, want 1\n%s", n, dump(rows))
	}
	if recovered.Goal != ">= 90.0" {
		t.Errorf("Goal = %q", recovered.Goal)
	}
	if want := day0.Add(10*time.Hour + 2*time.Minute); !recovered.LatestData.Equal(want) {
		t.Errorf("LatestData = %v, want %v (u1's last event)", recovered.LatestData, want)
	}

	legNRQ := one(t, rows, ufdLegPrefix+"NetworkReceiveQuality", "", "")
	wantCounts(t, legNRQ, counts{legs: 5, success: 3, failed: 2, calls: 1})
	wantCounts(t, one(t, rows, ufdLegPrefix+"NetworkSendQuality", "", ""), counts{legs: 5, success: 4, failed: 1, calls: 1})
	if legNRQ.Dims.Platform != "Web" || legNRQ.Dims.CallType != "Group" || legNRQ.Goal != ">= 99.0" {
		t.Errorf("leg row dims = %+v, goal %q", legNRQ.Dims, legNRQ.Goal)
	}
}

// speakingWhileMicrophoneIsMuted is a flag UFD, counted like any other:
//
//	f1 raised, cleared                  → recovered
//	f2 raised                           → not recovered
//	f3 raised ("true" as a string, no quality), cleared twice → recovered (2 ≥ 1)
//	f4 no events
//
// Recovery: Succeeded {f1, f3}, Failed {f2}. Legs: 4, of which 3 went bad.
func TestUFDFlagSpeakingWhileMuted(t *testing.T) {
	const swm = "speakingWhileMicrophoneIsMuted"
	rows := compute([]Operation{
		connected("A", "f1"), connected("A", "f2"), connected("A", "f3"), connected("A", "f4"),
		ufdOp(time.Minute, "f1", flagPayload(swm, true)),
		ufdOp(2*time.Minute, "f1", flagPayload(swm, false)),
		ufdOp(time.Minute, "f2", flagPayload(swm, true)),
		ufdOp(time.Minute, "f3", `{"SdkPlatform":"Web","DiagnosticChanged":"speakingWhileMicrophoneIsMuted","DiagnosticFlag":"true"}`),
		ufdOp(2*time.Minute, "f3", `{"SdkPlatform":"Web","DiagnosticChanged":"speakingWhileMicrophoneIsMuted","DiagnosticFlag":false}`),
		ufdOp(3*time.Minute, "f3", `{"SdkPlatform":"Web","DiagnosticChanged":"speakingWhileMicrophoneIsMuted","DiagnosticFlag":false}`),
	})
	rec := ufdRecoveryPrefix + "SpeakingWhileMicrophoneIsMuted"
	wantCounts(t, one(t, rows, rec, "Succeeded", ""), counts{legs: 2, success: 2, calls: 1})
	wantCounts(t, one(t, rows, rec, "Failed", ""), counts{legs: 1, failed: 1, calls: 1})
	wantCounts(t, one(t, rows, ufdLegPrefix+"SpeakingWhileMicrophoneIsMuted", "", ""), counts{legs: 4, success: 1, failed: 3, calls: 1})
}

// Native SDKs name some UFDs differently; their rows use the web names.
func TestUFDNativeNames(t *testing.T) {
	o := ufdOp(time.Minute, "n1", `{"SdkPlatform":"Android","DiagnosticChanged":"networkUnavailable","DiagnosticFlag":true}`)
	o.UserAgent = androidUA
	rows := compute([]Operation{o})
	wantCounts(t, one(t, rows, ufdRecoveryPrefix+"NoNetwork", "Failed", ""), counts{legs: 1, failed: 1, calls: 1})
	wantCounts(t, one(t, rows, ufdLegPrefix+"NoNetwork", "", ""), counts{legs: 1, failed: 1, calls: 1})
}
