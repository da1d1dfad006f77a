package kql

import (
	"strings"

	"github.com/callscope/callscope/internal/schema"
)

// funcSpec describes a scalar function: how many arguments it takes and
// how its call is typed and turned into operations. check receives the
// checked arguments; raw, when set, receives the syntax instead (for
// functions whose arguments are not plain values, such as toscalar).
type funcSpec struct {
	min, max int // max < 0: any number
	check    func(e *env, n *CallExpr, args []Scalar) Scalar
}

// rawFunctions take their arguments as syntax: toscalar's is a query,
// pack_all has none but reads the row.
var rawFunctions map[string]rawSpec

type rawSpec struct {
	min, max int
	check    func(e *env, n *CallExpr) Scalar
}

func init() {
	rawFunctions = map[string]rawSpec{
		"toscalar": {1, 1, fnToScalar},
		"pack_all": {0, 1, fnPackAll},
		"materialize": {1, 1, func(e *env, n *CallExpr) Scalar {
			e.fail(n.Pos(), "materialize() makes a table; use it in a let statement or where a table is expected")
			return nil
		}},
	}
}

var functions map[string]*funcSpec

func init() {
	functions = map[string]*funcSpec{
		// Conditionals and null tests.
		"iff":        {3, 3, fnIff},
		"iif":        {3, 3, fnIff},
		"case":       {3, -1, fnCase},
		"coalesce":   {2, 64, fnCoalesce},
		"isnull":     {1, 1, pred(OpIsNull)},
		"isnotnull":  {1, 1, pred(OpIsNotNull)},
		"notnull":    {1, 1, pred(OpIsNotNull)},
		"isempty":    {1, 1, pred(OpIsEmpty)},
		"isnotempty": {1, 1, pred(OpIsNotEmpty)},
		"notempty":   {1, 1, pred(OpIsNotEmpty)},
		"not":        {1, 1, fnNot},
		"max_of":     {2, 64, fnExtremum(OpMaxOf)},
		"min_of":     {2, 64, fnExtremum(OpMinOf)},
		"isnan":      {1, 1, fnRealPred(OpIsNaN)},
		"isfinite":   {1, 1, fnRealPred(OpIsFinite)},

		// Conversions.
		"tostring":   {1, 1, cast(schema.String)},
		"toint":      {1, 1, cast(schema.Int)},
		"tolong":     {1, 1, cast(schema.Long)},
		"toreal":     {1, 1, cast(schema.Real)},
		"todouble":   {1, 1, cast(schema.Real)},
		"todecimal":  {1, 1, cast(schema.Decimal)},
		"tobool":     {1, 1, cast(schema.Bool)},
		"toboolean":  {1, 1, cast(schema.Bool)},
		"todatetime": {1, 1, cast(schema.DateTime)},
		"totimespan": {1, 1, cast(schema.Timespan)},
		"toguid":     {1, 1, cast(schema.GUID)},
		"todynamic":  {1, 1, fnParseJSON},
		"toobject":   {1, 1, fnParseJSON},
		"parse_json": {1, 1, fnParseJSON},
		"gettype":    {1, 1, fnGetType},

		// Strings.
		"strcat":           {1, 64, fnStrcat},
		"strcat_delim":     {3, 64, fnStrcatDelim},
		"strlen":           {1, 1, str1(OpStrlen, schema.Long)},
		"tolower":          {1, 1, str1(OpToLower, schema.String)},
		"toupper":          {1, 1, str1(OpToUpper, schema.String)},
		"reverse":          {1, 1, str1(OpReverse, schema.String)},
		"hash_sha256":      {1, 1, str1(OpHashSHA256, schema.String)},
		"hash_md5":         {1, 1, str1(OpHashMD5, schema.String)},
		"substring":        {2, 3, fnSubstring},
		"indexof":          {2, 3, fnIndexOf},
		"split":            {2, 3, fnSplit},
		"replace_regex":    {3, 3, fnReplaceRegex},
		"replace_string":   {3, 3, strN(OpReplaceString, schema.String, 3)},
		"replace":          {3, 3, fnReplaceOld},
		"extract":          {3, 4, fnExtract},
		"trim":             {2, 2, fnTrim(OpTrim)},
		"trim_start":       {2, 2, fnTrim(OpTrimStart)},
		"trim_end":         {2, 2, fnTrim(OpTrimEnd)},
		"strcat_array":     {2, 2, fnStrcatArray},
		"countof":          {2, 3, fnCountOf},
		"new_guid":         {0, 0, fnNewGUID},
		"parse_user_agent": {2, 2, fnParseUserAgent},

		// Numbers.
		"round":   {1, 2, fnRound},
		"floor":   {1, 2, fnFloor},
		"bin":     {2, 2, fnBin},
		"ceiling": {1, 1, real1(OpCeiling)},
		"abs":     {1, 1, fnAbs},
		"sqrt":    {1, 1, real1(OpSqrt)},
		"log":     {1, 1, real1(OpLog)},
		"log10":   {1, 1, real1(OpLog10)},
		"log2":    {1, 1, real1(OpLog2)},
		"exp":     {1, 1, real1(OpExp)},
		"pow":     {2, 2, fnPow},

		// Datetimes.
		"now":                              {0, 1, fnNow},
		"ago":                              {1, 1, fnAgo},
		"startofday":                       {1, 2, fnStartOf("day")},
		"startofweek":                      {1, 2, fnStartOf("week")},
		"startofmonth":                     {1, 2, fnStartOf("month")},
		"startofyear":                      {1, 2, fnStartOf("year")},
		"endofday":                         {1, 2, fnEndOf("day")},
		"endofweek":                        {1, 2, fnEndOf("week")},
		"endofmonth":                       {1, 2, fnEndOf("month")},
		"endofyear":                        {1, 2, fnEndOf("year")},
		"datetime_diff":                    {3, 3, fnDatetimeDiff},
		"datetime_add":                     {3, 3, fnDatetimeAdd},
		"datetime_part":                    {2, 2, fnDatetimePart},
		"datepart":                         {2, 2, fnDatetimePart},
		"format_datetime":                  {2, 2, fnFormatDatetime},
		"dayofweek":                        {1, 1, fnDayOfWeek},
		"dayofmonth":                       {1, 1, partOf("day")},
		"dayofyear":                        {1, 1, partOf("dayofyear")},
		"hourofday":                        {1, 1, partOf("hour")},
		"getmonth":                         {1, 1, partOf("month")},
		"monthofyear":                      {1, 1, partOf("month")},
		"getyear":                          {1, 1, partOf("year")},
		"week_of_year":                     {1, 1, partOf("week_of_year")},
		"unixtime_seconds_todatetime":      {1, 1, fnUnixToDT(OpUnixSecondsToDT)},
		"unixtime_milliseconds_todatetime": {1, 1, fnUnixToDT(OpUnixMillisToDT)},
		"format_timespan":                  {2, 2, fnFormatTimespan},

		// Dynamic values.
		"bag_pack":        {0, 128, fnBagPack},
		"pack":            {0, 128, fnBagPack},
		"pack_array":      {0, 128, fnPackArray},
		"bag_merge":       {2, 64, dyn(OpBagMerge)},
		"array_concat":    {1, 64, dyn(OpArrayConcat)},
		"array_length":    {1, 1, fnArrayLength},
		"array_sort_asc":  {1, 64, fnArraySort(OpArraySortAsc, OpArraySortColumn)},
		"array_sort_desc": {1, 64, fnArraySort(OpArraySortDesc, OpArraySortColumnDesc)},
		"set_has_element": {2, 2, fnSetHasElement},
		"array_index_of":  {2, 2, fnArrayIndexOf},
		"bag_keys":        {1, 1, dyn(OpBagKeys)},
		"array_slice":     {3, 3, fnArraySlice},
		"bag_has_key":     {2, 2, fnBagHasKey},
	}
}

