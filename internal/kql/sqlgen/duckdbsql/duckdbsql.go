// Package duckdbsql is the DuckDB dialect of the KQL SQL generator: how
// each KQL operation, aggregation and type is written in DuckDB's SQL.
//
// Representations: strings are VARCHAR (null standing for ""), datetimes
// TIMESTAMP (microseconds; KQL's 100 ns ticks below that are dropped),
// timespans BIGINT ticks, dynamic values JSON, decimals DECIMAL(38,10).
package duckdbsql

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/kql/sqlgen"
	"github.com/callscope/callscope/internal/schema"
)

// Dialect is the DuckDB dialect.
type Dialect struct{}

var _ sqlgen.Dialect = Dialect{}

// ParseUserAgentFunction is the scalar function the store registers on
// its connections for parse_user_agent: (user agent, kinds) → JSON.
const ParseUserAgentFunction = "callscope_parse_user_agent"

// ticksToEpoch is the number of ticks from 0001-01-01 to 1970-01-01.
const ticksToEpoch = 621355968000000000

// microsToEpoch is the same span in microseconds.
const microsToEpoch = ticksToEpoch / 10

func (Dialect) Name() string { return "duckdb" }

// Features: DuckDB reads every shape of statement the generator writes.
func (Dialect) Features() sqlgen.Features {
	return sqlgen.Features{CommonTableExpressions: true, WindowFunctions: true, OrderedAggregates: true}
}

// Table reads a table as it is stored: the store keeps every type in the
// representation the dialect computes with.
func (d Dialect) Table(table string, cols []kql.Column, timeCol int, from, to *time.Time) string {
	sql := "SELECT * FROM " + d.Ident(table)
	var conds []string
	if from != nil {
		conds = append(conds, d.Ident(cols[timeCol].Name)+" >= "+d.Const(&kql.Const{V: *from, T: schema.DateTime}))
	}
	if to != nil {
		conds = append(conds, d.Ident(cols[timeCol].Name)+" <= "+d.Const(&kql.Const{V: *to, T: schema.DateTime}))
	}
	if len(conds) > 0 {
		sql += " WHERE " + strings.Join(conds, " AND ")
	}
	return sql
}

