package kql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/schema"
)

// Options are what a query is checked against.
type Options struct {
	// Tables resolves a table name (exactly, as KQL names are
	// case-sensitive) to its schema; nil if the workspace has no such table.
	Tables func(name string) *schema.Table
	// Views resolves a name to the KQL text of a view ("" for none):
	// a name the workspace answers with a query over its tables.
	Views func(name string) string
	// Now is the query's now(): one instant for the whole query.
	Now time.Time
	// From and To, when set, bound every table's time column: the query
	// API's timespan.
	From, To *time.Time
	// Parameters override the defaults of declare query_parameters.
	Parameters map[string]string
}

// Compile parses and checks a query.
func Compile(src string, opts Options) (*CheckedQuery, error) {
	q, err := Parse(src)
	if err != nil {
		return nil, err
	}
	return Check(src, q, opts)
}

// Check resolves and types a parsed query. src is the text it was parsed
// from, for error positions.
func Check(src string, q *Query, opts Options) (cq *CheckedQuery, err error) {
	if opts.Tables == nil {
		opts.Tables = func(name string) *schema.Table { return schema.ByName(name) }
	}
	if opts.Views == nil {
		opts.Views = func(name string) string {
			if v := schema.ViewByName(name); v != nil {
				return v.Query
			}
			return ""
		}
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	opts.Now = opts.Now.UTC()
	c := &checker{src: src, opts: opts, scope: &scope{names: map[string]*binding{}}}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			cq, err = nil, e
		}
	}()
	result, pos := c.checkBody(q)
	plan, ok := result.(Plan)
	if !ok {
		c.fail(pos, "the query must end with a tabular expression (a table and its operators), not a scalar value; use print to show a value")
	}
	return &CheckedQuery{Plan: plan, Render: c.render}, nil
}

// checker holds the state of one semantic pass.
type checker struct {
	src    string
	opts   Options
	scope  *scope
	render *Render
	depth  int
}

// scope is a level of let bindings; function bodies open new ones.
type scope struct {
	parent *scope
	names  map[string]*binding
}

// binding is what a let statement, a query parameter or a function
// parameter binds a name to.
type binding struct {
	scalar  Scalar
	tabular *Shared
	fn      *FuncLit
	fnScope *scope
}

func (s *scope) lookup(name string) *binding {
	for ; s != nil; s = s.parent {
		if b, ok := s.names[name]; ok {
			return b
		}
	}
	return nil
}

func (c *checker) fail(pos Pos, format string, args ...any) {
	panic(newError(SemanticError, c.src, pos, format, args...))
}

func (c *checker) enter(pos Pos) {
	c.depth++
	if c.depth > MaxDepth {
		c.fail(pos, "the query nests more than %d levels deep (is a function calling itself?)", MaxDepth)
	}
}

func (c *checker) leave() { c.depth-- }

// checkBody checks statements in the current scope and returns the value
// of the last one: a Plan or an Scalar.
func (c *checker) checkBody(q *Query) (any, Pos) {
	var result any
	var pos Pos
	results := 0
	for _, st := range q.Stmts {
		switch s := st.(type) {
		case *LetStmt:
			c.checkLet(s)
		case *DeclareStmt:
			c.checkDeclare(s)
		case *SetStmt:
			// Request options are accepted and ignored.
		case *ExprStmt:
			results++
			if results > 1 {
				c.fail(s.Pos(), "the query has more than one result expression; callscope returns one table, so join them with ';'-separated let statements")
			}
			pos = s.Pos()
			if c.isTabular(s.X) {
				result = c.checkTabular(s.X)
			} else {
				result = c.checkConstExpr(s.X)
			}
		}
	}
	if results == 0 {
		last := q.Stmts[len(q.Stmts)-1]
		c.fail(last.Pos(), "the query has only let or declare statements; it must end with an expression whose result is returned")
	}
	return result, pos
}

