package sqlgen

import (
	"strings"

	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/schema"
)

// exprGen writes scalar expressions over the columns of one relation, or
// two for a join's condition.
//
// KQL strings are never null: a missing string is "". Engines store
// missing strings as NULL, so every operation on strings here treats NULL
// as "": comparisons, in, isempty, coalesce, grouping and join keys. In a
// filter, where a NULL condition drops the row just as false does, the
// plain comparison is written so that the engine can push it down to the
// scan.
type exprGen struct {
	g     *gen
	cols  [][]string // SQL names of the input's columns, per side
	qual  []string   // table alias per side; nil for unqualified names
	order string     // the input's ORDER BY list, for window functions

	// helpers holds, for each rank window function, the columns with its
	// change flag and row number (see gen.rankHelpers).
	helpers map[*kql.Window][2]string
	// computed holds, for each window function computed beneath without
	// window functions, the column with its value (see windowsByArrays).
	computed map[*kql.Window]string
}

func (ex *exprGen) d() Dialect { return ex.g.d }

func (ex *exprGen) col(r *kql.ColRef) string {
	name := ex.d().Ident(ex.cols[r.Side][r.Index])
	if ex.qual != nil {
		return ex.d().Ident(ex.qual[r.Side]) + "." + name
	}
	return name
}

// value writes x where its value is used.
func (ex *exprGen) value(x kql.Scalar) string { return ex.expr(x, false) }

// predicate writes a condition whose NULL result drops a row as false does.
func (ex *exprGen) predicate(x kql.Scalar) string { return ex.expr(x, true) }

// groupKey writes a grouping or join key: strings with null as "".
func (ex *exprGen) groupKey(x kql.Scalar) string {
	if x.Type() == schema.String {
		return ex.str(x)
	}
	return ex.value(x)
}

// str writes a string-typed expression with null turned into "".
func (ex *exprGen) str(x kql.Scalar) string {
	if k, ok := x.(*kql.Const); ok {
		if k.V == nil {
			return ex.d().String("")
		}
		return ex.value(k)
	}
	return "coalesce(" + ex.value(x) + ", " + ex.d().String("") + ")"
}

// elementOf converts a value to a dynamic element (for make_list and
// make-series arrays).
func (ex *exprGen) elementOf(sql string, t kql.Type) string {
	if t == schema.Dynamic {
		return sql
	}
	return ex.d().Call(&kql.Call{Op: kql.OpToDynamicValue, Args: []kql.Scalar{&kql.Const{T: t}}, T: schema.Dynamic}, []string{sql})
}

// aggArg writes an aggregation's argument.
func (ex *exprGen) aggArg(ac *kql.AggCall, x kql.Scalar) string {
	switch ac.Func {
	case kql.AggDcount:
		return ex.groupKey(x)
	case kql.AggMakeList, kql.AggMakeSet:
		if x.Type() == schema.String {
			return ex.elementOf(ex.str(x), schema.String)
		}
		return ex.elementOf(ex.value(x), x.Type())
	}
	return ex.value(x)
}

func (ex *exprGen) isDescending(step kql.Scalar) bool {
	if k, ok := step.(*kql.Const); ok {
		switch v := k.V.(type) {
		case int64:
			return v < 0
		case float64:
			return v < 0
		}
	}
	return false
}

func isStringType(t kql.Type) bool { return t == schema.String || t == schema.GUID }

// nonEmptyConst reports a string constant other than "".
func nonEmptyConst(x kql.Scalar) bool {
	k, ok := x.(*kql.Const)
	if !ok {
		return false
	}
	s, ok := k.V.(string)
	return ok && s != ""
}

func emptyConst(x kql.Scalar) bool {
	k, ok := x.(*kql.Const)
	if !ok {
		return false
	}
	return k.V == nil || k.V == ""
}

