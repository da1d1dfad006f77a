package callmetrics

import (
	"testing"
	"time"
)

// Six legs of calls A and B:
//
//	d1 (A) Connected, then Disconnected 410/301005 (media lost)  → dropped
//	d2 (A) Connected, then Disconnected 0/0 (hung up)             → kept
//	d3 (B) Join succeeded, still in the call                      → kept
//	d4 (B) Connected, Disconnected 0/5300 UnexpectedServerError   → dropped
//	d5 (B) Join failed, then Disconnected 410                     → never connected
//	d6 (B) Join ExpectedError (policy), no Connected               → never connected
//
// Kept: {d2, d3} in calls {A, B}. Dropped rows by sub-code: 301005 {d1} in
// {A}; 5300 {d4} in {B}. d5 and d6 are in no row.
func TestDrop(t *testing.T) {
	h := time.Hour
	rows := compute([]Operation{
		opAt(h, "StateChanged", "A", "d1", "Succeeded", statePayload("Connected")),
		opAt(2*h, "StateChanged", "A", "d1", "Succeeded", disconnectPayload(410, 301005)),
		opAt(h, "StateChanged", "A", "d2", "Succeeded", statePayload("Connected")),
		opAt(2*h, "Hangup", "A", "d2", "Succeeded", `{"SdkPlatform":"Web"}`),
		opAt(2*h, "StateChanged", "A", "d2", "Succeeded", disconnectPayload(0, 0)),
		opAt(h, "Join", "B", "d3", "Succeeded", enterPayload("Group")),
		opAt(h, "StateChanged", "B", "d4", "Succeeded", statePayload("Connected")),
		opAt(3*h, "StateChanged", "B", "d4", "Succeeded",
			`{"SdkPlatform":"Web","NewState":"Disconnected","Code":0,"SubCode":5300,"ResultCategory":"UnexpectedServerError"}`),
		opAt(h, "Join", "B", "d5", "UnexpectedClientError", failPayload(408, 40114, "UnexpectedClientError")),
		opAt(h, "StateChanged", "B", "d5", "Succeeded", disconnectPayload(410, 0)),
		opAt(h, "Join", "B", "d6", "ExpectedError", failPayload(412, 41056, "ExpectedError")),
	})
	drops := metricRows(rows, DropMetric)
	if len(drops) != 3 {
		t.Fatalf("%d drop rows, want 3\n%s", len(drops), dump(rows))
	}
	kept := one(t, rows, DropMetric, "Succeeded", "")
	wantCounts(t, kept, counts{legs: 2, success: 2, calls: 2})
	wantCounts(t, one(t, rows, DropMetric, "Failed", "301005"), counts{legs: 1, failed: 1, calls: 1})
	wantCounts(t, one(t, rows, DropMetric, "Failed", "5300"), counts{legs: 1, failed: 1, calls: 1})
	if kept.Goal != ">= 99.5" {
		t.Errorf("Goal = %q", kept.Goal)
	}
	// d2's last operation (2 h) is the newest of the kept legs.
	if want := day0.Add(2 * h); !kept.LatestData.Equal(want) {
		t.Errorf("LatestData = %v, want %v", kept.LatestData, want)
	}
	// The leg's dimensions come from its operations: d2's StateChanged says Group.
	if kept.Dims.CallType != "Group" || kept.Dims.DeviceBrowser != "Chrome" {
		t.Errorf("dims = %+v", kept.Dims)
	}
}

// A leg with two ungraceful disconnects (a rejoin of the same participant
// that dropped again) is one dropped leg, under the first one's sub-code.
func TestDropFirstDisconnectGivesSubCode(t *testing.T) {
	rows := compute([]Operation{
		opAt(time.Hour, "StateChanged", "A", "p", "Succeeded", statePayload("Connected")),
		opAt(3*time.Hour, "StateChanged", "A", "p", "Succeeded", disconnectPayload(503, 0)),
		opAt(2*time.Hour, "StateChanged", "A", "p", "Succeeded", disconnectPayload(410, 301005)),
	})
	wantCounts(t, one(t, rows, DropMetric, "Failed", "301005"), counts{legs: 1, failed: 1, calls: 1})
	if n := len(metricRows(rows, DropMetric)); n != 1 {
		t.Errorf("%d drop rows, want 1\n%s", n, dump(rows))
	}
}