func (c *checker) checkLet(s *LetStmt) {
	name := s.Name.Name
	if s.Func != nil {
		c.scope.names[name] = &binding{fn: s.Func, fnScope: c.scope}
		return
	}
	if c.isTabular(s.Value) {
		plan := c.checkTabular(s.Value)
		sh, ok := plan.(*Shared)
		if !ok || sh.Name != "" {
			sh = &Shared{Name: name, Input: plan}
		} else {
			sh.Name = name
		}
		c.scope.names[name] = &binding{tabular: sh}
		return
	}
	c.scope.names[name] = &binding{scalar: c.checkConstExpr(s.Value)}
}

func (c *checker) checkDeclare(s *DeclareStmt) {
	for _, p := range s.Params {
		t := c.scalarType(p.Type)
		var v Scalar
		if text, ok := c.opts.Parameters[p.Name.Name]; ok && t == schema.Dynamic {
			// A dynamic value is given as JSON text.
			var buf bytes.Buffer
			if err := json.Compact(&buf, []byte(text)); err != nil {
				c.fail(p.Name.Pos(), "the value of parameter %s is not JSON: %v", p.Name.Name, err)
			}
			v = &Const{V: DynamicValue{JSON: buf.String()}, T: schema.Dynamic}
		} else if ok {
			v = c.convertConst(p.Name.Pos(), &Const{V: text, T: schema.String}, t)
		} else if p.Default != nil {
			v = c.convert(p.Default.Pos(), c.checkConstExpr(p.Default), t)
		} else {
			v = &Const{T: t}
		}
		c.scope.names[p.Name.Name] = &binding{scalar: v}
	}
}

// scalarType resolves a type name (string, long, …).
func (c *checker) scalarType(id *Ident) Type {
	name := strings.ToLower(id.Name)
	if alias, ok := typedLiterals[name]; ok {
		name = alias
	}
	t, ok := schema.ParseType(name)
	if !ok {
		c.fail(id.Pos(), "unknown type '%s' (use bool, int, long, real, decimal, string, datetime, timespan, guid or dynamic)", id.Name)
	}
	return t
}

// isTabular decides whether an expression denotes a table. KQL's grammar
// does not say, so names are looked up.
func (c *checker) isTabular(e Expr) bool {
	switch x := e.(type) {
	case *PipeExpr, *UnionExpr, *DatatableExpr, *PrintExpr, *RangeExpr:
		return true
	case *ParenExpr:
		return c.isTabular(x.X)
	case *PatternExpr:
		return true
	case *Ident:
		if b := c.scope.lookup(x.Name); b != nil {
			return b.tabular != nil
		}
		return c.opts.Tables(x.Name) != nil || c.opts.Views(x.Name) != ""
	case *CallExpr:
		switch x.Fun.Name {
		case "materialize", "view", "table":
			return true
		}
		if b := c.scope.lookup(x.Fun.Name); b != nil && b.fn != nil {
			return c.funcIsTabular(b)
		}
	}
	return false
}

// funcIsTabular reports whether a user function's body ends in a tabular expression.
func (c *checker) funcIsTabular(b *binding) bool {
	stmts := b.fn.Body.Stmts
	for i := len(stmts) - 1; i >= 0; i-- {
		if es, ok := stmts[i].(*ExprStmt); ok {
			saved := c.scope
			c.scope = &scope{parent: b.fnScope, names: map[string]*binding{}}
			for _, p := range b.fn.Params {
				c.scope.names[p.Name.Name] = &binding{scalar: &Const{T: schema.String}}
			}
			// Let statements of the body may name tables used by the result.
			for _, st := range stmts[:i] {
				if ls, ok := st.(*LetStmt); ok {
					c.scope.names[ls.Name.Name] = &binding{}
					if ls.Value != nil && c.isTabular(ls.Value) {
						c.scope.names[ls.Name.Name] = &binding{tabular: &Shared{}}
					}
				}
			}
			t := c.isTabular(es.X)
			c.scope = saved
			return t
		}
	}
	return false
}

