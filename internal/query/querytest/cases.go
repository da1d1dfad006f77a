package querytest

// Cases are the suite's queries. Each answer was worked out by hand from
// the fixture (fixture.go) or computed from its rows in Go, not copied from
// a run.
var Cases = concat(baseCases, operatorCases, functionCases, semanticCases)

func concat(lists ...[]Case) []Case {
	var out []Case
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// baseCases are the first cases of the suite.
var baseCases = []Case{
	{
		Name:    "count operator",
		Query:   "ACSCallSummary | count",
		Columns: []string{"Count:long"},
		Rows:    [][]string{{"8"}},
	},
	{
		Name:     "timespan bounds every table",
		Query:    "ACSCallSummary | count",
		Timespan: "2024-05-01T11:00:00Z/2024-05-01T13:00:00Z",
		Rows:     [][]string{{"5"}},
	},
	{
		Name: "distinct then averages in decimal",
		Query: `ACSCallSummary
| distinct CorrelationId, ParticipantId, EndpointId
| summarize n = count(), calls = dcount(CorrelationId)
| extend avg = todecimal(n) / todecimal(calls)`,
		Columns: []string{"n:long", "calls:long", "avg:decimal"},
		Rows:    [][]string{{"7", "3", "2.333333333"}},
	},
	{
		Name:  "a missing string equals the empty string",
		Query: "ACSCallSummary | where ParticipantId == '' | project EndpointId",
		Rows:  [][]string{{"e4"}, {"e5"}},
	},
	{
		Name:  "a missing string differs from a value",
		Query: "ACSCallSummary | where ParticipantId != 'p1' | count",
		Rows:  [][]string{{"7"}},
	},
	{
		Name:  "columns compare with missing strings as empty",
		Query: "ACSCallSummary | where CorrelationId != ParticipantId | count",
		Rows:  [][]string{{"8"}},
	},
	{
		Name:    "isempty and isnotempty in countif",
		Query:   "ACSCallSummary | summarize e = countif(isempty(ParticipantId)), n = countif(isnotempty(ParticipantId))",
		Columns: []string{"e:long", "n:long"},
		Rows:    [][]string{{"2", "6"}},
	},
	{
		Name:    "default names of aggregations",
		Query:   "ACSCallSummary | summarize count(), dcount(ParticipantId) by CallType",
		Columns: []string{"CallType:string", "count_:long", "dcount_ParticipantId:long"},
		Rows:    [][]string{{"Group", "6", "5"}, {"P2P", "2", "1"}},
	},
	{
		Name:    "percentiles are nearest-rank",
		Query:   "ACSCallSummary | distinct CorrelationId, CallDuration | summarize avg(CallDuration), percentiles(CallDuration, 50, 90)",
		Columns: []string{"avg_CallDuration:real", "percentile_CallDuration_50:long", "percentile_CallDuration_90:long"},
		Rows:    [][]string{{"840", "600", "1800"}},
	},
	{
		Name:    "bin of a whole number keeps its type and name",
		Query:   "ACSCallDiagnostics | where isnotnull(JitterAvg) | summarize c = count() by bin(JitterAvg, 10) | order by JitterAvg asc",
		Columns: []string{"JitterAvg:int", "c:long"},
		Rows:    [][]string{{"0", "3"}, {"10", "1"}, {"20", "2"}, {"30", "1"}},
		Ordered: true,
	},
	{
		Name:  "iff with a null comparison takes the else branch",
		Query: `ACSCallDiagnostics | extend q = iff(JitterAvg > 30, "Poor", "Good") | summarize count() by q`,
		Rows:  [][]string{{"Good", "7"}, {"Poor", "1"}},
	},
	{
		Name: "floor of a datetime bins it",
		Query: `ACSCallSummary
| distinct CorrelationId, CallStartTime
| extend hour = floor(CallStartTime, 1h)
| summarize n = count() by hour
| sort by hour asc`,
		Columns: []string{"hour:datetime", "n:long"},
		Rows:    [][]string{{"2024-05-01T10:00:00Z", "1"}, {"2024-05-01T11:00:00Z", "2"}},
		Ordered: true,
	},
	{
		Name: "case, indexof and split simplify OS names",
		Query: `ACSCallSummary
| distinct ParticipantId, EndpointId, OsVersion
| extend os = case(indexof(OsVersion, "Android") != -1, tostring(split(OsVersion, ";")[0]),
                   indexof(OsVersion, "Darwin") != -1, tostring(split(OsVersion, ":")[0]),
                   indexof(OsVersion, "Windows") != -1, tostring(split(OsVersion, ".")[0]),
                   OsVersion)
| summarize n = count() by os`,
		Rows: [][]string{{"", "1"}, {"Android 14", "1"}, {"Darwin 23.1.0", "1"}, {"Redacted", "1"},
			{"Windows 10", "1"}, {"Windows 11", "1"}, {"iOS 17.3", "1"}},
	},
	{
		Name: "mv-expand of split to typeof(string)",
		Query: `ACSCallSurvey
| where isnotempty(AudioIssues)
| project a = split(AudioIssues, ',')
| mv-expand a to typeof(string)
| summarize n = count() by a`,
		Columns: []string{"a:string", "n:long"},
		Rows:    [][]string{{"Echo", "2"}, {"LowVolume", "1"}},
	},
	{
		Name: "leftouter join suffixes the right side's clashing names",
		Query: `ACSCallSurvey
| project CallId, ParticipantId, OverallRatingScore
| join kind=leftouter (ACSCallSummary | distinct ParticipantId, EndpointType) on ParticipantId
| project ParticipantId, ParticipantId1, EndpointType, OverallRatingScore`,
		Rows: [][]string{{"p1", "p1", "VoIP", "5"}, {"p2", "p2", "VoIP", "2"}, {"p6", "p6", "VoIP", "8"}},
	},
	{
		Name: "arg_max with star keeps the latest row",
		Query: `ACSCallClientOperations
| where OperationName == 'UserFacingDiagnostics'
| summarize arg_max(CallClientTimeStamp, *) by OperationId
| project OperationId, CallClientTimeStamp, q = tostring(OperationPayload.DiagnosticQuality)`,
		Rows: [][]string{{"ufd1", "2024-05-01T10:04:30Z", "Good"}},
	},
	{
		Name:    "dynamic properties compare and name their column",
		Query:   "ACSCallClientOperations | where OperationPayload.CallDirection == 'Outgoing' | summarize n = count() by tostring(OperationPayload.FailureReason)",
		Columns: []string{"OperationPayload_FailureReason:string", "n:long"},
		Rows:    [][]string{{"", "2"}, {"Timeout", "1"}},
	},
	{
		Name:   "an unresolved name is an error at its place",
		Query:  "ACSCallSummary\n| summarize n=count() by day",
		Error:  "failed to resolve scalar expression named 'day'",
		Line:   2,
		Column: 26,
	},
	{
		Name:   "an expression after a pipe is a syntax error",
		Query:  "ACSCallSummary\n| tolower(CallType) == \"x\"",
		Error:  "'tolower' is not a tabular operator",
		Line:   2,
		Column: 3,
	},
	{
		Name:   "render is returned, not run",
		Query:  `ACSCallSummary | summarize n = dcount(CorrelationId) by CallType | render piechart with (title="Calls")`,
		Rows:   [][]string{{"Group", "2"}, {"P2P", "1"}},
		Render: "piechart title=Calls",
	},
	{
		Name:    "let, materialize and toscalar",
		Query:   "let calls = materialize(ACSCallSummary | distinct CorrelationId); let n = toscalar(calls | count); print total = n",
		Columns: []string{"total:long"},
		Rows:    [][]string{{"3"}},
	},
}