func fnIff(e *env, n *CallExpr, a []Scalar) Scalar {
	cond := e.boolArg(n, 0, a[0])
	vals, t := e.c.unifyAll(n.Pos(), a[1:])
	return &Call{Op: OpIff, Args: []Scalar{cond, vals[0], vals[1]}, T: t}
}

func fnCase(e *env, n *CallExpr, a []Scalar) Scalar {
	if len(a)%2 != 1 {
		e.fail(n.Pos(), "case takes pairs of condition and value, then the value for no match")
	}
	var vals []Scalar
	for i := 1; i < len(a); i += 2 {
		vals = append(vals, a[i])
	}
	vals = append(vals, a[len(a)-1])
	vals, t := e.c.unifyAll(n.Pos(), vals)
	var out []Scalar
	for i := 0; i+1 < len(a); i += 2 {
		out = append(out, e.boolArg(n, i, a[i]), vals[i/2])
	}
	out = append(out, vals[len(vals)-1])
	return &Call{Op: OpCase, Args: out, T: t}
}

func fnCoalesce(e *env, n *CallExpr, a []Scalar) Scalar {
	vals, t := e.c.unifyAll(n.Pos(), a)
	return &Call{Op: OpCoalesce, Args: vals, T: t}
}

func pred(op Op) func(*env, *CallExpr, []Scalar) Scalar {
	return func(e *env, n *CallExpr, a []Scalar) Scalar {
		return &Call{Op: op, Args: a, T: schema.Bool}
	}
}

