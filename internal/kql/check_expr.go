package kql

import (
	"regexp"
	"strings"

	"github.com/callscope/callscope/internal/schema"
)

// env is the set of names a scalar expression may use: the columns of the
// row it is computed over (none outside a row), then let bindings.
type env struct {
	c          *checker
	cols       []string          // column names in order, for '*'
	names      map[string]Scalar // column name → value
	input      Plan              // the rows' plan; nil outside a row
	serialized bool              // window functions are allowed

	// In a summarize expression, aggregation calls are checked over the
	// input (aggIn) and collected in aggs; bare columns are not allowed.
	aggIn *env
	aggs  *[]*AggCall
}

func (e *env) add(name string, x Scalar) {
	if e.names == nil {
		e.names = map[string]Scalar{}
	}
	if _, ok := e.names[name]; !ok {
		e.cols = append(e.cols, name)
	}
	e.names[name] = x
}

func (e *env) fail(pos Pos, format string, args ...any) { e.c.fail(pos, format, args...) }

// check types one scalar expression.
func (e *env) check(x Expr) Scalar {
	e.c.enter(x.Pos())
	defer e.c.leave()
	switch n := x.(type) {
	case *Ident:
		return e.ident(n)
	case *Literal:
		return literalConst(n)
	case *ParenExpr:
		if e.c.isTabular(n.X) {
			e.fail(n.Pos(), "a table cannot be used as a value here; use toscalar(…) for its single value")
		}
		return e.check(n.X)
	case *UnaryExpr:
		v := e.check(n.X)
		if n.Op == "+" {
			return v
		}
		v = e.numericOperand(n.X.Pos(), v)
		if !isNumeric(v.Type()) && v.Type() != schema.Timespan {
			e.fail(n.Pos(), "cannot negate a %s", v.Type())
		}
		return fold(&Call{Op: OpNeg, Args: []Scalar{v}, T: v.Type()})
	case *BinaryExpr:
		return e.binary(n)
	case *InExpr:
		return e.in(n)
	case *BetweenExpr:
		v := e.check(n.X)
		lo, hi := e.check(n.Lo), e.check(n.Hi)
		if v.Type() == schema.DateTime && hi.Type() == schema.Timespan {
			hi = fold(&Call{Op: OpDatetimeAdd, Args: []Scalar{lo, hi}, T: schema.DateTime})
		}
		l := e.compare(n.OpPos, OpGe, v, lo)
		h := e.compare(n.OpPos, OpLe, v, hi)
		var r Scalar = &Call{Op: OpAnd, Args: []Scalar{l, h}, T: schema.Bool}
		if n.Not {
			r = &Call{Op: OpNot, Args: []Scalar{r}, T: schema.Bool}
		}
		return r
	case *CallExpr:
		return e.call(n)
	case *MemberExpr:
		if id, ok := n.X.(*Ident); ok && (id.Name == "$left" || id.Name == "$right") {
			e.fail(n.Pos(), "%s is only allowed in a join's on clause", id.Name)
		}
		base := e.check(n.X)
		return e.member(n.Pos(), base, n.Name.Name)
	case *IndexExpr:
		base := e.check(n.X)
		idx := e.check(n.Index)
		if k, ok := idx.(*Const); ok {
			switch v := k.V.(type) {
			case string:
				return e.member(n.Pos(), base, v)
			case int64:
				return e.member(n.Pos(), base, v)
			}
		}
		base = e.dynamicOperand(n.X.Pos(), base)
		if isInteger(idx.Type()) {
			idx = e.c.convert(n.Index.Pos(), idx, schema.Long)
		} else if idx.Type() != schema.String {
			e.fail(n.Index.Pos(), "an index must be a number or a string")
		}
		return &Call{Op: OpIndex, Args: []Scalar{base, idx}, T: schema.Dynamic}
	case *StarExpr:
		e.fail(n.Pos(), "'*' is only allowed as all columns, as in * contains \"text\" or arg_max(x, *)")
	case *NamedExpr:
		e.fail(n.Pos(), "a name = value pair is not allowed here")
	case *PipeExpr, *UnionExpr, *DatatableExpr, *PrintExpr, *RangeExpr:
		e.fail(n.Pos(), "a table cannot be used as a value here; use toscalar(…) for its single value")
	case *PatternExpr:
		e.fail(n.Pos(), "a name with '*' is not allowed here")
	}
	e.fail(x.Pos(), "unexpected expression")
	return nil
}

