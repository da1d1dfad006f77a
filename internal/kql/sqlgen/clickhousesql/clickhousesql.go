// Package clickhousesql is the ClickHouse dialect of the KQL SQL
// generator: how each KQL operation, aggregation and type is written in
// the SQL of one ClickHouse release, from 18.16 (the release Debian
// ships) to today's.
//
// A dialect is made for a release (New) and writes only what that release
// reads. What differs between releases:
//
//   - Datetimes. Releases from 20.5 have DateTime64 and the functions
//     over its microseconds, and the store keeps times there as
//     DateTime64(6, 'UTC'); the dialect computes with that type too. Older releases keep whole seconds in DateTime, which also
//     cannot hold times before 1970; there the dialect computes with
//     microseconds since 1970 in an Int64, read from the stored seconds
//     and written back as text. Stored times lose nothing (they are whole
//     seconds), computed ones keep their microseconds, and times before
//     1970 work; what is lost is parsing text before 1970 (todatetime),
//     which goes through the server's DateTime. See timeRep.
//   - Dynamic values are JSON text in String, as the store keeps them.
//     From 21.11 they are read with the JSON functions (JSONExtractRaw,
//     JSONType, …); older releases have only visitParam*, which cannot
//     tell nesting levels apart, so there the dialect splits JSON into
//     tokens with a regular expression and reads values by their depth.
//     See jsonRep.
//   - Common table expressions (20.10) and window functions (21.9): where
//     they are missing the generator writes let-bound tables at each use
//     and computes window functions from arrays (sqlgen.RowArrays).
//   - Regular expressions that are not constants (22.6): from them
//     parse_user_agent picks ua-parser's rules from lists; older releases
//     get each rule written out (useragent.go), and refuse a pattern that
//     is not a constant in a query.
//   - substringUTF8 with a start or length that is not a constant
//     (19.6); before it, such a substring slices the list of the text's
//     characters.
//
// The KQL suite runs on 18.16 and on a current release (internal/query);
// the releases in between are written for from ClickHouse's changelog.
//
// Conventions of every release: strings are String (null standing for
// ""), bools UInt8, timespans Int64 ticks of 100 ns, decimals
// Decimal128(10), dynamic values JSON text. Nulls follow DuckDB's
// dialect, whose answers the KQL test suite pins down: aggregations over
// no values give null, string functions read null as "", JSON's null is a
// value and SQL's NULL none.
//
// ClickHouse's SQL differs from standard SQL in ways that shape what is
// written here: functions are evaluated on every row whatever branch of if
// or CASE is taken (so nothing may throw on a value the condition rules
// out), arrays and tuples cannot be Nullable (so array-valued helpers take
// a non-null String and return an empty array for nothing), and a
// subexpression written twice in one select is computed once (so two
// random values need different arguments).
package clickhousesql

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	ch "github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/kql/sqlgen"
	"github.com/callscope/callscope/internal/schema"
)

// Dialect is the dialect of one ClickHouse release.
type Dialect struct {
	version  ch.Version
	features ch.Features
	time     timeRep
	json     jsonRep
	// seq numbers what must differ within a statement: the random values
	// of new_guid (a subexpression written twice is computed once) and
	// the positions of Unnest.
	seq *int
}

var (
	_ sqlgen.Dialect      = (*Dialect)(nil)
	_ sqlgen.RowArrays    = (*Dialect)(nil)
	_ sqlgen.UnionColumns = (*Dialect)(nil)
)

// The releases from which the dialect uses what came after 18.16 (beyond
// ch.Features, which the store shares), from ClickHouse's changelog. Only
// 18.16 and a current release are tested.
var (
	// jsonFunctionsFrom: JSONExtractRaw and its kin (19 and 20),
	// toJSONString (21.7), JSONExtractKeys (21.11).
	jsonFunctionsFrom = ch.Version{Major: 21, Minor: 11}
	// nonConstantPatternsFrom: match, replaceRegexpOne and countSubstrings
	// with a pattern or needle that is not a constant (22.6).
	nonConstantPatternsFrom = ch.Version{Major: 22, Minor: 6}
	// nonConstantSubstringFrom: substringUTF8 with a start or length
	// that is not a constant, or a start from the end (19.6).
	nonConstantSubstringFrom = ch.Version{Major: 19, Minor: 6}
	// analyzerFrom: the query analyzer that resolves the columns lambdas
	// read (24.3); see keepCaptured.
	analyzerFrom = ch.Version{Major: 24, Minor: 3}
)