func fnNot(e *env, n *CallExpr, a []Scalar) Scalar {
	return &Call{Op: OpNot, Args: []Scalar{e.boolArg(n, 0, a[0])}, T: schema.Bool}
}

func (e *env) boolArg(n *CallExpr, i int, x Scalar) Scalar {
	switch x.Type() {
	case schema.Bool:
		return x
	case schema.Dynamic:
		return &Call{Op: OpToBool, Args: []Scalar{x}, T: schema.Bool}
	}
	e.fail(n.Args[i].Pos(), "%s needs a bool here, found a %s", n.Fun.Name, x.Type())
	return nil
}

func fnExtremum(op Op) func(*env, *CallExpr, []Scalar) Scalar {
	return func(e *env, n *CallExpr, a []Scalar) Scalar {
		vals, t := e.c.unifyAll(n.Pos(), a)
		if t == schema.Dynamic || t == schema.Bool {
			e.fail(n.Pos(), "%s compares numbers, strings, datetimes or timespans", n.Fun.Name)
		}
		return &Call{Op: op, Args: vals, T: t}
	}
}

func fnRealPred(op Op) func(*env, *CallExpr, []Scalar) Scalar {
	return func(e *env, n *CallExpr, a []Scalar) Scalar {
		return &Call{Op: op, Args: []Scalar{e.realArg(n, 0, a[0])}, T: schema.Bool}
	}
}

func cast(t Type) func(*env, *CallExpr, []Scalar) Scalar {
	return func(e *env, n *CallExpr, a []Scalar) Scalar {
		return e.c.castTo(a[0], t)
	}
}

func fnParseJSON(e *env, n *CallExpr, a []Scalar) Scalar {
	if a[0].Type() == schema.Dynamic {
		return a[0]
	}
	if a[0].Type() != schema.String {
		return e.c.toDynamic(a[0])
	}
	return &Call{Op: OpToDynamic, Args: a, T: schema.Dynamic}
}

func fnGetType(e *env, n *CallExpr, a []Scalar) Scalar {
	if a[0].Type() != schema.Dynamic {
		return &Const{V: a[0].Type().String(), T: schema.String}
	}
	return &Call{Op: OpGetType, Args: a, T: schema.String}
}

func (e *env) stringArgs(a []Scalar) []Scalar {
	out := make([]Scalar, len(a))
	for i, x := range a {
		out[i] = e.c.toStringExpr(x)
	}
	return out
}

func fnStrcat(e *env, n *CallExpr, a []Scalar) Scalar {
	return &Call{Op: OpStrcat, Args: e.stringArgs(a), T: schema.String}
}

func fnStrcatDelim(e *env, n *CallExpr, a []Scalar) Scalar {
	return &Call{Op: OpStrcatDelim, Args: e.stringArgs(a), T: schema.String}
}

func str1(op Op, t Type) func(*env, *CallExpr, []Scalar) Scalar {
	return func(e *env, n *CallExpr, a []Scalar) Scalar {
		return &Call{Op: op, Args: e.stringArgs(a), T: t}
	}
}