func (e *env) ident(n *Ident) Scalar {
	if v, ok := e.names[n.Name]; ok {
		return v
	}
	if b := e.c.scope.lookup(n.Name); b != nil {
		switch {
		case b.scalar != nil:
			return b.scalar
		case b.tabular != nil:
			e.fail(n.Pos(), "'%s' is a table; a value is needed here (use toscalar(%s) for its single value)", n.Name, n.Name)
		case b.fn != nil:
			e.fail(n.Pos(), "'%s' is a function; call it with parentheses", n.Name)
		}
	}
	if e.aggIn != nil {
		if _, ok := e.aggIn.names[n.Name]; ok {
			e.fail(n.Pos(), "column '%s' must be inside an aggregation such as take_any(%s), or listed after by", n.Name, n.Name)
		}
	}
	if e.c.opts.Tables(n.Name) != nil {
		e.fail(n.Pos(), "'%s' is a table; a value is needed here", n.Name)
	}
	if e.input != nil || e.aggIn != nil {
		for _, col := range e.cols {
			if strings.EqualFold(col, n.Name) {
				e.fail(n.Pos(), "failed to resolve scalar expression named '%s'; names are case-sensitive: did you mean '%s'?", n.Name, col)
			}
		}
	}
	e.fail(n.Pos(), "failed to resolve scalar expression named '%s'", n.Name)
	return nil
}

// literalConst is the typed value of a literal.
func literalConst(l *Literal) *Const {
	switch l.Kind {
	case LitInt:
		return &Const{V: l.Value, T: schema.Long}
	case LitTypedInt:
		return &Const{V: l.Value, T: schema.Int}
	case LitReal:
		return &Const{V: l.Value, T: schema.Real}
	case LitDecimal:
		return &Const{V: l.Value, T: schema.Decimal}
	case LitString:
		return &Const{V: l.Value, T: schema.String}
	case LitBool:
		return &Const{V: l.Value, T: schema.Bool}
	case LitTimespan:
		return &Const{V: l.Value, T: schema.Timespan}
	case LitDatetime:
		return &Const{V: l.Value, T: schema.DateTime}
	case LitDynamic:
		return &Const{V: l.Value, T: schema.Dynamic}
	case LitGUID:
		return &Const{V: l.Value, T: schema.GUID}
	case LitTypedNull:
		name := string(l.Value.(typedNull))
		t, _ := schema.ParseType(name)
		return &Const{T: t}
	}
	return &Const{T: schema.String}
}

// ---- operators ----

var comparisonOps = map[string]Op{"==": OpEq, "!=": OpNe, "<": OpLt, "<=": OpLe, ">": OpGt, ">=": OpGe}

var stringPredicates = map[string]Op{
	"contains": OpContains, "contains_cs": OpContainsCS, "has": OpHas, "has_cs": OpHasCS,
	"hasprefix": OpHasPrefix, "hasprefix_cs": OpHasPrefixCS, "hassuffix": OpHasSuffix, "hassuffix_cs": OpHasSuffixCS,
	"startswith": OpStartsWith, "startswith_cs": OpStartsWithCS, "endswith": OpEndsWith, "endswith_cs": OpEndsWithCS,
	"matches regex": OpMatchesRegex,
}

