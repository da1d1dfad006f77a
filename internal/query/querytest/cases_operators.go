package querytest

// Small tables written into queries, for operators whose semantics are
// clearest on a handful of rows.
const (
	// joinLeft and joinRight share the key x twice on each side, y once,
	// and each has a key of its own (z left, w right).
	joinLeft  = `datatable(k:string, a:long)["x",1, "x",2, "y",3, "z",4]`
	joinRight = `datatable(k:string, b:long)["x",10, "x",20, "y",30, "w",40]`
	// lookupRight has unique keys, as lookup's dimension table should.
	lookupRight = `datatable(k:string, b:long)["x",10, "y",30, "w",40]`
	// windowRows come in this order once serialized.
	windowRows = `datatable(k:string, v:long)["a",1, "a",2, "b",5, "b",5, "c",1]`
)

// operatorCases cover each tabular operator. Every answer was worked out
// by hand from the fixture (fixture.go) or from the datatable in the query.
var operatorCases = []Case{
	// ---- where / filter ----
	{
		Name:  "where keeps the rows whose condition holds",
		Query: "ACSCallSummary | where CallDuration > 600 | project ParticipantId",
		Rows:  [][]string{{"p6"}, {"p6"}, {"p7"}},
	},
	{
		Name:  "filter is where",
		Query: "ACSCallSummary | filter EndpointType == 'PSTN' | project EndpointId",
		Rows:  [][]string{{"e3"}},
	},
	{
		Name:  "where with and, or and isnull",
		Query: "ACSCallDiagnostics | where MediaType == 'Audio' and (JitterAvg > 10 or isnull(JitterAvg)) | project StreamId",
		Rows:  [][]string{{"1"}, {"3"}, {"6"}, {"8"}},
	},
	{
		Name:  "where with not()",
		Query: "ACSCallSurvey | where not(ParticipantId == 'p1') | project SurveyId",
		Rows:  [][]string{{"s2"}, {"s3"}},
	},
	{
		Name:  "a null comparison drops the row",
		Query: "ACSCallDiagnostics | where JitterAvg < 100 | count",
		Rows:  [][]string{{"7"}},
	},

	// ---- project and its relatives ----
	{
		Name:    "project computes and names columns",
		Query:   "ACSCallSurvey | project SurveyId, Score = OverallRatingScore * 2, ParticipantId",
		Columns: []string{"SurveyId:string", "Score:long", "ParticipantId:string"},
		Rows:    [][]string{{"s1", "10", "p1"}, {"s2", "4", "p2"}, {"s3", "16", "p6"}},
	},
	{
		Name:    "project names unnamed expressions Column1, Column2",
		Query:   "ACSCallSurvey | where SurveyId == 's1' | project SurveyId, OverallRatingScore + 1, strlen(SurveyId)",
		Columns: []string{"SurveyId:string", "Column1:long", "Column2:long"},
		Rows:    [][]string{{"s1", "6", "2"}},
	},
	{
		Name:    "project-away with a prefix wildcard",
		Query:   "ACSCallSurvey | project SurveyId, OverallRatingScore, OverallRatingScoreLowerBound, OverallRatingScoreUpperBound, AudioRatingScore | project-away OverallRatingScore*",
		Columns: []string{"SurveyId:string", "AudioRatingScore:int"},
		Rows:    [][]string{{"s1", "4"}, {"s2", "1"}, {"s3", "null"}},
	},
	{
		Name:    "project-away with a suffix wildcard and a name",
		Query:   "ACSCallSurvey | project SurveyId, AudioIssues, VideoIssues, CallId | project-away *Issues, CallId",
		Columns: []string{"SurveyId:string"},
		Rows:    [][]string{{"s1"}, {"s2"}, {"s3"}},
	},
	{
		Name:    "project-keep keeps the input's order",
		Query:   "ACSCallSurvey | where SurveyId == 's3' | project SurveyId, AudioIssues, VideoIssues, CallId | project-keep CallId, *Issues",
		Columns: []string{"AudioIssues:string", "VideoIssues:string", "CallId:string"},
		Rows:    [][]string{{"Echo", "Freezes,LowQuality,Freezes", "c-c"}},
	},
	{
		Name:    "project-rename",
		Query:   "ACSCallSurvey | project SurveyId, OverallRatingScore | project-rename Id = SurveyId, Score = OverallRatingScore",
		Columns: []string{"Id:string", "Score:int"},
		Rows:    [][]string{{"s1", "5"}, {"s2", "2"}, {"s3", "8"}},
	},
	{
		Name:    "project-reorder puts the named columns first",
		Query:   "ACSCallSurvey | where SurveyId == 's2' | project SurveyId, CallId, ParticipantId, OverallRatingScore | project-reorder ParticipantId, Overall*",
		Columns: []string{"ParticipantId:string", "OverallRatingScore:int", "SurveyId:string", "CallId:string"},
		Rows:    [][]string{{"p2", "2", "s2", "c-a"}},
	},
	{
		Name:   "project-away of an unknown column is an error",
		Query:  "ACSCallSurvey | project-away Nope",
		Error:  "project-away: failed to resolve column 'Nope'",
		Line:   1,
		Column: 30,
	},

	// ---- extend ----
	{
		Name:    "extend: a later item uses an earlier one",
		Query:   "ACSCallSurvey | extend a = OverallRatingScore * 10, b = a + 1 | project SurveyId, a, b",
		Columns: []string{"SurveyId:string", "a:long", "b:long"},
		Rows:    [][]string{{"s1", "50", "51"}, {"s2", "20", "21"}, {"s3", "80", "81"}},
	},
	{
		Name:    "extend replaces a column in place with its new type",
		Query:   "ACSCallSurvey | project SurveyId, OverallRatingScore, CallId | extend OverallRatingScore = OverallRatingScore * 1.0 / 2",
		Columns: []string{"SurveyId:string", "OverallRatingScore:real", "CallId:string"},
		Rows:    [][]string{{"s1", "2.5", "c-a"}, {"s2", "1", "c-a"}, {"s3", "4", "c-c"}},
	},
	{
		Name:    "extend names an unnamed expression Column1",
		Query:   "ACSCallSurvey | where SurveyId == 's3' | project SurveyId | extend strlen(SurveyId)",
		Columns: []string{"SurveyId:string", "Column1:long"},
		Rows:    [][]string{{"s3", "2"}},
	},

	// ---- summarize ----
	{
		Name:    "summarize several aggregations by two keys",
		Query:   "ACSCallDiagnostics | summarize n = count(), j = max(JitterAvg), l = sum(PacketLossRateAvg) by CorrelationId, MediaType",
		Columns: []string{"CorrelationId:string", "MediaType:string", "n:long", "j:int", "l:real"},
		Rows: [][]string{
			{"c-a", "Audio", "3", "25", "0.21"},
			{"c-a", "Video", "1", "35", "0.02"},
			{"c-b", "Audio", "2", "3", "0"},
			{"c-c", "Audio", "1", "20", "0.05"},
			{"c-c", "VBSS", "1", "8", "0"},
		},
	},
	{
		Name:    "summarize by bin of a datetime names the key after the column",
		Query:   "ACSCallSummary | summarize n = count() by bin(TimeGenerated, 1h)",
		Columns: []string{"TimeGenerated:datetime", "n:long"},
		Rows:    [][]string{{"2024-05-01T10:00:00Z", "3"}, {"2024-05-01T11:00:00Z", "2"}, {"2024-05-01T12:00:00Z", "3"}},
	},
	{
		Name:    "summarize without by gives one row",
		Query:   "ACSCallSurvey | summarize avg(OverallRatingScore), min(OverallRatingScore), max(OverallRatingScore), sum(OverallRatingScore)",
		Columns: []string{"avg_OverallRatingScore:real", "min_OverallRatingScore:int", "max_OverallRatingScore:int", "sum_OverallRatingScore:long"},
		Rows:    [][]string{{"5", "2", "8", "15"}},
	},
	{
		Name:    "summarize an expression over countif",
		Query:   "ACSCallDiagnostics | summarize verdict = iff(countif(JitterAvg > 30) > 0, 'Poor', 'Good') by CorrelationId",
		Columns: []string{"CorrelationId:string", "verdict:string"},
		Rows:    [][]string{{"c-a", "Poor"}, {"c-b", "Good"}, {"c-c", "Good"}},
	},
	{
		Name:    "summarize an expression over two aggregations",
		Query:   "ACSCallSummary | summarize n = count(), ratio = todouble(dcount(ParticipantId)) / count() by CallType",
		Columns: []string{"CallType:string", "n:long", "ratio:real"},
		Rows:    [][]string{{"Group", "6", "0.8333333333"}, {"P2P", "2", "0.5"}},
	},
	{
		Name:  "summarize count of no rows without by is one row of 0",
		Query: "ACSCallSummary | where CallType == 'None' | summarize n = count()",
		Rows:  [][]string{{"0"}},
	},
	{
		Name:  "summarize of no rows by a key is no rows",
		Query: "ACSCallSummary | where CallType == 'None' | summarize n = count() by CallType",
	},
	{
		Name:  "summarize accepts hints",
		Query: "ACSCallSummary | summarize hint.strategy=shuffle n = count() by CallType",
		Rows:  [][]string{{"Group", "6"}, {"P2P", "2"}},
	},
	{
		Name:   "a bare column in summarize is an error",
		Query:  "ACSCallSummary | summarize x = CallDuration",
		Error:  "column 'CallDuration' must be inside an aggregation",
		Line:   1,
		Column: 32,
	},

	// ---- count, distinct ----
	{
		Name:    "count of no rows",
		Query:   "ACSCallSurvey | where OverallRatingScore > 100 | count",
		Columns: []string{"Count:long"},
		Rows:    [][]string{{"0"}},
	},
	{
		Name:    "distinct with a computed column",
		Query:   "ACSCallSummary | distinct CallType, Minutes = CallDuration / 60",
		Columns: []string{"CallType:string", "Minutes:long"},
		Rows:    [][]string{{"Group", "10"}, {"Group", "30"}, {"P2P", "2"}},
	},
	{
		Name:    "distinct star",
		Query:   "ACSCallSummary | project CorrelationId, ParticipantId, EndpointId | distinct *",
		Columns: []string{"CorrelationId:string", "ParticipantId:string", "EndpointId:string"},
		Rows: [][]string{{"c-a", "p1", "e1"}, {"c-a", "p2", "e2"}, {"c-a", "p3", "e3"}, {"c-b", "", "e4"}, {"c-b", "", "e5"},
			{"c-c", "p6", "e6"}, {"c-c", "p7", "e7"}},
	},

	// ---- top, sort, take ----
	{
		Name:    "top is descending by default",
		Query:   "ACSCallSurvey | project SurveyId, OverallRatingScore | top 2 by OverallRatingScore",
		Rows:    [][]string{{"s3", "8"}, {"s1", "5"}},
		Ordered: true,
	},
	{
		Name:    "top asc",
		Query:   "ACSCallSurvey | project SurveyId, OverallRatingScore | top 1 by OverallRatingScore asc",
		Rows:    [][]string{{"s2", "2"}},
		Ordered: true,
	},
	{
		Name:    "top asc puts nulls first",
		Query:   "ACSCallDiagnostics | top 3 by JitterAvg asc | project StreamId, JitterAvg",
		Rows:    [][]string{{"6", "null"}, {"5", "3"}, {"4", "5"}},
		Ordered: true,
	},
	{
		Name:    "top desc puts nulls last",
		Query:   "ACSCallDiagnostics | top 2 by JitterAvg desc | project StreamId, JitterAvg",
		Rows:    [][]string{{"2", "35"}, {"3", "25"}},
		Ordered: true,
	},
	{
		Name:    "top asc nulls last",
		Query:   "ACSCallDiagnostics | top 2 by JitterAvg asc nulls last | project StreamId, JitterAvg",
		Rows:    [][]string{{"5", "3"}, {"4", "5"}},
		Ordered: true,
	},
	{
		Name:    "top desc nulls first",
		Query:   "ACSCallDiagnostics | top 2 by JitterAvg desc nulls first | project StreamId, JitterAvg",
		Rows:    [][]string{{"6", "null"}, {"2", "35"}},
		Ordered: true,
	},
	{
		Name:    "sort is descending by default",
		Query:   "ACSCallSurvey | sort by OverallRatingScore | project SurveyId",
		Rows:    [][]string{{"s3"}, {"s1"}, {"s2"}},
		Ordered: true,
	},
	{
		Name:    "order by asc puts nulls first",
		Query:   "ACSCallSurvey | order by AudioRatingScore asc | project SurveyId, AudioRatingScore",
		Rows:    [][]string{{"s3", "null"}, {"s2", "1"}, {"s1", "4"}},
		Ordered: true,
	},
	{
		Name:    "sort desc puts nulls last",
		Query:   "ACSCallSurvey | sort by AudioRatingScore desc | project SurveyId, AudioRatingScore",
		Rows:    [][]string{{"s1", "4"}, {"s2", "1"}, {"s3", "null"}},
		Ordered: true,
	},
	{
		Name:    "sort by two keys",
		Query:   "ACSCallDiagnostics | sort by CorrelationId asc, StreamId desc | project StreamId",
		Rows:    [][]string{{"4"}, {"3"}, {"2"}, {"1"}, {"6"}, {"5"}, {"8"}, {"7"}},
		Ordered: true,
	},
	{
		Name:    "sort puts missing strings first ascending, as empty strings",
		Query:   "ACSCallSummary | sort by ParticipantId asc, EndpointId asc | project ParticipantId, EndpointId",
		Rows:    [][]string{{"", "e4"}, {"", "e5"}, {"p1", "e1"}, {"p2", "e2"}, {"p3", "e3"}, {"p6", "e6"}, {"p6", "e6"}, {"p7", "e7"}},
		Ordered: true,
	},
	{
		Name:    "take after sort keeps the first rows",
		Query:   "ACSCallSurvey | sort by SurveyId asc | take 2 | project SurveyId",
		Rows:    [][]string{{"s1"}, {"s2"}},
		Ordered: true,
	},
	{
		Name:  "take keeps that many rows",
		Query: "ACSCallSummary | take 3 | count",
		Rows:  [][]string{{"3"}},
	},
	{
		Name:  "limit 0 keeps none",
		Query: "ACSCallSurvey | limit 0 | count",
		Rows:  [][]string{{"0"}},
	},

	// ---- join ----
	{
		Name:  "join defaults to innerunique: one left row per key",
		Query: joinLeft + " | join (" + joinRight + ") on k | summarize n = count(), leftRows = dcount(a) by k",
		Rows:  [][]string{{"x", "2", "1"}, {"y", "1", "1"}},
	},
	{
		Name:  "innerunique keeps every right match",
		Query: joinLeft + " | join kind=innerunique (" + joinRight + ") on k | project k, b",
		Rows:  [][]string{{"x", "10"}, {"x", "20"}, {"y", "30"}},
	},
	{
		Name:    "join kind=inner",
		Query:   joinLeft + " | join kind=inner (" + joinRight + ") on k",
		Columns: []string{"k:string", "a:long", "k1:string", "b:long"},
		Rows:    [][]string{{"x", "1", "x", "10"}, {"x", "1", "x", "20"}, {"x", "2", "x", "10"}, {"x", "2", "x", "20"}, {"y", "3", "y", "30"}},
	},
	{
		Name:  "join kind=leftouter",
		Query: joinLeft + " | join kind=leftouter (" + joinRight + ") on k",
		Rows: [][]string{{"x", "1", "x", "10"}, {"x", "1", "x", "20"}, {"x", "2", "x", "10"}, {"x", "2", "x", "20"}, {"y", "3", "y", "30"},
			{"z", "4", "", "null"}},
	},
	{
		Name:  "join kind=rightouter",
		Query: joinLeft + " | join kind=rightouter (" + joinRight + ") on k",
		Rows: [][]string{{"x", "1", "x", "10"}, {"x", "1", "x", "20"}, {"x", "2", "x", "10"}, {"x", "2", "x", "20"}, {"y", "3", "y", "30"},
			{"", "null", "w", "40"}},
	},
	{
		Name:  "join kind=fullouter",
		Query: joinLeft + " | join kind=fullouter (" + joinRight + ") on k",
		Rows: [][]string{{"x", "1", "x", "10"}, {"x", "1", "x", "20"}, {"x", "2", "x", "10"}, {"x", "2", "x", "20"}, {"y", "3", "y", "30"},
			{"z", "4", "", "null"}, {"", "null", "w", "40"}},
	},
	{
		Name:    "join kind=leftsemi",
		Query:   joinLeft + " | join kind=leftsemi (" + joinRight + ") on k",
		Columns: []string{"k:string", "a:long"},
		Rows:    [][]string{{"x", "1"}, {"x", "2"}, {"y", "3"}},
	},
	{
		Name:    "join kind=leftanti",
		Query:   joinLeft + " | join kind=leftanti (" + joinRight + ") on k",
		Columns: []string{"k:string", "a:long"},
		Rows:    [][]string{{"z", "4"}},
	},
	{
		Name:    "join kind=rightsemi",
		Query:   joinLeft + " | join kind=rightsemi (" + joinRight + ") on k",
		Columns: []string{"k:string", "b:long"},
		Rows:    [][]string{{"x", "10"}, {"x", "20"}, {"y", "30"}},
	},
	{
		Name:    "join kind=rightanti",
		Query:   joinLeft + " | join kind=rightanti (" + joinRight + ") on k",
		Columns: []string{"k:string", "b:long"},
		Rows:    [][]string{{"w", "40"}},
	},
	{
		Name:    "join on $left.a == $right.b",
		Query:   `datatable(id:long, name:string)[1,"one", 2,"two", 3,"three"] | join kind=inner (datatable(n:long, v:string)[2,"b", 3,"c", 4,"d"]) on $left.id == $right.n`,
		Columns: []string{"id:long", "name:string", "n:long", "v:string"},
		Rows:    [][]string{{"2", "two", "2", "b"}, {"3", "three", "3", "c"}},
	},
	{
		Name:  "join on a name and a $left/$right pair",
		Query: `datatable(k:string, a:long)["x",1, "x",2] | join kind=inner (datatable(k:string, b:long)["x",2, "y",2]) on k, $left.a == $right.b`,
		Rows:  [][]string{{"x", "2", "x", "2"}},
	},
	{
		Name:  "join matches missing strings as empty strings",
		Query: "ACSCallSummary | where CallType == 'P2P' | project EndpointId, ParticipantId | join kind=inner (ACSCallDiagnostics | where CorrelationId == 'c-b' | project ParticipantId, StreamId) on ParticipantId | count",
		Rows:  [][]string{{"4"}},
	},
	{
		Name:  "join of the fixture's tables",
		Query: "ACSCallSurvey | join kind=inner (ACSCallSummary | where isnotempty(ParticipantId) | distinct CorrelationId, ParticipantId, EndpointType) on $left.CallId == $right.CorrelationId, ParticipantId | project SurveyId, EndpointType",
		Rows:  [][]string{{"s1", "VoIP"}, {"s2", "VoIP"}, {"s3", "VoIP"}},
	},

	// ---- lookup ----
	{
		Name:    "lookup is a left outer join that keeps one key column",
		Query:   joinLeft + " | lookup (" + lookupRight + ") on k",
		Columns: []string{"k:string", "a:long", "b:long"},
		Rows:    [][]string{{"x", "1", "10"}, {"x", "2", "10"}, {"y", "3", "30"}, {"z", "4", "null"}},
	},
	{
		Name:    "lookup kind=inner",
		Query:   joinLeft + " | lookup kind=inner (" + lookupRight + ") on k",
		Columns: []string{"k:string", "a:long", "b:long"},
		Rows:    [][]string{{"x", "1", "10"}, {"x", "2", "10"}, {"y", "3", "30"}},
	},

	// ---- union ----
	{
		Name:  "union as a source",
		Query: "union ACSCallSurvey, ACSCallClientMediaStatsTimeSeries | count",
		Rows:  [][]string{{"7"}},
	},
	{
		Name:    "union withsource names each row's table",
		Query:   "union withsource=T ACSCallSurvey, ACSCallClientMediaStatsTimeSeries | summarize n = count() by T",
		Columns: []string{"T:string", "n:long"},
		Rows:    [][]string{{"ACSCallClientMediaStatsTimeSeries", "4"}, {"ACSCallSurvey", "3"}},
	},
	{
		Name:  "union of tables named with a wildcard",
		Query: "union withsource=T ACSCallSumm* | summarize n = count() by T",
		Rows:  [][]string{{"ACSCallSummary", "8"}},
	},
	{
		Name:  "union as an operator",
		Query: "ACSCallSurvey | project CallId | union (ACSCallClientOperations | project CallId) | summarize n = count() by CallId",
		Rows:  [][]string{{"c-a", "7"}, {"c-b", "1"}, {"c-c", "1"}},
	},
	{
		// Columns computed with in, over a list and over a table, in each
		// input of a union.
		Name: "union of inputs whose columns test membership",
		Query: `union (ACSCallSummary | project CorrelationId, ok = ResultCategory in ('Success'), surveyed = ParticipantId in ((ACSCallSurvey | project ParticipantId))),
    (ACSCallSurvey | project CorrelationId = CallId, ok = CallId in ('c-a'), surveyed = ParticipantId !in ((ACSCallSummary | project ParticipantId)))
| summarize ok = countif(ok), surveyed = countif(surveyed) by CorrelationId`,
		Rows: [][]string{{"c-a", "4", "2"}, {"c-b", "2", "0"}, {"c-c", "3", "2"}},
	},
	{
		Name:    "union kind=outer keeps every column",
		Query:   `union (datatable(a:long, b:string)[1,"x"]), (datatable(a:long, c:string)[2,"y"])`,
		Columns: []string{"a:long", "b:string", "c:string"},
		Rows:    [][]string{{"1", "x", ""}, {"2", "", "y"}},
	},
	{
		Name:    "union kind=inner keeps the common columns",
		Query:   `union kind=inner (datatable(a:long, b:string)[1,"x"]), (datatable(a:long, c:string)[2,"y"])`,
		Columns: []string{"a:long"},
		Rows:    [][]string{{"1"}, {"2"}},
	},
	{
		Name:    "union of one name with two types makes name_type columns",
		Query:   `union (datatable(v:long)[1]), (datatable(v:string)["s"])`,
		Columns: []string{"v_long:long", "v_string:string"},
		Rows:    [][]string{{"1", ""}, {"null", "s"}},
	},

	// ---- mv-expand ----
	{
		Name:    "mv-expand an array",
		Query:   "print a = dynamic([1, 2, 3]) | mv-expand a",
		Columns: []string{"a:dynamic"},
		Rows:    [][]string{{"1"}, {"2"}, {"3"}},
	},
	{
		Name:    "mv-expand to typeof(long)",
		Query:   "print a = dynamic([1, 2, 3]) | mv-expand a to typeof(long) | summarize s = sum(a)",
		Columns: []string{"s:long"},
		Rows:    [][]string{{"6"}},
	},
	{
		Name:  "mv-expand a bag gives one-property bags",
		Query: `print b = dynamic({"x": 1, "y": "z"}) | mv-expand b`,
		Rows:  [][]string{{`{"x":1}`}, {`{"y":"z"}`}},
	},
	{
		Name:  "mv-expand: null gives one row, an empty array none",
		Query: "datatable(id:long, d:dynamic)[1, dynamic(null), 2, dynamic([]), 3, dynamic([7, 8])] | mv-expand d | project id, d",
		Rows:  [][]string{{"1", "null"}, {"3", "7"}, {"3", "8"}},
	},
	{
		Name:    "mv-expand with_itemindex",
		Query:   `print a = dynamic(["x", "y"]) | mv-expand with_itemindex=i a to typeof(string)`,
		Columns: []string{"a:string", "i:long"},
		Rows:    [][]string{{"x", "0"}, {"y", "1"}},
	},
	{
		Name:  "mv-expand limit",
		Query: "print a = dynamic([1, 2, 3, 4]) | mv-expand a limit 2",
		Rows:  [][]string{{"1"}, {"2"}},
	},
	{
		Name:  "mv-expand two columns side by side",
		Query: `print a = dynamic([1, 2, 3]), b = dynamic(["x", "y"]) | mv-expand a, b`,
		Rows:  [][]string{{"1", `"x"`}, {"2", `"y"`}, {"3", "null"}},
	},
	{
		Name:    "mv-expand a named expression",
		Query:   `print s = "a,b" | mv-expand part = split(s, ",") to typeof(string) | project part`,
		Columns: []string{"part:string"},
		Rows:    [][]string{{"a"}, {"b"}},
	},

	// ---- make-series ----
	{
		Name: "make-series with a default, from, to and step",
		Query: `ACSCallClientMediaStatsTimeSeries
| where MetricName == 'JitterInMs'
| make-series avgJ = avg(Average) default = -1 on CallClientTimeStamp from datetime(2024-05-01T10:00:00Z) to datetime(2024-05-01T10:00:40Z) step 10s`,
		Columns: []string{"avgJ:dynamic", "CallClientTimeStamp:dynamic"},
		Rows: [][]string{{"[-1,10,20,30]",
			`["2024-05-01T10:00:00Z","2024-05-01T10:00:10Z","2024-05-01T10:00:20Z","2024-05-01T10:00:30Z"]`}},
	},
	{
		Name: "make-series by a key fills empty bins with 0",
		Query: `ACSCallClientMediaStatsTimeSeries
| make-series n = count() on CallClientTimeStamp from datetime(2024-05-01T10:00:00Z) to datetime(2024-05-01T10:00:30Z) step 10s by MetricName
| project MetricName, n`,
		Columns: []string{"MetricName:string", "n:dynamic"},
		Rows:    [][]string{{"Bitrate", "[0,0,1]"}, {"JitterInMs", "[0,1,1]"}},
	},

	// ---- datatable, print, range ----
	{
		Name:    "datatable of every type",
		Query:   `datatable(a:long, b:string, c:real, d:bool, e:datetime, f:timespan, g:dynamic, h:int)[1, "x", 1.5, true, datetime(2024-01-02), 1h, dynamic({"k": [1]}), 7]`,
		Columns: []string{"a:long", "b:string", "c:real", "d:bool", "e:datetime", "f:timespan", "g:dynamic", "h:int"},
		Rows:    [][]string{{"1", "x", "1.5", "true", "2024-01-02T00:00:00Z", "01:00:00", `{"k":[1]}`, "7"}},
	},
	{
		Name:    "datatable keeps its rows in order once serialized",
		Query:   `datatable(a:long)[3, 1, 2] | serialize n = row_number()`,
		Rows:    [][]string{{"3", "1"}, {"1", "2"}, {"2", "3"}},
		Ordered: true,
	},
	{
		Name:    "print names unnamed columns print_0, print_1",
		Query:   "print 1, 'a'",
		Columns: []string{"print_0:long", "print_1:string"},
		Rows:    [][]string{{"1", "a"}},
	},
	{
		Name:    "print with names",
		Query:   "print x = 1 + 2, y = strcat('a', 'b')",
		Columns: []string{"x:long", "y:string"},
		Rows:    [][]string{{"3", "ab"}},
	},
	{
		Name:    "range of numbers includes its end",
		Query:   "range x from 1 to 5 step 2",
		Columns: []string{"x:long"},
		Rows:    [][]string{{"1"}, {"3"}, {"5"}},
		Ordered: true,
	},
	{
		Name:    "range downwards",
		Query:   "range x from 3 to 1 step -1",
		Rows:    [][]string{{"3"}, {"2"}, {"1"}},
		Ordered: true,
	},
	{
		Name:    "range of datetimes",
		Query:   "range t from datetime(2024-05-01) to datetime(2024-05-01T02:00:00Z) step 1h",
		Columns: []string{"t:datetime"},
		Rows:    [][]string{{"2024-05-01T00:00:00Z"}, {"2024-05-01T01:00:00Z"}, {"2024-05-01T02:00:00Z"}},
		Ordered: true,
	},

	// ---- parse ----
	{
		Name:    "parse with typed columns",
		Query:   `print s = "call c-a lasted 600 s" | parse s with "call " id " lasted " secs:long " s" | project id, secs`,
		Columns: []string{"id:string", "secs:long"},
		Rows:    [][]string{{"c-a", "600"}},
	},
	{
		Name:  "parse with wildcards",
		Query: `print s = "user=alice; role=admin; x" | parse s with * "role=" role ";" * | project role`,
		Rows:  [][]string{{"admin"}},
	},
	{
		Name:  "parse of a column",
		Query: `ACSCallSummary | where EndpointId == 'e1' | parse OsVersion with os " " version | project os, version`,
		Rows:  [][]string{{"Windows", "10.0.19045"}},
	},
	{
		Name:    "parse that does not match gives empty and null",
		Query:   `print s = "nothing here" | parse s with "a=" a:long ";" b | project a, b`,
		Columns: []string{"a:long", "b:string"},
		Rows:    [][]string{{"null", ""}},
	},

	// ---- serialize and window functions ----
	{
		Name:    "serialize with prev, next, row_number, row_rank_dense and row_cumsum",
		Query:   windowRows + " | serialize | extend rn = row_number(), p = prev(v), n = next(v), r = row_rank_dense(k), cs = row_cumsum(v) | project k, rn, p, n, r, cs",
		Columns: []string{"k:string", "rn:long", "p:long", "n:long", "r:long", "cs:long"},
		Rows: [][]string{
			{"a", "1", "null", "2", "1", "1"},
			{"a", "2", "1", "5", "1", "3"},
			{"b", "3", "2", "5", "2", "8"},
			{"b", "4", "5", "1", "2", "13"},
			{"c", "5", "5", "null", "3", "14"},
		},
		Ordered: true,
	},
	{
		Name:    "prev and next with an offset and a default",
		Query:   windowRows + " | serialize | extend p = prev(v, 2, -1), n = next(v, 1, 0) | project p, n",
		Rows:    [][]string{{"-1", "2"}, {"-1", "5"}, {"1", "5"}, {"2", "1"}, {"5", "0"}},
		Ordered: true,
	},
	{
		Name:    "row_number from a start",
		Query:   windowRows + " | serialize n = row_number(10) | project n",
		Rows:    [][]string{{"10"}, {"11"}, {"12"}, {"13"}, {"14"}},
		Ordered: true,
	},
	{
		Name:    "row_rank_min after sort",
		Query:   windowRows + " | sort by v asc | extend r = row_rank_min(v) | project v, r",
		Rows:    [][]string{{"1", "1"}, {"1", "1"}, {"2", "3"}, {"5", "4"}, {"5", "4"}},
		Ordered: true,
	},
	{
		Name:    "row_number after sort on a table",
		Query:   "ACSCallSurvey | sort by OverallRatingScore desc | extend r = row_number() | project SurveyId, r",
		Rows:    [][]string{{"s3", "1"}, {"s1", "2"}, {"s2", "3"}},
		Ordered: true,
	},
	{
		Name:    "row_cumsum of an int is a long",
		Query:   "ACSCallSurvey | sort by TimeGenerated asc | extend total = row_cumsum(OverallRatingScore) | project SurveyId, total",
		Columns: []string{"SurveyId:string", "total:long"},
		Rows:    [][]string{{"s2", "2"}, {"s1", "7"}, {"s3", "15"}},
		Ordered: true,
	},

	// ---- getschema, render ----
	{
		Name:    "getschema",
		Query:   `datatable(a:long, b:string, c:dynamic)[1, "x", dynamic(null)] | getschema`,
		Columns: []string{"ColumnName:string", "ColumnOrdinal:int", "DataType:string", "ColumnType:string"},
		Rows:    [][]string{{"a", "0", "System.Int64", "long"}, {"b", "1", "System.String", "string"}, {"c", "2", "System.Object", "dynamic"}},
	},
	{
		Name:  "getschema of a summarize",
		Query: "ACSCallSurvey | summarize n = count(), a = avg(OverallRatingScore) by CallId | getschema | project ColumnName, ColumnType",
		Rows:  [][]string{{"CallId", "string"}, {"n", "long"}, {"a", "real"}},
	},
	{
		Name:   "render without properties",
		Query:  "ACSCallSummary | summarize n = count() by bin(TimeGenerated, 1h) | render timechart",
		Rows:   [][]string{{"2024-05-01T10:00:00Z", "3"}, {"2024-05-01T11:00:00Z", "2"}, {"2024-05-01T12:00:00Z", "3"}},
		Render: "timechart",
	},
	{
		Name:   "render with properties",
		Query:  `ACSCallSummary | summarize n = count() by CallType | render columnchart with (kind=stacked, ytitle="Participants", xcolumn=CallType)`,
		Rows:   [][]string{{"Group", "6"}, {"P2P", "2"}},
		Render: "columnchart kind=stacked xcolumn=CallType ytitle=Participants",
	},

	// ---- let, materialize, toscalar, declare ----
	{
		Name:  "let binds a scalar",
		Query: "let threshold = 30; ACSCallDiagnostics | where JitterAvg > threshold | project StreamId",
		Rows:  [][]string{{"2"}},
	},
	{
		Name:  "let binds a table",
		Query: "let calls = ACSCallSummary | distinct CorrelationId; calls | count",
		Rows:  [][]string{{"3"}},
	},
	{
		Name:    "let functions with typed parameters, defaults and named arguments",
		Query:   "let f = (x:long, y:long = 10) { x * y }; print a = f(2), b = f(2, 3), c = f(y = 4, x = 5)",
		Columns: []string{"a:long", "b:long", "c:long"},
		Rows:    [][]string{{"20", "6", "20"}},
	},
	{
		Name:  "let a function that returns a table",
		Query: "let longCalls = (minSeconds:long) { ACSCallSummary | where CallDuration >= minSeconds | distinct CorrelationId }; longCalls(600)",
		Rows:  [][]string{{"c-a"}, {"c-c"}},
	},
	{
		Name:  "let a function with a string parameter",
		Query: "let byType = (t:string) { ACSCallSummary | where EndpointType == t | count }; byType('VoIP')",
		Rows:  [][]string{{"6"}},
	},
	{
		Name:  "materialize used twice",
		Query: "let d = materialize(ACSCallDiagnostics | where MediaType == 'Audio'); d | join kind=inner (d | summarize m = max(JitterAvg)) on $left.JitterAvg == $right.m | project StreamId",
		Rows:  [][]string{{"3"}},
	},
	{
		Name:  "toscalar in a condition",
		Query: "let maxDur = toscalar(ACSCallSummary | summarize max(CallDuration)); ACSCallSummary | where CallDuration == maxDur | distinct CorrelationId",
		Rows:  [][]string{{"c-c"}},
	},
	{
		Name: "a let-bound sorted table used twice reads one CTE",
		Query: `let best = ACSCallSurvey | top 2 by OverallRatingScore desc;
ACSCallSurvey | where SurveyId in (best | project SurveyId)
| join kind=inner (best | project SurveyId, s = OverallRatingScore) on SurveyId
| project SurveyId, s`,
		Rows: [][]string{{"s1", "5"}, {"s3", "8"}},
	},
	{
		Name:   "a query parameter overrides the default",
		Query:  "declare query_parameters(minScore:long = 4); ACSCallSurvey | where OverallRatingScore >= minScore | project SurveyId",
		Params: map[string]string{"minScore": "6"},
		Rows:   [][]string{{"s3"}},
	},
	{
		Name:   "a dynamic query parameter is JSON and in expands its array",
		Query:  "declare query_parameters(ids:dynamic = dynamic([])); ACSCallSurvey | where SurveyId in (ids) | project SurveyId, n = array_length(ids)",
		Params: map[string]string{"ids": `["s1", "s3", "zz"]`},
		Rows:   [][]string{{"s1", "3"}, {"s3", "3"}},
	},
	{
		Name:   "a dynamic query parameter that is not JSON is an error at the parameter",
		Query:  "declare query_parameters(ids:dynamic = dynamic([])); print ids",
		Params: map[string]string{"ids": "[s1"},
		Error:  "the value of parameter ids is not JSON",
		Line:   1, Column: 26,
	},
	{
		Name:  "declare query_parameters uses the default",
		Query: "declare query_parameters(minScore:long = 4); ACSCallSurvey | where OverallRatingScore >= minScore | project SurveyId",
		Rows:  [][]string{{"s1"}, {"s3"}},
	},

	// ---- literals and comments ----
	{
		Name:  "comments are ignored",
		Query: "ACSCallSurvey // every survey\n| where SurveyId == 's2' // the second\n// a comment line\n| project SurveyId",
		Rows:  [][]string{{"s2"}},
	},
	{
		Name:    "verbatim and escaped strings",
		Query:   `print a = @'C:\temp\x', b = 'a\tb', c = "it's", d = @"say ""hi"""`,
		Columns: []string{"a:string", "b:string", "c:string", "d:string"},
		Rows:    [][]string{{`C:\temp\x`, "a\tb", "it's", `say "hi"`}},
	},
	{
		Name:    "datetime literals",
		Query:   "print a = datetime(2024-05-01 10:30), b = datetime(2024-05-01T10:30:15.5Z), c = datetime(2024-05-01)",
		Columns: []string{"a:datetime", "b:datetime", "c:datetime"},
		Rows:    [][]string{{"2024-05-01T10:30:00Z", "2024-05-01T10:30:15.5Z", "2024-05-01T00:00:00Z"}},
	},
	{
		Name:    "timespan literals",
		Query:   "print a = 1d, b = 90m, c = 1.5h, d = 100ms, e = time(1.02:03:04), f = 2s + 500ms, g = timespan(00:00:30)",
		Columns: []string{"a:timespan", "b:timespan", "c:timespan", "d:timespan", "e:timespan", "f:timespan", "g:timespan"},
		Rows:    [][]string{{"1.00:00:00", "01:30:00", "01:30:00", "00:00:00.1000000", "1.02:03:04", "00:00:02.5000000", "00:00:30"}},
	},
	{
		Name:    "dynamic literals and their members",
		Query:   `print d = dynamic({"a": [1, 2, {"b": null}], "c": "x"}) | extend first = d.a[0], c = tostring(d["c"]), missing = d.nope`,
		Columns: []string{"d:dynamic", "first:dynamic", "c:string", "missing:dynamic"},
		Rows:    [][]string{{`{"a":[1,2,{"b":null}],"c":"x"}`, "1", "x", "null"}},
	},
	{
		Name:  "star contains looks in every column",
		Query: "ACSCallSummary | where * contains 'macos' | project EndpointId",
		Rows:  [][]string{{"e4"}},
	},
	{
		Name:  "star has looks for a term in every column",
		Query: "ACSCallSummary | where * has 'Pixel' | project EndpointId",
		Rows:  [][]string{{"e2"}},
	},

	// ---- as, set, evaluate ----
	{
		Name:  "as names the input and passes it on",
		Query: "ACSCallSurvey | as S | count",
		Rows:  [][]string{{"3"}},
	},
	{
		Name:  "set statements are accepted and ignored",
		Query: "set truncationmaxrecords = 10; ACSCallSurvey | count",
		Rows:  [][]string{{"3"}},
	},
	{
		Name:   "evaluate plugins are not supported",
		Query:  "ACSCallSurvey | evaluate bag_unpack(x)",
		Error:  "evaluate bag_unpack is not supported",
		Line:   1,
		Column: 26,
	},
	{
		Name:   "lookup takes only leftouter and inner",
		Query:  joinLeft + " | lookup kind=fullouter (" + lookupRight + ") on k",
		Error:  "lookup kind must be leftouter or inner",
		Line:   1,
		Column: 71,
	},

	// ---- more sources and series ----
	{
		Name:    "make-series over a number axis",
		Query:   "range x from 1 to 10 step 1 | make-series s = sum(x) on x from 0 to 10 step 5",
		Columns: []string{"s:dynamic", "x:dynamic"},
		Rows:    [][]string{{"[10,35]", "[0,5]"}},
	},
	{
		Name:    "range of timespans",
		Query:   "range t from 0s to 2h step 1h",
		Columns: []string{"t:timespan"},
		Rows:    [][]string{{"00:00:00"}, {"01:00:00"}, {"02:00:00"}},
		Ordered: true,
	},
	{
		Name:  "take a computed constant",
		Query: "ACSCallSurvey | take 1 + 1 | count",
		Rows:  [][]string{{"2"}},
	},

	// ---- errors, with their place ----
	{
		Name:   "an unknown table",
		Query:  "NoSuchTable | count",
		Error:  "failed to resolve table or column expression named 'NoSuchTable'",
		Line:   1,
		Column: 1,
	},
	{
		Name:   "a table name in the wrong case",
		Query:  "acscallsummary | count",
		Error:  "table names are case-sensitive; did you mean 'ACSCallSummary'?",
		Line:   1,
		Column: 1,
	},
	{
		Name:   "an unknown column",
		Query:  "ACSCallSummary\n| where Nope == 1",
		Error:  "failed to resolve scalar expression named 'Nope'",
		Line:   2,
		Column: 9,
	},
	{
		Name:   "a column name in the wrong case",
		Query:  "ACSCallSummary | project calltype",
		Error:  "did you mean 'CallType'?",
		Line:   1,
		Column: 26,
	},
	{
		Name:   "an unknown function",
		Query:  "ACSCallSummary | extend x = nosuchfn(1)",
		Error:  "unknown function 'nosuchfn'",
		Line:   1,
		Column: 29,
	},
	{
		Name:   "a function name in the wrong case",
		Query:  "print toUpper('a')",
		Error:  "did you mean 'toupper'?",
		Line:   1,
		Column: 7,
	},
	{
		Name:   "a function with the wrong number of arguments",
		Query:  "print strlen('a', 'b')",
		Error:  "strlen takes one argument",
		Line:   1,
		Column: 7,
	},
	{
		Name:   "an aggregation outside summarize",
		Query:  "ACSCallSummary | extend n = count()",
		Error:  "count() is an aggregation",
		Line:   1,
		Column: 29,
	},
	{
		Name:   "a window function on rows without order",
		Query:  "ACSCallSummary | extend r = row_number()",
		Error:  "row_number() needs rows in order",
		Line:   1,
		Column: 29,
	},
	{
		Name:   "a pipe with nothing after where",
		Query:  "ACSCallSummary | where",
		Error:  "expected an expression, found end of query",
		Line:   1,
		Column: 23,
	},
	{
		Name:   "a missing pipe",
		Query:  "ACSCallSummary where x == 1",
		Error:  "expected ';' or the end of the query, found 'where'",
		Line:   1,
		Column: 16,
	},
	{
		Name:   "an unclosed string",
		Query:  "ACSCallSummary\n| where CallType == 'Group",
		Error:  "string literal is not closed",
		Line:   2,
		Column: 21,
	},
	{
		Name:   "an unclosed parenthesis",
		Query:  "print x = (1 + 2\n, y = 3",
		Error:  "expected ')', found ','",
		Line:   2,
		Column: 1,
	},
	{
		Name:   "project of one name twice",
		Query:  "ACSCallSummary | project a = 1, a = 2",
		Error:  "project names column 'a' twice",
		Line:   1,
		Column: 33,
	},
	{
		Name:   "a scalar query result is an error",
		Query:  "let x = 1;\nx",
		Error:  "the query must end with a tabular expression",
		Line:   2,
		Column: 1,
	},
}