func strN(op Op, t Type, n int) func(*env, *CallExpr, []Scalar) Scalar {
	return func(e *env, c *CallExpr, a []Scalar) Scalar {
		return &Call{Op: op, Args: e.stringArgs(a), T: t}
	}
}

func (e *env) longArg(n *CallExpr, i int, x Scalar) Scalar {
	if isNumeric(x.Type()) || x.Type() == schema.Dynamic {
		return e.c.castTo(x, schema.Long)
	}
	e.fail(n.Args[i].Pos(), "%s needs a number here, found a %s", n.Fun.Name, x.Type())
	return nil
}

func (e *env) realArg(n *CallExpr, i int, x Scalar) Scalar {
	if isNumeric(x.Type()) || x.Type() == schema.Dynamic {
		return e.c.castTo(x, schema.Real)
	}
	e.fail(n.Args[i].Pos(), "%s needs a number here, found a %s", n.Fun.Name, x.Type())
	return nil
}

func (e *env) constArg(n *CallExpr, i int, x Scalar) *Const {
	k, ok := x.(*Const)
	if !ok {
		e.fail(n.Args[i].Pos(), "%s needs a constant here", n.Fun.Name)
	}
	return k
}

func fnSubstring(e *env, n *CallExpr, a []Scalar) Scalar {
	args := []Scalar{e.c.toStringExpr(a[0]), e.longArg(n, 1, a[1])}
	if len(a) == 3 {
		args = append(args, e.longArg(n, 2, a[2]))
	}
	return &Call{Op: OpSubstring, Args: args, T: schema.String}
}

func fnIndexOf(e *env, n *CallExpr, a []Scalar) Scalar {
	if len(a) > 2 {
		e.fail(n.Pos(), "indexof with a start position is not supported; use indexof(text, lookup)")
	}
	return &Call{Op: OpIndexOf, Args: e.stringArgs(a), T: schema.Long}
}

func fnSplit(e *env, n *CallExpr, a []Scalar) Scalar {
	text, delim := e.c.toStringExpr(a[0]), e.c.toStringExpr(a[1])
	parts := &Call{Op: OpSplit, Args: []Scalar{text, delim}, T: schema.Dynamic}
	if len(a) == 3 {
		// The substring at the index, in an array, or an empty array
		// where there is none: split("a_b", "_", 5) is [].
		i := e.longArg(n, 2, a[2])
		return &Call{Op: OpArraySlice, Args: []Scalar{parts, i, i}, T: schema.Dynamic}
	}
	return parts
}

// regexArg checks that a regular expression argument is a constant the
// engine can compile (RE2 syntax, which Go, DuckDB and ClickHouse share).
func (e *env) regexArg(n *CallExpr, i int, x Scalar) Scalar {
	k := e.constArg(n, i, e.c.toStringExpr(x))
	if err := compileRegex(constString(k)); err != nil {
		e.fail(n.Args[i].Pos(), "invalid regular expression: %v", err)
	}
	return k
}

func fnReplaceRegex(e *env, n *CallExpr, a []Scalar) Scalar {
	return &Call{Op: OpReplaceRegex, Args: []Scalar{e.c.toStringExpr(a[0]), e.regexArg(n, 1, a[1]), e.c.toStringExpr(a[2])}, T: schema.String}
}

// fnReplaceOld is the older replace(regex, rewrite, text).
func fnReplaceOld(e *env, n *CallExpr, a []Scalar) Scalar {
	return &Call{Op: OpReplaceRegex, Args: []Scalar{e.c.toStringExpr(a[2]), e.regexArg(n, 0, a[0]), e.c.toStringExpr(a[1])}, T: schema.String}
}

func fnExtract(e *env, n *CallExpr, a []Scalar) Scalar {
	group := e.constArg(n, 1, e.longArg(n, 1, a[1]))
	var r Scalar = &Call{Op: OpExtract, Args: []Scalar{e.regexArg(n, 0, a[0]), group, e.c.toStringExpr(a[2])}, T: schema.String}
	if len(a) == 4 {
		te, ok := n.Args[3].(*CallExpr)
		if !ok || te.Fun.Name != "typeof" || len(te.Args) != 1 {
			e.fail(n.Args[3].Pos(), "extract's fourth argument is typeof(type)")
		}
		id, ok := te.Args[0].(*Ident)
		if !ok {
			e.fail(te.Args[0].Pos(), "expected a type name")
		}
		r = e.c.castTo(r, e.c.scalarType(id))
	}
	return r
}