func (e *env) binary(n *BinaryExpr) Scalar {
	switch n.Op {
	case "and", "or":
		l, r := e.boolOperand(n.X), e.boolOperand(n.Y)
		op := OpAnd
		if n.Op == "or" {
			op = OpOr
		}
		return &Call{Op: op, Args: []Scalar{l, r}, T: schema.Bool}
	case "+", "-", "*", "/", "%":
		return e.arithmetic(n)
	case "=~", "!~":
		l, r := e.c.toStringExpr(e.check(n.X)), e.c.toStringExpr(e.check(n.Y))
		op := OpEqCI
		if n.Op == "!~" {
			op = OpNeCI
		}
		return &Call{Op: op, Args: []Scalar{l, r}, T: schema.Bool}
	}
	if op, ok := comparisonOps[n.Op]; ok {
		return e.compare(n.OpPos, op, e.check(n.X), e.check(n.Y))
	}
	negate := strings.HasPrefix(n.Op, "!")
	if op, ok := stringPredicates[strings.TrimPrefix(n.Op, "!")]; ok {
		pattern := e.c.toStringExpr(e.check(n.Y))
		if op == OpMatchesRegex {
			k, ok := pattern.(*Const)
			if !ok {
				e.fail(n.Y.Pos(), "matches regex needs a constant pattern")
			}
			if _, err := regexp.Compile(constString(k)); err != nil {
				e.fail(n.Y.Pos(), "invalid regular expression: %v", err)
			}
		}
		var r Scalar
		if _, star := n.X.(*StarExpr); star {
			r = e.anyColumn(n.X.Pos(), op, pattern)
		} else {
			r = &Call{Op: op, Args: []Scalar{e.c.toStringExpr(e.check(n.X)), pattern}, T: schema.Bool}
		}
		if negate {
			r = &Call{Op: OpNot, Args: []Scalar{r}, T: schema.Bool}
		}
		return r
	}
	e.fail(n.OpPos, "unknown operator '%s'", n.Op)
	return nil
}

// anyColumn is "* op pattern": true if any column of the row, as text,
// matches.
func (e *env) anyColumn(pos Pos, op Op, pattern Scalar) Scalar {
	if e.input == nil {
		e.fail(pos, "'*' needs the columns of a table")
	}
	var r Scalar
	for _, name := range e.cols {
		v := e.names[name]
		t := &Call{Op: op, Args: []Scalar{e.c.toStringExpr(v), pattern}, T: schema.Bool}
		if r == nil {
			r = t
		} else {
			r = &Call{Op: OpOr, Args: []Scalar{r, t}, T: schema.Bool}
		}
	}
	if r == nil {
		return &Const{V: false, T: schema.Bool}
	}
	return r
}

func (e *env) boolOperand(x Expr) Scalar {
	v := e.check(x)
	switch v.Type() {
	case schema.Bool:
		return v
	case schema.Dynamic:
		return &Call{Op: OpToBool, Args: []Scalar{v}, T: schema.Bool}
	}
	e.fail(x.Pos(), "expected a bool, found a %s", v.Type())
	return nil
}

// numericOperand turns a dynamic operand of arithmetic into a real.
func (e *env) numericOperand(pos Pos, v Scalar) Scalar {
	if v.Type() == schema.Dynamic {
		return &Call{Op: OpToReal, Args: []Scalar{v}, T: schema.Real}
	}
	return v
}

func (e *env) dynamicOperand(pos Pos, v Scalar) Scalar {
	switch v.Type() {
	case schema.Dynamic:
		return v
	case schema.String:
		// Lenient: a string holding JSON is read as dynamic, which Kusto
		// would need parse_json() for.
		return &Call{Op: OpToDynamic, Args: []Scalar{v}, T: schema.Dynamic}
	}
	e.fail(pos, "properties and elements can only be taken from a dynamic value; this is a %s", v.Type())
	return nil
}