// New makes the dialect of a release.
func New(v ch.Version) *Dialect {
	f := ch.FeaturesOf(v)
	d := &Dialect{version: v, features: f, seq: new(int)}
	if f.DateTime64 {
		d.time = dateTime64{}
	} else {
		d.time = micros{}
	}
	if d.has(jsonFunctionsFrom) {
		d.json = jsonFunctions{}
	} else {
		d.json = jsonTokens{}
	}
	return d
}

// has reports whether the release is v or later.
func (d *Dialect) has(v ch.Version) bool { return d.version.AtLeast(v.Major, v.Minor) }

// needs refuses what needs release v on an earlier release.
func (d *Dialect) needs(v ch.Version, what string) {
	if !d.has(v) {
		fail("%s needs ClickHouse %d.%d or later; the server runs %s", what, v.Major, v.Minor, d.version)
	}
}

// Name names the engine and its release: messages that refuse a query
// say which release could run it.
func (d *Dialect) Name() string { return "ClickHouse " + d.version.String() }

// Features: ClickHouse has neither ORDER BY inside aggregations nor
// correlated subqueries; its aliases shadow columns; it fills the missing
// side of an outer join with defaults. CTEs and window functions depend
// on the release.
func (d *Dialect) Features() sqlgen.Features {
	return sqlgen.Features{
		CommonTableExpressions: d.features.CommonTableExpressions,
		WindowFunctions:        d.features.WindowFunctions,
		OrderedAggregates:      false,
		FreshNames:             true,
		KeyColumnJoins:         true,
	}
}

// TemporaryTable implements sqlgen.TemporaryTables. Releases without
// CTEs (before 20.10) compute a let-bound table used more than once into
// a Memory table that lives as long as the HTTP session that created it;
// readonly=2 allows it.
func (d *Dialect) TemporaryTable(name, query string) string {
	return "CREATE TEMPORARY TABLE " + name + " ENGINE = Memory AS " + query
}

// Ident quotes an identifier in backquotes, which every release reads.
func (d *Dialect) Ident(name string) string { return ch.Ident(name) }

// String quotes a string literal.
func (d *Dialect) String(s string) string { return sqlString(s) }

// sqlString quotes a string literal. Backslash and quote are escaped, as
// are control characters, so that a statement holds no raw NUL or newline
// inside a literal.
func sqlString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' || c == '\'':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// Type is the (not Nullable) type that holds a KQL type.
func (d *Dialect) Type(t kql.Type) string {
	switch t {
	case schema.String, schema.GUID, schema.Dynamic:
		return "String"
	case schema.Long, schema.Timespan:
		return "Int64"
	case schema.Int:
		return "Int32"
	case schema.Real:
		return "Float64"
	case schema.Decimal:
		return "Decimal128(10)"
	case schema.Bool:
		return "UInt8"
	case schema.DateTime:
		return d.time.sqlType()
	}
	return "String"
}

// null is a typed null.
func (d *Dialect) null(t kql.Type) string { return "CAST(NULL AS Nullable(" + d.Type(t) + "))" }

func (d *Dialect) Const(k *kql.Const) string {
	if k.V == nil {
		return d.null(k.T)
	}
	switch v := k.V.(type) {
	case string:
		return d.String(v)
	case int64:
		switch k.T {
		case schema.Int:
			return "toInt32(" + strconv.FormatInt(v, 10) + ")"
		case schema.Real:
			return realLiteral(float64(v))
		case schema.Decimal:
			return "toDecimal128(" + strconv.FormatInt(v, 10) + ", 10)"
		case schema.Bool:
			return boolLiteral(v != 0)
		}
		return "toInt64(" + strconv.FormatInt(v, 10) + ")"
	case float64:
		if k.T == schema.Decimal {
			// Ten digits at most: text with more is refused before 19.
			return "toDecimal128(" + d.String(strconv.FormatFloat(v, 'f', 10, 64)) + ", 10)"
		}
		return realLiteral(v)
	case bool:
		return boolLiteral(v)
	case time.Time:
		return d.time.literal(v)
	case kql.DynamicValue:
		return d.String(v.JSON)
	}
	return d.null(k.T)
}