func fnTrim(op Op) func(*env, *CallExpr, []Scalar) Scalar {
	return func(e *env, n *CallExpr, a []Scalar) Scalar {
		return &Call{Op: op, Args: []Scalar{e.regexArg(n, 0, a[0]), e.c.toStringExpr(a[1])}, T: schema.String}
	}
}

func fnStrcatArray(e *env, n *CallExpr, a []Scalar) Scalar {
	return &Call{Op: OpStrcatArray, Args: []Scalar{e.c.toDynamic(a[0]), e.c.toStringExpr(a[1])}, T: schema.String}
}

func fnCountOf(e *env, n *CallExpr, a []Scalar) Scalar {
	if len(a) == 3 {
		if k := e.constArg(n, 2, a[2]); constString(k) != "normal" {
			e.fail(n.Args[2].Pos(), "countof with kind=regex is not supported")
		}
	}
	return &Call{Op: OpCountOf, Args: e.stringArgs(a[:2]), T: schema.Long}
}

func fnNewGUID(e *env, n *CallExpr, a []Scalar) Scalar {
	return &Call{Op: OpNewGUID, T: schema.GUID}
}

func fnParseUserAgent(e *env, n *CallExpr, a []Scalar) Scalar {
	kinds := e.constArg(n, 1, e.c.toStringExpr(a[1]))
	for _, k := range strings.Split(constString(kinds), ",") {
		switch strings.TrimSpace(k) {
		case "browser", "os", "device":
		default:
			e.fail(n.Args[1].Pos(), "parse_user_agent looks for browser, os or device, not %q", k)
		}
	}
	return &Call{Op: OpParseUserAgent, Args: []Scalar{e.c.toStringExpr(a[0]), kinds}, T: schema.Dynamic}
}

func fnRound(e *env, n *CallExpr, a []Scalar) Scalar {
	x := e.realArg(n, 0, a[0])
	var digits Scalar = &Const{V: int64(0), T: schema.Long}
	if len(a) == 2 {
		digits = e.longArg(n, 1, a[1])
	}
	return &Call{Op: OpRound, Args: []Scalar{x, digits}, T: schema.Real}
}

func fnFloor(e *env, n *CallExpr, a []Scalar) Scalar {
	if len(a) == 2 {
		return fnBin(e, n, a)
	}
	if isInteger(a[0].Type()) {
		return a[0]
	}
	return &Call{Op: OpFloor, Args: []Scalar{e.realArg(n, 0, a[0])}, T: schema.Real}
}

// fnBin rounds down to a multiple of a size: bin(x, 10), bin(t, 1h).
func fnBin(e *env, n *CallExpr, a []Scalar) Scalar {
	x, size := a[0], a[1]
	if k, ok := size.(*Const); ok {
		switch v := k.V.(type) {
		case int64:
			if v <= 0 {
				e.fail(n.Args[1].Pos(), "the bin size must be positive")
			}
		case float64:
			if v <= 0 {
				e.fail(n.Args[1].Pos(), "the bin size must be positive")
			}
		}
	}
	switch x.Type() {
	case schema.DateTime:
		if size.Type() != schema.Timespan {
			e.fail(n.Args[1].Pos(), "a datetime is binned by a timespan, such as 1h")
		}
		return &Call{Op: OpBinDatetime, Args: []Scalar{x, size}, T: schema.DateTime}
	case schema.Timespan:
		if size.Type() != schema.Timespan {
			e.fail(n.Args[1].Pos(), "a timespan is binned by a timespan, such as 1h")
		}
		return &Call{Op: OpBin, Args: []Scalar{x, size}, T: schema.Timespan}
	}
	if x.Type() == schema.Dynamic {
		x = e.c.castTo(x, schema.Real)
	}
	if !isNumeric(x.Type()) || !isNumeric(size.Type()) {
		e.fail(n.Pos(), "bin works on numbers, datetimes and timespans")
	}
	// The result has the value's type, unless a fractional size makes
	// whole numbers real.
	t := x.Type()
	if isInteger(t) && !isInteger(size.Type()) {
		t = schema.Real
	}
	return &Call{Op: OpBin, Args: []Scalar{e.c.convert(n.Pos(), x, t), e.c.convert(n.Pos(), size, t)}, T: t}
}