// member is base.name or base[i]: a path into a dynamic value. Paths are
// collected into one OpMember.
func (e *env) member(pos Pos, base Scalar, key any) Scalar {
	base = e.dynamicOperand(pos, base)
	if m, ok := base.(*Call); ok && m.Op == OpMember {
		path := append(append([]any(nil), m.Path...), key)
		return &Call{Op: OpMember, Args: m.Args, Path: path, T: schema.Dynamic}
	}
	return &Call{Op: OpMember, Args: []Scalar{base}, Path: []any{key}, T: schema.Dynamic}
}

func (e *env) arithmetic(n *BinaryExpr) Scalar {
	l, r := e.check(n.X), e.check(n.Y)
	lt, rt := l.Type(), r.Type()
	if lt == schema.Dynamic {
		l, lt = e.numericOperand(n.X.Pos(), l), schema.Real
	}
	if rt == schema.Dynamic {
		r, rt = e.numericOperand(n.Y.Pos(), r), schema.Real
	}
	ts, dt := schema.Timespan, schema.DateTime
	bad := func() Scalar {
		e.fail(n.OpPos, "cannot apply '%s' to %s and %s", n.Op, lt, rt)
		return nil
	}
	switch n.Op {
	case "+":
		switch {
		case lt == dt && rt == ts:
			return fold(&Call{Op: OpDatetimeAdd, Args: []Scalar{l, r}, T: dt})
		case lt == ts && rt == dt:
			return fold(&Call{Op: OpDatetimeAdd, Args: []Scalar{r, l}, T: dt})
		case lt == ts && rt == ts:
			return fold(&Call{Op: OpAdd, Args: []Scalar{l, r}, T: ts})
		}
	case "-":
		switch {
		case lt == dt && rt == dt:
			return fold(&Call{Op: OpDatetimeDiff, Args: []Scalar{l, r}, T: ts})
		case lt == dt && rt == ts:
			neg := fold(&Call{Op: OpNeg, Args: []Scalar{r}, T: ts})
			return fold(&Call{Op: OpDatetimeAdd, Args: []Scalar{l, neg}, T: dt})
		case lt == ts && rt == ts:
			return fold(&Call{Op: OpSub, Args: []Scalar{l, r}, T: ts})
		}
	case "*":
		switch {
		case lt == ts && isNumeric(rt):
			return e.scaleTimespan(l, r, OpMul)
		case isNumeric(lt) && rt == ts:
			return e.scaleTimespan(r, l, OpMul)
		}
	case "/":
		switch {
		case lt == ts && rt == ts:
			lr := &Call{Op: OpToReal, Args: []Scalar{l}, T: schema.Real}
			rr := &Call{Op: OpToReal, Args: []Scalar{r}, T: schema.Real}
			return fold(&Call{Op: OpDiv, Args: []Scalar{fold(lr), fold(rr)}, T: schema.Real})
		case lt == ts && isNumeric(rt):
			return e.scaleTimespan(l, r, OpDiv)
		}
	case "%":
		if lt == ts && rt == ts {
			return fold(&Call{Op: OpMod, Args: []Scalar{l, r}, T: ts})
		}
	}
	if !isNumeric(lt) || !isNumeric(rt) {
		if n.Op == "+" && (lt == schema.String || rt == schema.String) {
			e.fail(n.OpPos, "'+' does not join strings in KQL; use strcat(a, b)")
		}
		return bad()
	}
	t, _ := unifyTypes(lt, rt)
	l, r = e.c.convert(n.X.Pos(), l, t), e.c.convert(n.Y.Pos(), r, t)
	op := map[string]Op{"+": OpAdd, "-": OpSub, "*": OpMul, "/": OpDiv, "%": OpMod}[n.Op]
	if op == OpDiv && isInteger(t) {
		op = OpIntDiv
	}
	return fold(&Call{Op: op, Args: []Scalar{l, r}, T: t})
}