// realLiteral writes a Float64: a bare 1.5 is one, but 1 would be UInt8.
func realLiteral(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return "toFloat64(" + strconv.FormatFloat(f, 'g', -1, 64) + ")"
}

// Bools are UInt8 1 and 0: releases before 21 have no true and false.
func boolLiteral(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func (d *Dialect) Materialized() string { return "" }

// Result returns datetimes as the store reads them (see timeRep.result)
// and reals as text: JSON formats write NaN and infinities as null, the
// store reads "nan" and "inf" back. Everything else, dynamic values
// included, is already what the store reads.
func (d *Dialect) Result(x string, t kql.Type) string {
	switch t {
	case schema.DateTime:
		return d.time.result(x)
	case schema.Real:
		return "toString(" + x + ")"
	}
	return x
}

// Table reads a table. Times on releases without DateTime64 are read into
// microseconds above a select that bounds the stored seconds, so that the
// bounds still prune the table's partitions.
func (d *Dialect) Table(table string, cols []kql.Column, timeCol int, from, to *time.Time) string {
	sql := "SELECT * FROM " + d.Ident(table)
	var conds []string
	if from != nil {
		conds = append(conds, d.Ident(cols[timeCol].Name)+" >= "+d.time.storedBound(*from, true))
	}
	if to != nil {
		conds = append(conds, d.Ident(cols[timeCol].Name)+" <= "+d.time.storedBound(*to, false))
	}
	if len(conds) > 0 {
		sql += " WHERE " + strings.Join(conds, " AND ")
	}
	var sel []string
	converted := false
	for _, c := range cols {
		v := d.Ident(c.Name)
		if c.Type == schema.DateTime {
			if s := d.time.fromStored(v); s != v {
				v, converted = s+" AS "+v, true
			}
		}
		sel = append(sel, v)
	}
	if !converted {
		return sql
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM (" + sql + ") AS " + d.Ident("stored")
}

// FirstPerKey keeps one row per key with LIMIT 1 BY.
func (d *Dialect) FirstPerKey(sql string, keys []string, cols []string) string {
	return "SELECT * FROM (" + sql + ") AS " + d.Ident("u") + " LIMIT 1 BY " + strings.Join(keys, ", ")
}

// Series lists the steps with range(n): numbers(n) would stream rather
// than build a list, but takes only a literal before 19.
func (d *Dialect) Series(col, from, to, step string, t kql.Type, inclusive bool) string {
	var n, value string
	switch t {
	case schema.DateTime:
		// Steps are ticks; the series counts microseconds.
		us := "intDiv(" + step + ", 10)"
		span := "(" + d.time.toMicros(to) + " - " + d.time.toMicros(from) + ")"
		n = steps(span, us, inclusive)
		value = d.time.fromMicros(d.time.toMicros(from) + " + toInt64(number) * " + us)
	case schema.Real, schema.Decimal:
		ratio := "((" + to + " - " + from + ") / " + step + ")"
		if inclusive {
			n = "greatest(floor(" + ratio + ") + 1, 0)"
		} else {
			n = "greatest(ceil(" + ratio + "), 0)"
		}
		value = "(" + from + " + number * " + step + ")"
	default:
		n = steps("("+to+" - "+from+")", step, inclusive)
		value = "toInt64(" + from + " + toInt64(number) * " + step + ")"
	}
	return "(SELECT " + value + " AS " + d.Ident(col) + " FROM (SELECT arrayJoin(range(toUInt64(" + n + "))) AS number)) AS " + d.Ident("series")
}

// steps is how many whole steps of step (not 0) fit in span, which has the
// step's sign for a non-empty series.
func steps(span, step string, inclusive bool) string {
	if inclusive {
		return "greatest(intDiv(" + span + ", " + step + ") + 1, 0)"
	}
	// ceil(span / step) in whole numbers, for either sign.
	return "greatest(intDiv(" + span + " + " + step + " - if(" + step + " > 0, 1, -1), " + step + "), 0)"
}

// Unnest writes lists side by side. One list is arrayJoin'ed directly;
// several are read at each position of the longest, which arrayJoin
// enumerates, null past a list's end. (Several arrayJoin calls in one
// select would multiply the rows.)
func (d *Dialect) Unnest(lists []string) []string {
	if len(lists) == 1 {
		return []string{"arrayJoin(" + lists[0] + ")"}
	}
	*d.seq++
	i := d.Ident("__u" + strconv.Itoa(*d.seq))
	lengths := make([]string, len(lists))
	for k, l := range lists {
		lengths[k] = "length(" + l + ")"
	}
	out := make([]string, len(lists))
	for k, l := range lists {
		at := i
		if k == 0 {
			// The position is defined (AS) where it is first used.
			at = "(arrayJoin(range(toUInt64(" + greatest(lengths) + "))) AS " + i + ")"
		}
		out[k] = "if(" + at + " < " + lengths[k] + ", " + l + "[" + i + " + 1], NULL)"
	}
	return out
}

// greatest of several values, in pairs: greatest takes two arguments
// before 20.
func greatest(xs []string) string {
	g := xs[0]
	for _, x := range xs[1:] {
		g = "greatest(" + g + ", " + x + ")"
	}
	return g
}

func (d *Dialect) ListIndexes(list string) string {
	return "arrayMap(__i -> toInt64(__i - 1), arrayEnumerate(" + list + "))"
}

// UnionColumn materializes the columns of a union's inputs on releases
// before the analyzer. 18.16 takes a union's header from its first input,
// where a column computed with IN (a list or a subquery) is a constant
// before the set is built, and then refuses the input's rows, where it is
// not ("Cannot convert column … because it is non constant in source
// stream but must be constant in result"). Which release fixed it is not
// known.
func (d *Dialect) UnionColumn(x string) string {
	if d.has(analyzerFrom) {
		return x
	}
	return "materialize(" + x + ")"
}

// keepCaptured works around a bug seen on 18.16: a column that only a
// lambda's body reads (a captured column) counts as unused, and the
// subquery that provides it drops it ("Unknown identifier"). Naming the
// columns once outside the lambda keeps them: tupleElement(tuple(x, `a`),
// 1) is x. Which release fixed the bug is not known, so every release
// before the new analyzer gets the names. It must not wrap aggregations,
// whose columns may only appear inside an aggregate function.
func (d *Dialect) keepCaptured(x string) string {
	if d.has(analyzerFrom) || !strings.Contains(x, "->") {
		return x
	}
	cols := columnsOf(x)
	if len(cols) == 0 {
		return x
	}
	return "tupleElement(tuple(" + x + ", " + strings.Join(cols, ", ") + "), 1)"
}

// columnsOf lists the distinct columns an expression reads: its
// backquoted identifiers (columns are always quoted, lambda parameters
// never), leaving out string literals and subqueries, whose identifiers
// are their own.
func columnsOf(sql string) []string {
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(sql); i++ {
		switch {
		case sql[i] == '\'':
			for i++; i < len(sql) && sql[i] != '\''; i++ {
				if sql[i] == '\\' {
					i++
				}
			}
		case strings.HasPrefix(sql[i:], "(SELECT "):
			i = closing(sql, i)
		case sql[i] == '`':
			j := i + 1
			for ; j < len(sql) && sql[j] != '`'; j++ {
				if sql[j] == '\\' {
					j++
				}
			}
			id := sql[i:min(j+1, len(sql))]
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
			i = j
		}
	}
	return out
}

// closing is the position of the parenthesis that closes the one at i,
// past quoted text.
func closing(sql string, i int) int {
	depth := 0
	for ; i < len(sql); i++ {
		switch sql[i] {
		case '\'', '`':
			q := sql[i]
			for i++; i < len(sql) && sql[i] != q; i++ {
				if sql[i] == '\\' {
					i++
				}
			}
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(sql)
}

// Lambda parameters are named __x, __jt, …: a parameter shadows a column
// of its name inside the lambda (backquotes do not tell them apart), and
// no column has such a name: the schema's do not start with __, and
// sqlgen's generated ones are a prefix and a number (__o3).

// let binds value to name for body: arrayMap over a one-element list is
// the only let there is in ClickHouse's SQL, and it keeps a long
// expression from being written out at each use. value must not be
// Nullable when body gives an array or a tuple.
func let(name, value, body string) string {
	return "arrayMap(" + name + " -> " + body + ", [" + value + "])[1]"
}