func (Dialect) Ident(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// String quotes a string literal. Standard SQL strings in DuckDB have no
// backslash escapes; a quote is doubled. NUL cannot be stored in VARCHAR
// and is dropped.
func (Dialect) String(s string) string {
	s = strings.ReplaceAll(s, "\x00", "")
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func (Dialect) Type(t kql.Type) string {
	switch t {
	case schema.String, schema.GUID:
		return "VARCHAR"
	case schema.Long, schema.Timespan:
		return "BIGINT"
	case schema.Int:
		return "INTEGER"
	case schema.Real:
		return "DOUBLE"
	case schema.Decimal:
		return "DECIMAL(38,10)"
	case schema.Bool:
		return "BOOLEAN"
	case schema.DateTime:
		return "TIMESTAMP"
	case schema.Dynamic:
		return "JSON"
	}
	return "VARCHAR"
}

func (d Dialect) Const(k *kql.Const) string {
	if k.V == nil {
		return "CAST(NULL AS " + d.Type(k.T) + ")"
	}
	switch v := k.V.(type) {
	case string:
		return d.String(v)
	case int64:
		switch k.T {
		case schema.Int:
			return "CAST(" + strconv.FormatInt(v, 10) + " AS INTEGER)"
		case schema.Real:
			return realLiteral(float64(v))
		case schema.Decimal:
			return "CAST(" + strconv.FormatInt(v, 10) + " AS DECIMAL(38,10))"
		}
		if v > math.MaxInt32 || v < math.MinInt32 {
			return strconv.FormatInt(v, 10)
		}
		return "CAST(" + strconv.FormatInt(v, 10) + " AS BIGINT)"
	case float64:
		if k.T == schema.Decimal {
			return "CAST(" + strconv.FormatFloat(v, 'f', -1, 64) + " AS DECIMAL(38,10))"
		}
		return realLiteral(v)
	case bool:
		if v {
			return "TRUE"
		}
		return "FALSE"
	case time.Time:
		return "TIMESTAMP '" + v.UTC().Format("2006-01-02 15:04:05.999999") + "'"
	case kql.DynamicValue:
		return "CAST(" + d.String(v.JSON) + " AS JSON)"
	}
	return "CAST(NULL AS " + d.Type(k.T) + ")"
}

// realLiteral writes a DOUBLE; a bare 1.5 would be a DECIMAL in DuckDB.
func realLiteral(f float64) string {
	switch {
	case math.IsNaN(f):
		return "CAST('NaN' AS DOUBLE)"
	case math.IsInf(f, 1):
		return "CAST('Infinity' AS DOUBLE)"
	case math.IsInf(f, -1):
		return "CAST('-Infinity' AS DOUBLE)"
	}
	return "CAST(" + strconv.FormatFloat(f, 'g', -1, 64) + " AS DOUBLE)"
}

func (d Dialect) Materialized() string { return "MATERIALIZED" }

// Result returns dynamic values as text: the driver would decode JSON into
// Go maps, losing the order of properties.
func (d Dialect) Result(x string, t kql.Type) string {
	if t == schema.Dynamic {
		return "CAST(" + x + " AS VARCHAR)"
	}
	return x
}

func (d Dialect) FirstPerKey(sql string, keys []string, cols []string) string {
	return "SELECT DISTINCT ON (" + strings.Join(keys, ", ") + ") * FROM (" + sql + ") AS " + d.Ident("u")
}

func (d Dialect) Series(col, from, to, step string, t kql.Type, inclusive bool) string {
	fn := "range"
	if inclusive {
		fn = "generate_series"
	}
	if t == schema.DateTime {
		step = "to_microseconds(CAST((" + step + ") // 10 AS BIGINT))"
	}
	return fn + "(" + from + ", " + to + ", " + step + ") AS " + d.Ident("series") + "(" + d.Ident(col) + ")"
}

func (d Dialect) ExpandElements(x string, limit int64) string {
	list := "CASE WHEN " + x + " IS NULL OR json_type(" + x + ") = 'NULL' THEN [CAST(NULL AS JSON)]" +
		" WHEN json_type(" + x + ") = 'ARRAY' THEN CAST(" + x + " AS JSON[])" +
		" WHEN json_type(" + x + ") = 'OBJECT' THEN list_transform(json_keys(" + x + "), lambda __k: json_object(__k, json_extract(" + x + ", '/' || replace(replace(__k, '~', '~0'), '/', '~1'))))" +
		" ELSE [" + x + "] END"
	if limit > 0 {
		list = "(" + list + ")[1:" + strconv.FormatInt(limit, 10) + "]"
	}
	return list
}

// Unnest: several unnest calls in one select run side by side in DuckDB,
// the shorter lists padded with nulls.
func (d Dialect) Unnest(lists []string) []string {
	out := make([]string, len(lists))
	for i, l := range lists {
		out[i] = "unnest(" + l + ")"
	}
	return out
}

func (d Dialect) ListIndexes(list string) string {
	return "range(CAST(len(" + list + ") AS BIGINT))"
}

func (d Dialect) FromDynamic(x string, t kql.Type) string {
	return d.fromJSON(x, t)
}

// fromJSON converts a JSON value to a type, null where it does not convert.
func (d Dialect) fromJSON(x string, t kql.Type) string {
	text := jsonText(x)
	switch t {
	case schema.String, schema.GUID:
		return text
	case schema.Long, schema.Timespan:
		return "TRY_CAST(trunc(TRY_CAST(" + text + " AS DOUBLE)) AS BIGINT)"
	case schema.Int:
		return "TRY_CAST(trunc(TRY_CAST(" + text + " AS DOUBLE)) AS INTEGER)"
	case schema.Real:
		return "TRY_CAST(" + text + " AS DOUBLE)"
	case schema.Decimal:
		return "TRY_CAST(" + text + " AS DECIMAL(38,10))"
	case schema.Bool:
		return boolFromText(text)
	case schema.DateTime:
		return "TRY_CAST(" + text + " AS TIMESTAMP)"
	case schema.Dynamic:
		return x
	}
	return text
}

// jsonText is the text of a JSON value: a string unquoted, anything else
// as JSON, null as NULL.
func jsonText(x string) string {
	return "CASE json_type(" + x + ") WHEN 'VARCHAR' THEN json_extract_string(" + x + ", '$') WHEN 'NULL' THEN NULL ELSE CAST(" + x + " AS VARCHAR) END"
}

func boolFromText(text string) string {
	return "CASE lower(trim(" + text + ")) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE WHEN '1' THEN TRUE WHEN '0' THEN FALSE END"
}

// ---- scalar operations ----

// Lambda parameters are named __e, __s, … : DuckDB resolves a name in a
// lambda's body to a column of the input before the lambda's own
// parameter, so a parameter called s would read a KQL column s. Columns
// never reach SQL with a name that starts with "__" and no number after it
// (sqlgen renames them).

func (d Dialect) Call(c *kql.Call, a []string) string {
	switch c.Op {
	case kql.OpIntDiv:
		return "(" + a[0] + " // " + a[1] + ")"
	case kql.OpDatetimeAdd:
		return "(" + a[0] + " + to_microseconds(CAST((" + a[1] + ") // 10 AS BIGINT)))"
	case kql.OpDatetimeDiff:
		return "((epoch_us(" + a[0] + ") - epoch_us(" + a[1] + ")) * 10)"

	case kql.OpContains:
		return "contains(lower(" + a[0] + "), lower(" + a[1] + "))"
	case kql.OpContainsCS:
		return "contains(" + a[0] + ", " + a[1] + ")"
	case kql.OpStartsWith:
		return "starts_with(lower(" + a[0] + "), lower(" + a[1] + "))"
	case kql.OpStartsWithCS:
		return "starts_with(" + a[0] + ", " + a[1] + ")"
	case kql.OpEndsWith:
		return "ends_with(lower(" + a[0] + "), lower(" + a[1] + "))"
	case kql.OpEndsWithCS:
		return "ends_with(" + a[0] + ", " + a[1] + ")"
	case kql.OpHas, kql.OpHasCS, kql.OpHasPrefix, kql.OpHasPrefixCS, kql.OpHasSuffix, kql.OpHasSuffixCS:
		return d.termMatch(c.Op, a[0], c.Args[1], a[1])
	case kql.OpHasAny, kql.OpHasAll:
		var parts []string
		for i := 1; i < len(a); i++ {
			parts = append(parts, d.termMatch(kql.OpHas, a[0], c.Args[i], a[i]))
		}
		return sqlgen.AnyOrAll(c.Op == kql.OpHasAll, parts, "true", "false")
	case kql.OpMatchesRegex:
		return "regexp_matches(" + a[0] + ", " + a[1] + ")"
	case kql.OpInArray:
		return "coalesce(list_contains(" + d.stringList(a[1]) + ", " + a[0] + "), FALSE)"

	case kql.OpToString:
		return d.toString(c.Args[0].Type(), a[0])
	case kql.OpToLong, kql.OpToInt:
		return d.toInteger(c.Args[0].Type(), a[0], c.T)
	case kql.OpToReal, kql.OpToDecimal:
		target := "DOUBLE"
		if c.Op == kql.OpToDecimal {
			target = "DECIMAL(38,10)"
		}
		switch c.Args[0].Type() {
		case schema.Dynamic:
			return "TRY_CAST(" + jsonText(a[0]) + " AS " + target + ")"
		case schema.DateTime:
			return "CAST(epoch_us(" + a[0] + ") * 10 + " + strconv.FormatInt(ticksToEpoch, 10) + " AS " + target + ")"
		case schema.String:
			return "TRY_CAST(trim(" + a[0] + ") AS " + target + ")"
		}
		return "TRY_CAST(" + a[0] + " AS " + target + ")"
	case kql.OpToBool:
		switch c.Args[0].Type() {
		case schema.String:
			return boolFromText(a[0])
		case schema.Dynamic:
			return boolFromText(jsonText(a[0]))
		case schema.Bool:
			return a[0]
		}
		return "(" + a[0] + " <> 0)"
	case kql.OpToDatetime:
		switch c.Args[0].Type() {
		case schema.String:
			return "TRY_CAST(trim(" + a[0] + ") AS TIMESTAMP)"
		case schema.Dynamic:
			return "TRY_CAST(" + jsonText(a[0]) + " AS TIMESTAMP)"
		case schema.Long, schema.Int:
			return "make_timestamp(CAST((" + a[0] + " - " + strconv.FormatInt(ticksToEpoch, 10) + ") // 10 AS BIGINT))"
		case schema.DateTime:
			return a[0]
		}
		return "CAST(NULL AS TIMESTAMP)"
	case kql.OpToTimespan:
		switch c.Args[0].Type() {
		case schema.String:
			return timespanFromText(a[0])
		case schema.Dynamic:
			return timespanFromText(jsonText(a[0]))
		case schema.Long, schema.Int:
			return "CAST(" + a[0] + " AS BIGINT)"
		case schema.Real, schema.Decimal:
			return "CAST(round(" + a[0] + ") AS BIGINT)"
		}
		return "CAST(NULL AS BIGINT)"
	case kql.OpToDynamic:
		// parse_json('') is null, as a missing string is.
		return "CASE WHEN " + a[0] + " IS NULL OR " + a[0] + " = '' THEN NULL WHEN json_valid(" + a[0] + ") THEN CAST(" + a[0] + " AS JSON) ELSE to_json(" + a[0] + ") END"
	case kql.OpToDynamicValue:
		return d.toJSON(c.Args[0].Type(), a[0])
	case kql.OpToGUID:
		return "CAST(TRY_CAST(" + a[0] + " AS UUID) AS VARCHAR)"

	case kql.OpStrcat:
		if len(a) == 1 {
			return "coalesce(" + a[0] + ", '')"
		}
		return "concat(" + strings.Join(a, ", ") + ")"
	case kql.OpStrcatDelim:
		return "concat_ws(" + strings.Join(a, ", ") + ")"
	case kql.OpStrlen:
		return "CAST(length(" + a[0] + ") AS BIGINT)"
	case kql.OpToLower:
		return "lower(" + a[0] + ")"
	case kql.OpToUpper:
		return "upper(" + a[0] + ")"
	case kql.OpReverse:
		return "reverse(" + a[0] + ")"
	case kql.OpSubstring:
		// A negative start counts from the end of the text, as in Kusto
		// (substring("123456", -2, 2) is "56").
		start := "greatest(CASE WHEN " + a[1] + " < 0 THEN length(" + a[0] + ") + " + a[1] + " ELSE " + a[1] + " END, 0) + 1"
		if len(a) == 3 {
			return "substr(" + a[0] + ", " + start + ", greatest(" + a[2] + ", 0))"
		}
		return "substr(" + a[0] + ", " + start + ")"
	case kql.OpIndexOf:
		return "CAST(strpos(" + a[0] + ", " + a[1] + ") - 1 AS BIGINT)"
	case kql.OpSplit:
		return "to_json(string_split(" + a[0] + ", " + a[1] + "))"
	case kql.OpSplitPart:
		return "CASE WHEN " + a[2] + " < 0 THEN '' ELSE split_part(" + a[0] + ", " + a[1] + ", CAST(" + a[2] + " + 1 AS BIGINT)) END"
	case kql.OpReplaceRegex:
		return "regexp_replace(" + a[0] + ", " + a[1] + ", " + a[2] + ", 'g')"
	case kql.OpReplaceString:
		return "replace(" + a[0] + ", " + a[1] + ", " + a[2] + ")"
	case kql.OpExtract:
		return "nullif(regexp_extract(" + a[2] + ", " + a[0] + ", CAST(" + a[1] + " AS INTEGER)), '')"
	case kql.OpTrim, kql.OpTrimStart, kql.OpTrimEnd:
		re := constText(c.Args[0])
		var pattern string
		switch c.Op {
		case kql.OpTrim:
			pattern = "^(?:" + re + ")+|(?:" + re + ")+$"
		case kql.OpTrimStart:
			pattern = "^(?:" + re + ")+"
		default:
			pattern = "(?:" + re + ")+$"
		}
		return "regexp_replace(" + a[1] + ", " + d.String(pattern) + ", '', 'g')"
	case kql.OpStrcatArray:
		return "array_to_string(" + d.stringList(a[0]) + ", " + a[1] + ")"
	case kql.OpCountOf:
		return "CASE WHEN length(" + a[1] + ") = 0 THEN 0 ELSE CAST((length(" + a[0] + ") - length(replace(" + a[0] + ", " + a[1] + ", ''))) // length(" + a[1] + ") AS BIGINT) END"
	case kql.OpHashSHA256:
		return "sha256(" + a[0] + ")"
	case kql.OpHashMD5:
		return "md5(" + a[0] + ")"
	case kql.OpNewGUID:
		return "CAST(uuid() AS VARCHAR)"

	case kql.OpRound:
		return "round(" + a[0] + ", CAST(" + a[1] + " AS INTEGER))"
	case kql.OpFloor:
		return "floor(" + a[0] + ")"
	case kql.OpCeiling:
		return "ceil(" + a[0] + ")"
	case kql.OpAbs:
		return "abs(" + a[0] + ")"
	case kql.OpSqrt:
		return "CASE WHEN " + a[0] + " < 0 THEN CAST('NaN' AS DOUBLE) ELSE sqrt(" + a[0] + ") END"
	case kql.OpPow:
		return "pow(" + a[0] + ", " + a[1] + ")"
	case kql.OpLog:
		return "CASE WHEN " + a[0] + " > 0 THEN ln(" + a[0] + ") END"
	case kql.OpLog10:
		return "CASE WHEN " + a[0] + " > 0 THEN log10(" + a[0] + ") END"
	case kql.OpLog2:
		return "CASE WHEN " + a[0] + " > 0 THEN log2(" + a[0] + ") END"
	case kql.OpExp:
		return "exp(" + a[0] + ")"
	case kql.OpIsNaN:
		return "isnan(" + a[0] + ")"
	case kql.OpIsFinite:
		return "isfinite(" + a[0] + ")"
	case kql.OpMaxOf:
		return "greatest(" + strings.Join(a, ", ") + ")"
	case kql.OpMinOf:
		return "least(" + strings.Join(a, ", ") + ")"
	case kql.OpBin:
		if c.T == schema.Real || c.T == schema.Decimal {
			return "(floor(" + a[0] + " / " + a[1] + ") * " + a[1] + ")"
		}
		// Whole numbers bin in integer arithmetic (a double cannot hold
		// every long): a minus its non-negative remainder.
		return "(" + a[0] + " - ((" + a[0] + " % " + a[1] + ") + " + a[1] + ") % " + a[1] + ")"
	case kql.OpBinDatetime:
		// Bins count from 0001-01-01, as Kusto's do (for whole days and
		// their divisors that is the same as counting from 1970), in
		// microseconds since then, which are never negative.
		us := "(epoch_us(" + a[0] + ") + " + strconv.FormatInt(microsToEpoch, 10) + ")"
		size := "((" + a[1] + ") // 10)"
		return "make_timestamp((" + us + " // " + size + ") * " + size + " - " + strconv.FormatInt(microsToEpoch, 10) + ")"

	case kql.OpStartOf:
		return startOf(c.Part, a[0])
	case kql.OpEndOf:
		next := map[string]string{"day": "INTERVAL 1 DAY", "week": "INTERVAL 7 DAY", "month": "INTERVAL 1 MONTH", "year": "INTERVAL 1 YEAR"}[c.Part]
		return "(" + startOf(c.Part, a[0]) + " + " + next + " - INTERVAL 1 MICROSECOND)"
	case kql.OpDatetimePart:
		part := map[string]string{
			"year": "year", "quarter": "quarter", "month": "month", "week": "week", "week_of_year": "week", "day": "day",
			"dayofyear": "doy", "hour": "hour", "minute": "minute", "second": "second",
			"millisecond": "millisecond", "microsecond": "microsecond", "nanosecond": "nanosecond",
		}[c.Part]
		expr := "date_part('" + part + "', " + a[0] + ")"
		switch c.Part {
		case "millisecond":
			expr = "(date_part('millisecond', " + a[0] + ") % 1000)"
		case "microsecond":
			expr = "(date_part('microsecond', " + a[0] + ") % 1000000)"
		case "nanosecond":
			expr = "((date_part('microsecond', " + a[0] + ") % 1000000) * 1000)"
		}
		return "CAST(" + expr + " AS " + d.Type(c.T) + ")"
	case kql.OpDatetimeDiffU:
		part := diffPart(c.Part)
		if part == "week" {
			// Kusto counts the week boundaries (Sundays) crossed; DuckDB's
			// date_diff('week') counts whole spans of seven days.
			return "CAST(date_diff('day', " + startOf("week", a[1]) + ", " + startOf("week", a[0]) + ") // 7 AS BIGINT)"
		}
		return "CAST(date_diff('" + part + "', " + a[1] + ", " + a[0] + ") AS BIGINT)"
	case kql.OpDatetimeAddU:
		return "(" + a[1] + " + " + intervalOf(c.Part, a[0]) + ")"
	case kql.OpFormatDT:
		return "strftime(" + a[0] + ", " + d.String(strftimeFormat(c.Part)) + ")"
	case kql.OpDayOfWeek:
		return "(CAST(dayofweek(" + a[0] + ") AS BIGINT) * 864000000000)"
	case kql.OpUnixSecondsToDT:
		return "make_timestamp(CAST(round(" + a[0] + " * 1000000) AS BIGINT))"
	case kql.OpUnixMillisToDT:
		return "make_timestamp(CAST(round(" + a[0] + " * 1000) AS BIGINT))"

	case kql.OpMember:
		return d.member(a[0], c.Path)
	case kql.OpIndex:
		if c.Args[1].Type() == schema.String {
			return "json_extract(" + a[0] + ", '/' || replace(replace(" + a[1] + ", '~', '~0'), '/', '~1'))"
		}
		return "json_extract(" + a[0] + ", CASE WHEN " + a[1] + " < 0 THEN '$[#' || " + a[1] + " || ']' ELSE '$[' || " + a[1] + " || ']' END)"
	case kql.OpBagPack:
		if len(a) == 0 {
			return "CAST('{}' AS JSON)"
		}
		return "json_object(" + strings.Join(a, ", ") + ")"
	case kql.OpPackArray:
		if len(a) == 0 {
			return "CAST('[]' AS JSON)"
		}
		return "json_array(" + strings.Join(a, ", ") + ")"
	case kql.OpBagMerge:
		// The first bag's properties win: merge from the last to the first.
		out := "CAST('{}' AS JSON)"
		for i := len(a) - 1; i >= 0; i-- {
			out = "json_merge_patch(" + out + ", CASE WHEN json_type(" + a[i] + ") = 'OBJECT' THEN " + a[i] + " ELSE CAST('{}' AS JSON) END)"
		}
		return out
	case kql.OpArrayLength:
		return "CASE WHEN json_type(" + a[0] + ") = 'ARRAY' THEN CAST(json_array_length(" + a[0] + ") AS BIGINT) END"
	case kql.OpArraySortAsc, kql.OpArraySortDesc:
		return "to_json(" + d.sortedList(a[0], c.Op == kql.OpArraySortDesc) + ")"
	case kql.OpArraySortColumn, kql.OpArraySortColumnDesc:
		return d.sortedColumn(c, a)
	case kql.OpArrayConcat:
		out := d.jsonList(a[0])
		for _, x := range a[1:] {
			out = "list_concat(" + out + ", " + d.jsonList(x) + ")"
		}
		return "to_json(" + out + ")"
	case kql.OpSetHasElement:
		return "coalesce(list_contains(" + d.jsonList(a[0]) + ", " + a[1] + "), FALSE)"
	case kql.OpArrayIndexOf:
		return "CASE WHEN json_type(" + a[0] + ") = 'ARRAY' THEN coalesce(CAST(list_position(" + d.jsonList(a[0]) + ", " + a[1] + ") AS BIGINT) - 1, -1) END"
	case kql.OpBagKeys:
		return "CASE WHEN json_type(" + a[0] + ") = 'OBJECT' THEN to_json(json_keys(" + a[0] + ")) END"
	case kql.OpArraySlice:
		// Kusto's bounds are inclusive and a negative one counts from the
		// end (array_length + i); DuckDB would read a negative slice bound
		// from the end with another offset, so both are made non-negative
		// first, and a bound out of range selects nothing.
		list := d.jsonList(a[0])
		n := "CAST(len(" + list + ") AS BIGINT)"
		from := "CASE WHEN " + a[1] + " < 0 THEN " + n + " + " + a[1] + " ELSE " + a[1] + " END"
		to := "CASE WHEN " + a[2] + " < 0 THEN " + n + " + " + a[2] + " ELSE " + a[2] + " END"
		return "to_json(" + list + "[greatest(" + from + ", 0) + 1:greatest(" + to + " + 1, 0)])"
	case kql.OpGetType:
		// A whole number that fits 32 bits is an int in Kusto's dynamic
		// values (gettype(parse_json('1')) is "int"), a larger one a long.
		whole := "CASE WHEN TRY_CAST(" + a[0] + " AS HUGEINT) BETWEEN -2147483648 AND 2147483647 THEN 'int' ELSE 'long' END"
		return "CASE json_type(" + a[0] + ") WHEN 'VARCHAR' THEN 'string' WHEN 'BIGINT' THEN " + whole + " WHEN 'UBIGINT' THEN " + whole +
			" WHEN 'DOUBLE' THEN 'real' WHEN 'BOOLEAN' THEN 'bool' WHEN 'ARRAY' THEN 'array' WHEN 'OBJECT' THEN 'dictionary' ELSE 'null' END"
	case kql.OpParseUserAgent:
		return "CAST(" + ParseUserAgentFunction + "(" + a[0] + ", " + a[1] + ") AS JSON)"
	}
	panic(fmt.Sprintf("duckdbsql: no SQL for operation %v", c.Op))
}

// termMatch writes has and its relatives: the pattern as a whole term, or
// the start or end of one, where terms are runs of letters and digits.
func (d Dialect) termMatch(op kql.Op, text string, pattern kql.Scalar, patternSQL string) string {
	flags := "(?i)"
	switch op {
	case kql.OpHasCS, kql.OpHasPrefixCS, kql.OpHasSuffixCS:
		flags = ""
	}
	before, after := `(^|[^0-9A-Za-z])`, `($|[^0-9A-Za-z])`
	switch op {
	case kql.OpHasPrefix, kql.OpHasPrefixCS:
		after = ""
	case kql.OpHasSuffix, kql.OpHasSuffixCS:
		before = ""
	}
	if k, ok := pattern.(*kql.Const); ok {
		s, _ := k.V.(string)
		if s == "" {
			return "TRUE"
		}
		return "regexp_matches(" + text + ", " + d.String(flags+before+regexp.QuoteMeta(s)+after) + ")"
	}
	return "regexp_matches(" + text + ", " + d.String(flags+before) + " || regexp_escape(" + patternSQL + ") || " + d.String(after) + ")"
}

// member writes a property path into a JSON value. Keys and non-negative
// positions make one JSON pointer; a negative position counts from the end
// and needs a path of its own.
func (d Dialect) member(x string, path []any) string {
	var ptr strings.Builder
	flush := func() {
		if ptr.Len() > 0 {
			x = "json_extract(" + x + ", " + d.String(ptr.String()) + ")"
			ptr.Reset()
		}
	}
	for _, p := range path {
		switch v := p.(type) {
		case string:
			ptr.WriteString("/" + strings.ReplaceAll(strings.ReplaceAll(v, "~", "~0"), "/", "~1"))
		case int64:
			if v < 0 {
				flush()
				x = "json_extract(" + x + ", " + d.String("$[#"+strconv.FormatInt(v, 10)+"]") + ")"
				continue
			}
			ptr.WriteString("/" + strconv.FormatInt(v, 10))
		}
	}
	flush()
	return x
}

// jsonList turns a JSON array into a DuckDB list of JSON values (NULL for
// a non-array).
func (d Dialect) jsonList(x string) string {
	return "CASE WHEN json_type(" + x + ") = 'ARRAY' THEN CAST(" + x + " AS JSON[]) END"
}

// stringList turns a JSON array into a list of the elements' text.
func (d Dialect) stringList(x string) string {
	return "list_transform(" + d.jsonList(x) + ", lambda __e: " + jsonText("__e") + ")"
}

// sortKey orders JSON values: numbers by value, then everything else by
// its text; nulls last.
func sortKey(e string) string {
	return "{'n': TRY_CAST(" + jsonText(e) + " AS DOUBLE), 't': " + jsonText(e) + "}"
}

func (d Dialect) sortedList(x string, desc bool) string {
	dir := "'ASC'"
	if desc {
		dir = "'DESC'"
	}
	return "list_transform(list_sort(list_transform(" + d.jsonList(x) + ", lambda __e: {'k': " + sortKey("__e") + ", 'v': __e}), " + dir + ", 'NULLS LAST'), lambda __s: __s.v)"
}

// sortedColumn is array i of array_sort_asc(a1, a2, …): the arrays
// reordered as a1 sorts.
func (d Dialect) sortedColumn(c *kql.Call, a []string) string {
	i := int(c.Args[0].(*kql.Const).V.(int64))
	dir := "'ASC'"
	if c.Op == kql.OpArraySortColumnDesc {
		dir = "'DESC'"
	}
	first := d.jsonList(a[1])
	order := "list_transform(list_sort(list_transform(range(1, CAST(len(" + first + ") AS BIGINT) + 1), lambda __j: {'k': " +
		sortKey(first+"[__j]") + ", 'j': __j}), " + dir + ", 'NULLS LAST'), lambda __s: __s.j)"
	return "to_json(list_transform(" + order + ", lambda __j: " + d.jsonList(a[i+1]) + "[__j]))"
}

// toString writes tostring() of a value of type t.
func (d Dialect) toString(t kql.Type, x string) string {
	switch t {
	case schema.String, schema.GUID:
		return x
	case schema.DateTime:
		return "(regexp_replace(strftime(" + x + ", '%Y-%m-%dT%H:%M:%S.%f'), '\\.?0+$', '') || 'Z')"
	case schema.Timespan:
		return timespanText(x)
	case schema.Real:
		return "CASE WHEN isfinite(" + x + ") AND " + x + " = trunc(" + x + ") AND abs(" + x + ") < 1e15 THEN CAST(CAST(" + x + " AS BIGINT) AS VARCHAR) ELSE CAST(" + x + " AS VARCHAR) END"
	case schema.Dynamic:
		return jsonText(x)
	case schema.Bool:
		return "CASE WHEN " + x + " THEN 'true' WHEN NOT " + x + " THEN 'false' END"
	}
	return "CAST(" + x + " AS VARCHAR)"
}

// toJSON wraps a value of type t as a JSON value, the way Kusto writes it
// into dynamic: datetimes and timespans as their text, strings with null
// as "".
func (d Dialect) toJSON(t kql.Type, x string) string {
	switch t {
	case schema.Dynamic:
		return x
	case schema.String, schema.GUID:
		return "to_json(coalesce(" + x + ", ''))"
	case schema.DateTime, schema.Timespan:
		return "to_json(" + d.toString(t, x) + ")"
	case schema.Real:
		return "CASE WHEN isfinite(" + x + ") THEN to_json(" + x + ") ELSE to_json(CAST(" + x + " AS VARCHAR)) END"
	}
	return "to_json(" + x + ")"
}

func (d Dialect) toInteger(from kql.Type, x string, to kql.Type) string {
	typ := d.Type(to)
	if to == schema.Int {
		typ = "INTEGER"
	}
	switch from {
	case schema.String:
		return "TRY_CAST(trunc(TRY_CAST(trim(" + x + ") AS DOUBLE)) AS " + typ + ")"
	case schema.Dynamic:
		return "TRY_CAST(trunc(TRY_CAST(" + jsonText(x) + " AS DOUBLE)) AS " + typ + ")"
	case schema.Real, schema.Decimal:
		if to == schema.Timespan {
			return "TRY_CAST(round(" + x + ") AS BIGINT)"
		}
		return "TRY_CAST(trunc(" + x + ") AS " + typ + ")"
	case schema.DateTime:
		return "TRY_CAST(epoch_us(" + x + ") * 10 + " + strconv.FormatInt(ticksToEpoch, 10) + " AS " + typ + ")"
	case schema.Bool:
		return "CAST(" + x + " AS " + typ + ")"
	}
	return "TRY_CAST(" + x + " AS " + typ + ")"
}

// timespanText writes ticks as [-][d.]hh:mm:ss[.fffffff].
func timespanText(x string) string {
	abs := "abs(" + x + ")"
	days := "(" + abs + " // 864000000000)"
	rest := "(" + abs + " % 864000000000)"
	h := "lpad(CAST(" + rest + " // 36000000000 AS VARCHAR), 2, '0')"
	m := "lpad(CAST((" + rest + " // 600000000) % 60 AS VARCHAR), 2, '0')"
	s := "lpad(CAST((" + rest + " // 10000000) % 60 AS VARCHAR), 2, '0')"
	f := "(" + rest + " % 10000000)"
	return "CASE WHEN " + x + " IS NULL THEN NULL ELSE concat(CASE WHEN " + x + " < 0 THEN '-' ELSE '' END, " +
		"CASE WHEN " + days + " > 0 THEN CAST(" + days + " AS VARCHAR) || '.' ELSE '' END, " +
		h + ", ':', " + m + ", ':', " + s + ", " +
		"CASE WHEN " + f + " > 0 THEN '.' || lpad(CAST(" + f + " AS VARCHAR), 7, '0') ELSE '' END) END"
}

// timespanFromText parses text as totimespan does: a number with a unit
// (10s, 1.5h, 100ms), [-][d.]hh:mm[:ss[.f]], or a number of days.
func timespanFromText(x string) string {
	t := "trim(" + x + ")"
	unit := `^(-?[0-9]+(?:\.[0-9]+)?)\s*(d|day|days|h|hr|hrs|hour|hours|m|min|minute|minutes|s|sec|second|seconds|ms|milli|millis|millisecond|milliseconds|microsecond|microseconds|tick|ticks)$`
	clock := `^(-?)(?:([0-9]+)\.)?([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2})(?:\.([0-9]{1,7}))?)?$`
	num := "TRY_CAST(regexp_extract(" + t + ", '" + unit + "', 1) AS DOUBLE)"
	u := "lower(regexp_extract(" + t + ", '" + unit + "', 2))"
	perUnit := "CASE " + u +
		" WHEN 'd' THEN 864000000000 WHEN 'day' THEN 864000000000 WHEN 'days' THEN 864000000000" +
		" WHEN 'h' THEN 36000000000 WHEN 'hr' THEN 36000000000 WHEN 'hrs' THEN 36000000000 WHEN 'hour' THEN 36000000000 WHEN 'hours' THEN 36000000000" +
		" WHEN 'm' THEN 600000000 WHEN 'min' THEN 600000000 WHEN 'minute' THEN 600000000 WHEN 'minutes' THEN 600000000" +
		" WHEN 's' THEN 10000000 WHEN 'sec' THEN 10000000 WHEN 'second' THEN 10000000 WHEN 'seconds' THEN 10000000" +
		" WHEN 'ms' THEN 10000 WHEN 'milli' THEN 10000 WHEN 'millis' THEN 10000 WHEN 'millisecond' THEN 10000 WHEN 'milliseconds' THEN 10000" +
		" WHEN 'microsecond' THEN 10 WHEN 'microseconds' THEN 10 ELSE 1 END"
	g := func(i int) string {
		return "coalesce(TRY_CAST(nullif(regexp_extract(" + t + ", '" + clock + "', " + strconv.Itoa(i) + "), '') AS BIGINT), 0)"
	}
	frac := "coalesce(TRY_CAST(rpad(nullif(regexp_extract(" + t + ", '" + clock + "', 6), ''), 7, '0') AS BIGINT), 0)"
	clockTicks := "(CASE WHEN regexp_extract(" + t + ", '" + clock + "', 1) = '-' THEN -1 ELSE 1 END) * (" +
		g(2) + " * 864000000000 + " + g(3) + " * 36000000000 + " + g(4) + " * 600000000 + " + g(5) + " * 10000000 + " + frac + ")"
	return "CASE WHEN regexp_matches(" + t + ", '" + unit + "') THEN CAST(round(" + num + " * " + perUnit + ") AS BIGINT)" +
		" WHEN regexp_matches(" + t + ", '" + clock + "') THEN " + clockTicks +
		" WHEN TRY_CAST(" + t + " AS DOUBLE) IS NOT NULL THEN CAST(round(TRY_CAST(" + t + " AS DOUBLE) * 864000000000) AS BIGINT) END"
}

func startOf(part, x string) string {
	switch part {
	case "week":
		// Kusto's weeks start on Sunday.
		return "(date_trunc('day', " + x + ") - to_days(CAST(dayofweek(" + x + ") AS INTEGER)))"
	case "day", "month", "year":
		return "CAST(date_trunc('" + part + "', " + x + ") AS TIMESTAMP)"
	}
	return x
}

func diffPart(part string) string {
	switch part {
	case "week_of_year":
		return "week"
	case "dayofyear":
		return "day"
	}
	return part
}

func intervalOf(part, n string) string {
	switch part {
	case "year":
		return "to_years(CAST(" + n + " AS INTEGER))"
	case "quarter":
		return "to_months(CAST(3 * " + n + " AS INTEGER))"
	case "month":
		return "to_months(CAST(" + n + " AS INTEGER))"
	case "week", "week_of_year":
		return "to_days(CAST(7 * " + n + " AS INTEGER))"
	case "day", "dayofyear":
		return "to_days(CAST(" + n + " AS INTEGER))"
	case "hour":
		return "to_hours(CAST(" + n + " AS BIGINT))"
	case "minute":
		return "to_minutes(CAST(" + n + " AS BIGINT))"
	case "second":
		return "to_seconds(CAST(" + n + " AS DOUBLE))"
	case "millisecond":
		return "to_milliseconds(CAST(" + n + " AS DOUBLE))"
	case "microsecond":
		return "to_microseconds(CAST(" + n + " AS BIGINT))"
	case "nanosecond":
		return "to_microseconds(CAST(" + n + " // 1000 AS BIGINT))"
	}
	return "INTERVAL 0 SECOND"
}

// strftimeFormat translates a .NET-style format (the elements format_datetime
// accepts) to strftime's.
func strftimeFormat(f string) string {
	repl := []struct{ from, to string }{
		{"fffffff", "%f0"}, {"FFFFFFF", "%f0"}, {"ffffff", "%f"}, {"FFFFFF", "%f"},
		{"fffff", "%f"}, {"FFFFF", "%f"}, {"ffff", "%f"}, {"FFFF", "%f"},
		{"fff", "%g"}, {"FFF", "%g"}, {"ff", "%g"}, {"FF", "%g"}, {"f", "%g"}, {"F", "%g"},
		{"yyyy", "%Y"}, {"yy", "%y"}, {"MM", "%m"}, {"M", "%-m"}, {"dd", "%d"}, {"d", "%-d"},
		{"HH", "%H"}, {"H", "%-H"}, {"hh", "%I"}, {"h", "%-I"}, {"mm", "%M"}, {"m", "%-M"},
		{"ss", "%S"}, {"s", "%-S"}, {"tt", "%p"},
	}
	var b strings.Builder
	for rest := f; rest != ""; {
		done := false
		for _, r := range repl {
			if strings.HasPrefix(rest, r.from) {
				b.WriteString(r.to)
				rest = rest[len(r.from):]
				done = true
				break
			}
		}
		if done {
			continue
		}
		if rest[0] == '%' {
			b.WriteString("%%")
		} else {
			b.WriteByte(rest[0])
		}
		rest = rest[1:]
	}
	return b.String()
}

func constText(x kql.Scalar) string {
	if k, ok := x.(*kql.Const); ok {
		if s, ok := k.V.(string); ok {
			return s
		}
	}
	return ""
}

// ---- aggregations and windows ----

func (d Dialect) Aggregate(ac *kql.AggCall, a []string, filter, order string) (inner, outer []string) {
	where := ""
	if filter != "" {
		where = " FILTER (WHERE " + filter + ")"
	}
	orderBy := ""
	if order != "" {
		orderBy = " ORDER BY " + order
	}
	switch ac.Func {
	case kql.AggCount, kql.AggCountIf:
		return []string{"count(*)" + where}, nil
	case kql.AggDcount:
		return []string{"count(DISTINCT " + a[0] + ")" + where}, nil
	case kql.AggSum:
		t := ac.T[0]
		if t == schema.Real {
			return []string{"sum(" + a[0] + ")" + where}, nil
		}
		return []string{"CAST(sum(" + a[0] + ")" + where + " AS " + d.Type(t) + ")"}, nil
	case kql.AggAvg:
		if ac.T[0] == schema.Timespan {
			return []string{"CAST(round(avg(" + a[0] + ")" + where + ") AS BIGINT)"}, nil
		}
		return []string{"CAST(avg(" + a[0] + ")" + where + " AS " + d.Type(ac.T[0]) + ")"}, nil
	case kql.AggMin:
		return []string{"min(" + a[0] + ")" + where}, nil
	case kql.AggMax:
		return []string{"max(" + a[0] + ")" + where}, nil
	case kql.AggStdev:
		return []string{"stddev_samp(" + a[0] + ")" + where}, nil
	case kql.AggVariance:
		return []string{"var_samp(" + a[0] + ")" + where}, nil
	case kql.AggPercentiles:
		rank := func(p float64) string { return strconv.FormatFloat(p/100, 'g', -1, 64) }
		if len(ac.Params) == 1 {
			return []string{"quantile_disc(" + a[0] + ", " + rank(ac.Params[0]) + ")" + where}, nil
		}
		// Several ranks from one sort of the values: a list of them.
		ranks := make([]string, len(ac.Params))
		outer = make([]string, len(ac.Params))
		for i, p := range ac.Params {
			ranks[i] = rank(p)
			outer[i] = "$0[" + strconv.Itoa(i+1) + "]"
		}
		return []string{"quantile_disc(" + a[0] + ", [" + strings.Join(ranks, ", ") + "])" + where}, outer
	case kql.AggMakeList, kql.AggMakeSet:
		f := filterNotNull(a[0], filter)
		distinct := ""
		if ac.Func == kql.AggMakeSet {
			distinct = "DISTINCT "
			orderBy = ""
		}
		list := "list(" + distinct + a[0] + orderBy + ")" + f
		if ac.Params[0] > 0 {
			list = "(" + list + ")[1:" + strconv.FormatInt(int64(ac.Params[0]), 10) + "]"
		}
		return []string{"coalesce(to_json(" + list + "), CAST('[]' AS JSON))"}, nil
	case kql.AggMakeBag:
		f := " FILTER (WHERE json_type(" + a[0] + ") = 'OBJECT'"
		if filter != "" {
			f += " AND " + filter
		}
		f += ")"
		list := "list(" + a[0] + orderBy + ")" + f
		return []string{"CASE WHEN len(" + list + ") = 0 THEN CAST('{}' AS JSON) ELSE list_reduce(" + list + ", lambda __x, __y: json_merge_patch(__x, __y)) END"}, nil
	case kql.AggTakeAny:
		if len(a) == 1 {
			return []string{"any_value(" + a[0] + ")" + where}, nil
		}
		s := d.structOf(a)
		outer := make([]string, len(a))
		for i := range a {
			outer[i] = "$0." + d.Ident(fieldName(i))
		}
		return []string{"any_value(" + s + ")" + where}, outer
	case kql.AggArgMax, kql.AggArgMin:
		fn := "arg_max"
		ext := "max"
		if ac.Func == kql.AggArgMin {
			fn, ext = "arg_min", "min"
		}
		if len(a) == 1 {
			return []string{ext + "(" + a[0] + ")" + where}, nil
		}
		s := d.structOf(a[1:])
		outer = []string{"$0"}
		for i := range a[1:] {
			outer = append(outer, "$1."+d.Ident(fieldName(i)))
		}
		return []string{ext + "(" + a[0] + ")" + where, fn + "(" + s + ", " + a[0] + ")" + where}, outer
	}
	panic(fmt.Sprintf("duckdbsql: no SQL for aggregation %v", ac.Func))
}

func filterNotNull(x, filter string) string {
	f := " FILTER (WHERE " + x + " IS NOT NULL"
	if filter != "" {
		f += " AND " + filter
	}
	return f + ")"
}

func fieldName(i int) string { return "f" + strconv.Itoa(i) }

// structOf packs values into one struct, so that they come from one row.
func (d Dialect) structOf(a []string) string {
	parts := make([]string, len(a))
	for i, x := range a {
		parts[i] = d.Ident(fieldName(i)) + " := " + x
	}
	return "struct_pack(" + strings.Join(parts, ", ") + ")"
}

func (d Dialect) Window(w *kql.Window, a []string, order string) string {
	over := "OVER ()"
	if order != "" {
		over = "OVER (ORDER BY " + order + ")"
	}
	switch w.Op {
	case kql.WinPrev:
		return "lag(" + a[0] + ", CAST(" + a[1] + " AS BIGINT), " + a[2] + ") " + over
	case kql.WinNext:
		return "lead(" + a[0] + ", CAST(" + a[1] + " AS BIGINT), " + a[2] + ") " + over
	case kql.WinRowNumber:
		return "(row_number() " + over + " + " + a[0] + " - 1)"
	case kql.WinChanged:
		term := a[0]
		if w.Args[0].Type() == schema.String {
			term = "coalesce(" + term + ", '')"
		}
		return "CASE WHEN " + term + " IS NOT DISTINCT FROM lag(" + term + ") " + over + " THEN 0 ELSE 1 END"
	case kql.WinRowRankDense:
		// a[0] is the change flag: the rank grows by one at each change.
		return "CAST(sum(" + a[0] + ") " + running(order) + " AS BIGINT)"
	case kql.WinRowRankMin:
		// a[1] is the row number: the rank is that of the run's first row.
		return "CAST(max(CASE WHEN " + a[0] + " = 1 THEN " + a[1] + " END) " + running(order) + " AS BIGINT)"
	case kql.WinRowCumsum:
		return "sum(" + a[0] + ") " + running(order)
	}
	panic(fmt.Sprintf("duckdbsql: no SQL for window function %v", w.Op))
}

// running is a running window: every row up to the current one, in order.
func running(order string) string {
	if order == "" {
		return "OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
	}
	return "OVER (ORDER BY " + order + " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
}