// scaleTimespan multiplies or divides a timespan by a number: the ticks
// scaled and rounded to a whole tick.
func (e *env) scaleTimespan(ts, k Scalar, op Op) Scalar {
	if isInteger(k.Type()) && op == OpMul {
		k = e.c.convert(NoPos, k, schema.Long)
		return fold(&Call{Op: OpMul, Args: []Scalar{ts, k}, T: schema.Timespan})
	}
	real := fold(&Call{Op: op, Args: []Scalar{
		fold(&Call{Op: OpToReal, Args: []Scalar{ts}, T: schema.Real}),
		e.c.convert(NoPos, k, schema.Real)}, T: schema.Real})
	return fold(&Call{Op: OpToLong, Args: []Scalar{real}, T: schema.Timespan})
}

// compare builds a comparison, converting the operands to one type.
func (e *env) compare(pos Pos, op Op, l, r Scalar) Scalar {
	l, r = e.unifyOperands(pos, l, r, opNames[op])
	if l.Type() == schema.Dynamic {
		l = &Call{Op: OpToString, Args: []Scalar{l}, T: schema.String}
		r = &Call{Op: OpToString, Args: []Scalar{r}, T: schema.String}
	}
	return fold(&Call{Op: op, Args: []Scalar{l, r}, T: schema.Bool})
}

// unifyOperands converts two operands to a type both can take. A dynamic
// value takes the other side's type; a string compared with a number
// constant compares as text (Kusto would refuse: callscope is lenient, so
// that "ParticipantEndReason != 0" means what its author meant).
func (e *env) unifyOperands(pos Pos, l, r Scalar, what string) (Scalar, Scalar) {
	lt, rt := l.Type(), r.Type()
	if lt == rt {
		return l, r
	}
	switch {
	case lt == schema.Dynamic:
		return e.c.castTo(l, rt), r
	case rt == schema.Dynamic:
		return l, e.c.castTo(r, lt)
	case isNullConst(l):
		return &Const{T: rt}, r
	case isNullConst(r):
		return l, &Const{T: lt}
	}
	if t, ok := unifyTypes(lt, rt); ok {
		return e.c.convert(pos, l, t), e.c.convert(pos, r, t)
	}
	if (lt == schema.String || lt == schema.GUID) && (rt == schema.String || rt == schema.GUID) {
		return e.c.toStringExpr(l), e.c.toStringExpr(r)
	}
	if lt == schema.String && isNumeric(rt) {
		if _, ok := r.(*Const); ok {
			return l, e.c.castTo(r, schema.String)
		}
	}
	if rt == schema.String && isNumeric(lt) {
		if _, ok := l.(*Const); ok {
			return e.c.castTo(l, schema.String), r
		}
	}
	if lt == schema.DateTime && rt == schema.String {
		if k, ok := r.(*Const); ok {
			return l, e.c.convertConst(pos, k, schema.DateTime)
		}
	}
	if rt == schema.DateTime && lt == schema.String {
		if k, ok := l.(*Const); ok {
			return e.c.convertConst(pos, k, schema.DateTime), r
		}
	}
	e.fail(pos, "cannot compare a %s with a %s using '%s'", lt, rt, what)
	return nil, nil
}

func isNullConst(x Scalar) bool {
	k, ok := x.(*Const)
	return ok && k.V == nil
}