// checkTabular checks a tabular expression.
func (c *checker) checkTabular(e Expr) Plan {
	c.enter(e.Pos())
	defer c.leave()
	switch x := e.(type) {
	case *ParenExpr:
		return c.checkTabular(x.X)
	case *Ident:
		return c.tableRef(x)
	case *PatternExpr:
		return c.checkUnion(&UnionExpr{Union: x.Pos(), Kind: "outer", Tables: []Expr{x}}, nil)
	case *PipeExpr:
		plan := c.checkTabular(x.Source)
		for i, op := range x.Ops {
			if _, ok := op.(*RenderOp); ok && i != len(x.Ops)-1 {
				c.fail(op.Pos(), "render must be the last operator of the query")
			}
			plan = c.checkOperator(plan, op)
		}
		return plan
	case *UnionExpr:
		return c.checkUnion(x, nil)
	case *DatatableExpr:
		return c.checkDatatable(x)
	case *PrintExpr:
		return c.checkPrint(x)
	case *RangeExpr:
		return c.checkRange(x)
	case *CallExpr:
		switch x.Fun.Name {
		case "materialize":
			if len(x.Args) != 1 {
				c.fail(x.Pos(), "materialize takes one tabular expression")
			}
			plan := c.checkTabular(x.Args[0])
			if sh, ok := plan.(*Shared); ok && sh.Name == "" {
				sh.Materialize = true
				return sh
			}
			return &Shared{Input: plan, Materialize: true}
		case "view", "table":
			if len(x.Args) != 1 {
				c.fail(x.Pos(), "%s takes one table name", x.Fun.Name)
			}
			lit, ok := x.Args[0].(*Literal)
			if !ok || lit.Kind != LitString {
				c.fail(x.Args[0].Pos(), "%s needs the table name as a string", x.Fun.Name)
			}
			return c.tableRef(&Ident{NamePos: lit.Pos(), Name: lit.Value.(string)})
		}
		if b := c.scope.lookup(x.Fun.Name); b != nil && b.fn != nil {
			v := c.callUserFunction(x, b)
			plan, ok := v.(Plan)
			if !ok {
				c.fail(x.Pos(), "function '%s' returns a scalar, not a table", x.Fun.Name)
			}
			return plan
		}
	}
	c.fail(e.Pos(), "expected a table here")
	return nil
}

// tableRef resolves a name used as a table: a let-bound tabular value or a
// workspace table.
func (c *checker) tableRef(id *Ident) Plan {
	if b := c.scope.lookup(id.Name); b != nil {
		if b.tabular != nil {
			return b.tabular
		}
		if b.fn != nil {
			c.fail(id.Pos(), "'%s' is a function; call it with parentheses: %s()", id.Name, id.Name)
		}
		c.fail(id.Pos(), "'%s' is a scalar value, not a table", id.Name)
	}
	t := c.opts.Tables(id.Name)
	if t == nil {
		if text := c.opts.Views(id.Name); text != "" {
			return c.view(id, text)
		}
		if alt := tableNameFold(c.opts.Tables, id.Name); alt != "" {
			c.fail(id.Pos(), "failed to resolve table '%s': table names are case-sensitive; did you mean '%s'?", id.Name, alt)
		}
		c.fail(id.Pos(), "failed to resolve table or column expression named '%s'", id.Name)
	}
	return c.scan(t)
}

// view checks a view's query on its own, outside the scope of the query
// that names it.
func (c *checker) view(id *Ident, text string) Plan {
	c.enter(id.Pos())
	defer c.leave()
	q, err := Parse(text)
	if err != nil {
		c.fail(id.Pos(), "view '%s' does not parse: %v", id.Name, err)
	}
	inner := &checker{src: text, opts: c.opts, scope: &scope{names: map[string]*binding{}}, depth: c.depth}
	var plan Plan
	func() {
		defer func() {
			if r := recover(); r != nil {
				e, ok := r.(*Error)
				if !ok {
					panic(r)
				}
				c.fail(id.Pos(), "view '%s' cannot be used: %s", id.Name, e.Msg)
			}
		}()
		v, _ := inner.checkBody(q)
		plan, _ = v.(Plan)
	}()
	if plan == nil {
		c.fail(id.Pos(), "view '%s' is not a table", id.Name)
	}
	return plan
}

