package bench

import "fmt"

// Panel is one Insights panel (reference §2.2 of the design material): the
// KQL that computes it, and the DuckDB SQL one would write by hand for the
// same answer. {from} and {to} in the SQL stand for the panel's time range,
// which the KQL gets as the query's timespan.
type Panel struct {
	Tab, Name string
	KQL       string
	SQL       string
}

// The reliability and UFD panels first keep the latest re-emitted row of
// each daily bin and combination of every dimension, as the workbook
// does: leaving a dimension out would keep one row of several that differ
// only in it, and drop the others' counts.
const metricDimensions = `TimestampBin, _ResourceId, MetricName, SubCode, ResultType, CallType, Platform, SdkVersion, DeviceModel, DeviceBrand, DeviceFamily, DeviceOsName, DeviceOsVersionMajor, DeviceOsVersionMinor, DeviceBrowser, DeviceBrowserVersionMajor, DeviceBrowserVersionMinor`

const latestMetrics = `summarize arg_max(TimestampMax, *) by ` + metricDimensions

const latestMetricsSQL = `SELECT TimestampBin, MetricName, SubCode, ResultType,
    arg_max(SuccessLegsDcount, TimestampMax) AS SuccessLegsDcount, arg_max(FailedLegsDcount, TimestampMax) AS FailedLegsDcount,
    arg_max(LegsDcount, TimestampMax) AS LegsDcount, arg_max(CallsDcount, TimestampMax) AS CallsDcount
  FROM ACSCallingMetrics WHERE TimeGenerated BETWEEN {from} AND {to} AND %s
  GROUP BY ` + metricDimensions

const unhealthy = `JitterAvg > 30 or PacketLossRateAvg > 0.1 or RoundTripTimeAvg > 500`
const unhealthySQL = `JitterAvg > 30 OR PacketLossRateAvg > 0.1 OR RoundTripTimeAvg > 500`

const scenarios = `('AcceptIncomingCall', 'Join', 'StartVideo', 'StopVideo', 'CallAgentInit', 'HandleIncomingCall')`

