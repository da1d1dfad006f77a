package clickhousesql

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/kql/sqlgen"
	"github.com/callscope/callscope/internal/schema"
)

// Call writes a scalar operation. Refusals (a construct this release
// cannot write) go through fail to sqlgen.Refuse.
func (d *Dialect) Call(c *kql.Call, a []string) string { return d.keepCaptured(d.call(c, a)) }

func (d *Dialect) call(c *kql.Call, a []string) string {
	if s, ok := d.datetimeOp(c, a); ok {
		return s
	}
	if s, ok := d.dynamicOp(c, a); ok {
		return s
	}
	switch c.Op {
	case kql.OpIntDiv:
		// intDiv truncates toward zero, as Kusto does, but throws on 0.
		return "if(" + a[1] + " = 0, NULL, intDiv(" + a[0] + ", if(" + a[1] + " = 0, 1, " + a[1] + ")))"

	// ---- text tests ----
	case kql.OpContains:
		return "(positionCaseInsensitiveUTF8(" + a[0] + ", " + a[1] + ") > 0)"
	case kql.OpContainsCS:
		return "(position(" + a[0] + ", " + a[1] + ") > 0)"
	case kql.OpStartsWith:
		return "startsWith(lowerUTF8(" + a[0] + "), lowerUTF8(" + a[1] + "))"
	case kql.OpStartsWithCS:
		return "startsWith(" + a[0] + ", " + a[1] + ")"
	case kql.OpEndsWith:
		return "endsWith(lowerUTF8(" + a[0] + "), lowerUTF8(" + a[1] + "))"
	case kql.OpEndsWithCS:
		return "endsWith(" + a[0] + ", " + a[1] + ")"
	case kql.OpHas, kql.OpHasCS, kql.OpHasPrefix, kql.OpHasPrefixCS, kql.OpHasSuffix, kql.OpHasSuffixCS:
		return d.termMatch(c.Op, a[0], c.Args[1], a[1])
	case kql.OpHasAny, kql.OpHasAll:
		var parts []string
		for i := 1; i < len(a); i++ {
			parts = append(parts, d.termMatch(kql.OpHas, a[0], c.Args[i], a[i]))
		}
		return sqlgen.AnyOrAll(c.Op == kql.OpHasAll, parts, boolLiteral(true), boolLiteral(false))
	case kql.OpMatchesRegex:
		d.constantPattern(c, 1, "matches regex")
		return "match(" + a[0] + ", " + a[1] + ")"

	// ---- conversions ----
	case kql.OpToString:
		return d.toString(c.Args[0].Type(), a[0])
	case kql.OpToLong, kql.OpToInt:
		return d.toInteger(c.Args[0].Type(), a[0], c.T)
	case kql.OpToReal, kql.OpToDecimal:
		return d.toReal(c.Args[0].Type(), a[0], c.T)
	case kql.OpToBool:
		switch c.Args[0].Type() {
		case schema.String:
			return boolFromText(a[0])
		case schema.Dynamic:
			return boolFromText(d.text(a[0]))
		case schema.Bool:
			return a[0]
		}
		return "(" + a[0] + " != 0)"
	case kql.OpToDatetime:
		switch c.Args[0].Type() {
		case schema.String:
			return d.time.parse(trimSpace(a[0]))
		case schema.Dynamic:
			return d.time.parse(d.text(a[0]))
		case schema.Long, schema.Int:
			return d.back(let("__tk", "toInt64("+a[0]+") - "+ticksToEpoch, floorDiv("__tk", "10")))
		case schema.DateTime:
			return a[0]
		}
		return d.null(schema.DateTime)
	case kql.OpToTimespan:
		switch c.Args[0].Type() {
		case schema.String:
			return d.timespanFromText(a[0])
		case schema.Dynamic:
			return d.timespanFromText(d.text(a[0]))
		case schema.Long, schema.Int, schema.Timespan:
			return "toInt64(" + a[0] + ")"
		case schema.Real, schema.Decimal:
			return "toInt64(" + roundAway(a[0]) + ")"
		}
		return d.null(schema.Timespan)
	case kql.OpToGUID:
		return "if(match(ifNull(" + a[0] + ", ''), '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$'), lower(" + a[0] + "), NULL)"

	// ---- strings ----
	case kql.OpStrcat:
		parts := make([]string, len(a))
		for i, x := range a {
			parts[i] = "ifNull(" + x + ", '')"
		}
		if len(parts) == 1 {
			return parts[0]
		}
		return "concat(" + strings.Join(parts, ", ") + ")"
	case kql.OpStrcatDelim:
		parts := make([]string, len(a)-1)
		for i, x := range a[1:] {
			parts[i] = "ifNull(" + x + ", '')"
		}
		return "arrayStringConcat([" + strings.Join(parts, ", ") + "], " + a[0] + ")"
	case kql.OpStrlen:
		return "toInt64(lengthUTF8(" + a[0] + "))"
	case kql.OpToLower:
		return "lowerUTF8(" + a[0] + ")"
	case kql.OpToUpper:
		return "upperUTF8(" + a[0] + ")"
	case kql.OpReverse:
		return "reverseUTF8(" + a[0] + ")"
	case kql.OpSubstring:
		if !d.has(nonConstantSubstringFrom) {
			return substringConstant(c, a)
		}
		// A negative start counts from the end of the text, as in Kusto
		// (substring("123456", -2, 2) is "56").
		start := "greatest(if(" + a[1] + " < 0, toInt64(lengthUTF8(" + a[0] + ")) + " + a[1] + ", toInt64(" + a[1] + ")), 0) + 1"
		if len(a) == 3 {
			return "substringUTF8(" + a[0] + ", toUInt64(" + start + "), toUInt64(greatest(" + a[2] + ", 0)))"
		}
		return "substringUTF8(" + a[0] + ", toUInt64(" + start + "), lengthUTF8(" + a[0] + "))"
	case kql.OpIndexOf:
		return "(toInt64(positionUTF8(" + a[0] + ", " + a[1] + ")) - 1)"
	case kql.OpSplit:
		return arrayText("arrayMap(__s -> " + d.json.quote("__s") + ", " + splitText(c.Args[1], a[0], a[1]) + ")")
	case kql.OpSplitPart:
		return let("__ps", splitText(c.Args[1], a[0], a[1]), "if("+a[2]+" < 0 OR "+a[2]+" >= length(__ps), '', __ps["+a[2]+" + 1])")
	case kql.OpReplaceRegex:
		d.constantPattern(c, 1, "replace_regex")
		return "replaceRegexpAll(" + a[0] + ", " + a[1] + ", " + a[2] + ")"
	case kql.OpReplaceString:
		return "replaceAll(" + a[0] + ", " + a[1] + ", " + a[2] + ")"
	case kql.OpExtract:
		// The group of the first match: the whole text matched by a
		// pattern that takes what comes before and after the match, and
		// replaced by the group. Nothing matched is null.
		d.constantPattern(c, 0, "extract")
		group := constInt(c.Args[1])
		if group < 0 || group > 9 {
			fail("extract takes a constant group from 0 to 9 on ClickHouse")
		}
		around := d.aroundPattern(c.Args[0], a[0], "(?s)^.*?(?:", ").*$")
		return "nullIf(if(match(" + a[2] + ", " + a[0] + "), replaceRegexpOne(" + a[2] + ", " + around + ", " + d.String(`\`+strconv.FormatInt(group, 10)) + "), ''), '')"
	case kql.OpTrim, kql.OpTrimStart, kql.OpTrimEnd:
		d.constantPattern(c, 0, c.Op.String())
		var pattern string
		switch c.Op {
		case kql.OpTrim:
			pattern = let("__re", a[0], "concat('^(?:', __re, ')+|(?:', __re, ')+$')")
			if re, ok := constText(c.Args[0]); ok {
				pattern = d.String("^(?:" + re + ")+|(?:" + re + ")+$")
			}
		case kql.OpTrimStart:
			pattern = d.aroundPattern(c.Args[0], a[0], "^(?:", ")+")
		default:
			pattern = d.aroundPattern(c.Args[0], a[0], "(?:", ")+$")
		}
		return "replaceRegexpAll(" + a[1] + ", " + pattern + ", '')"
	case kql.OpCountOf:
		// Matches do not overlap: countof("aaaa", "aa") is 2. Nothing is
		// found of "" (which replaceAll and countSubstrings refuse).
		if s, ok := constText(c.Args[1]); ok {
			if s == "" {
				return "toInt64(0)"
			}
			return "toInt64(intDiv(length(" + a[0] + ") - length(replaceAll(" + a[0] + ", " + a[1] + ", '')), length(" + a[1] + ")))"
		}
		if d.has(nonConstantPatternsFrom) {
			return let("__cn", a[1], "if(__cn = '', toInt64(0), toInt64(countSubstrings("+a[0]+", if(__cn = '', ' ', __cn))))")
		}
		return "toInt64(length(" + occurrences(a[0], a[1]) + "))"
	case kql.OpHashSHA256:
		return "lower(hex(SHA256(" + a[0] + ")))"
	case kql.OpHashMD5:
		return "lower(hex(MD5(" + a[0] + ")))"
	case kql.OpNewGUID:
		return d.newGUID()

	// ---- numbers ----
	case kql.OpRound:
		// The digits may be a column, which ClickHouse's round refuses.
		return let("__m", "pow(10, "+a[1]+")", roundAway("toFloat64("+a[0]+") * __m")+" / __m")
	case kql.OpFloor:
		return "floor(" + a[0] + ")"
	case kql.OpCeiling:
		return "ceil(" + a[0] + ")"
	case kql.OpAbs:
		return "abs(" + a[0] + ")"
	case kql.OpSqrt:
		return "if(" + a[0] + " < 0, nan, sqrt(" + a[0] + "))"
	case kql.OpPow:
		return "pow(" + a[0] + ", " + a[1] + ")"
	case kql.OpLog:
		return "if(" + a[0] + " > 0, log(" + a[0] + "), NULL)"
	case kql.OpLog10:
		return "if(" + a[0] + " > 0, log10(" + a[0] + "), NULL)"
	case kql.OpLog2:
		return "if(" + a[0] + " > 0, log2(" + a[0] + "), NULL)"
	case kql.OpExp:
		return "exp(" + a[0] + ")"
	case kql.OpIsNaN:
		return "isNaN(" + a[0] + ")"
	case kql.OpIsFinite:
		return "isFinite(" + a[0] + ")"
	case kql.OpMaxOf, kql.OpMinOf:
		// Nulls lose, as in Kusto (greatest would give null). The list is
		// materialized: 18.16 crashes (reads past a column's end) reducing
		// a constant list whose null item came from a let (arrayMap) in a
		// WHERE, as max_of(toscalar(…) - 2h, ago(1d)) over no rows is; the
		// release that fixed it is not known.
		fn := "max"
		if c.Op == kql.OpMinOf {
			fn = "min"
		}
		vals := make([]string, len(a))
		for i, x := range a {
			vals[i] = "CAST(" + x + " AS Nullable(" + d.Type(c.T) + "))"
		}
		return "arrayReduce('" + fn + "', materialize([" + strings.Join(vals, ", ") + "]))"
	case kql.OpBin:
		if c.T == schema.Real || c.T == schema.Decimal {
			return "(floor(" + a[0] + " / " + a[1] + ") * " + a[1] + ")"
		}
		// Whole numbers bin in integer arithmetic: a minus its
		// non-negative remainder.
		return "(" + a[0] + " - ((" + a[0] + " % " + a[1] + ") + " + a[1] + ") % " + a[1] + ")"
	case kql.OpParseUserAgent:
		kinds, _ := constText(c.Args[1])
		return d.parseUserAgent(a[0], kinds)
	}
	fail("%s is not supported on %s", c.Op, d.Name())
	return ""
}

// substringConstant writes substring for releases whose substringUTF8
// takes only a constant start (from 1) and a constant length. A constant
// start from 0 and a constant length, or none, are written as such; any
// other start or length (a column, a start from the end) slices the
// text's list of characters.
func substringConstant(c *kql.Call, a []string) string {
	start, startOK := constWhole(c.Args[1])
	length, lengthOK := int64(math.MaxUint32), true
	if len(a) == 3 {
		length, lengthOK = constWhole(c.Args[2])
	}
	if startOK && start >= 0 && lengthOK {
		// Both past any text's end at most, where substringUTF8 gives "".
		start, length = min(start, math.MaxUint32), min(max(length, 0), math.MaxUint32)
		return "substringUTF8(" + a[0] + ", " + strconv.FormatInt(start+1, 10) + ", " + strconv.FormatInt(length, 10) + ")"
	}
	from := "toInt64(greatest(if(" + a[1] + " < 0, toInt64(length(__sc)) + " + a[1] + ", toInt64(" + a[1] + ")), 0) + 1)"
	slice := "arraySlice(__sc, " + from + ")"
	if len(a) == 3 {
		slice = "arraySlice(__sc, " + from + ", toInt64(greatest(" + a[2] + ", 0)))"
	}
	return "if(isNull(" + a[0] + "), NULL, " + let("__sc", "extractAll(ifNull("+a[0]+", ''), '(?s).')", "arrayStringConcat("+slice+")") + ")"
}

// constWhole is the value of a whole-number constant that is not null.
func constWhole(x kql.Scalar) (int64, bool) {
	if k, ok := x.(*kql.Const); ok {
		if n, ok := k.V.(int64); ok {
			return n, true
		}
	}
	return 0, false
}

// roundAway rounds to a whole number, halves away from zero, as Kusto and
// DuckDB do; ClickHouse's round takes halves of a Float64 to the even
// neighbour.
func roundAway(x string) string {
	return let("__h", x, "if(__h < 0, -floor(-__h + 0.5), floor(__h + 0.5))")
}

// aroundPattern writes a regular expression between a prefix and a
// suffix: a literal for a constant, a concatenation otherwise.
func (d *Dialect) aroundPattern(re kql.Scalar, reSQL, prefix, suffix string) string {
	if s, ok := constText(re); ok {
		return d.String(prefix + s + suffix)
	}
	return "concat(" + d.String(prefix) + ", " + reSQL + ", " + d.String(suffix) + ")"
}

// constantPattern refuses a regular expression that is not a constant on
// releases that take only constants.
func (d *Dialect) constantPattern(c *kql.Call, i int, what string) {
	if _, ok := c.Args[i].(*kql.Const); !ok {
		d.needs(nonConstantPatternsFrom, what+" with a pattern that is not a constant")
	}
}

// splitText splits text at the delimiter: with splitByString, which
// takes only a constant delimiter, or else at the delimiter's occurrences.
// An empty delimiter splits the text into its characters, as in DuckDB's
// dialect.
func splitText(delim kql.Scalar, text, delimSQL string) string {
	if s, ok := constText(delim); ok {
		if s == "" {
			return "extractAll(" + text + ", '.')"
		}
		return "splitByString(" + delimSQL + ", " + text + ")"
	}
	parts := let("__sp", occurrences("__st", delimSQL),
		let("__sb", "arrayConcat([toInt64(1)], arrayMap(__o -> __o + __sl, __sp))",
			let("__se", "arrayConcat(arrayMap(__o -> __o - 1, __sp), [toInt64(length(__st))])",
				"arrayMap(__k -> substring(__st, toUInt64(__sb[__k]), toUInt64(__se[__k] - __sb[__k] + 1)), arrayEnumerate(__sb))")))
	return let("__st", text, let("__sl", "toInt64(length("+delimSQL+"))", "if(__sl = 0, extractAll(__st, '.'), "+parts+")"))
}

// occurrences lists the positions (from 1, in bytes) of the occurrences of
// needle in text that do not overlap, taken from the left as
// splitByString and replaceAll take them, where needle is not a constant
// and those functions refuse it.
//
// From a search start x, the next occurrence is found with position(),
// and the search goes on after it: jump(x) = occurrence + length, or end
// where there is none. The occurrences are the chain of jumps from 1. A
// chain has no closed form in arrays, so it is read by doubling: the jumps
// of 2, 4, … 2^k steps are arrays too (jump2[x] = jump[jump[x]]), which
// give the number of occurrences (the most steps that stay off the end,
// bit by bit from the highest) and the start after each.
func occurrences(text, needle string) string {
	const levels = 16 // up to 2^17 - 1 occurrences
	jumps := make([]string, levels+1)
	for k := range jumps {
		jumps[k] = "__oj" + strconv.Itoa(k)
	}
	// after is the search start after m steps from 1, m bit by bit.
	after := func(m string) string {
		cur := "__a"
		for k := levels; k >= 0; k-- {
			cur = let("__a", "if(bitTest("+m+", "+strconv.Itoa(k)+"), "+jumps[k]+"[__a], __a)", cur)
		}
		return let("__a", "toInt64(1)", cur)
	}
	count := "tuple(toInt64(1), toInt64(0))" // (start, steps)
	for k := levels; k >= 0; k-- {
		next := jumps[k] + "[tupleElement(__oc, 1)]"
		count = let("__oc", count, "if("+next+" != __oend, tuple("+next+", tupleElement(__oc, 2) + "+strconv.Itoa(1<<k)+"), __oc)")
	}
	body := "arrayMap(__m -> " + after("toUInt64(__m + 1)") + " - __ol, range(toUInt64(tupleElement(" + count + ", 2))))"
	for k := levels; k >= 1; k-- {
		body = let(jumps[k], "arrayMap(__x -> "+jumps[k-1]+"["+jumps[k-1]+"[__x]], arrayEnumerate("+jumps[k-1]+"))", body)
	}
	first := "arrayPushBack(arrayMap(__x -> " +
		let("__o", "toInt64(position(substring(__ot, toUInt64(__x), toUInt64(__on)), __ol2))", "if(__ol = 0 OR __o = 0, __oend, __x + __o - 1 + __ol)") +
		", arrayMap(__i -> toInt64(__i + 1), range(toUInt64(__on + 1)))), __oend)"
	return let("__ot", text, let("__ol2", needle, let("__ol", "toInt64(length(__ol2))", let("__on", "toInt64(length(__ot))",
		let("__oend", "__on + 2", let(jumps[0], first, body))))))
}

func constText(x kql.Scalar) (string, bool) {
	if k, ok := x.(*kql.Const); ok {
		if s, ok := k.V.(string); ok {
			return s, true
		}
	}
	return "", false
}

// constInt is the value of a whole-number constant, -1 for anything else.
func constInt(x kql.Scalar) int64 {
	if k, ok := x.(*kql.Const); ok {
		if n, ok := k.V.(int64); ok {
			return n
		}
	}
	return -1
}

// newGUID writes a random version 4 UUID. Each call gets its own seed:
// ClickHouse computes an expression written twice in a select once, and
// generateUUIDv4 takes no argument before 22.
func (d *Dialect) newGUID() string {
	*d.seq++
	seed := strconv.Itoa(*d.seq)
	h := "lower(concat(hex(rand64(" + seed + ")), hex(rand64(" + seed + "0))))"
	return let("__g", h, "concat(substring(__g, 1, 8), '-', substring(__g, 9, 4), '-4', substring(__g, 14, 3), '-', "+
		"arrayElement(['8', '9', 'a', 'b'], (rand("+seed+") % 4) + 1), substring(__g, 18, 3), '-', substring(__g, 21, 12))")
}

// termMatch writes has and its relatives: the pattern as a whole term, or
// the start or end of one, where terms are runs of letters and digits.
// Case is ignored by lowering both sides, not with (?i): before 19,
// match looks for the pattern's literal part as it is written before it
// runs the expression, and (?i)world never finds "World".
func (d *Dialect) termMatch(op kql.Op, text string, pattern kql.Scalar, patternSQL string) string {
	cs := op == kql.OpHasCS || op == kql.OpHasPrefixCS || op == kql.OpHasSuffixCS
	before, after := `(^|[^0-9A-Za-z])`, `($|[^0-9A-Za-z])`
	switch op {
	case kql.OpHasPrefix, kql.OpHasPrefixCS:
		after = ""
	case kql.OpHasSuffix, kql.OpHasSuffixCS:
		before = ""
	}
	if !cs {
		text = "lowerUTF8(" + text + ")"
		patternSQL = "lowerUTF8(" + patternSQL + ")"
	}
	if s, ok := constText(pattern); ok {
		if s == "" {
			return "1"
		}
		if !cs {
			s = strings.ToLower(s)
		}
		return "match(" + text + ", " + d.String(before+regexp.QuoteMeta(s)+after) + ")"
	}
	d.needs(nonConstantPatternsFrom, op.String()+" with a term that is not a constant")
	return "match(" + text + ", concat(" + d.String(before) + ", regexpQuoteMeta(" + patternSQL + "), " + d.String(after) + "))"
}

// toString writes tostring() of a value of type t.
func (d *Dialect) toString(t kql.Type, x string) string {
	switch t {
	case schema.String, schema.GUID:
		return x
	case schema.DateTime:
		return isoText(d.micro(x))
	case schema.Timespan:
		return timespanText(x)
	case schema.Real:
		// A whole number reads without a fraction (2, not 2.0).
		return "toString(" + x + ")"
	case schema.Decimal:
		return let("__ds", "toString("+x+")", "if(position(__ds, '.') > 0, replaceRegexpOne(__ds, '\\\\.?0+$', ''), __ds)")
	case schema.Dynamic:
		return d.text(x)
	case schema.Bool:
		return "if(" + x + ", 'true', 'false')"
	}
	return "toString(" + x + ")"
}

// toInteger writes tolong() and toint(): text and reals truncate.
func (d *Dialect) toInteger(from kql.Type, x string, to kql.Type) string {
	typ := "Int64"
	if to == schema.Int {
		typ = "Int32"
	}
	fromReal := func(r string) string {
		// Out of range is null rather than a wrapped number.
		return let("__f", r, "if(isFinite(__f) AND abs(__f) < 9.2e18, to"+typ+"(trunc(__f)), NULL)")
	}
	switch from {
	case schema.String:
		return fromReal("toFloat64OrNull(" + trimSpace("ifNull("+x+", '')") + ")")
	case schema.Dynamic:
		return fromReal("toFloat64OrNull(ifNull(" + d.text(x) + ", ''))")
	case schema.Real:
		if to == schema.Timespan {
			return "toInt64(" + roundAway(x) + ")"
		}
		return fromReal(x)
	case schema.Decimal:
		return "to" + typ + "(trunc(" + x + "))"
	case schema.DateTime:
		return "to" + typ + "(" + d.micro(x) + " * 10 + " + ticksToEpoch + ")"
	}
	return "to" + typ + "(" + x + ")"
}

// toReal writes toreal() and todecimal().
func (d *Dialect) toReal(from kql.Type, x string, to kql.Type) string {
	conv := func(v string) string {
		if to == schema.Decimal {
			return "toDecimal128(" + v + ", 10)"
		}
		return "toFloat64(" + v + ")"
	}
	orNull := func(text string) string {
		if to == schema.Decimal {
			// Through Float64: toDecimal128OrNull came in 20.1.
			return let("__f", "toFloat64OrNull("+text+")", "if(isFinite(__f), toDecimal128(__f, 10), NULL)")
		}
		return "toFloat64OrNull(" + text + ")"
	}
	switch from {
	case schema.String:
		return orNull(trimSpace("ifNull(" + x + ", '')"))
	case schema.Dynamic:
		return orNull("ifNull(" + d.text(x) + ", '')")
	case schema.DateTime:
		return conv(d.micro(x) + " * 10 + " + ticksToEpoch)
	case schema.Bool:
		return conv(x)
	}
	return conv(x)
}

func boolFromText(text string) string {
	return let("__b", "lower("+trimSpace("ifNull("+text+", '')")+")", "multiIf(__b IN ('true', '1'), 1, __b IN ('false', '0'), 0, NULL)")
}