// tableNameFold finds a table whose name differs only in letter case.
func tableNameFold(tables func(string) *schema.Table, name string) string {
	for _, t := range schema.Tables() {
		if strings.EqualFold(t.Name, name) && tables(t.Name) != nil {
			return t.Name
		}
	}
	return ""
}

// TimeColumn is the column a query's timespan filters in a table.
func TimeColumn(t *schema.Table) int {
	return t.ColumnIndex(schema.TimeGenerated)
}

func (c *checker) scan(t *schema.Table) *Scan {
	s := &Scan{Table: t, TimeCol: TimeColumn(t), From: c.opts.From, To: c.opts.To}
	for _, col := range t.Columns {
		s.Cols = append(s.Cols, Column{Name: col.Name, Type: col.Type})
	}
	if s.TimeCol < 0 {
		s.From, s.To = nil, nil
	}
	return s
}

// callUserFunction expands a call of a let-bound function: the body is
// checked with the arguments bound to the parameters.
func (c *checker) callUserFunction(call *CallExpr, b *binding) any {
	fn := b.fn
	args := map[string]Scalar{}
	positional := 0
	for _, a := range call.Args {
		if n, ok := a.(*NamedExpr); ok {
			found := false
			for _, p := range fn.Params {
				if p.Name.Name == n.Names[0].Name {
					found = true
				}
			}
			if !found {
				c.fail(n.Pos(), "function '%s' has no parameter named '%s'", call.Fun.Name, n.Names[0].Name)
			}
			args[n.Names[0].Name] = c.checkConstExpr(n.X)
			continue
		}
		if positional >= len(fn.Params) {
			c.fail(a.Pos(), "function '%s' takes %d arguments", call.Fun.Name, len(fn.Params))
		}
		args[fn.Params[positional].Name.Name] = c.checkConstExpr(a)
		positional++
	}
	inner := &scope{parent: b.fnScope, names: map[string]*binding{}}
	for _, p := range fn.Params {
		t := c.scalarType(p.Type)
		v, ok := args[p.Name.Name]
		switch {
		case ok:
			v = c.convert(call.Pos(), v, t)
		case p.Default != nil:
			saved := c.scope
			c.scope = inner
			v = c.convert(p.Default.Pos(), c.checkConstExpr(p.Default), t)
			c.scope = saved
		default:
			c.fail(call.Pos(), "function '%s' needs a value for parameter '%s'", call.Fun.Name, p.Name.Name)
		}
		inner.names[p.Name.Name] = &binding{scalar: v}
	}
	saved := c.scope
	c.scope = inner
	c.enter(call.Pos())
	v, _ := c.checkBody(fn.Body)
	c.leave()
	c.scope = saved
	return v
}

// ---- operators ----