// expr writes an expression; filter says a NULL result may stand for false.
func (ex *exprGen) expr(x kql.Scalar, filter bool) string {
	d := ex.d()
	switch v := x.(type) {
	case *kql.ColRef:
		return ex.col(v)
	case *kql.Const:
		return d.Const(v)
	case *kql.Subquery:
		r := ex.g.plan(v.Plan)
		s := "SELECT " + d.Ident(r.cols[0]) + " FROM " + ex.g.from(r)
		if len(r.order) > 0 {
			s += " ORDER BY " + ex.g.orderList(r)
		}
		return "(" + s + " LIMIT 1)"
	case *kql.InQuery:
		return ex.inQuery(v)
	case *kql.Window:
		if c, ok := ex.computed[v]; ok {
			return d.Ident(c)
		}
		if !ex.g.f.WindowFunctions {
			fail("%s() is not supported here on %s", windowName(v), d.Name())
		}
		if h, ok := ex.helpers[v]; ok {
			return d.Window(v, []string{d.Ident(h[0]), d.Ident(h[1])}, ex.order)
		}
		args := make([]string, len(v.Args))
		for i, a := range v.Args {
			args[i] = ex.value(a)
		}
		return d.Window(v, args, ex.order)
	case *kql.Call:
		return ex.call(v, filter)
	}
	fail("cannot write %T as SQL", x)
	return ""
}

func (ex *exprGen) call(c *kql.Call, filter bool) string {
	d := ex.d()
	a := c.Args
	switch c.Op {
	case kql.OpAnd, kql.OpOr:
		op := " AND "
		if c.Op == kql.OpOr {
			op = " OR "
		}
		// NULL stands for false through AND and OR alike.
		return "(" + ex.expr(a[0], filter) + op + ex.expr(a[1], filter) + ")"
	case kql.OpNot:
		return "(NOT " + ex.value(a[0]) + ")"
	case kql.OpEq, kql.OpNe, kql.OpLt, kql.OpLe, kql.OpGt, kql.OpGe:
		return ex.compare(c.Op, a[0], a[1], filter)
	case kql.OpEqCI, kql.OpNeCI:
		op := " = "
		if c.Op == kql.OpNeCI {
			op = " <> "
		}
		return "(" + ex.lowerStr(a[0]) + op + ex.lowerStr(a[1]) + ")"
	case kql.OpIn, kql.OpInCI:
		return ex.in(c, filter)
	case kql.OpIff:
		return "CASE WHEN " + ex.predicate(a[0]) + " THEN " + ex.value(a[1]) + " ELSE " + ex.value(a[2]) + " END"
	case kql.OpCase:
		var b strings.Builder
		b.WriteString("CASE")
		for i := 0; i+1 < len(a); i += 2 {
			b.WriteString(" WHEN " + ex.predicate(a[i]) + " THEN " + ex.value(a[i+1]))
		}
		b.WriteString(" ELSE " + ex.value(a[len(a)-1]) + " END")
		return b.String()
	case kql.OpCoalesce:
		parts := make([]string, len(a))
		for i, x := range a {
			parts[i] = ex.value(x)
			if isStringType(c.T) && i < len(a)-1 {
				// An empty string does not count as a value.
				parts[i] = "nullif(" + parts[i] + ", " + d.String("") + ")"
			}
		}
		return "coalesce(" + strings.Join(parts, ", ") + ")"
	case kql.OpIsNull, kql.OpIsNotNull:
		if isStringType(a[0].Type()) {
			// A string is never null in KQL.
			return d.Const(&kql.Const{V: c.Op == kql.OpIsNotNull, T: schema.Bool})
		}
		if c.Op == kql.OpIsNull {
			return "(" + ex.value(a[0]) + " IS NULL)"
		}
		return "(" + ex.value(a[0]) + " IS NOT NULL)"
	case kql.OpIsEmpty, kql.OpIsNotEmpty:
		v := ex.value(a[0])
		if isStringType(a[0].Type()) {
			if c.Op == kql.OpIsEmpty {
				return "(" + v + " IS NULL OR " + v + " = " + d.String("") + ")"
			}
			return "(" + v + " IS NOT NULL AND " + v + " <> " + d.String("") + ")"
		}
		if c.Op == kql.OpIsEmpty {
			return "(" + v + " IS NULL)"
		}
		return "(" + v + " IS NOT NULL)"
	case kql.OpAdd, kql.OpSub, kql.OpMul, kql.OpDiv, kql.OpMod:
		op := map[kql.Op]string{kql.OpAdd: " + ", kql.OpSub: " - ", kql.OpMul: " * ", kql.OpDiv: " / ", kql.OpMod: " % "}[c.Op]
		return "(" + ex.value(a[0]) + op + ex.value(a[1]) + ")"
	case kql.OpNeg:
		return "(-" + ex.value(a[0]) + ")"
	}
	if isTextTest(c.Op) && isStringType(a[0].Type()) {
		if _, ok := a[0].(*kql.Const); !ok {
			return ex.textTest(c, filter)
		}
	}
	args := make([]string, len(a))
	for i, x := range a {
		if isStringType(x.Type()) && takesText(c.Op) {
			args[i] = ex.str(x)
		} else {
			args[i] = ex.value(x)
		}
	}
	return d.Call(c, args)
}

