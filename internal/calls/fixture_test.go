package calls_test

import (
	"time"

	qt "github.com/callscope/callscope/internal/query/querytest"
)

// The calls of these tests, all on 2024-06-01:
//
//	g1    a group call 10:00–10:10, final. p1 (VoIP, web, tagged, good audio,
//	      video at 5 fps → poor), p1b (p1 rejoining from the same endpoint),
//	      p2 (VoIP, dropped with 410/301005, audio jitter 45 → poor, a failed
//	      StartVideo, a bad network UFD that recovered), p3 (PSTN), p4 (Bot),
//	      p5 (another tenant: redacted). Surveys: p1 4 of 5, p2 3 of 0–10
//	      with threshold 5 (→ 1.5 of 5, below the user's threshold).
//	p2p1  a P2P call 09:00–09:05, final, endpoints e10 and e11, no
//	      diagnostics and no survey.
//	live1 a group call started 12:00 and still running: only updates (two
//	      versions of p20), a diagnostics update with jitter 50, client
//	      operations and media stats.
func at(h, m, s int) time.Time { return time.Date(2024, 6, 1, h, m, s, 0, time.UTC) }

const webUA = "azsdk-js-communication-calling/1.20.1 (javascript call client) Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"

func summary(call, participant, endpoint string, extra qt.Row) qt.Row {
	r := qt.Row{"TimeGenerated": at(10, 15, 0), "CorrelationId": call, "ParticipantId": participant, "EndpointId": endpoint,
		"CallStartTime": at(10, 0, 0), "CallDuration": int64(600), "CallType": "Group", "EndpointType": "VoIP", "ParticipantType": "ACS",
		"ParticipantStartTime": at(10, 0, 5), "ParticipantDuration": int64(590), "ParticipantEndReason": "0", "ParticipantEndSubCode": "0",
		"ResultCategory": "Success", "SdkVersion": "1.20.1.1_beta", "OsVersion": "Windows 10", "Identifier": "8:acs:" + participant,
		"ParticipantTenantId": "tenant-a"}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

func stream(call, participant, endpoint string, id int64, media string, metrics qt.Row) qt.Row {
	r := qt.Row{"TimeGenerated": at(10, 16, 0), "CorrelationId": call, "ParticipantId": participant, "EndpointId": endpoint,
		"EndpointType": "VoIP", "MediaType": media, "StreamId": id, "StreamDirection": "Inbound", "TransportType": "UDP", "CodecName": "OPUS"}
	for k, v := range metrics {
		r[k] = v
	}
	return r
}

func op(call, participant, instance, name, id string, ts time.Time, result string, extra qt.Row) qt.Row {
	r := qt.Row{"TimeGenerated": ts.Add(time.Minute), "CallClientTimeStamp": ts, "OperationName": name, "CallId": call,
		"ParticipantId": participant, "OperationType": "client-api-request", "OperationId": id, "DurationMs": int64(120),
		"ResultType": result, "ResultSignature": int64(200), "SdkVersion": "1.20.1.1_beta", "UserAgent": webUA, "ClientInstanceId": instance}
	for k, v := range extra {
		r[k] = v
	}
	return r
}

func ufd(call, participant, instance, id, name, quality string, ts time.Time) qt.Row {
	return op(call, participant, instance, "UserFacingDiagnostics", id, ts, "Succeeded", qt.Row{"DurationMs": int64(0),
		"OperationPayload": `{"DiagnosticChanged":"` + name + `","DiagnosticQuality":"` + quality + `"}`})
}

// finished is the data of g1 and p2p1.
func finished() map[string][]qt.Row {
	return map[string][]qt.Row{
		"ACSCallSummary": {
			summary("g1", "p1", "e1", qt.Row{"DiagnosticOptions": "appName=demo tag=ab-test-7", "ParticipantDuration": int64(200)}),
			summary("g1", "p1b", "e1", qt.Row{"ParticipantStartTime": at(10, 4, 0), "ParticipantDuration": int64(360)}),
			summary("g1", "p2", "e2", qt.Row{"ParticipantEndReason": "410", "ParticipantEndSubCode": "301005", "ResultCategory": "UnexpectedClientError"}),
			summary("g1", "p3", "e3", qt.Row{"EndpointType": "PSTN", "PstnParticipantCallType": "Inbound", "SdkVersion": nil, "OsVersion": nil, "Identifier": "4:+15551234567"}),
			summary("g1", "p4", "e4", qt.Row{"EndpointType": "Bot", "ParticipantType": "ACS", "SdkVersion": nil, "OsVersion": nil}),
			summary("g1", "p5", "e5", qt.Row{"Identifier": "Redacted", "SdkVersion": "Redacted", "OsVersion": "Redacted", "ParticipantTenantId": "tenant-b", "ParticipantType": "Teams"}),
			summary("p2p1", "", "e10", qt.Row{"CallType": "P2P", "CallStartTime": at(9, 0, 0), "CallDuration": int64(300), "ParticipantStartTime": at(9, 0, 0), "ParticipantDuration": int64(300), "Identifier": "8:acs:alice"}),
			summary("p2p1", "", "e11", qt.Row{"CallType": "P2P", "CallStartTime": at(9, 0, 0), "CallDuration": int64(300), "ParticipantStartTime": at(9, 0, 0), "ParticipantDuration": int64(300), "Identifier": "8:acs:bob"}),
		},
		"ACSCallDiagnostics": {
			stream("g1", "p1", "e1", 1, "Audio", qt.Row{"JitterAvg": int64(10), "PacketLossRateAvg": 0.01, "RoundTripTimeAvg": int64(80), "JitterBufferSizeAvg": int64(40)}),
			stream("g1", "p1", "e1", 2, "Video", qt.Row{"JitterAvg": int64(12), "VideoFrameRateAvg": 5.0, "RecvResolutionHeight": int64(720), "VideoBitRateAvg": int64(900000), "CodecName": "H264"}),
			stream("g1", "p2", "e2", 3, "Audio", qt.Row{"JitterAvg": int64(45), "PacketLossRateAvg": 0.02, "RoundTripTimeAvg": int64(120)}),
		},
		"ACSCallSurvey": {
			{"TimeGenerated": at(10, 11, 0), "CorrelationId": "g1", "CallId": "g1", "ParticipantId": "p1", "SurveyId": "s1",
				"OverallRatingScore": int64(4), "OverallRatingScoreLowerBound": int64(1), "OverallRatingScoreUpperBound": int64(5), "OverallRatingScoreThreshold": int64(2)},
			{"TimeGenerated": at(10, 11, 0), "CorrelationId": "g1", "CallId": "g1", "ParticipantId": "p2", "SurveyId": "s2",
				"OverallRatingScore": int64(3), "OverallRatingScoreLowerBound": int64(0), "OverallRatingScoreUpperBound": int64(10), "OverallRatingScoreThreshold": int64(5),
				"AudioIssues": "Echo,AudioNoise"},
		},
		"ACSCallClientOperations": {
			op("", "", "ci1", "CallAgentInit", "o0", at(9, 40, 0), "Succeeded", nil), // before the call: no call, no participant
			op("g1", "p1", "ci1", "Join", "o1", at(10, 0, 5), "Succeeded", qt.Row{"DurationMs": int64(1500)}),
			op("g1", "p1", "ci1", "State-changed", "o2", at(10, 0, 6), "Succeeded", qt.Row{"DurationMs": int64(0)}),
			ufd("g1", "p1", "ci1", "u1", "speakingWhileMicrophoneIsMuted", "Bad", at(10, 2, 0)),
			op("g1", "p2", "ci2", "Join", "o3", at(10, 0, 7), "Succeeded", nil),
			op("g1", "p2", "ci2", "StartVideo", "o4", at(10, 1, 0), "Failed", qt.Row{"ResultSignature": int64(410),
				"OperationPayload": `{"SubCode":41048,"StreamType":"Video"}`}),
			ufd("g1", "p2", "ci2", "u2", "networkReceiveQuality", "Bad", at(10, 3, 0)),
			ufd("g1", "p2", "ci2", "u2", "networkReceiveQuality", "Good", at(10, 3, 40)),
			op("p2p1", "", "ci10", "StartCall", "o10", at(9, 0, 0), "Succeeded", qt.Row{"EndpointId": "e10", "UserAgent": "azsdk-js-communication-calling/1.21.0 unique-marker-xyz"}),
		},
		"ACSCallClientMediaStatsTimeSeries": {
			{"TimeGenerated": at(10, 5, 0), "CallId": "g1", "ParticipantId": "p1", "CallClientTimeStamp": at(10, 1, 10), "MetricName": "JitterInMs",
				"Count": int64(10), "Sum": 120.0, "Average": 12.0, "Minimum": 5.0, "Maximum": 20.0, "MediaStreamDirection": "recv", "MediaStreamType": "audio", "MediaStreamCodec": "opus"},
			{"TimeGenerated": at(10, 5, 0), "CallId": "g1", "ParticipantId": "p1", "CallClientTimeStamp": at(10, 1, 0), "MetricName": "JitterInMs",
				"Count": int64(10), "Sum": 100.0, "Average": 10.0, "Minimum": 4.0, "Maximum": 18.0, "MediaStreamDirection": "recv", "MediaStreamType": "audio", "MediaStreamCodec": "opus"},
		},
	}
}

// live is live1 while it runs.
func live() map[string][]qt.Row {
	upd := func(version int64, extra qt.Row) qt.Row {
		r := summary("live1", "p20", "e20", qt.Row{"CallStartTime": at(12, 0, 0), "CallDuration": nil, "ParticipantStartTime": at(12, 0, 1),
			"ParticipantDuration": nil, "ParticipantEndReason": nil, "ParticipantEndSubCode": nil, "ResultCategory": nil,
			"TimeGenerated": at(12, 1, int(version)), "CallUpdatesVersion": version})
		for k, v := range extra {
			r[k] = v
		}
		return r
	}
	d := stream("live1", "p20", "e20", 7, "Audio", qt.Row{"JitterAvg": int64(50), "RoundTripTimeAvg": int64(90), "CallUpdatesVersion": int64(1), "TimeGenerated": at(12, 2, 0)})
	return map[string][]qt.Row{
		"ACSCallSummaryUpdates":     {upd(1, qt.Row{"SdkVersion": "1.19.0"}), upd(2, nil)},
		"ACSCallDiagnosticsUpdates": {d},
		"ACSCallClientOperations": {
			op("live1", "p20", "ci20", "Join", "o20", at(12, 0, 1), "Succeeded", nil),
			ufd("live1", "p20", "ci20", "u20", "networkSendQuality", "Bad", at(12, 3, 0)),
		},
		"ACSCallClientMediaStatsTimeSeries": {
			{"TimeGenerated": at(12, 2, 0), "CallId": "live1", "ParticipantId": "p20", "CallClientTimeStamp": at(12, 1, 0), "MetricName": "RoundTripTimeInMs",
				"Count": int64(10), "Sum": 900.0, "Average": 90.0, "Minimum": 80.0, "Maximum": 110.0, "MediaStreamDirection": "send", "MediaStreamType": "audio"},
		},
	}
}

// liveFinals are the rows that end live1: its final summary and diagnostics.
func liveFinals() map[string][]qt.Row {
	return map[string][]qt.Row{
		"ACSCallSummary": {summary("live1", "p20", "e20", qt.Row{"CallStartTime": at(12, 0, 0), "CallDuration": int64(420),
			"ParticipantStartTime": at(12, 0, 1), "ParticipantDuration": int64(419), "TimeGenerated": at(12, 10, 0)})},
		"ACSCallDiagnostics": {stream("live1", "p20", "e20", 7, "Audio", qt.Row{"JitterAvg": int64(50), "RoundTripTimeAvg": int64(95),
			"PacketLossRateAvg": 0.03, "TimeGenerated": at(12, 10, 0)})},
	}
}
