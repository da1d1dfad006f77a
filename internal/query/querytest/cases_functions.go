package querytest

// strRows are strings for the string operators: two cases of one phrase, a
// hyphenated and a run-together spelling, another phrase, and "".
const strRows = `datatable(id:long, s:string)[1,"Hello World", 2,"hello-world", 3,"HELLOWORLD", 4,"say hello", 5,""]`

// strOp is a case of a string operator over strRows: the ids it keeps.
func strOp(op string, ids ...string) Case {
	rows := make([][]string, len(ids))
	for i, id := range ids {
		rows[i] = []string{id}
	}
	return Case{Name: "string operator " + op, Query: strRows + " | where s " + op + " | project id", Rows: rows}
}

// functionCases cover every scalar function, string operator and
// aggregation. Values come from datatable columns where possible, so that
// the generated SQL computes them rather than the checker folding
// constants. Answers were worked out by hand, most from the examples of
// the function's documentation.
var functionCases = append([]Case{
	// ---- conditionals and nulls ----
	{
		Name:    "iff and iif",
		Query:   "datatable(x:long)[1, 5, long(null)] | extend a = iff(x > 2, 'big', 'small'), b = iif(x > 2, x, -x)",
		Columns: []string{"x:long", "a:string", "b:long"},
		Rows:    [][]string{{"1", "small", "-1"}, {"5", "big", "5"}, {"null", "small", "null"}},
	},
	{
		Name:  "case",
		Query: "datatable(x:long)[1, 5, 20, long(null)] | extend c = case(x < 2, 'a', x < 10, 'b', 'c')",
		Rows:  [][]string{{"1", "a"}, {"5", "b"}, {"20", "c"}, {"null", "c"}},
	},
	{
		Name:    "coalesce skips nulls and empty strings",
		Query:   `datatable(a:long, b:long, s:string, t:string)[long(null), 2, "", "x", 1, 3, "y", "z"] | project n = coalesce(a, b), s2 = coalesce(s, t)`,
		Columns: []string{"n:long", "s2:string"},
		Rows:    [][]string{{"2", "x"}, {"1", "y"}},
	},
	{
		Name:  "isnull, isnotnull and notnull; a string is never null",
		Query: `datatable(x:long, s:string)[long(null), "", 1, "a"] | project x, n = isnull(x), nn = isnotnull(x), nn2 = notnull(x), sn = isnull(s), snn = isnotnull(s)`,
		Rows:  [][]string{{"null", "true", "false", "false", "false", "true"}, {"1", "false", "true", "true", "false", "true"}},
	},
	{
		Name:  "isempty, isnotempty and notempty",
		Query: `datatable(x:long, s:string)[long(null), "", 0, "a"] | project x, e = isempty(x), es = isempty(s), ne = isnotempty(s), ne2 = notempty(x)`,
		Rows:  [][]string{{"null", "true", "true", "false", "false"}, {"0", "false", "false", "true", "true"}},
	},
	{
		Name:  "not",
		Query: "datatable(b:bool)[true, false] | project b, n = not(b)",
		Rows:  [][]string{{"true", "false"}, {"false", "true"}},
	},
	{
		// The example of max_of's documentation: non-null values win.
		Name:  "max_of and min_of over columns with nulls",
		Query: "datatable (A: int, B: int)[1, 6, 8, 1, int(null), 2, 1, int(null), int(null), int(null)] | project A, B, mx = max_of(A, B), mn = min_of(A, B)",
		Rows: [][]string{{"1", "6", "6", "1"}, {"8", "1", "8", "1"}, {"null", "2", "2", "2"}, {"1", "null", "1", "1"},
			{"null", "null", "null", "null"}},
	},
	{
		Name:    "max_of and min_of of constants",
		Query:   "print mx = max_of(10, 1, -3, 17), mn = min_of(10, 1, -3, 17), s = max_of('a', 'b')",
		Columns: []string{"mx:long", "mn:long", "s:string"},
		Rows:    [][]string{{"17", "-3", "b"}},
	},
	{
		// A bound from toscalar over no rows is null and loses to the other
		// value, also inside a filter.
		Name: "max_of and min_of of a null scalar in a filter",
		Query: `let first = toscalar(ACSCallSummary | where CorrelationId == 'none' | summarize min(CallStartTime));
ACSCallClientOperations
| where CallClientTimeStamp >= max_of(first - 1h, datetime(2024-05-01 10:02)) and CallClientTimeStamp <= min_of(first + 1h, datetime(2024-05-01 10:05))
| project OperationId, CallClientTimeStamp`,
		Rows: [][]string{{"ufd1", "2024-05-01T10:03:00Z"}, {"ufd1", "2024-05-01T10:04:30Z"}},
	},
	{
		Name:  "isnan and isfinite",
		Query: "datatable(x:real)[1.5, real(nan), real(+inf)] | project x, a = isnan(x), b = isfinite(x)",
		Rows:  [][]string{{"1.5", "false", "true"}, {"NaN", "true", "false"}, {"+Inf", "false", "false"}},
	},

	// ---- conversions ----
	{
		Name: "tostring of every type",
		Query: `datatable(l:long, r:real, w:real, d:datetime, b:bool, t:timespan, j:dynamic, js:dynamic, s:string)
  [123, 1.5, 2.0, datetime(2024-05-01 10:00), true, 90m, dynamic({"a": 1}), dynamic("str"), "x"]
| project tostring(l), tostring(r), tostring(w), tostring(d), tostring(b), tostring(t), tostring(j), tostring(js), tostring(s)`,
		Columns: []string{"l:string", "r:string", "w:string", "d:string", "b:string", "t:string", "j:string", "js:string", "s:string"},
		Rows:    [][]string{{"123", "1.5", "2", "2024-05-01T10:00:00Z", "true", "01:30:00", `{"a":1}`, "str", "x"}},
	},
	{
		Name:    "toint and tolong truncate",
		Query:   `datatable(s:string, r:real)["42", 2.9, "abc", -2.9] | project i = toint(s), l = tolong(s), ir = toint(r), lr = tolong(r)`,
		Columns: []string{"i:int", "l:long", "ir:int", "lr:long"},
		Rows:    [][]string{{"42", "42", "2", "2"}, {"null", "null", "-2", "-2"}},
	},
	{
		Name:    "tolong of a constant beyond an int",
		Query:   `print a = tolong("9000000000"), b = toint("123") == 123, c = toint(2.3)`,
		Columns: []string{"a:long", "b:bool", "c:int"},
		Rows:    [][]string{{"9000000000", "true", "2"}},
	},
	{
		Name:    "toreal, todouble and todecimal",
		Query:   `datatable(s:string, n:long)["1.5", 3, "x", 4] | project a = toreal(s), b = todouble(n), c = todecimal(s)`,
		Columns: []string{"a:real", "b:real", "c:decimal"},
		Rows:    [][]string{{"1.5", "3", "1.5"}, {"null", "4", "null"}},
	},
	{
		Name:    "tobool and toboolean",
		Query:   `datatable(s:string, n:long)["true", 1, "false", 0, "x", 123] | project a = tobool(s), b = toboolean(n)`,
		Columns: []string{"a:bool", "b:bool"},
		Rows:    [][]string{{"true", "true"}, {"false", "false"}, {"null", "true"}},
	},
	{
		Name:    "todatetime",
		Query:   `datatable(s:string)["2024-05-01 10:00:00", "2024-05-01T10:00:00.5Z", "bad"] | project d = todatetime(s)`,
		Columns: []string{"d:datetime"},
		Rows:    [][]string{{"2024-05-01T10:00:00Z"}, {"2024-05-01T10:00:00.5Z"}, {"null"}},
	},
	{
		Name:    "totimespan",
		Query:   `datatable(s:string)["01:30:00", "1.02:03:04", "00:00:01.5", "bad"] | project t = totimespan(s)`,
		Columns: []string{"t:timespan"},
		Rows:    [][]string{{"01:30:00"}, {"1.02:03:04"}, {"00:00:01.5000000"}, {"null"}},
	},
	{
		Name:    "toguid",
		Query:   `datatable(s:string)["74BE27DE-1E4E-49D9-B579-FE0B331D3642", "x"] | project g = toguid(s)`,
		Columns: []string{"g:guid"},
		Rows:    [][]string{{"74be27de-1e4e-49d9-b579-fe0b331d3642"}, {""}},
	},
	{
		Name:    "parse_json, todynamic and toobject",
		Query:   `datatable(s:string)['{"a":1,"b":[2,3]}'] | project a = parse_json(s).a, b = todynamic(s).b[1], c = toobject(s)`,
		Columns: []string{"a:dynamic", "b:dynamic", "c:dynamic"},
		Rows:    [][]string{{"1", "3", `{"a":1,"b":[2,3]}`}},
	},
	{
		Name:  "parse_json of text that is not JSON holds the text",
		Query: `datatable(s:string)["abc"] | project t = gettype(parse_json(s)), v = tostring(parse_json(s))`,
		Rows:  [][]string{{"string", "abc"}},
	},
	{
		// The examples of gettype's documentation, over a dynamic column.
		Name:  "gettype of dynamic values",
		Query: `datatable(i:long, d:dynamic)[1, dynamic(1), 2, dynamic("abc"), 3, dynamic([1, 2, 3]), 4, dynamic({"abc": 1}), 5, dynamic(1.5), 6, dynamic(true), 7, dynamic(null)] | project i, t = gettype(d)`,
		Rows:  [][]string{{"1", "int"}, {"2", "string"}, {"3", "array"}, {"4", "dictionary"}, {"5", "real"}, {"6", "bool"}, {"7", "null"}},
	},
	{
		Name:  "gettype of typed values",
		Query: "print a = gettype('a'), b = gettype(111), c = gettype(1 == 1), d = gettype(now()), e = gettype(1s), f = gettype(123.45), g = gettype(int(1)), h = gettype(parse_json(''))",
		Rows:  [][]string{{"string", "long", "bool", "datetime", "timespan", "real", "int", "null"}},
	},

	// ---- strings ----
	{
		Name:  "strcat",
		Query: `datatable(a:string, n:long, e:string)["x", 1, ""] | project s = strcat(a, "-", n, e, "-", a)`,
		Rows:  [][]string{{"x-1-x"}},
	},
	{
		Name:  "strcat_delim",
		Query: `datatable(a:string, b:string)["x", "y"] | project s = strcat_delim("::", a, b, 1)`,
		Rows:  [][]string{{"x::y::1"}},
	},
	{
		Name:    "strlen, tolower, toupper and reverse",
		Query:   `datatable(s:string)["Héllo"] | project n = strlen(s), l = tolower(s), u = toupper(s), r = reverse(s)`,
		Columns: []string{"n:long", "l:string", "u:string", "r:string"},
		Rows:    [][]string{{"5", "héllo", "HÉLLO", "olléH"}},
	},
	{
		Name:  "hash_sha256 and hash_md5",
		Query: `datatable(s:string)["abc"] | project a = hash_sha256(s), b = hash_md5(s)`,
		Rows:  [][]string{{"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "900150983cd24fb0d6963f7d28e17f72"}},
	},
	{
		// The examples of substring's documentation, and a start past the end.
		Name:  "substring",
		Query: `datatable(s:string, t:string)["123456", "ABCD"] | project a = substring(s, 1), b = substring(s, 2, 2), c = substring(t, 0, 2), d = substring(s, -2, 2), e = substring(s, 10)`,
		Rows:  [][]string{{"23456", "34", "AB", "56", ""}},
	},
	{
		// substring of a column rather than of a constant: with constant
		// bounds, bounds counted from the end, and bounds read from other
		// columns, in characters (é is one).
		Name: "substring of a column with constant and computed bounds",
		Query: `ACSCallSummary | where CorrelationId == 'c-a'
| project ParticipantId, a = substring(OsVersion, 0, 3), b = substring(OsVersion, 8), c = substring(OsVersion, -4, 2),
    d = substring(OsVersion, strlen(ParticipantId), CallDuration / 300), e = substring(OsVersion, strlen(ParticipantId) * 4),
    f = substring(strcat('éé', ParticipantId), strlen(ParticipantId) - 1, 2)`,
		Rows: [][]string{
			{"p1", "Win", "10.0.19045", "90", "nd", "10.0.19045", "ép"},
			{"p2", "And", "14; Pixel 7", "el", "dr", "14; Pixel 7", "ép"},
			{"p3", "Red", "", "ct", "da", "", "ép"},
		},
	},
	{
		Name:    "indexof",
		Query:   `datatable(s:string)["abcdefg"] | project a = indexof(s, "cde"), b = indexof(s, "z")`,
		Columns: []string{"a:long", "b:long"},
		Rows:    [][]string{{"2", "-1"}},
	},
	{
		// The examples of split's documentation.
		Name:  "split",
		Query: `datatable(i:long, s:string, d:string)[1, "aa_bb", "_", 2, "", "_", 3, "a__b", "_", 4, "aabbcc", "bb"] | project i, a = split(s, d)`,
		Rows:  [][]string{{"1", `["aa","bb"]`}, {"2", `[""]`}, {"3", `["a","","b"]`}, {"4", `["aa","cc"]`}},
	},
	{
		Name:  "split with an index",
		Query: `datatable(s:string)["aaa_bbb_ccc"] | project a = split(s, "_", 1), b = split(s, "_", 5)`,
		Rows:  [][]string{{`["bbb"]`, `[]`}},
	},
	{
		Name:  "replace_regex, replace_string and replace",
		Query: `datatable(s:string, t:string)["a1b22c333", "a.b.c"] | project a = replace_regex(s, @"\d+", "#"), b = replace_regex(s, @"([a-z])(\d)", @"\2\1"), c = replace_string(t, ".", "-"), d = replace(@"\.", "+", t)`,
		Rows:  [][]string{{"a#b#c#", "1a2b23c33", "a-b-c", "a+b+c"}},
	},
	{
		Name:    "extract",
		Query:   `datatable(s:string)["took 250ms", "none"] | project a = extract(@"(\d+)ms", 1, s), b = extract(@"(\d+)ms", 1, s, typeof(long)), c = extract(@"took \w+", 0, s)`,
		Columns: []string{"a:string", "b:long", "c:string"},
		Rows:    [][]string{{"250", "250", "took 250ms"}, {"", "null", ""}},
	},
	{
		Name:  "trim, trim_start and trim_end",
		Query: `datatable(s:string, u:string)["--a-b--", "--https://bing.com--"] | project a = trim("-", s), b = trim_start("-", s), c = trim_end("-", s), d = trim("--", u)`,
		Rows:  [][]string{{"a-b", "a-b--", "--a-b", "https://bing.com"}},
	},
	{
		Name:  "strcat_array",
		Query: `datatable(d:dynamic)[dynamic(["a", "b", 1])] | project s = strcat_array(d, "-")`,
		Rows:  [][]string{{"a-b-1"}},
	},
	{
		// The examples of countof's documentation: matches do not overlap.
		Name:    "countof",
		Query:   `datatable(s:string, p:string)["aaa", "a", "aaaa", "aa", "ababa", "ab", "ababa", "aba", "abc", "z"] | project s, p, n = countof(s, p)`,
		Columns: []string{"s:string", "p:string", "n:long"},
		Rows:    [][]string{{"aaa", "a", "3"}, {"aaaa", "aa", "2"}, {"ababa", "ab", "2"}, {"ababa", "aba", "1"}, {"abc", "z", "0"}},
	},
	{
		Name:  "new_guid makes a new guid each call",
		Query: "print a = new_guid(), b = new_guid() | project n = strlen(tostring(a)), t = gettype(a), same = a == b",
		Rows:  [][]string{{"36", "guid", "false"}},
	},
	{
		Name:  "parse_user_agent",
		Query: `ACSCallClientOperations | where OperationId == 'op1' | project b = parse_user_agent(UserAgent, "browser") | project f = tostring(b.Browser.Family), m = tostring(b.Browser.MajorVersion)`,
		Rows:  [][]string{{"Chrome", "124"}},
	},

	// ---- numbers ----
	{
		// The examples of round's documentation.
		Name:    "round",
		Query:   "datatable(x:real, p:long)[2.98765, 3, 2.15, 1, 2.15, 0, -50.55, -2, 21.5, -1] | project x, p, r = round(x, p)",
		Columns: []string{"x:real", "p:long", "r:real"},
		Rows:    [][]string{{"2.98765", "3", "2.988"}, {"2.15", "1", "2.2"}, {"2.15", "0", "2"}, {"-50.55", "-2", "-100"}, {"21.5", "-1", "20"}},
	},
	{
		Name:  "round with one argument",
		Query: "datatable(x:real)[2.15, 2.6, -2.6] | project x, r = round(x)",
		Rows:  [][]string{{"2.15", "2"}, {"2.6", "3"}, {"-2.6", "-3"}},
	},
	{
		Name:    "floor and ceiling",
		Query:   "datatable(x:real, n:long)[2.7, 7, -2.5, -7] | project f = floor(x), c = ceiling(x), fn = floor(n), f5 = floor(n, 5)",
		Columns: []string{"f:real", "c:real", "fn:long", "f5:long"},
		Rows:    [][]string{{"2", "3", "7", "5"}, {"-3", "-2", "-7", "-10"}},
	},
	{
		Name:    "bin of numbers and timespans",
		Query:   "datatable(n:long, r:real, t:timespan)[7, 7.5, 90m, -7, 4.5, 29m] | project a = bin(n, 5), b = bin(r, 2.0), c = bin(t, 1h), d = bin(r, 1)",
		Columns: []string{"a:long", "b:real", "c:timespan", "d:real"},
		Rows:    [][]string{{"5", "6", "01:00:00", "7"}, {"-10", "4", "00:00:00", "4"}},
	},
	{
		// The examples of bin's documentation.
		Name:    "bin of datetimes and days",
		Query:   "datatable(d:datetime, t:timespan)[datetime(1970-05-11 13:45:07), 16d] | project a = bin(d, 1d), b = bin(t, 7d), c = bin(d, 15m)",
		Columns: []string{"a:datetime", "b:timespan", "c:datetime"},
		Rows:    [][]string{{"1970-05-11T00:00:00Z", "14.00:00:00", "1970-05-11T13:45:00Z"}},
	},
	{
		Name:    "abs",
		Query:   "datatable(a:long, b:real, c:timespan)[-3, -1.5, -1h] | project x = abs(a), y = abs(b), z = abs(c)",
		Columns: []string{"x:long", "y:real", "z:timespan"},
		Rows:    [][]string{{"3", "1.5", "01:00:00"}},
	},
	{
		Name:  "sqrt, pow, exp, log, log10 and log2",
		Query: "datatable(x:real)[16] | project s = sqrt(x), p = pow(x, 0.5), e = exp(x - 16), l = log(x), l10 = log10(x * 62.5), l2 = log2(x), neg = log(-x)",
		Rows:  [][]string{{"4", "4", "1", "2.772588722", "3", "4", "null"}},
	},

	// ---- datetimes ----
	{
		Name:    "now and ago use the query's now",
		Query:   "print n = now(), m = now(-1h), a = ago(1d)",
		Columns: []string{"n:datetime", "m:datetime", "a:datetime"},
		Rows:    [][]string{{"2024-05-02T12:00:00Z", "2024-05-02T11:00:00Z", "2024-05-01T12:00:00Z"}},
	},
	{
		Name:  "startofday, startofweek, startofmonth and startofyear",
		Query: "datatable(d:datetime)[datetime(2024-05-01 10:30:45)] | project a = startofday(d), b = startofweek(d), c = startofmonth(d), e = startofyear(d)",
		Rows:  [][]string{{"2024-05-01T00:00:00Z", "2024-04-28T00:00:00Z", "2024-05-01T00:00:00Z", "2024-01-01T00:00:00Z"}},
	},
	{
		// Kusto ends a period one tick (100 ns) before the next; datetimes
		// are stored to the microsecond, so callscope's end is 1 µs before.
		Name:  "endofday, endofweek, endofmonth and endofyear",
		Query: "datatable(d:datetime)[datetime(2024-05-01 10:30:45)] | project a = endofday(d), b = endofweek(d), c = endofmonth(d), e = endofyear(d)",
		Rows:  [][]string{{"2024-05-01T23:59:59.999999Z", "2024-05-04T23:59:59.999999Z", "2024-05-31T23:59:59.999999Z", "2024-12-31T23:59:59.999999Z"}},
	},
	{
		// The example of datetime_diff's documentation: periods crossed.
		Name: "datetime_diff",
		Query: `print
year = datetime_diff('year', datetime(2017-01-01), datetime(2000-12-31)),
quarter = datetime_diff('quarter', datetime(2017-07-01), datetime(2017-03-30)),
month = datetime_diff('month', datetime(2017-01-01), datetime(2015-12-30)),
week = datetime_diff('week', datetime(2017-10-29 00:00), datetime(2017-09-30 23:59)),
day = datetime_diff('day', datetime(2017-10-29 00:00), datetime(2017-09-30 23:59)),
hour = datetime_diff('hour', datetime(2017-10-31 01:00), datetime(2017-10-30 23:59)),
minute = datetime_diff('minute', datetime(2017-10-30 23:05:01), datetime(2017-10-30 23:00:59)),
second = datetime_diff('second', datetime(2017-10-30 23:00:10.100), datetime(2017-10-30 23:00:00.900)),
millisecond = datetime_diff('millisecond', datetime(2017-10-30 23:00:00.200100), datetime(2017-10-30 23:00:00.100900)),
microsecond = datetime_diff('microsecond', datetime(2017-10-30 23:00:00.1009001), datetime(2017-10-30 23:00:00.1008009))`,
		Rows: [][]string{{"17", "2", "13", "5", "29", "2", "5", "10", "100", "100"}},
	},
	{
		Name:  "datetime_diff of columns, negative when the first is earlier",
		Query: "ACSCallSummary | where EndpointId == 'e2' | project m = datetime_diff('minute', CallStartTime, ParticipantStartTime), s = datetime_diff('second', ParticipantStartTime, CallStartTime)",
		Rows:  [][]string{{"-1", "60"}},
	},
	{
		Name: "datetime_add",
		Query: `datatable(d:datetime)[datetime(2024-01-31)]
| project a = datetime_add('month', 1, d), b = datetime_add('day', -1, d), c = datetime_add('hour', 36, d), e = datetime_add('year', 1, d),
  f = datetime_add('week', 1, d), g = datetime_add('minute', 90, d), h = datetime_add('second', 30, d), i = datetime_add('millisecond', 1500, d),
  q = datetime_add('quarter', 1, d)`,
		Rows: [][]string{{"2024-02-29T00:00:00Z", "2024-01-30T00:00:00Z", "2024-02-01T12:00:00Z", "2025-01-31T00:00:00Z",
			"2024-02-07T00:00:00Z", "2024-01-31T01:30:00Z", "2024-01-31T00:00:30Z", "2024-01-31T00:00:01.5Z", "2024-04-30T00:00:00Z"}},
	},
	{
		Name: "datetime_part and datepart",
		Query: `datatable(d:datetime)[datetime(2024-05-01 10:30:45.123)]
| project y = datetime_part('year', d), q = datetime_part('quarter', d), m = datetime_part('Month', d), w = datetime_part('week_of_year', d),
  dd = datetime_part('day', d), doy = datetime_part('dayofyear', d), h = datepart('hour', d), mi = datetime_part('minute', d),
  s = datetime_part('second', d), ms = datetime_part('millisecond', d)`,
		Rows: [][]string{{"2024", "2", "5", "18", "1", "122", "10", "30", "45", "123"}},
	},
	{
		Name:  "format_datetime",
		Query: "datatable(d:datetime)[datetime(2024-05-01 09:05:03.123)] | project a = format_datetime(d, 'yyyy-MM-dd HH:mm:ss.fff'), b = format_datetime(d, 'dd/MM/yy'), c = format_datetime(d, 'h:mm tt'), e = format_datetime(d, 'M/d/yyyy H:m:s')",
		Rows:  [][]string{{"2024-05-01 09:05:03.123", "01/05/24", "9:05 AM", "5/1/2024 9:5:3"}},
	},
	{
		// The examples of dayofweek's documentation.
		Name:    "dayofweek",
		Query:   "datatable(d:datetime)[datetime(1947-11-30 10:00:05), datetime(1970-05-11), datetime(2024-05-01)] | project d, w = dayofweek(d), i = toint(dayofweek(d) / 1d)",
		Columns: []string{"d:datetime", "w:timespan", "i:int"},
		Rows:    [][]string{{"1947-11-30T10:00:05Z", "00:00:00", "0"}, {"1970-05-11T00:00:00Z", "1.00:00:00", "1"}, {"2024-05-01T00:00:00Z", "3.00:00:00", "3"}},
	},
	{
		Name:  "dayofmonth, dayofyear, hourofday, getmonth, monthofyear and getyear",
		Query: "datatable(d:datetime)[datetime(2024-05-01 10:30:45)] | project a = dayofmonth(d), b = dayofyear(d), c = hourofday(d), e = getmonth(d), f = monthofyear(d), g = getyear(d)",
		Rows:  [][]string{{"1", "122", "10", "5", "5", "2024"}},
	},
	{
		// The examples of week_of_year's documentation (ISO 8601 weeks).
		Name:  "week_of_year",
		Query: "datatable(d:datetime)[datetime(2020-12-31), datetime(2020-06-15), datetime(1970-01-01), datetime(2000-01-01)] | project d, w = week_of_year(d)",
		Rows:  [][]string{{"2020-12-31T00:00:00Z", "53"}, {"2020-06-15T00:00:00Z", "25"}, {"1970-01-01T00:00:00Z", "1"}, {"2000-01-01T00:00:00Z", "52"}},
	},
	{
		Name:    "unixtime_seconds_todatetime and unixtime_milliseconds_todatetime",
		Query:   "datatable(s:long, ms:long)[1714557600, 1714557600500, 1546300800, 0] | project a = unixtime_seconds_todatetime(s), b = unixtime_milliseconds_todatetime(ms)",
		Columns: []string{"a:datetime", "b:datetime"},
		Rows:    [][]string{{"2024-05-01T10:00:00Z", "2024-05-01T10:00:00.5Z"}, {"2019-01-01T00:00:00Z", "1970-01-01T00:00:00Z"}},
	},
	{
		Name:   "format_timespan is not supported",
		Query:  "print format_timespan(1h, 'hh:mm')",
		Error:  "format_timespan is not supported",
		Line:   1,
		Column: 7,
	},

	// ---- dynamic values ----
	{
		Name:    "bag_pack and pack",
		Query:   `datatable(k:string, v:long)["a", 1] | project b = bag_pack(k, v, "s", "x"), p = pack("n", v + 1)`,
		Columns: []string{"b:dynamic", "p:dynamic"},
		Rows:    [][]string{{`{"a":1,"s":"x"}`, `{"n":2}`}},
	},
	{
		Name:  "pack_array",
		Query: `datatable(v:long, s:string)[1, "a"] | project a = pack_array(v, s, true, 1.5)`,
		Rows:  [][]string{{`[1,"a",true,1.5]`}},
	},
	{
		// The example of bag_merge's documentation: the leftmost bag wins.
		Name:  "bag_merge",
		Query: `datatable(a:dynamic, b:dynamic)[dynamic({"A1": 12, "B1": 2, "C1": 3}), dynamic({"A2": 81, "B2": 82, "A1": 1})] | project m = bag_merge(a, b)`,
		Rows:  [][]string{{`{"A1":12,"A2":81,"B1":2,"B2":82,"C1":3}`}},
	},
	{
		Name:  "array_concat and array_length",
		Query: `datatable(a:dynamic, b:dynamic)[dynamic([1, 2]), dynamic([3])] | project c = array_concat(a, b), n = array_length(array_concat(a, b)), e = array_length(dynamic([])), o = array_length(dynamic({"x": 1}))`,
		Rows:  [][]string{{"[1,2,3]", "3", "0", "null"}},
	},
	{
		Name:  "array_sort_asc and array_sort_desc",
		Query: `datatable(d:dynamic, s:dynamic)[dynamic([3, 1, 2]), dynamic([null, "blue", "yellow", "green", null])] | project a = array_sort_asc(d), b = array_sort_desc(d), c = array_sort_asc(s)`,
		Rows:  [][]string{{"[1,2,3]", "[3,2,1]", `["blue","green","yellow",null,null]`}},
	},
	{
		// The example of array_sort_asc's documentation for two arrays.
		Name:  "array_sort_asc of two arrays",
		Query: `let array1 = dynamic([1, 3, 4, 5, 2]); let array2 = dynamic(["a", "b", "c", "d", "e"]); print (array1_sorted, array2_sorted) = array_sort_asc(array1, array2)`,
		Rows:  [][]string{{"[1,2,3,4,5]", `["a","e","b","c","d"]`}},
	},
	{
		Name:  "set_has_element and array_index_of",
		Query: `datatable(d:dynamic, n:dynamic)[dynamic(["a", "b"]), dynamic([1, 2])] | project a = set_has_element(d, "b"), b = set_has_element(d, "z"), c = set_has_element(n, 2), i = array_index_of(d, "b"), j = array_index_of(d, "z")`,
		Rows:  [][]string{{"true", "false", "true", "1", "-1"}},
	},
	{
		Name:  "bag_keys and bag_has_key",
		Query: `datatable(d:dynamic)[dynamic({"a": 1, "b": 2})] | project k = bag_keys(d), h = bag_has_key(d, "a"), n = bag_has_key(d, "z")`,
		Rows:  [][]string{{`["a","b"]`, "true", "false"}},
	},
	{
		// The examples of array_slice's documentation.
		Name:  "array_slice",
		Query: `datatable(a:dynamic, b:dynamic)[dynamic([1, 2, 3]), dynamic([1, 2, 3, 4, 5])] | project x = array_slice(a, 1, 2), y = array_slice(b, 2, -1), z = array_slice(b, -3, -2)`,
		Rows:  [][]string{{"[2,3]", "[3,4,5]", "[3,4]"}},
	},
	{
		Name:  "pack_all",
		Query: `datatable(a:long, b:string)[1, "x"] | project p = pack_all()`,
		Rows:  [][]string{{`{"a":1,"b":"x"}`}},
	},
	{
		Name:    "toscalar of a query",
		Query:   "print n = toscalar(ACSCallSurvey | summarize max(OverallRatingScore))",
		Columns: []string{"n:int"},
		Rows:    [][]string{{"8"}},
	},
	{
		Name:   "materialize is not a value",
		Query:  "print x = materialize(ACSCallSurvey)",
		Error:  "materialize() makes a table",
		Line:   1,
		Column: 11,
	},

	// ---- columns named like the SQL's own lambda parameters ----
	{
		Name:  "mv-expand of a bag column named k",
		Query: `datatable(k:dynamic)[dynamic({"a": 1, "b": 2})] | mv-expand k`,
		Rows:  [][]string{{`{"a":1}`}, {`{"b":2}`}},
	},
	{
		Name:  "make_bag over columns named x and y",
		Query: `datatable(x:string, y:long)["a",1, "b",2] | summarize m = make_bag(bag_pack(x, y))`,
		Rows:  [][]string{{`{"a":1,"b":2}`}},
	},
	{
		Name:  "strcat_array of a column named e",
		Query: `datatable(e:dynamic, s:long)[dynamic(["x", 1]), 5] | project t = strcat_array(e, "-")`,
		Rows:  [][]string{{"x-1"}},
	},
	{
		Name:  "array_sort_asc of columns named j and s",
		Query: `datatable(j:dynamic, s:dynamic)[dynamic([2, 1]), dynamic(["b", "a"])] | project (a, b) = array_sort_asc(j, s)`,
		Rows:  [][]string{{"[1,2]", `["a","b"]`}},
	},

	// ---- aggregations ----
	{
		Name:    "count and countif",
		Query:   "ACSCallDiagnostics | summarize count(), countif(JitterAvg > 10)",
		Columns: []string{"count_:long", "countif_:long"},
		Rows:    [][]string{{"8", "4"}},
	},
	{
		Name:    "dcount, dcountif, count_distinct and count_distinctif",
		Query:   "ACSCallDiagnostics | summarize dcount(MediaType), dcountif(ParticipantId, MediaType == 'Audio'), count_distinct(EndpointId), count_distinctif(EndpointId, StreamDirection == 'Outbound')",
		Columns: []string{"dcount_MediaType:long", "dcountif_ParticipantId:long", "count_distinct_EndpointId:long", "count_distinctif_EndpointId:long"},
		Rows:    [][]string{{"3", "4", "6", "5"}},
	},
	{
		Name:    "sum and sumif",
		Query:   "ACSCallDiagnostics | summarize sum(JitterAvg), sumif(JitterAvg, MediaType == 'Audio'), sum(PacketLossRateMax)",
		Columns: []string{"sum_JitterAvg:long", "sumif_JitterAvg:long", "sum_PacketLossRateMax:real"},
		Rows:    [][]string{{"108", "65", "0.71"}},
	},
	{
		Name:    "avg and avgif",
		Query:   "ACSCallDiagnostics | summarize avg(JitterAvg), avgif(RoundTripTimeAvg, TransportType == 'UDP')",
		Columns: []string{"avg_JitterAvg:real", "avgif_RoundTripTimeAvg:real"},
		Rows:    [][]string{{"15.42857143", "81.66666667"}},
	},
	{
		Name:    "min, minif, max and maxif",
		Query:   "ACSCallDiagnostics | summarize min(JitterAvg), max(JitterAvg), minif(PacketLossRateAvg, MediaType == 'Audio'), maxif(PacketLossRateAvg, MediaType == 'Audio')",
		Columns: []string{"min_JitterAvg:int", "max_JitterAvg:int", "minif_PacketLossRateAvg:real", "maxif_PacketLossRateAvg:real"},
		Rows:    [][]string{{"3", "35", "0", "0.2"}},
	},
	{
		Name:    "min and max of datetimes and strings",
		Query:   "ACSCallSummary | summarize min(CallStartTime), max(CallStartTime), min(EndpointId), max(EndpointId)",
		Columns: []string{"min_CallStartTime:datetime", "max_CallStartTime:datetime", "min_EndpointId:string", "max_EndpointId:string"},
		Rows:    [][]string{{"2024-05-01T10:00:00Z", "2024-05-01T11:30:00Z", "e1", "e7"}},
	},
	{
		Name:    "percentile and percentiles are nearest-rank values",
		Query:   "ACSCallDiagnostics | summarize percentile(JitterAvg, 50), percentiles(JitterAvg, 25, 90, 99.9)",
		Columns: []string{"percentile_JitterAvg_50:int", "percentile_JitterAvg_25:int", "percentile_JitterAvg_90:int", "percentile_JitterAvg_99_9:int"},
		Rows:    [][]string{{"12", "5", "35", "35"}},
	},
	{
		Name:    "percentiles of one value among other aggregations, per group",
		Query:   "ACSCallDiagnostics | summarize j50 = percentile(JitterAvg, 50), n = count(), r95 = percentile(RoundTripTimeAvg, 95), j95 = percentile(JitterAvg, 95) by CorrelationId",
		Columns: []string{"CorrelationId:string", "j50:int", "n:long", "r95:int", "j95:int"},
		Rows:    [][]string{{"c-a", "12", "4", "600", "35"}, {"c-b", "3", "2", "30", "3"}, {"c-c", "8", "2", "150", "20"}},
	},
	{
		Name:    "make_list and make_list_if keep a sorted input's order",
		Query:   "ACSCallDiagnostics | where CorrelationId == 'c-a' | sort by StreamId asc | summarize make_list(StreamId), audio = make_list_if(StreamId, MediaType == 'Audio'), firstTwo = make_list(StreamId, 2)",
		Columns: []string{"list_StreamId:dynamic", "audio:dynamic", "firstTwo:dynamic"},
		Rows:    [][]string{{"[1,2,3,4]", "[1,3,4]", "[1,2]"}},
	},
	{
		Name:    "make_set and make_set_if",
		Query:   "ACSCallDiagnostics | summarize s = array_sort_asc(make_set(MediaType)), a = array_sort_asc(make_set_if(ParticipantId, MediaType == 'Audio'))",
		Columns: []string{"s:dynamic", "a:dynamic"},
		Rows:    [][]string{{`["Audio","VBSS","Video"]`, `["","p1","p2","p6"]`}},
	},
	{
		Name:    "make_set names its column set_X",
		Query:   "ACSCallDiagnostics | where CorrelationId == 'c-c' | summarize make_set(MediaType) | project n = array_length(set_MediaType)",
		Columns: []string{"n:long"},
		Rows:    [][]string{{"2"}},
	},
	{
		Name:    "make_bag and make_bag_if",
		Query:   `datatable(k:string, v:long)["a",1, "b",2] | summarize b = make_bag(bag_pack(k, v)), bi = make_bag_if(bag_pack(k, v), v > 1)`,
		Columns: []string{"b:dynamic", "bi:dynamic"},
		Rows:    [][]string{{`{"a":1,"b":2}`, `{"b":2}`}},
	},
	{
		Name:    "arg_max names its columns after its arguments",
		Query:   "ACSCallSurvey | summarize arg_max(OverallRatingScore, SurveyId)",
		Columns: []string{"OverallRatingScore:int", "SurveyId:string"},
		Rows:    [][]string{{"8", "s3"}},
	},
	{
		Name:    "arg_min with several columns",
		Query:   "ACSCallSurvey | summarize arg_min(OverallRatingScore, SurveyId, ParticipantId)",
		Columns: []string{"OverallRatingScore:int", "SurveyId:string", "ParticipantId:string"},
		Rows:    [][]string{{"2", "s2", "p2"}},
	},
	{
		Name:    "arg_max by a key",
		Query:   "ACSCallSurvey | summarize arg_max(TimeGenerated, SurveyId) by CallId",
		Columns: []string{"CallId:string", "TimeGenerated:datetime", "SurveyId:string"},
		Rows:    [][]string{{"c-a", "2024-05-01T10:12:00Z", "s1"}, {"c-c", "2024-05-01T12:02:00Z", "s3"}},
	},
	{
		Name:    "take_any and any keep the column's name",
		Query:   "ACSCallSurvey | where SurveyId == 's2' | summarize take_any(ParticipantId), any(CallId), take_any(SurveyId, OverallRatingScore)",
		Columns: []string{"ParticipantId:string", "CallId:string", "SurveyId:string", "OverallRatingScore:int"},
		Rows:    [][]string{{"p2", "c-a", "s2", "2"}},
	},
	{
		Name:  "take_anyif",
		Query: "ACSCallSurvey | summarize p = take_anyif(ParticipantId, SurveyId == 's3')",
		Rows:  [][]string{{"p6"}},
	},
	{
		// 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations 32, so the
		// sample variance is 32/7 and the deviation its root.
		Name:    "stdev and variance are of a sample",
		Query:   `datatable(x:real)[2, 4, 4, 4, 5, 5, 7, 9] | summarize stdev(x), variance(x)`,
		Columns: []string{"stdev_x:real", "variance_x:real"},
		Rows:    [][]string{{"2.138089935", "4.571428571"}},
	},
	{
		Name:    "stdevif and varianceif",
		Query:   `datatable(x:real, g:string)[2,"a", 4,"a", 4,"a", 4,"a", 5,"a", 5,"a", 7,"a", 9,"a", 100,"b"] | summarize stdevif(x, g == 'a'), varianceif(x, g == 'a')`,
		Columns: []string{"stdevif_x:real", "varianceif_x:real"},
		Rows:    [][]string{{"2.138089935", "4.571428571"}},
	},
},
	// ---- string operators over strRows ----
	strOp(`== "Hello World"`, "1"),
	strOp(`!= "Hello World"`, "2", "3", "4", "5"),
	strOp(`=~ "hello world"`, "1"),
	strOp(`!~ "hello world"`, "2", "3", "4", "5"),
	strOp(`contains "world"`, "1", "2", "3"),
	strOp(`!contains "world"`, "4", "5"),
	strOp(`contains_cs "World"`, "1"),
	strOp(`!contains_cs "World"`, "2", "3", "4", "5"),
	strOp(`has "world"`, "1", "2"),
	strOp(`!has "world"`, "3", "4", "5"),
	strOp(`has_cs "World"`, "1"),
	strOp(`!has_cs "World"`, "2", "3", "4", "5"),
	strOp(`hasprefix "wor"`, "1", "2"),
	strOp(`!hasprefix "wor"`, "3", "4", "5"),
	strOp(`hasprefix_cs "Wor"`, "1"),
	strOp(`!hasprefix_cs "Wor"`, "2", "3", "4", "5"),
	strOp(`hassuffix "orld"`, "1", "2", "3"),
	strOp(`!hassuffix "orld"`, "4", "5"),
	strOp(`hassuffix_cs "ORLD"`, "3"),
	strOp(`!hassuffix_cs "ORLD"`, "1", "2", "4", "5"),
	strOp(`startswith "hello"`, "1", "2", "3"),
	strOp(`!startswith "hello"`, "4", "5"),
	strOp(`startswith_cs "hello"`, "2"),
	strOp(`!startswith_cs "hello"`, "1", "3", "4", "5"),
	strOp(`endswith "WORLD"`, "1", "2", "3"),
	strOp(`!endswith "WORLD"`, "4", "5"),
	strOp(`endswith_cs "World"`, "1"),
	strOp(`!endswith_cs "World"`, "2", "3", "4", "5"),
	strOp(`matches regex "^[A-Z]+$"`, "3"),
	strOp(`in ("say hello", "x")`, "4"),
	strOp(`!in ("say hello", "")`, "1", "2", "3"),
	strOp(`in~ ("hello world", "helloworld")`, "1", "3"),
	strOp(`!in~ ("hello world", "helloworld")`, "2", "4", "5"),
	strOp(`has_any ("world", "say")`, "1", "2", "4"),
	strOp(`has_all ("hello", "world")`, "1", "2"),
	Case{
		Name:  "between",
		Query: strRows + " | where id between (2 .. 4) | project id",
		Rows:  [][]string{{"2"}, {"3"}, {"4"}},
	},
	Case{
		Name:  "!between",
		Query: strRows + " | where id !between (2 .. 4) | project id",
		Rows:  [][]string{{"1"}, {"5"}},
	},
	Case{
		Name:  "between datetimes with a timespan length",
		Query: "ACSCallSummary | where CallStartTime between (datetime(2024-05-01 10:30) .. 1h) | distinct CorrelationId",
		Rows:  [][]string{{"c-b"}, {"c-c"}},
	},
	Case{
		Name:  "in with numbers",
		Query: "ACSCallDiagnostics | where StreamId in (1, 3, 9) | project StreamId",
		Rows:  [][]string{{"1"}, {"3"}},
	},
	Case{
		Name:  "in with a dynamic array",
		Query: "ACSCallDiagnostics | where StreamId in (dynamic([2, 4])) | project StreamId",
		Rows:  [][]string{{"2"}, {"4"}},
	},
	Case{
		Name:  "in with a sub-query",
		Query: "ACSCallSummary | where CorrelationId in ((ACSCallSurvey | project CallId)) | distinct CorrelationId",
		Rows:  [][]string{{"c-a"}, {"c-c"}},
	},
	Case{
		Name:  "!in with a sub-query",
		Query: "ACSCallSummary | where CorrelationId !in ((ACSCallSurvey | project CallId)) | distinct CorrelationId",
		Rows:  [][]string{{"c-b"}},
	},
	Case{
		Name:  "in with the empty string finds missing strings",
		Query: "ACSCallSummary | where ParticipantId in ('', 'p7') | project EndpointId",
		Rows:  [][]string{{"e4"}, {"e5"}, {"e7"}},
	},
)