// AnyOrAll joins the tests of has_any (one must hold) or has_all (all
// must): ORed or ANDed. Without elements has_all holds and has_any does
// not; trueSQL and falseSQL are the dialect's literals for that.
func AnyOrAll(all bool, tests []string, trueSQL, falseSQL string) string {
	if len(tests) == 0 {
		if all {
			return trueSQL
		}
		return falseSQL
	}
	sep := " OR "
	if all {
		sep = " AND "
	}
	return "(" + strings.Join(tests, sep) + ")"
}

// textTest writes a test of a text (contains, startswith, has, …) on the
// raw value rather than on coalesce(value, ""): engines push a plain
// function of a column down to the scan and evaluate it over compressed
// data, which a coalesce inside prevents (twice as slow on the Insights
// panels). The functions give null for a null text, and a null text must
// test as "" does; so the result is coalesce(test(x), test("")), and in a
// filter, where null drops the row as false does, test(x) alone when
// test("") is known to be false.
func (ex *exprGen) textTest(c *kql.Call, filter bool) string {
	d := ex.d()
	args := make([]string, len(c.Args))
	args[0] = ex.value(c.Args[0])
	emptyFalse := c.Op != kql.OpMatchesRegex && len(c.Args) > 1
	for i := 1; i < len(c.Args); i++ {
		args[i] = ex.str(c.Args[i])
		emptyFalse = emptyFalse && nonEmptyConst(c.Args[i])
	}
	test := d.Call(c, args)
	if filter && emptyFalse {
		return test
	}
	args[0] = d.String("")
	return "coalesce(" + test + ", " + d.Call(c, args) + ")"
}

// isTextTest reports the operations that test a text (the first argument)
// against patterns, giving a bool.
func isTextTest(op kql.Op) bool {
	switch op {
	case kql.OpContains, kql.OpContainsCS, kql.OpHas, kql.OpHasCS, kql.OpHasPrefix, kql.OpHasPrefixCS,
		kql.OpHasSuffix, kql.OpHasSuffixCS, kql.OpStartsWith, kql.OpStartsWithCS, kql.OpEndsWith, kql.OpEndsWithCS,
		kql.OpMatchesRegex, kql.OpHasAny, kql.OpHasAll:
		return true
	}
	return false
}

// takesText reports the operations whose string arguments are read as
// text, so null must arrive as "".
func takesText(op kql.Op) bool {
	switch op {
	case kql.OpContains, kql.OpContainsCS, kql.OpHas, kql.OpHasCS, kql.OpHasPrefix, kql.OpHasPrefixCS,
		kql.OpHasSuffix, kql.OpHasSuffixCS, kql.OpStartsWith, kql.OpStartsWithCS, kql.OpEndsWith, kql.OpEndsWithCS,
		kql.OpMatchesRegex, kql.OpHasAny, kql.OpHasAll, kql.OpStrlen, kql.OpIndexOf, kql.OpSplit, kql.OpSplitPart,
		kql.OpReplaceRegex, kql.OpReplaceString, kql.OpExtract, kql.OpTrim, kql.OpTrimStart, kql.OpTrimEnd,
		kql.OpReverse, kql.OpHashSHA256, kql.OpHashMD5, kql.OpSubstring, kql.OpCountOf, kql.OpStrcatDelim,
		kql.OpToLower, kql.OpToUpper, kql.OpInArray:
		return true
	}
	return false
}