func (c *checker) checkOperator(in Plan, op Operator) Plan {
	switch o := op.(type) {
	case *WhereOp:
		env := c.rowEnv(in)
		return &Filter{Input: in, Pred: c.predicate(env, o.Pred)}
	case *ProjectOp:
		if o.OpName == "extend" {
			return c.checkExtend(in, o.Items, true)
		}
		return c.checkProject(in, o.Items)
	case *ColumnsOp:
		return c.checkColumnsOp(in, o)
	case *ProjectRenameOp:
		return c.checkRename(in, o)
	case *SummarizeOp:
		return c.checkSummarize(in, o.Aggs, o.By)
	case *DistinctOp:
		if len(o.Items) == 1 {
			if _, ok := o.Items[0].(*StarExpr); ok {
				keys := make([]Scalar, len(in.Columns()))
				for i, col := range in.Columns() {
					keys[i] = &ColRef{Index: i, Name: col.Name, T: col.Type}
				}
				return &Aggregate{Input: in, Keys: keys, Cols: append([]Column(nil), in.Columns()...)}
			}
		}
		return c.checkSummarize(in, nil, o.Items)
	case *CountOp:
		return &Aggregate{Input: in, Aggs: []*AggCall{{Func: AggCount, Outputs: 1, T: []Type{schema.Long}}},
			Cols: []Column{{Name: "Count", Type: schema.Long}}}
	case *SortOp:
		return &Sort{Input: in, Keys: c.sortKeys(in, o.Keys)}
	case *TopOp:
		n := c.constInt(o.N, "top")
		return &Limit{Input: &Sort{Input: in, Keys: c.sortKeys(in, o.Keys)}, N: n}
	case *TakeOp:
		return &Limit{Input: in, N: c.constInt(o.N, o.OpName)}
	case *JoinOp:
		return c.checkJoin(in, o)
	case *UnionOp:
		return c.checkUnion(o.Union, in)
	case *MvExpandOp:
		return c.checkMvExpand(in, o)
	case *MakeSeriesOp:
		return c.checkMakeSeries(in, o)
	case *ParseOp:
		return c.checkParse(in, o)
	case *SerializeOp:
		s := &Serialize{Input: in}
		if len(o.Items) == 0 {
			return s
		}
		return c.checkExtend(s, o.Items, true)
	case *RenderOp:
		c.checkRender(in, o)
		return in
	case *EvaluateOp:
		c.fail(o.Call.Pos(), "evaluate %s is not supported by callscope", o.Call.Fun.Name)
	case *GetSchemaOp:
		return c.getSchema(in)
	case *AsOp:
		return in
	}
	c.fail(op.Pos(), "the '%s' operator is not supported", op.Name())
	return nil
}

// rowEnv is the set of names an expression over the rows of a plan can use.
func (c *checker) rowEnv(in Plan) *env {
	e := &env{c: c, serialized: isSerialized(in), input: in}
	for i, col := range in.Columns() {
		e.add(col.Name, &ColRef{Index: i, Name: col.Name, T: col.Type})
	}
	return e
}

// isSerialized reports whether a plan's rows come in a defined order, which
// window functions (prev, row_number, …) need.
func isSerialized(p Plan) bool {
	switch x := p.(type) {
	case *Sort, *Serialize:
		return true
	case *Filter:
		return isSerialized(x.Input)
	case *Project:
		return isSerialized(x.Input)
	case *Limit:
		return isSerialized(x.Input)
	case *MvExpand:
		return isSerialized(x.Input)
	case *Shared:
		return isSerialized(x.Input)
	}
	return false
}

// predicate checks a where condition: a bool.
func (c *checker) predicate(e *env, x Expr) Scalar {
	p := e.check(x)
	switch p.Type() {
	case schema.Bool:
		return p
	case schema.Dynamic:
		return &Call{Op: OpToBool, Args: []Scalar{p}, T: schema.Bool}
	}
	c.fail(x.Pos(), "the condition must be a bool; this expression is a %s", p.Type())
	return nil
}

// checkExtend adds or replaces columns; each item may use the ones before it.
func (c *checker) checkExtend(in Plan, items []Expr, keep bool) Plan {
	e := c.rowEnv(in)
	cols := append([]Column(nil), in.Columns()...)
	exprs := make([]Scalar, len(cols))
	for i, col := range cols {
		exprs[i] = &ColRef{Index: i, Name: col.Name, T: col.Type}
	}
	auto := 0
	for _, item := range items {
		names, values := c.namedValues(e, item, &auto)
		for k, name := range names {
			v := values[k]
			if i := columnIndex(cols, name); i >= 0 {
				cols[i] = Column{Name: name, Type: v.Type()}
				exprs[i] = v
			} else {
				cols = append(cols, Column{Name: name, Type: v.Type()})
				exprs = append(exprs, v)
			}
			e.add(name, v)
		}
	}
	return &Project{Input: in, Exprs: exprs, Cols: cols}
}