func real1(op Op) func(*env, *CallExpr, []Scalar) Scalar {
	return func(e *env, n *CallExpr, a []Scalar) Scalar {
		return &Call{Op: op, Args: []Scalar{e.realArg(n, 0, a[0])}, T: schema.Real}
	}
}

func fnAbs(e *env, n *CallExpr, a []Scalar) Scalar {
	if isNumeric(a[0].Type()) || a[0].Type() == schema.Timespan {
		return &Call{Op: OpAbs, Args: a, T: a[0].Type()}
	}
	return &Call{Op: OpAbs, Args: []Scalar{e.realArg(n, 0, a[0])}, T: schema.Real}
}

func fnPow(e *env, n *CallExpr, a []Scalar) Scalar {
	return &Call{Op: OpPow, Args: []Scalar{e.realArg(n, 0, a[0]), e.realArg(n, 1, a[1])}, T: schema.Real}
}

func fnNow(e *env, n *CallExpr, a []Scalar) Scalar {
	now := &Const{V: e.c.opts.Now, T: schema.DateTime}
	if len(a) == 1 {
		if a[0].Type() != schema.Timespan {
			e.fail(n.Args[0].Pos(), "now() takes a timespan offset")
		}
		return &Call{Op: OpDatetimeAdd, Args: []Scalar{now, a[0]}, T: schema.DateTime}
	}
	return now
}

func fnAgo(e *env, n *CallExpr, a []Scalar) Scalar {
	if a[0].Type() != schema.Timespan {
		e.fail(n.Args[0].Pos(), "ago() takes a timespan, such as 7d")
	}
	now := &Const{V: e.c.opts.Now, T: schema.DateTime}
	neg := fold(&Call{Op: OpNeg, Args: a, T: schema.Timespan})
	return &Call{Op: OpDatetimeAdd, Args: []Scalar{now, neg}, T: schema.DateTime}
}

func (e *env) datetimeArg(n *CallExpr, i int, x Scalar) Scalar {
	switch x.Type() {
	case schema.DateTime:
		return x
	case schema.Dynamic, schema.String:
		return e.c.castTo(x, schema.DateTime)
	}
	e.fail(n.Args[i].Pos(), "%s needs a datetime here, found a %s", n.Fun.Name, x.Type())
	return nil
}

func fnStartOf(unit string) func(*env, *CallExpr, []Scalar) Scalar {
	return func(e *env, n *CallExpr, a []Scalar) Scalar {
		if len(a) == 2 {
			e.fail(n.Args[1].Pos(), "%s with an offset is not supported", n.Fun.Name)
		}
		return &Call{Op: OpStartOf, Args: []Scalar{e.datetimeArg(n, 0, a[0])}, Part: unit, T: schema.DateTime}
	}
}

func fnEndOf(unit string) func(*env, *CallExpr, []Scalar) Scalar {
	return func(e *env, n *CallExpr, a []Scalar) Scalar {
		if len(a) == 2 {
			e.fail(n.Args[1].Pos(), "%s with an offset is not supported", n.Fun.Name)
		}
		return &Call{Op: OpEndOf, Args: []Scalar{e.datetimeArg(n, 0, a[0])}, Part: unit, T: schema.DateTime}
	}
}

// datetimeUnits are the parts datetime_diff, datetime_add and
// datetime_part accept, with their canonical names.
var datetimeUnits = map[string]string{
	"year": "year", "quarter": "quarter", "month": "month", "week": "week", "day": "day",
	"hour": "hour", "minute": "minute", "second": "second", "millisecond": "millisecond",
	"microsecond": "microsecond", "nanosecond": "nanosecond",
	"dayofyear": "dayofyear", "week_of_year": "week_of_year", "weekofyear": "week_of_year",
}