// in checks x in (…), !in, in~, !in~, has_any and has_all.
func (e *env) in(n *InExpr) Scalar {
	x := e.check(n.X)
	ci := strings.HasSuffix(n.Op, "~")
	not := strings.HasPrefix(n.Op, "!")
	if n.Op == "has_any" || n.Op == "has_all" {
		terms := e.expandList(n.List)
		args := []Scalar{e.c.toStringExpr(x)}
		for _, t := range terms {
			args = append(args, e.c.toStringExpr(t))
		}
		op := OpHasAny
		if n.Op == "has_all" {
			op = OpHasAll
		}
		return &Call{Op: op, Args: args, T: schema.Bool}
	}
	if len(n.List) == 1 && e.c.isTabular(n.List[0]) {
		plan := e.c.checkTabular(n.List[0])
		cols := plan.Columns()
		if len(cols) == 0 {
			e.fail(n.List[0].Pos(), "the sub-query has no columns")
		}
		if t, ok := unifyTypes(x.Type(), cols[0].Type); !ok && x.Type() != cols[0].Type &&
			!(isStringLike(x.Type()) && isStringLike(cols[0].Type)) {
			e.fail(n.OpPos, "cannot compare a %s with the sub-query's %s column '%s'", x.Type(), cols[0].Type, cols[0].Name)
		} else if ok && t != x.Type() {
			x = e.c.convert(n.X.Pos(), x, t)
		}
		return &InQuery{X: x, Plan: plan, Not: not, CI: ci}
	}
	var items []Scalar
	for _, it := range n.List {
		v := e.check(it)
		if v.Type() == schema.Dynamic {
			if k, ok := v.(*Const); ok {
				items = append(items, dynamicElements(k)...)
				continue
			}
			if len(n.List) != 1 {
				e.fail(it.Pos(), "a computed dynamic array must be the only item of the list")
			}
			var r Scalar = &Call{Op: OpInArray, Args: []Scalar{e.c.toStringExpr(x), v}, T: schema.Bool}
			if not {
				r = &Call{Op: OpNot, Args: []Scalar{r}, T: schema.Bool}
			}
			return r
		}
		items = append(items, v)
	}
	if len(items) == 0 {
		return &Const{V: not, T: schema.Bool}
	}
	args := []Scalar{x}
	for i, it := range items {
		l, r := e.unifyOperands(n.List[min(i, len(n.List)-1)].Pos(), x, it, n.Op)
		args[0] = l
		args = append(args, r)
	}
	for i := 1; i < len(args); i++ {
		if args[i].Type() != args[0].Type() {
			args[i] = e.c.convert(n.OpPos, args[i], args[0].Type())
		}
	}
	op := OpIn
	if ci {
		op = OpInCI
		for i := range args {
			args[i] = e.c.toStringExpr(args[i])
		}
	}
	var r Scalar = &Call{Op: op, Args: args, T: schema.Bool}
	if not {
		r = &Call{Op: OpNot, Args: []Scalar{r}, T: schema.Bool}
	}
	return r
}

// expandList checks a list of values; constant dynamic arrays contribute
// their elements.
func (e *env) expandList(list []Expr) []Scalar {
	var out []Scalar
	for _, it := range list {
		v := e.check(it)
		if k, ok := v.(*Const); ok && v.Type() == schema.Dynamic {
			out = append(out, dynamicElements(k)...)
			continue
		}
		out = append(out, v)
	}
	return out
}

func isStringLike(t Type) bool { return t == schema.String || t == schema.GUID }

// ---- functions ----

func (e *env) call(n *CallExpr) Scalar {
	name := n.Fun.Name
	if b := e.c.scope.lookup(name); b != nil && b.fn != nil {
		v := e.c.callUserFunction(n, b)
		x, ok := v.(Scalar)
		if !ok {
			e.fail(n.Pos(), "function '%s' returns a table; a value is needed here", name)
		}
		return x
	}
	if spec, ok := aggregates[name]; ok {
		if e.aggs == nil {
			e.fail(n.Pos(), "%s() is an aggregation; use it in summarize, make-series or top-nested", name)
		}
		ac, _ := e.c.checkAggregate(e.aggIn, n, spec, nil)
		if ac.Outputs != 1 {
			e.fail(n.Pos(), "%s() returns several columns; use it as a summarize column of its own", name)
		}
		*e.aggs = append(*e.aggs, ac)
		return &aggRef{k: len(*e.aggs) - 1, o: 0, t: ac.T[0]}
	}
	if op, ok := windowFunctions[name]; ok {
		return e.window(n, op)
	}
	if raw, ok := rawFunctions[name]; ok {
		if len(n.Args) < raw.min || len(n.Args) > raw.max {
			e.fail(n.Pos(), "%s takes %s", name, arity(raw.min, raw.max))
		}
		return raw.check(e, n)
	}
	spec, ok := functions[name]
	if !ok {
		if _, ok := functions[strings.ToLower(name)]; ok {
			e.fail(n.Fun.Pos(), "unknown function '%s'; function names are case-sensitive: did you mean '%s'?", name, strings.ToLower(name))
		}
		e.fail(n.Fun.Pos(), "unknown function '%s'", name)
	}
	if len(n.Args) < spec.min || (spec.max >= 0 && len(n.Args) > spec.max) {
		e.fail(n.Pos(), "%s takes %s", name, arity(spec.min, spec.max))
	}
	args := make([]Scalar, len(n.Args))
	for i, a := range n.Args {
		if na, ok := a.(*NamedExpr); ok {
			e.fail(na.Pos(), "%s does not take named arguments", name)
		}
		if te, ok := a.(*CallExpr); ok && te.Fun.Name == "typeof" {
			// typeof(long) names a type, not a value (extract's last
			// argument); the function reads it from the syntax.
			args[i] = &Const{T: schema.String}
			continue
		}
		args[i] = e.check(a)
	}
	return fold(spec.check(e, n, args))
}

