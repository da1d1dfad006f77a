// Package querytest is callscope's KQL test suite: a small hand-made
// workspace (the fixture) and queries over it whose answers were worked
// out by hand. It runs against any store (Run takes the workspace), so
// that every storage engine answers the same queries the same way.
package querytest

import (
	"fmt"
	"sort"
	"time"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

// Now is now() for every query of the suite.
var Now = time.Date(2024, 5, 2, 12, 0, 0, 0, time.UTC)

// ts is a time on 2024-05-01 (UTC) at h:m:s.
func ts(h, m, s int) time.Time { return time.Date(2024, 5, 1, h, m, s, 0, time.UTC) }

// Row is one fixture row: column name → value (nil and missing columns are
// null). Values have the Go types of store.Batch.
type Row map[string]any

// Summary is ACSCallSummary: three calls.
//
//	c-a  Group, 10:00, 600 s: p1 (VoIP, Windows, ended 0), p2 (VoIP, Android,
//	     ended 408: dropped), p3 (PSTN, redacted, ended 0)
//	c-b  P2P, 11:00, 120 s: two endpoints without participant ids (VoIP, macOS;
//	     VoIP, iOS)
//	c-c  Group, 11:30, 1800 s: p6 (VoIP, Windows, twice: a duplicate row),
//	     p7 (Bot, no SDK)
var Summary = []Row{
	{"TimeGenerated": ts(10, 15, 0), "CorrelationId": "c-a", "CallStartTime": ts(10, 0, 0), "CallDuration": int64(600),
		"CallType": "Group", "ParticipantId": "p1", "ParticipantStartTime": ts(10, 0, 5), "ParticipantDuration": int64(590),
		"ParticipantEndReason": "0", "EndpointId": "e1", "EndpointType": "VoIP", "SdkVersion": "1.20.1_stable",
		"OsVersion": "Windows 10.0.19045", "Identifier": "acs:u1", "ParticipantType": "ACS", "ResultCategory": "Success"},
	{"TimeGenerated": ts(10, 15, 0), "CorrelationId": "c-a", "CallStartTime": ts(10, 0, 0), "CallDuration": int64(600),
		"CallType": "Group", "ParticipantId": "p2", "ParticipantStartTime": ts(10, 1, 0), "ParticipantDuration": int64(300),
		"ParticipantEndReason": "408", "EndpointId": "e2", "EndpointType": "VoIP", "SdkVersion": "1.21.0_beta",
		"OsVersion": "Android 14; Pixel 7", "Identifier": "acs:u2", "ParticipantType": "ACS", "ResultCategory": "UnexpectedClientError"},
	{"TimeGenerated": ts(10, 15, 0), "CorrelationId": "c-a", "CallStartTime": ts(10, 0, 0), "CallDuration": int64(600),
		"CallType": "Group", "ParticipantId": "p3", "ParticipantStartTime": ts(10, 2, 0), "ParticipantDuration": int64(480),
		"ParticipantEndReason": "0", "EndpointId": "e3", "EndpointType": "PSTN", "SdkVersion": "Redacted",
		"OsVersion": "Redacted", "Identifier": "4:+15550100", "ParticipantType": "PSTN", "ResultCategory": "Success",
		"PstnParticipantCallType": "Outbound"},
	{"TimeGenerated": ts(11, 5, 0), "CorrelationId": "c-b", "CallStartTime": ts(11, 0, 0), "CallDuration": int64(120),
		"CallType": "P2P", "EndpointId": "e4", "EndpointType": "VoIP", "SdkVersion": "1.20.1_stable",
		"OsVersion": "Darwin 23.1.0: macOS", "Identifier": "acs:u4", "ParticipantType": "ACS", "ResultCategory": "Success",
		"ParticipantEndReason": "0"},
	{"TimeGenerated": ts(11, 5, 0), "CorrelationId": "c-b", "CallStartTime": ts(11, 0, 0), "CallDuration": int64(120),
		"CallType": "P2P", "EndpointId": "e5", "EndpointType": "VoIP", "SdkVersion": "2.9.0_stable",
		"OsVersion": "iOS 17.3", "Identifier": "acs:u5", "ParticipantType": "ACS", "ResultCategory": "Success",
		"ParticipantEndReason": "0"},
	{"TimeGenerated": ts(12, 5, 0), "CorrelationId": "c-c", "CallStartTime": ts(11, 30, 0), "CallDuration": int64(1800),
		"CallType": "Group", "ParticipantId": "p6", "ParticipantStartTime": ts(11, 30, 0), "ParticipantDuration": int64(1800),
		"ParticipantEndReason": "0", "EndpointId": "e6", "EndpointType": "VoIP", "SdkVersion": "1.20.1_stable",
		"OsVersion": "Windows 11.0.22631", "Identifier": "acs:u6", "ParticipantType": "ACS", "ResultCategory": "Success"},
	{"TimeGenerated": ts(12, 5, 0), "CorrelationId": "c-c", "CallStartTime": ts(11, 30, 0), "CallDuration": int64(1800),
		"CallType": "Group", "ParticipantId": "p6", "ParticipantStartTime": ts(11, 30, 0), "ParticipantDuration": int64(1800),
		"ParticipantEndReason": "0", "EndpointId": "e6", "EndpointType": "VoIP", "SdkVersion": "1.20.1_stable",
		"OsVersion": "Windows 11.0.22631", "Identifier": "acs:u6", "ParticipantType": "ACS", "ResultCategory": "Success"},
	{"TimeGenerated": ts(12, 5, 0), "CorrelationId": "c-c", "CallStartTime": ts(11, 30, 0), "CallDuration": int64(1800),
		"CallType": "Group", "ParticipantId": "p7", "ParticipantStartTime": ts(11, 31, 0), "ParticipantDuration": int64(1740),
		"ParticipantEndReason": "0", "EndpointId": "e7", "EndpointType": "Bot", "Identifier": "28:bot", "ParticipantType": "Teams Voice Apps",
		"ResultCategory": "Success"},
}

// Diagnostics is ACSCallDiagnostics: streams of the calls above.
//
//	c-a: p1 audio out (jitter 12, loss 0.01, rtt 80), p1 video out (jitter 35:
//	     poor, fps 24, height 720), p2 audio out (loss 0.2: poor, rtt 600: poor),
//	     server audio in for p1 (jitter 5)
//	c-b: e4 audio (jitter 3), e5 audio (jitter null, rtt null)
//	c-c: p6 screen share (VBSS, fps 0.5: poor for Call Diagnostics), p6 audio
//	     (jitter 20, loss 0.05, rtt 150)
var Diagnostics = []Row{
	{"TimeGenerated": ts(10, 16, 0), "CorrelationId": "c-a", "ParticipantId": "p1", "EndpointId": "e1", "EndpointType": "VoIP",
		"MediaType": "Audio", "StreamId": int64(1), "StreamDirection": "Outbound", "TransportType": "UDP",
		"JitterAvg": int64(12), "JitterMax": int64(40), "PacketLossRateAvg": 0.01, "PacketLossRateMax": 0.05,
		"RoundTripTimeAvg": int64(80), "RoundTripTimeMax": int64(200), "JitterBufferSizeAvg": int64(60), "HealedDataRatioAvg": 0.02},
	{"TimeGenerated": ts(10, 16, 0), "CorrelationId": "c-a", "ParticipantId": "p1", "EndpointId": "e1", "EndpointType": "VoIP",
		"MediaType": "Video", "StreamId": int64(2), "StreamDirection": "Outbound", "TransportType": "UDP",
		"JitterAvg": int64(35), "JitterMax": int64(90), "PacketLossRateAvg": 0.02, "PacketLossRateMax": 0.08,
		"RoundTripTimeAvg": int64(90), "RoundTripTimeMax": int64(210), "VideoFrameRateAvg": 24.0, "RecvResolutionHeight": int64(720),
		"VideoBitRateAvg": int64(900000)},
	{"TimeGenerated": ts(10, 16, 0), "CorrelationId": "c-a", "ParticipantId": "p2", "EndpointId": "e2", "EndpointType": "VoIP",
		"MediaType": "Audio", "StreamId": int64(3), "StreamDirection": "Outbound", "TransportType": "TCP",
		"JitterAvg": int64(25), "JitterMax": int64(70), "PacketLossRateAvg": 0.2, "PacketLossRateMax": 0.4,
		"RoundTripTimeAvg": int64(600), "RoundTripTimeMax": int64(900)},
	{"TimeGenerated": ts(10, 16, 0), "CorrelationId": "c-a", "ParticipantId": "p1", "EndpointType": "Server",
		"MediaType": "Audio", "StreamId": int64(4), "StreamDirection": "Inbound", "TransportType": "UDP",
		"JitterAvg": int64(5), "JitterMax": int64(10), "PacketLossRateAvg": 0.0, "PacketLossRateMax": 0.0,
		"RoundTripTimeAvg": int64(40), "RoundTripTimeMax": int64(60)},
	{"TimeGenerated": ts(11, 6, 0), "CorrelationId": "c-b", "EndpointId": "e4", "EndpointType": "VoIP",
		"MediaType": "Audio", "StreamId": int64(5), "StreamDirection": "Outbound", "TransportType": "UDP",
		"JitterAvg": int64(3), "JitterMax": int64(8), "PacketLossRateAvg": 0.0, "PacketLossRateMax": 0.01,
		"RoundTripTimeAvg": int64(30), "RoundTripTimeMax": int64(45)},
	{"TimeGenerated": ts(11, 6, 0), "CorrelationId": "c-b", "EndpointId": "e5", "EndpointType": "VoIP",
		"MediaType": "Audio", "StreamId": int64(6), "StreamDirection": "Outbound", "TransportType": "Unrecognized"},
	{"TimeGenerated": ts(12, 6, 0), "CorrelationId": "c-c", "ParticipantId": "p6", "EndpointId": "e6", "EndpointType": "VoIP",
		"MediaType": "VBSS", "StreamId": int64(7), "StreamDirection": "Outbound", "TransportType": "UDP",
		"JitterAvg": int64(8), "JitterMax": int64(20), "PacketLossRateAvg": 0.0, "PacketLossRateMax": 0.02,
		"RoundTripTimeAvg": int64(100), "RoundTripTimeMax": int64(180), "VideoFrameRateAvg": 0.5, "RecvResolutionHeight": int64(1080)},
	{"TimeGenerated": ts(12, 6, 0), "CorrelationId": "c-c", "ParticipantId": "p6", "EndpointId": "e6", "EndpointType": "VoIP",
		"MediaType": "Audio", "StreamId": int64(8), "StreamDirection": "Outbound", "TransportType": "UDP",
		"JitterAvg": int64(20), "JitterMax": int64(55), "PacketLossRateAvg": 0.05, "PacketLossRateMax": 0.15,
		"RoundTripTimeAvg": int64(150), "RoundTripTimeMax": int64(320)},
}

// Operations is ACSCallClientOperations: SDK operations and user-facing
// diagnostics of p1, p2 (call c-a) and e4 (call c-b, no participant id).
var Operations = []Row{
	{"TimeGenerated": ts(10, 20, 0), "CallClientTimeStamp": ts(10, 0, 1), "OperationName": "Join", "CallId": "c-a", "ParticipantId": "p1",
		"OperationType": "client-api-request", "OperationId": "op1", "DurationMs": int64(1200), "ResultType": "Succeeded", "ResultSignature": int64(200),
		"SdkVersion": "1.20.1_stable", "ClientInstanceId": "ci1", "EndpointId": "e1",
		"UserAgent":        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
		"OperationPayload": `{"CallDirection":"Outgoing","CallType":"Group","SdkPlatform":"Web"}`},
	{"TimeGenerated": ts(10, 20, 0), "CallClientTimeStamp": ts(10, 3, 0), "OperationName": "UserFacingDiagnostics", "CallId": "c-a", "ParticipantId": "p1",
		"OperationType": "client-ufd", "OperationId": "ufd1", "DurationMs": int64(0), "ResultType": "Succeeded", "ResultSignature": int64(200),
		"SdkVersion": "1.20.1_stable", "ClientInstanceId": "ci1", "EndpointId": "e1",
		"OperationPayload": `{"DiagnosticChanged":"networkReceiveQuality","DiagnosticQuality":"Bad"}`},
	{"TimeGenerated": ts(10, 20, 0), "CallClientTimeStamp": ts(10, 4, 30), "OperationName": "UserFacingDiagnostics", "CallId": "c-a", "ParticipantId": "p1",
		"OperationType": "client-ufd", "OperationId": "ufd1", "DurationMs": int64(0), "ResultType": "Succeeded", "ResultSignature": int64(200),
		"SdkVersion": "1.20.1_stable", "ClientInstanceId": "ci1", "EndpointId": "e1",
		"OperationPayload": `{"DiagnosticChanged":"networkReceiveQuality","DiagnosticQuality":"Good"}`},
	{"TimeGenerated": ts(10, 20, 0), "CallClientTimeStamp": ts(10, 1, 2), "OperationName": "Join", "CallId": "c-a", "ParticipantId": "p2",
		"OperationType": "client-api-request", "OperationId": "op2", "DurationMs": int64(5400), "ResultType": "Failed", "ResultSignature": int64(408),
		"SdkVersion": "1.21.0_beta", "ClientInstanceId": "ci2", "EndpointId": "e2",
		"UserAgent":        "azure-communication-services/1.3.1 azsdk-android-communication-calling/2.9.0 (android_calling_sdk). Android 14; Pixel 7",
		"OperationPayload": `{"CallDirection":"Outgoing","FailureReason":"Timeout","SdkPlatform":"Android"}`},
	{"TimeGenerated": ts(10, 20, 0), "CallClientTimeStamp": ts(10, 6, 0), "OperationName": "Hangup", "CallId": "c-a", "ParticipantId": "p2",
		"OperationType": "client-api-request", "OperationId": "op3", "DurationMs": int64(80), "ResultType": "Succeeded", "ResultSignature": int64(200),
		"SdkVersion": "1.21.0_beta", "ClientInstanceId": "ci2", "EndpointId": "e2",
		"OperationPayload": `{"SdkPlatform":"Android"}`},
	{"TimeGenerated": ts(11, 10, 0), "CallClientTimeStamp": ts(11, 0, 1), "OperationName": "StartCall", "CallId": "c-b",
		"OperationType": "client-api-request", "OperationId": "op4", "DurationMs": int64(700), "ResultType": "Succeeded", "ResultSignature": int64(200),
		"SdkVersion": "1.20.1_stable", "ClientInstanceId": "ci4", "EndpointId": "e4",
		"OperationPayload": `{"CallDirection":"Outgoing","CallType":"P2P","SdkPlatform":"Web","Tags":["a","b"]}`},
}

// Surveys is ACSCallSurvey: three submitted surveys.
var Surveys = []Row{
	{"TimeGenerated": ts(10, 12, 0), "CallId": "c-a", "ParticipantId": "p1", "SurveyId": "s1",
		"OverallRatingScore": int64(5), "OverallRatingScoreLowerBound": int64(1), "OverallRatingScoreUpperBound": int64(5),
		"OverallRatingScoreThreshold": int64(2), "AudioRatingScore": int64(4), "OverallCallIssues": ""},
	{"TimeGenerated": ts(10, 8, 0), "CallId": "c-a", "ParticipantId": "p2", "SurveyId": "s2",
		"OverallRatingScore": int64(2), "OverallRatingScoreLowerBound": int64(1), "OverallRatingScoreUpperBound": int64(5),
		"OverallRatingScoreThreshold": int64(2), "AudioRatingScore": int64(1), "AudioIssues": "Echo,LowVolume",
		"OverallCallIssues": "CallEndedUnexpectedly"},
	{"TimeGenerated": ts(12, 2, 0), "CallId": "c-c", "ParticipantId": "p6", "SurveyId": "s3",
		"OverallRatingScore": int64(8), "OverallRatingScoreLowerBound": int64(0), "OverallRatingScoreUpperBound": int64(10),
		"OverallRatingScoreThreshold": int64(5), "AudioIssues": "Echo", "VideoIssues": "Freezes,LowQuality,Freezes"},
}

// MediaStats is ACSCallClientMediaStatsTimeSeries: p1's outgoing audio
// jitter over three 10-second intervals and one incoming video bitrate.
var MediaStats = []Row{
	{"TimeGenerated": ts(10, 20, 0), "CallId": "c-a", "ParticipantId": "p1", "CallClientTimeStamp": ts(10, 0, 10),
		"MetricName": "JitterInMs", "Count": int64(10), "Sum": 100.0, "Average": 10.0, "Minimum": 5.0, "Maximum": 20.0,
		"MediaStreamDirection": "send", "MediaStreamType": "audio", "MediaStreamCodec": "opus", "AggregationIntervalSeconds": int64(10)},
	{"TimeGenerated": ts(10, 20, 0), "CallId": "c-a", "ParticipantId": "p1", "CallClientTimeStamp": ts(10, 0, 30),
		"MetricName": "JitterInMs", "Count": int64(10), "Sum": 300.0, "Average": 30.0, "Minimum": 10.0, "Maximum": 60.0,
		"MediaStreamDirection": "send", "MediaStreamType": "audio", "MediaStreamCodec": "opus", "AggregationIntervalSeconds": int64(10)},
	{"TimeGenerated": ts(10, 20, 0), "CallId": "c-a", "ParticipantId": "p1", "CallClientTimeStamp": ts(10, 0, 20),
		"MetricName": "JitterInMs", "Count": int64(10), "Sum": 200.0, "Average": 20.0, "Minimum": 8.0, "Maximum": 35.0,
		"MediaStreamDirection": "send", "MediaStreamType": "audio", "MediaStreamCodec": "opus", "AggregationIntervalSeconds": int64(10)},
	{"TimeGenerated": ts(10, 20, 0), "CallId": "c-a", "ParticipantId": "p1", "CallClientTimeStamp": ts(10, 0, 20),
		"MetricName": "Bitrate", "Count": int64(10), "Sum": 9000000.0, "Average": 900000.0, "Minimum": 800000.0, "Maximum": 1000000.0,
		"MediaStreamDirection": "recv", "MediaStreamType": "video", "MediaStreamCodec": "H264", "AggregationIntervalSeconds": int64(10)},
}

// Batch is the fixture as one batch for store.Workspace.Append.
func Batch() *store.Batch {
	b := &store.Batch{}
	add := func(table string, rows []Row) {
		t := schema.ByName(table)
		for _, r := range rows {
			b.Add(t, rowValues(t, r))
		}
	}
	add("ACSCallSummary", Summary)
	add("ACSCallDiagnostics", Diagnostics)
	add("ACSCallClientOperations", Operations)
	add("ACSCallSurvey", Surveys)
	add("ACSCallClientMediaStatsTimeSeries", MediaStats)
	return b
}

// rowValues lays a fixture row out in the table's column order, with the
// system columns a stored row has.
func rowValues(t *schema.Table, r Row) []any {
	for name := range r {
		if t.ColumnIndex(name) < 0 {
			panic(fmt.Sprintf("querytest: %s has no column %s", t.Name, name))
		}
	}
	out := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		if c.Derived != schema.Stored {
			continue
		}
		v, ok := r[c.Name]
		if !ok {
			switch c.Name {
			case schema.ResourceID:
				v = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Communication/CommunicationServices/acs1"
			case schema.BilledSize:
				v = 100.0
			}
		}
		if n, ok := v.(int64); ok && (c.Type == schema.Real) {
			v = float64(n)
		}
		out[i] = v
	}
	return out
}

// BatchOf lays rows out as a batch for store.Workspace.Append: rows by
// table name, each with only the columns it sets.
func BatchOf(tables map[string][]Row) *store.Batch {
	b := &store.Batch{}
	names := make([]string, 0, len(tables))
	for name := range tables {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t := schema.ByName(name)
		if t == nil {
			panic("querytest: no table " + name)
		}
		for _, r := range tables[name] {
			b.Add(t, rowValues(t, r))
		}
	}
	return b
}