func (e *env) unitArg(n *CallExpr, i int, x Scalar) string {
	k := e.constArg(n, i, e.c.toStringExpr(x))
	u, ok := datetimeUnits[strings.ToLower(constString(k))]
	if !ok {
		e.fail(n.Args[i].Pos(), "unknown datetime part %q (use year, quarter, month, week, day, hour, minute, second, millisecond, microsecond or nanosecond)", constString(k))
	}
	return u
}

func fnDatetimeDiff(e *env, n *CallExpr, a []Scalar) Scalar {
	unit := e.unitArg(n, 0, a[0])
	return &Call{Op: OpDatetimeDiffU, Args: []Scalar{e.datetimeArg(n, 1, a[1]), e.datetimeArg(n, 2, a[2])}, Part: unit, T: schema.Long}
}

func fnDatetimeAdd(e *env, n *CallExpr, a []Scalar) Scalar {
	unit := e.unitArg(n, 0, a[0])
	return &Call{Op: OpDatetimeAddU, Args: []Scalar{e.longArg(n, 1, a[1]), e.datetimeArg(n, 2, a[2])}, Part: unit, T: schema.DateTime}
}

func fnDatetimePart(e *env, n *CallExpr, a []Scalar) Scalar {
	unit := e.unitArg(n, 0, a[0])
	return &Call{Op: OpDatetimePart, Args: []Scalar{e.datetimeArg(n, 1, a[1])}, Part: unit, T: schema.Long}
}

func partOf(unit string) func(*env, *CallExpr, []Scalar) Scalar {
	return func(e *env, n *CallExpr, a []Scalar) Scalar {
		t := schema.Long
		if unit != "year" {
			t = schema.Int
		}
		return &Call{Op: OpDatetimePart, Args: []Scalar{e.datetimeArg(n, 0, a[0])}, Part: unit, T: t}
	}
}

func fnDayOfWeek(e *env, n *CallExpr, a []Scalar) Scalar {
	return &Call{Op: OpDayOfWeek, Args: []Scalar{e.datetimeArg(n, 0, a[0])}, T: schema.Timespan}
}

// formatDatetimeTokens are the .NET-style format parts format_datetime
// accepts; anything else must be a separator.
var formatDatetimeTokens = []string{
	"yyyy", "yy", "MM", "M", "dd", "d", "HH", "H", "hh", "h", "mm", "m", "ss", "s",
	"fffffff", "ffffff", "fffff", "ffff", "fff", "ff", "f", "FFFFFFF", "FFFFFF", "FFFFF", "FFFF", "FFF", "FF", "F", "tt",
}

func fnFormatDatetime(e *env, n *CallExpr, a []Scalar) Scalar {
	k := e.constArg(n, 1, e.c.toStringExpr(a[1]))
	f := constString(k)
	for rest := f; rest != ""; {
		matched := false
		for _, tok := range formatDatetimeTokens {
			if strings.HasPrefix(rest, tok) {
				rest, matched = rest[len(tok):], true
				break
			}
		}
		if matched {
			continue
		}
		switch rest[0] {
		case ' ', '/', '-', ':', ',', '.', '_', '[', ']', 'T', 'Z':
			rest = rest[1:]
		default:
			e.fail(n.Args[1].Pos(), "format_datetime: unsupported format element at %q", rest)
		}
	}
	return &Call{Op: OpFormatDT, Args: []Scalar{e.datetimeArg(n, 0, a[0])}, Part: f, T: schema.String}
}

func fnFormatTimespan(e *env, n *CallExpr, a []Scalar) Scalar {
	if a[0].Type() != schema.Timespan {
		e.fail(n.Args[0].Pos(), "format_timespan needs a timespan")
	}
	e.fail(n.Pos(), "format_timespan is not supported; tostring(timespan) gives [d.]hh:mm:ss[.fffffff]")
	return nil
}

func fnUnixToDT(op Op) func(*env, *CallExpr, []Scalar) Scalar {
	return func(e *env, n *CallExpr, a []Scalar) Scalar {
		return &Call{Op: op, Args: []Scalar{e.realArg(n, 0, a[0])}, T: schema.DateTime}
	}
}