func (c *checker) checkProject(in Plan, items []Expr) Plan {
	e := c.rowEnv(in)
	p := &Project{Input: in}
	auto := 0
	for _, item := range items {
		names, values := c.namedValues(e, item, &auto)
		for k, name := range names {
			if i := columnIndex(p.Cols, name); i >= 0 {
				c.fail(item.Pos(), "project names column '%s' twice", name)
			}
			p.Cols = append(p.Cols, Column{Name: name, Type: values[k].Type()})
			p.Exprs = append(p.Exprs, values[k])
			e.add(name, values[k])
		}
	}
	return p
}

// namedValues checks one item of project, extend or print: Name = expr,
// (A, B) = expr, or an expression named after its column.
func (c *checker) namedValues(e *env, item Expr, auto *int) ([]string, []Scalar) {
	if n, ok := item.(*NamedExpr); ok {
		if len(n.Names) > 1 {
			return c.tupleValues(e, n)
		}
		return []string{n.Names[0].Name}, []Scalar{e.check(n.X)}
	}
	v := e.check(item)
	name := derivedName(item)
	if name == "" {
		*auto++
		name = fmt.Sprintf("Column%d", *auto)
	}
	return []string{name}, []Scalar{v}
}

// tupleValues checks (A, B, …) = f(…) for the functions that return
// several values.
func (c *checker) tupleValues(e *env, n *NamedExpr) ([]string, []Scalar) {
	call, ok := n.X.(*CallExpr)
	if !ok || (call.Fun.Name != "array_sort_asc" && call.Fun.Name != "array_sort_desc") {
		c.fail(n.Pos(), "only array_sort_asc and array_sort_desc return several columns")
	}
	args := make([]Scalar, len(call.Args))
	for i, a := range call.Args {
		args[i] = c.toDynamic(e.check(a))
	}
	if len(n.Names) != len(args) {
		c.fail(n.Pos(), "%s returns %d arrays here, but %s given", call.Fun.Name, len(args), namesGiven(len(n.Names)))
	}
	op := OpArraySortColumn
	if call.Fun.Name == "array_sort_desc" {
		op = OpArraySortColumnDesc
	}
	names := make([]string, len(n.Names))
	values := make([]Scalar, len(n.Names))
	for i, id := range n.Names {
		names[i] = id.Name
		values[i] = &Call{Op: op, Args: append([]Scalar{&Const{V: int64(i), T: schema.Long}}, args...), T: schema.Dynamic}
	}
	return names, values
}

// derivedName is the column name KQL gives an unnamed expression: the
// column it refers to, a property path joined with '_', or the column of
// the first argument of a conversion or binning function.
func derivedName(x Expr) string {
	switch e := x.(type) {
	case *Ident:
		if strings.HasPrefix(e.Name, "$") {
			return ""
		}
		return e.Name
	case *MemberExpr:
		base := derivedName(e.X)
		if base == "" {
			return ""
		}
		return base + "_" + e.Name.Name
	case *IndexExpr:
		base := derivedName(e.X)
		if lit, ok := e.Index.(*Literal); ok && base != "" {
			if s, ok := lit.Value.(string); ok {
				return base + "_" + s
			}
			if n, ok := lit.Value.(int64); ok {
				return fmt.Sprintf("%s_%d", base, n)
			}
		}
		return ""
	case *ParenExpr:
		return derivedName(e.X)
	case *CallExpr:
		if nameFollowsArg[e.Fun.Name] && len(e.Args) > 0 {
			return derivedName(e.Args[0])
		}
	}
	return ""
}

// nameFollowsArg are the functions whose unnamed result is named after
// their first argument's column, as in Kusto (summarize by bin(T, 1h) makes
// a column T).
var nameFollowsArg = map[string]bool{
	"bin": true, "floor": true, "bin_at": true,
	"tostring": true, "toint": true, "tolong": true, "toreal": true, "todouble": true, "todecimal": true,
	"todatetime": true, "totimespan": true, "tobool": true, "toboolean": true, "toguid": true,
	"todynamic": true, "toobject": true,
}