func arity(lo, hi int) string {
	switch {
	case lo == hi && lo == 0:
		return "no arguments"
	case lo == hi && lo == 1:
		return "one argument"
	case lo == hi:
		return itoa(lo) + " arguments"
	case hi < 0:
		return "at least " + itoa(lo) + " arguments"
	}
	return itoa(lo) + " to " + itoa(hi) + " arguments"
}

func (e *env) window(n *CallExpr, op Op) Scalar {
	if !e.serialized {
		e.fail(n.Pos(), "%s() needs rows in order: put sort, order by, top or serialize before it", n.Fun.Name)
	}
	args := make([]Scalar, len(n.Args))
	for i, a := range n.Args {
		args[i] = e.check(a)
	}
	switch op {
	case WinPrev, WinNext:
		if len(args) < 1 || len(args) > 3 {
			e.fail(n.Pos(), "%s takes an expression, an offset and a default", n.Fun.Name)
		}
		t := args[0].Type()
		out := []Scalar{args[0], &Const{V: int64(1), T: schema.Long}, &Const{T: t}}
		if len(args) > 1 {
			out[1] = e.c.convert(n.Args[1].Pos(), args[1], schema.Long)
			if _, ok := out[1].(*Const); !ok {
				e.fail(n.Args[1].Pos(), "the offset must be a constant")
			}
		}
		if len(args) > 2 {
			out[2] = e.c.convert(n.Args[2].Pos(), args[2], t)
		}
		return &Window{Op: op, Args: out, T: t}
	case WinRowNumber:
		start := Scalar(&Const{V: int64(1), T: schema.Long})
		if len(args) > 0 {
			start = e.c.convert(n.Args[0].Pos(), args[0], schema.Long)
		}
		return &Window{Op: op, Args: []Scalar{start}, T: schema.Long}
	case WinRowRankDense, WinRowRankMin:
		if len(args) != 1 {
			e.fail(n.Pos(), "%s takes one expression", n.Fun.Name)
		}
		return &Window{Op: op, Args: args, T: schema.Long}
	case WinRowCumsum:
		if len(args) != 1 || !isNumeric(args[0].Type()) {
			e.fail(n.Pos(), "row_cumsum takes one number")
		}
		t := args[0].Type()
		if t == schema.Int {
			t = schema.Long
		}
		return &Window{Op: op, Args: []Scalar{e.c.convert(n.Pos(), args[0], t)}, T: t}
	}
	return nil
}

var windowFunctions = map[string]Op{
	"prev": WinPrev, "next": WinNext, "row_number": WinRowNumber,
	"row_rank_dense": WinRowRankDense, "row_rank_min": WinRowRankMin, "row_cumsum": WinRowCumsum,
}