func fnBagPack(e *env, n *CallExpr, a []Scalar) Scalar {
	if len(a)%2 != 0 {
		e.fail(n.Pos(), "%s takes pairs of key and value", n.Fun.Name)
	}
	args := make([]Scalar, len(a))
	for i := 0; i < len(a); i += 2 {
		args[i] = e.c.toStringExpr(a[i])
		args[i+1] = e.c.toDynamic(a[i+1])
	}
	return &Call{Op: OpBagPack, Args: args, T: schema.Dynamic}
}

func fnPackArray(e *env, n *CallExpr, a []Scalar) Scalar {
	args := make([]Scalar, len(a))
	for i, x := range a {
		args[i] = e.c.toDynamic(x)
	}
	return &Call{Op: OpPackArray, Args: args, T: schema.Dynamic}
}

// fnPackAll packs every column of the row into a bag.
func fnPackAll(e *env, n *CallExpr) Scalar {
	if e.input == nil {
		e.fail(n.Pos(), "pack_all() needs the columns of a table")
	}
	var args []Scalar
	for _, name := range e.cols {
		args = append(args, &Const{V: name, T: schema.String}, e.c.toDynamic(e.names[name]))
	}
	return &Call{Op: OpBagPack, Args: args, T: schema.Dynamic}
}

func dyn(op Op) func(*env, *CallExpr, []Scalar) Scalar {
	return func(e *env, n *CallExpr, a []Scalar) Scalar {
		args := make([]Scalar, len(a))
		for i, x := range a {
			args[i] = e.c.toDynamic(x)
		}
		return &Call{Op: op, Args: args, T: schema.Dynamic}
	}
}

func fnArrayLength(e *env, n *CallExpr, a []Scalar) Scalar {
	return &Call{Op: OpArrayLength, Args: []Scalar{e.c.toDynamic(a[0])}, T: schema.Long}
}

// fnArraySort sorts arrays; with several arrays, the first is sorted and
// the others are reordered alike. As a single column it returns the first;
// (A, B) = array_sort_asc(A, B) names each.
func fnArraySort(op, column Op) func(*env, *CallExpr, []Scalar) Scalar {
	return func(e *env, n *CallExpr, a []Scalar) Scalar {
		args := make([]Scalar, len(a))
		for i, x := range a {
			args[i] = e.c.toDynamic(x)
		}
		if len(args) == 1 {
			return &Call{Op: op, Args: args, T: schema.Dynamic}
		}
		return &Call{Op: column, Args: append([]Scalar{&Const{V: int64(0), T: schema.Long}}, args...), T: schema.Dynamic}
	}
}

func fnSetHasElement(e *env, n *CallExpr, a []Scalar) Scalar {
	return &Call{Op: OpSetHasElement, Args: []Scalar{e.c.toDynamic(a[0]), e.c.toDynamic(a[1])}, T: schema.Bool}
}

func fnArrayIndexOf(e *env, n *CallExpr, a []Scalar) Scalar {
	return &Call{Op: OpArrayIndexOf, Args: []Scalar{e.c.toDynamic(a[0]), e.c.toDynamic(a[1])}, T: schema.Long}
}

func fnArraySlice(e *env, n *CallExpr, a []Scalar) Scalar {
	return &Call{Op: OpArraySlice, Args: []Scalar{e.c.toDynamic(a[0]), e.longArg(n, 1, a[1]), e.longArg(n, 2, a[2])}, T: schema.Dynamic}
}

func fnBagHasKey(e *env, n *CallExpr, a []Scalar) Scalar {
	key := e.constArg(n, 1, e.c.toStringExpr(a[1]))
	m := e.member(n.Pos(), a[0], constString(key))
	return &Call{Op: OpIsNotNull, Args: []Scalar{m}, T: schema.Bool}
}

// fnToScalar is the value of a one-row query: its first column's first value.
func fnToScalar(e *env, n *CallExpr) Scalar {
	arg := n.Args[0]
	if !e.c.isTabular(arg) {
		return e.check(arg) // toscalar of a value is the value
	}
	plan := e.c.checkTabular(arg)
	cols := plan.Columns()
	if len(cols) == 0 {
		e.fail(arg.Pos(), "toscalar needs a query with at least one column")
	}
	return &Subquery{Plan: plan, T: cols[0].Type}
}