// lowerStr writes a string in lower case, null as "".
func (ex *exprGen) lowerStr(x kql.Scalar) string {
	if k, ok := x.(*kql.Const); ok {
		s, _ := k.V.(string)
		return ex.d().String(strings.ToLower(s))
	}
	return "lower(" + ex.str(x) + ")"
}

var sqlComparison = map[kql.Op]string{kql.OpEq: " = ", kql.OpNe: " <> ", kql.OpLt: " < ", kql.OpLe: " <= ", kql.OpGt: " > ", kql.OpGe: " >= "}

// compare writes a comparison. Strings compare with null as "".
func (ex *exprGen) compare(op kql.Op, l, r kql.Scalar, filter bool) string {
	sop := sqlComparison[op]
	if !isStringType(l.Type()) {
		return "(" + ex.value(l) + sop + ex.value(r) + ")"
	}
	if nonEmptyConst(l) && !nonEmptyConst(r) {
		l, r = r, l
		switch op {
		case kql.OpLt:
			op = kql.OpGt
		case kql.OpLe:
			op = kql.OpGe
		case kql.OpGt:
			op = kql.OpLt
		case kql.OpGe:
			op = kql.OpLe
		}
		sop = sqlComparison[op]
	}
	if op == kql.OpEq && filter && nonEmptyConst(r) {
		// Null differs from a non-empty string: in a filter the plain
		// comparison drops the row just the same.
		return "(" + ex.value(l) + sop + ex.value(r) + ")"
	}
	if emptyConst(r) && (op == kql.OpEq || op == kql.OpNe) {
		v := ex.value(l)
		if op == kql.OpEq {
			return "(" + v + " IS NULL OR " + v + " = " + ex.d().String("") + ")"
		}
		return "(" + v + " IS NOT NULL AND " + v + " <> " + ex.d().String("") + ")"
	}
	return "(" + ex.str(l) + sop + ex.str(r) + ")"
}

// in writes x in (list) for values.
func (ex *exprGen) in(c *kql.Call, filter bool) string {
	x, items := c.Args[0], c.Args[1:]
	var list []string
	hasEmpty := false
	for _, it := range items {
		if c.Op == kql.OpInCI {
			list = append(list, ex.lowerStr(it))
			continue
		}
		if isStringType(it.Type()) {
			if emptyConst(it) {
				hasEmpty = true
			}
			if _, ok := it.(*kql.Const); !ok {
				list = append(list, ex.str(it))
				continue
			}
		}
		list = append(list, ex.value(it))
	}
	var v string
	switch {
	case c.Op == kql.OpInCI:
		v = ex.lowerStr(x)
	case isStringType(x.Type()) && (hasEmpty || !filter):
		v = ex.str(x)
	default:
		v = ex.value(x)
	}
	return "(" + v + " IN (" + strings.Join(list, ", ") + "))"
}

// inQuery writes x in (sub-query).
func (ex *exprGen) inQuery(q *kql.InQuery) string {
	d := ex.d()
	r := ex.g.plan(q.Plan)
	col := d.Ident(r.cols[0])
	var x, sel string
	switch {
	case q.CI:
		x = ex.lowerStr(q.X)
		sel = "lower(coalesce(" + col + ", " + d.String("") + "))"
	case isStringType(q.X.Type()):
		x = ex.str(q.X)
		sel = "coalesce(" + col + ", " + d.String("") + ")"
	default:
		x = ex.value(q.X)
		sel = col
	}
	sub := "SELECT " + sel + " FROM " + ex.g.from(r)
	if !isStringType(q.X.Type()) {
		sub += " WHERE " + col + " IS NOT NULL"
	}
	not := ""
	if q.Not {
		not = "NOT "
	}
	return "(" + x + " " + not + "IN (" + sub + "))"
}