// Panels are the Insights panels the query benchmark times.
var Panels = []Panel{
	{Tab: "Volume", Name: "totals",
		KQL: `ACSCallSummary | summarize Calls = dcount(CorrelationId), Participants = dcount(ParticipantId), Minutes = sum(ParticipantDuration) / 60.0`,
		SQL: `SELECT count(DISTINCT CorrelationId), count(DISTINCT coalesce(ParticipantId, '')), sum(ParticipantDuration) / 60.0
FROM ACSCallSummary WHERE TimeGenerated BETWEEN {from} AND {to}`},
	{Tab: "Volume", Name: "calls and participants per day",
		KQL: `ACSCallSummary | summarize Calls = dcount(CorrelationId), Participants = dcount(ParticipantId) by Day = startofday(CallStartTime) | order by Day asc`,
		SQL: `SELECT date_trunc('day', CallStartTime) AS Day, count(DISTINCT CorrelationId), count(DISTINCT coalesce(ParticipantId, ''))
FROM ACSCallSummary WHERE TimeGenerated BETWEEN {from} AND {to} GROUP BY Day ORDER BY Day`},
	{Tab: "Volume", Name: "average call minutes per week",
		KQL: `ACSCallSummary | summarize AvgMinutes = avg(CallDuration) / 60.0 by Week = startofweek(CallStartTime) | order by Week asc`,
		SQL: `SELECT date_trunc('day', CallStartTime) - to_days(CAST(dayofweek(CallStartTime) AS INTEGER)) AS Week, avg(CallDuration) / 60.0
FROM ACSCallSummary WHERE TimeGenerated BETWEEN {from} AND {to} GROUP BY Week ORDER BY Week`},
	{Tab: "Volume", Name: "top 30 VoIP users",
		KQL: `ACSCallSummary | where EndpointType == 'VoIP'
| summarize Calls = dcount(CorrelationId), AvgMinutes = round(avg(CallDuration) / 60.0, 2), MaxMinutes = round(max(CallDuration) / 60.0, 2) by Identifier
| top 30 by Calls desc, Identifier asc`,
		SQL: `SELECT Identifier, count(DISTINCT CorrelationId) AS Calls, round(avg(CallDuration) / 60.0, 2), round(max(CallDuration) / 60.0, 2)
FROM ACSCallSummary WHERE TimeGenerated BETWEEN {from} AND {to} AND EndpointType = 'VoIP'
GROUP BY Identifier ORDER BY Calls DESC, Identifier LIMIT 30`},
	{Tab: "Volume", Name: "participants by SDK version",
		KQL: `ACSCallSummary | where EndpointType == 'VoIP' | summarize Participants = dcount(ParticipantId) by SdkVersion`,
		SQL: `SELECT coalesce(SdkVersion, ''), count(DISTINCT coalesce(ParticipantId, ''))
FROM ACSCallSummary WHERE TimeGenerated BETWEEN {from} AND {to} AND EndpointType = 'VoIP' GROUP BY 1`},
	{Tab: "Volume", Name: "participants by OS",
		KQL: `ACSCallSummary
| summarize Participants = dcount(ParticipantId) by OS = case(OsVersion contains 'Windows', 'Windows', OsVersion contains 'Android', 'Android',
    OsVersion in ('Mac OS X', 'iOS', 'Linux', 'Chrome OS'), OsVersion, 'Others')`,
		SQL: `SELECT CASE WHEN contains(lower(OsVersion), 'windows') THEN 'Windows' WHEN contains(lower(OsVersion), 'android') THEN 'Android'
    WHEN OsVersion IN ('Mac OS X', 'iOS', 'Linux', 'Chrome OS') THEN OsVersion ELSE 'Others' END AS OS, count(DISTINCT coalesce(ParticipantId, ''))
FROM ACSCallSummary WHERE TimeGenerated BETWEEN {from} AND {to} GROUP BY OS`},
	{Tab: "Volume", Name: "participants by call type and interop",
		KQL: `ACSCallSummary | summarize Participants = dcount(ParticipantId) by CallType, Interop = iff(isempty(TeamsThreadId), 'ACS', 'Teams Interop')`,
		SQL: `SELECT CallType, CASE WHEN coalesce(TeamsThreadId, '') = '' THEN 'ACS' ELSE 'Teams Interop' END AS Interop, count(DISTINCT coalesce(ParticipantId, ''))
FROM ACSCallSummary WHERE TimeGenerated BETWEEN {from} AND {to} GROUP BY CallType, Interop`},
	{Tab: "Reliability", Name: "reliability per scenario and week",
		KQL: `ACSCallingMetrics | where MetricName startswith 'reliability/api/' and MetricName !startswith 'reliability/api/UFD'
| ` + latestMetrics + `
| summarize Reliability = round(sum(SuccessLegsDcount) * 100.0 / sum(LegsDcount), 2), Calls = sum(CallsDcount) by MetricName, Week = startofweek(TimestampBin)
| order by MetricName asc, Week asc`,
		SQL: `SELECT MetricName, TimestampBin::DATE - to_days(CAST(dayofweek(TimestampBin) AS INTEGER)) AS Week,
    round(sum(SuccessLegsDcount) * 100.0 / sum(LegsDcount), 2), sum(CallsDcount)
FROM (` + latestMetricsSQLApi + `) GROUP BY MetricName, Week ORDER BY MetricName, Week`},
	{Tab: "Reliability", Name: "top failing subcodes of Join",
		KQL: `ACSCallingMetrics | where MetricName == 'reliability/api/Join' and ResultType !in ('Succeeded', 'Success', 'ExpectedError')
| ` + latestMetrics + `
| summarize Failed = sum(FailedLegsDcount) by SubCode, ResultType
| top 10 by Failed desc, SubCode asc, ResultType asc`,
		SQL: `SELECT SubCode, ResultType, sum(FailedLegsDcount) AS Failed
FROM (` + latestMetricsSQLJoin + `) GROUP BY SubCode, ResultType ORDER BY Failed DESC, SubCode, ResultType LIMIT 10`},
	{Tab: "UFD", Name: "volume and recovery rate per UFD",
		KQL: `ACSCallingMetrics | where MetricName startswith 'reliability/api/UFD/recovery/'
| ` + latestMetrics + `
| summarize Volume = sum(LegsDcount), RecoveryRate = round(sum(SuccessLegsDcount) * 100.0 / sum(LegsDcount), 2) by UFD = replace_string(MetricName, 'reliability/api/UFD/recovery/', '')
| order by Volume desc, UFD asc`,
		SQL: `SELECT replace(MetricName, 'reliability/api/UFD/recovery/', '') AS UFD, sum(LegsDcount) AS Volume, round(sum(SuccessLegsDcount) * 100.0 / sum(LegsDcount), 2)
FROM (` + latestMetricsSQLUFD + `) GROUP BY UFD ORDER BY Volume DESC, UFD`},
	{Tab: "Quality", Name: "stream health",
		KQL: `ACSCallDiagnostics | summarize Streams = count() by Health = iff(` + unhealthy + `, 'Unhealthy', 'Healthy')`,
		SQL: `SELECT CASE WHEN ` + unhealthySQL + ` THEN 'Unhealthy' ELSE 'Healthy' END AS Health, count(*)
FROM ACSCallDiagnostics WHERE TimeGenerated BETWEEN {from} AND {to} GROUP BY Health`},
	{Tab: "Quality", Name: "impacted calls",
		KQL: `ACSCallDiagnostics | summarize Poor = countif(` + unhealthy + `) by CorrelationId | summarize Calls = count() by Impacted = iff(Poor > 0, 'Impacted', 'Good')`,
		SQL: `SELECT CASE WHEN Poor > 0 THEN 'Impacted' ELSE 'Good' END AS Impacted, count(*) FROM (
  SELECT CorrelationId, count(*) FILTER (WHERE ` + unhealthySQL + `) AS Poor
  FROM ACSCallDiagnostics WHERE TimeGenerated BETWEEN {from} AND {to} GROUP BY CorrelationId) GROUP BY Impacted`},
	{Tab: "Quality", Name: "end reason categories",
		KQL: `ACSCallSummary | summarize Participants = count() by Category = case(
    ParticipantEndReason startswith '0' or ParticipantEndReason startswith '2', 'Success', ParticipantEndReason startswith '1', 'Provisional',
    ParticipantEndReason startswith '3', 'Redirection', ParticipantEndReason startswith '4', 'Client failure',
    ParticipantEndReason startswith '5', 'Server failure', ParticipantEndReason startswith '6', 'Global failure', 'Unknown')`,
		SQL: `SELECT CASE left(ParticipantEndReason, 1) WHEN '0' THEN 'Success' WHEN '2' THEN 'Success' WHEN '1' THEN 'Provisional'
    WHEN '3' THEN 'Redirection' WHEN '4' THEN 'Client failure' WHEN '5' THEN 'Server failure' WHEN '6' THEN 'Global failure' ELSE 'Unknown' END AS EndCategory, count(*)
FROM ACSCallSummary WHERE TimeGenerated BETWEEN {from} AND {to} GROUP BY EndCategory`},
	{Tab: "Quality", Name: "streams of participants by media and endpoint type",
		KQL: `ACSCallDiagnostics
| join kind=inner (ACSCallSummary | project CorrelationId, ParticipantId, EndpointId, CallStartTime) on CorrelationId, ParticipantId, EndpointId
| summarize Streams = count(), Unhealthy = countif(` + unhealthy + `) by MediaType, EndpointType`,
		SQL: `SELECT d.MediaType, d.EndpointType, count(*), count(*) FILTER (WHERE ` + unhealthySQL + `)
FROM ACSCallDiagnostics d JOIN ACSCallSummary s
  ON d.CorrelationId = s.CorrelationId AND coalesce(d.ParticipantId, '') = coalesce(s.ParticipantId, '') AND coalesce(d.EndpointId, '') = coalesce(s.EndpointId, '')
WHERE d.TimeGenerated BETWEEN {from} AND {to} AND s.TimeGenerated BETWEEN {from} AND {to}
GROUP BY d.MediaType, d.EndpointType`},
	{Tab: "Performance", Name: "p95 latency per scenario and day",
		KQL: `ACSCallClientOperations | where OperationName in ` + scenarios + `
| summarize P95 = percentile(DurationMs, 95), Operations = count() by OperationName, Day = startofday(CallClientTimeStamp)
| order by OperationName asc, Day asc`,
		SQL: `SELECT OperationName, date_trunc('day', CallClientTimeStamp) AS Day, quantile_disc(DurationMs, 0.95), count(*)
FROM ACSCallClientOperations WHERE TimeGenerated BETWEEN {from} AND {to} AND OperationName IN ` + scenarios + `
GROUP BY OperationName, Day ORDER BY OperationName, Day`},
	{Tab: "Performance", Name: "latency percentiles per participant",
		KQL: `ACSCallClientOperations | where OperationName in ` + scenarios + `
| summarize p50 = percentile(DurationMs, 50), p95 = percentile(DurationMs, 95), Average = avg(DurationMs), Total = count() by ParticipantId
| top 50 by Total desc, ParticipantId asc`,
		SQL: `SELECT coalesce(ParticipantId, '') AS ParticipantId, quantile_disc(DurationMs, 0.5), quantile_disc(DurationMs, 0.95), avg(DurationMs), count(*) AS Total
FROM ACSCallClientOperations WHERE TimeGenerated BETWEEN {from} AND {to} AND OperationName IN ` + scenarios + `
GROUP BY 1 ORDER BY Total DESC, ParticipantId LIMIT 50`},
	{Tab: "Performance", Name: "Join latency histogram",
		KQL: `ACSCallClientOperations | where OperationName == 'Join' | summarize Operations = dcount(OperationId) by Seconds = bin(DurationMs, 1000) / 1000 | order by Seconds asc`,
		SQL: `SELECT DurationMs // 1000 AS Seconds, count(DISTINCT OperationId)
FROM ACSCallClientOperations WHERE TimeGenerated BETWEEN {from} AND {to} AND OperationName = 'Join' GROUP BY Seconds ORDER BY Seconds`},
}

var (
	latestMetricsSQLApi  = fmt.Sprintf(latestMetricsSQL, "starts_with(MetricName, 'reliability/api/') AND NOT starts_with(MetricName, 'reliability/api/UFD')")
	latestMetricsSQLJoin = fmt.Sprintf(latestMetricsSQL, "MetricName = 'reliability/api/Join' AND coalesce(ResultType, '') NOT IN ('Succeeded', 'Success', 'ExpectedError')")
	latestMetricsSQLUFD  = fmt.Sprintf(latestMetricsSQL, "starts_with(MetricName, 'reliability/api/UFD/recovery/')")
)