func columnIndex(cols []Column, name string) int {
	for i, c := range cols {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// checkColumnsOp handles project-away, project-keep and project-reorder.
func (c *checker) checkColumnsOp(in Plan, o *ColumnsOp) Plan {
	cols := in.Columns()
	matched := make([]bool, len(cols))
	var order []int
	for _, x := range o.Columns {
		pattern := ""
		switch p := x.(type) {
		case *Ident:
			pattern = p.Name
		case *PatternExpr:
			pattern = p.Pattern
		}
		any := false
		for i, col := range cols {
			if matchPattern(pattern, col.Name) {
				any = true
				if !matched[i] {
					matched[i] = true
					order = append(order, i)
				}
			}
		}
		if !any && !strings.Contains(pattern, "*") {
			c.fail(x.Pos(), "%s: failed to resolve column '%s'", o.OpName, pattern)
		}
	}
	var keep []int
	switch o.OpName {
	case "project-away":
		for i := range cols {
			if !matched[i] {
				keep = append(keep, i)
			}
		}
	case "project-keep":
		for i := range cols {
			if matched[i] {
				keep = append(keep, i)
			}
		}
	case "project-reorder":
		keep = order
		for i := range cols {
			if !matched[i] {
				keep = append(keep, i)
			}
		}
	}
	return c.selectColumns(in, keep)
}

// selectColumns projects the input's columns at the given positions.
func (c *checker) selectColumns(in Plan, keep []int) Plan {
	cols := in.Columns()
	p := &Project{Input: in}
	for _, i := range keep {
		p.Cols = append(p.Cols, cols[i])
		p.Exprs = append(p.Exprs, &ColRef{Index: i, Name: cols[i].Name, T: cols[i].Type})
	}
	return p
}

// matchPattern matches a column name against a pattern with '*' wildcards.
func matchPattern(pattern, name string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == name
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	rest := name[len(parts[0]):]
	for i, part := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(rest, part)
		}
		j := strings.Index(rest, part)
		if j < 0 {
			return false
		}
		rest = rest[j+len(part):]
	}
	return true
}

func (c *checker) checkRename(in Plan, o *ProjectRenameOp) Plan {
	cols := append([]Column(nil), in.Columns()...)
	p := &Project{Input: in}
	for i, col := range cols {
		p.Exprs = append(p.Exprs, &ColRef{Index: i, Name: col.Name, T: col.Type})
	}
	for _, item := range o.Items {
		old := item.X.(*Ident)
		i := columnIndex(cols, old.Name)
		if i < 0 {
			c.fail(old.Pos(), "project-rename: failed to resolve column '%s'", old.Name)
		}
		newName := item.Names[0].Name
		if j := columnIndex(cols, newName); j >= 0 && j != i {
			c.fail(item.Pos(), "project-rename: a column named '%s' already exists", newName)
		}
		cols[i].Name = newName
	}
	p.Cols = cols
	return p
}

func (c *checker) sortKeys(in Plan, keys []*SortKey) []SortKeyIR {
	e := c.rowEnv(in)
	out := make([]SortKeyIR, len(keys))
	for i, k := range keys {
		x := e.check(k.X)
		if x.Type() == schema.Dynamic {
			x = &Call{Op: OpToString, Args: []Scalar{x}, T: schema.String}
		}
		nullsFirst := !k.Desc // Kusto: nulls last when descending, first when ascending
		if k.NullsSet {
			nullsFirst = k.NullsFirst
		}
		out[i] = SortKeyIR{X: x, Desc: k.Desc, NullsFirst: nullsFirst}
	}
	return out
}

// constInt evaluates a constant whole number (take, top, limit).
func (c *checker) constInt(x Expr, what string) int64 {
	v := c.checkConstExpr(x)
	k, ok := v.(*Const)
	if ok {
		switch n := k.V.(type) {
		case int64:
			if n >= 0 {
				return n
			}
		case float64:
			if n >= 0 && n == float64(int64(n)) {
				return int64(n)
			}
		}
	}
	c.fail(x.Pos(), "%s needs a constant number of rows, zero or more", what)
	return 0
}

// checkConstExpr checks an expression outside any row: a let value, a
// function argument. Column names are not available; scalar lets,
// constants and toscalar() are.
func (c *checker) checkConstExpr(x Expr) Scalar {
	e := &env{c: c}
	return e.check(x)
}

func (c *checker) checkRender(in Plan, o *RenderOp) {
	visuals := map[string]bool{
		"table": true, "timechart": true, "columnchart": true, "barchart": true, "piechart": true,
		"areachart": true, "stackedareachart": true, "linechart": true, "scatterchart": true,
		"anomalychart": true, "card": true, "pivotchart": true, "ladderchart": true, "timepivot": true,
		"treemap": true, "3Dchart": true, "list": true,
	}
	if !visuals[o.Visual] {
		c.fail(o.Pos(), "unknown visualization '%s' (use table, timechart, linechart, areachart, columnchart, barchart, piechart, scatterchart or card)", o.Visual)
	}
	r := &Render{Visualization: o.Visual, Props: map[string]any{}}
	for _, p := range o.Props {
		name := p.Names[0].Name
		if id, ok := p.X.(*Ident); ok {
			// Column names (xcolumn = x) and keywords (kind = stacked,
			// legend = hidden) are written bare.
			r.Props[name] = id.Name
			if name == "ycolumns" || name == "series" {
				r.Props[name] = []string{id.Name}
			}
			continue
		}
		v := c.checkConstExpr(p.X)
		k, ok := v.(*Const)
		if !ok {
			c.fail(p.X.Pos(), "render property '%s' needs a constant value", name)
		}
		switch name {
		case "ycolumns", "series", "anomalycolumns":
			r.Props[name] = strings.Split(k.V.(string), ",")
		default:
			switch x := k.V.(type) {
			case DynamicValue:
				r.Props[name] = x.JSON
			case time.Time:
				r.Props[name] = FormatDatetime(x)
			default:
				if k.T == schema.Timespan {
					r.Props[name] = FormatTimespan(x.(int64))
				} else {
					r.Props[name] = x
				}
			}
		}
	}
	if xc, ok := r.Props["xcolumn"].(string); ok && columnIndex(in.Columns(), xc) < 0 {
		c.fail(o.Pos(), "render xcolumn '%s' is not a column of the result", xc)
	}
	c.render = r
}

func (c *checker) getSchema(in Plan) Plan {
	v := &Values{Cols: []Column{
		{Name: "ColumnName", Type: schema.String}, {Name: "ColumnOrdinal", Type: schema.Int},
		{Name: "DataType", Type: schema.String}, {Name: "ColumnType", Type: schema.String},
	}}
	for i, col := range in.Columns() {
		v.Rows = append(v.Rows, []Scalar{
			&Const{V: col.Name, T: schema.String}, &Const{V: int64(i), T: schema.Int},
			&Const{V: clrTypeName(col.Type), T: schema.String}, &Const{V: col.Type.String(), T: schema.String},
		})
	}
	return v
}

// clrTypeName is the .NET type name getschema reports.
func clrTypeName(t Type) string {
	switch t {
	case schema.String:
		return "System.String"
	case schema.Long:
		return "System.Int64"
	case schema.Int:
		return "System.Int32"
	case schema.Real:
		return "System.Double"
	case schema.Decimal:
		return "System.Data.SqlTypes.SqlDecimal"
	case schema.Bool:
		return "System.SByte"
	case schema.DateTime:
		return "System.DateTime"
	case schema.Timespan:
		return "System.TimeSpan"
	case schema.GUID:
		return "System.Guid"
	}
	return "System.Object"
}

// namesGiven says how many names a query gave ("1 name is", "2 names are").
func namesGiven(n int) string {
	if n == 1 {
		return "1 name is"
	}
	return fmt.Sprintf("%d names are", n)
}
