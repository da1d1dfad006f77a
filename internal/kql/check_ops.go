package kql

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/callscope/callscope/internal/schema"
)

// checkSummarize checks summarize (and distinct, which is summarize by its
// columns). The result is an Aggregate whose columns are the keys then each
// aggregation's outputs. Items that compute over aggregations
// (iff(countif(x) > 0, …)) add a Project on top that computes them from
// the Aggregate's columns.
func (c *checker) checkSummarize(in Plan, aggs, by []Expr) Plan {
	inEnv := c.rowEnv(in)
	a := &Aggregate{Input: in}
	var names []string // output names, keys first
	auto := 0
	for _, k := range by {
		kn, values := c.namedValues(inEnv, k, &auto)
		for i, v := range values {
			if v.Type() == schema.Dynamic {
				c.fail(k.Pos(), "summarize cannot group by a dynamic value; convert it with tostring() first")
			}
			a.Keys = append(a.Keys, v)
			names = append(names, kn[i])
		}
	}
	nkeys := len(a.Keys)

	// Each item is one aggregation call, or an expression over calls
	// whose results it refers to with aggRef.
	type item struct {
		names []string
		call  int    // index into a.Aggs of a plain item's call
		value Scalar // an expression item; nil for a plain one
	}
	var items []item
	ae := &env{c: c, aggIn: inEnv, aggs: &a.Aggs}
	for _, x := range aggs {
		var given []string
		if n, ok := x.(*NamedExpr); ok {
			for _, id := range n.Names {
				given = append(given, id.Name)
			}
			x = n.X
		}
		if call, ok := x.(*CallExpr); ok {
			if spec, ok := aggregates[call.Fun.Name]; ok {
				ac, defaults := c.checkAggregate(inEnv, call, spec, names[:nkeys])
				switch {
				case given == nil:
					given = defaults
				case len(given) == 1 && ac.Outputs > 1 && (ac.Func == AggArgMax || ac.Func == AggArgMin):
					given = append(given, defaults[1:]...) // x = arg_max(y, *) names the first output
				case len(given) != ac.Outputs:
					c.fail(call.Pos(), "%s returns %d columns, but %s given", call.Fun.Name, ac.Outputs, namesGiven(len(given)))
				}
				a.Aggs = append(a.Aggs, ac)
				items = append(items, item{names: given, call: len(a.Aggs) - 1})
				continue
			}
		}
		v := ae.check(x)
		if given == nil {
			auto++
			given = []string{fmt.Sprintf("Column%d", auto)}
		} else if len(given) != 1 {
			c.fail(x.Pos(), "an expression makes one column; give it one name")
		}
		items = append(items, item{names: given, call: -1, value: v})
	}
	if len(items) == 0 && nkeys == 0 {
		c.fail(NoPos, "summarize needs an aggregation or a by clause")
	}

	// Where each call's outputs sit among the Aggregate's columns.
	start := make([]int, len(a.Aggs))
	next := nkeys
	for k, ac := range a.Aggs {
		start[k] = next
		next += ac.Outputs
	}
	unique := uniqueNamer(names)
	for i := range names {
		a.Cols = append(a.Cols, Column{Name: names[i], Type: a.Keys[i].Type()})
	}
	plainOnly := true
	for _, it := range items {
		if it.value != nil {
			plainOnly = false
		}
	}
	if plainOnly {
		for _, it := range items {
			ac := a.Aggs[it.call]
			for o, n := range it.names {
				a.Cols = append(a.Cols, Column{Name: unique(n), Type: ac.T[o]})
			}
		}
		return a
	}
	for k, ac := range a.Aggs {
		for o, t := range ac.T {
			a.Cols = append(a.Cols, Column{Name: fmt.Sprintf("__agg%d_%d", k, o), Type: t})
		}
	}
	p := &Project{Input: a}
	for i := 0; i < nkeys; i++ {
		p.Exprs = append(p.Exprs, &ColRef{Index: i, Name: a.Cols[i].Name, T: a.Cols[i].Type})
		p.Cols = append(p.Cols, a.Cols[i])
	}
	for _, it := range items {
		if it.value == nil {
			ac := a.Aggs[it.call]
			for o, n := range it.names {
				p.Exprs = append(p.Exprs, &ColRef{Index: start[it.call] + o, Name: n, T: ac.T[o]})
				p.Cols = append(p.Cols, Column{Name: unique(n), Type: ac.T[o]})
			}
			continue
		}
		v := rewrite(it.value, func(e Scalar) Scalar {
			if r, ok := e.(*aggRef); ok {
				return &ColRef{Index: start[r.k] + r.o, Name: a.Cols[start[r.k]+r.o].Name, T: r.t}
			}
			return e
		})
		p.Exprs = append(p.Exprs, v)
		p.Cols = append(p.Cols, Column{Name: unique(it.names[0]), Type: v.Type()})
	}
	return p
}

// uniqueNamer returns a function that hands out column names, adding the
// first free numeric suffix to a name already used (count_, count_1).
func uniqueNamer(taken []string) func(string) string {
	used := map[string]bool{}
	for _, n := range taken {
		used[n] = true
	}
	return func(name string) string {
		if !used[name] {
			used[name] = true
			return name
		}
		for i := 1; ; i++ {
			n := fmt.Sprintf("%s%d", name, i)
			if !used[n] {
				used[n] = true
				return n
			}
		}
	}
}

// aggRef refers, inside a summarize expression, to output o of the
// Aggregate's call k.
type aggRef struct {
	k, o int
	t    Type
}

func (r *aggRef) Type() Type { return r.t }

// rewrite rebuilds an expression bottom-up, applying f to every node.
func rewrite(x Scalar, f func(Scalar) Scalar) Scalar {
	switch e := x.(type) {
	case *Call:
		n := *e
		n.Args = make([]Scalar, len(e.Args))
		for i, a := range e.Args {
			n.Args[i] = rewrite(a, f)
		}
		return f(&n)
	case *Window:
		n := *e
		n.Args = make([]Scalar, len(e.Args))
		for i, a := range e.Args {
			n.Args[i] = rewrite(a, f)
		}
		return f(&n)
	case *InQuery:
		n := *e
		n.X = rewrite(e.X, f)
		return f(&n)
	}
	return f(x)
}

// checkJoin checks join and lookup.
func (c *checker) checkJoin(left Plan, o *JoinOp) Plan {
	kind := InnerUnique
	if o.OpName == "lookup" {
		kind = LeftOuter
	}
	for _, p := range o.Params {
		name := p.Names[0].Name
		switch {
		case name == "kind":
			id, ok := p.X.(*Ident)
			k, known := joinKindNames[strings.ToLower(identName(id))]
			if !ok || !known {
				c.fail(p.X.Pos(), "unknown join kind; use innerunique, inner, leftouter, rightouter, fullouter, leftsemi, leftanti, rightsemi or rightanti")
			}
			if o.OpName == "lookup" && k != LeftOuter && k != Inner {
				c.fail(p.X.Pos(), "lookup kind must be leftouter or inner")
			}
			kind = k
		case strings.HasPrefix(name, "hint."):
			// Execution hints (shuffle, broadcast) are for Kusto's
			// cluster; the engine plans joins itself.
		default:
			c.fail(p.Pos(), "unknown %s parameter '%s'", o.OpName, name)
		}
	}
	right := c.checkTabular(o.Right)
	j := &Join{Left: left, Right: right, Kind: kind}
	lcols, rcols := left.Columns(), right.Columns()
	var conds []Expr
	for _, on := range o.On {
		conds = append(conds, splitAnd(on)...)
	}
	sameNameKeys := map[int]bool{} // right positions of keys named alike on both sides (on X)
	for _, cond := range conds {
		switch x := cond.(type) {
		case *Ident:
			li, ri := columnIndex(lcols, x.Name), columnIndex(rcols, x.Name)
			if li < 0 || ri < 0 {
				side := "left"
				if li >= 0 {
					side = "right"
				}
				c.fail(x.Pos(), "%s: the %s side has no column '%s' to join on", o.OpName, side, x.Name)
			}
			c.addJoinKey(j, x.Pos(), li, ri)
			sameNameKeys[ri] = true
		case *BinaryExpr:
			if x.Op != "==" {
				c.fail(x.OpPos, "join conditions compare columns with == ($left.a == $right.b)")
			}
			la, lok := sideColumn(x.X)
			rb, rok := sideColumn(x.Y)
			if !lok || !rok {
				c.fail(x.Pos(), "write join conditions as $left.column == $right.column")
			}
			if la.side == "$right" && rb.side == "$left" {
				la, rb = rb, la
			}
			if la.side != "$left" || rb.side != "$right" {
				c.fail(x.Pos(), "a join condition compares a $left column with a $right column")
			}
			li, ri := columnIndex(lcols, la.name), columnIndex(rcols, rb.name)
			if li < 0 {
				c.fail(x.X.Pos(), "%s: the left side has no column '%s'", o.OpName, la.name)
			}
			if ri < 0 {
				c.fail(x.Y.Pos(), "%s: the right side has no column '%s'", o.OpName, rb.name)
			}
			c.addJoinKey(j, x.Pos(), li, ri)
			if la.name == rb.name {
				sameNameKeys[ri] = true
			}
		default:
			c.fail(cond.Pos(), "write join conditions as column names (on X) or $left.a == $right.b")
		}
	}

	switch kind {
	case LeftSemi, LeftAnti:
		j.LeftOut = allPositions(len(lcols))
	case RightSemi, RightAnti:
		j.RightOut = allPositions(len(rcols))
	default:
		j.LeftOut = allPositions(len(lcols))
		for i := range rcols {
			if o.OpName == "lookup" && sameNameKeys[i] {
				continue // lookup keeps one copy of its keys
			}
			j.RightOut = append(j.RightOut, i)
		}
	}
	var leftNames []string
	for _, i := range j.LeftOut {
		j.Cols = append(j.Cols, lcols[i])
		leftNames = append(leftNames, lcols[i].Name)
	}
	// A right column whose name the left has gets the first free numeric
	// suffix: CorrelationId1.
	unique := uniqueNamer(leftNames)
	for _, i := range j.RightOut {
		j.Cols = append(j.Cols, Column{Name: unique(rcols[i].Name), Type: rcols[i].Type})
	}
	return j
}

func identName(id *Ident) string {
	if id == nil {
		return ""
	}
	return id.Name
}

func allPositions(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func splitAnd(x Expr) []Expr {
	if b, ok := x.(*BinaryExpr); ok && b.Op == "and" {
		return append(splitAnd(b.X), splitAnd(b.Y)...)
	}
	if p, ok := x.(*ParenExpr); ok {
		return splitAnd(p.X)
	}
	return []Expr{x}
}

type sideRef struct{ side, name string }

// sideColumn reads $left.name or $right.name.
func sideColumn(x Expr) (sideRef, bool) {
	m, ok := x.(*MemberExpr)
	if !ok {
		return sideRef{}, false
	}
	id, ok := m.X.(*Ident)
	if !ok || (id.Name != "$left" && id.Name != "$right") {
		return sideRef{}, false
	}
	return sideRef{side: id.Name, name: m.Name.Name}, true
}

// addJoinKey pairs a left and a right column, converting numbers to a
// common type.
func (c *checker) addJoinKey(j *Join, pos Pos, li, ri int) {
	lc, rc := j.Left.Columns()[li], j.Right.Columns()[ri]
	var l, r Scalar = &ColRef{Index: li, Side: 0, Name: lc.Name, T: lc.Type}, &ColRef{Index: ri, Side: 1, Name: rc.Name, T: rc.Type}
	if lc.Type != rc.Type {
		t, ok := unifyTypes(lc.Type, rc.Type)
		if !ok {
			c.fail(pos, "cannot join %s column '%s' with %s column '%s'", lc.Type, lc.Name, rc.Type, rc.Name)
		}
		l, r = c.convert(pos, l, t), c.convert(pos, r, t)
	}
	if l.Type() == schema.Dynamic {
		l = &Call{Op: OpToString, Args: []Scalar{l}, T: schema.String}
		r = &Call{Op: OpToString, Args: []Scalar{r}, T: schema.String}
	}
	j.LeftKeys = append(j.LeftKeys, l)
	j.RightKeys = append(j.RightKeys, r)
}

// checkUnion checks union, as a source (first == nil) or as an operator
// whose input comes first.
func (c *checker) checkUnion(u *UnionExpr, first Plan) Plan {
	var inputs []Plan
	var names []string
	if first != nil {
		inputs = append(inputs, first)
		names = append(names, "")
	}
	for _, t := range u.Tables {
		if pat, ok := t.(*PatternExpr); ok {
			n := 0
			for _, tab := range schema.Tables() {
				if matchPattern(pat.Pattern, tab.Name) && c.opts.Tables(tab.Name) != nil {
					inputs = append(inputs, c.scan(c.opts.Tables(tab.Name)))
					names = append(names, tab.Name)
					n++
				}
			}
			if n == 0 {
				c.fail(pat.Pos(), "no table matches '%s'", pat.Pattern)
			}
			continue
		}
		inputs = append(inputs, c.checkTabular(t))
		name := ""
		if id, ok := t.(*Ident); ok {
			name = id.Name
		}
		names = append(names, name)
	}
	return c.unionOf(u, inputs, names)
}

// unionOf lays out a union's columns: by name, in order of first
// appearance (kind=outer) or only those every input has (kind=inner). A
// name with different types in different inputs becomes one column per
// type, named name_type, as Kusto does.
func (c *checker) unionOf(u *UnionExpr, inputs []Plan, names []string) Plan {
	type slot struct {
		name string
		t    Type
	}
	typesOf := map[string][]Type{}
	var order []string
	for _, in := range inputs {
		for _, col := range in.Columns() {
			ts, seen := typesOf[col.Name]
			if !seen {
				order = append(order, col.Name)
			}
			dup := false
			for _, t := range ts {
				if t == col.Type {
					dup = true
				}
			}
			if !dup {
				typesOf[col.Name] = append(ts, col.Type)
			}
		}
	}
	var slots []slot
	for _, name := range order {
		ts := typesOf[name]
		if u.Kind == "inner" {
			all := true
			for _, in := range inputs {
				if columnIndex(in.Columns(), name) < 0 {
					all = false
				}
			}
			if !all {
				continue
			}
		}
		if len(ts) == 1 {
			slots = append(slots, slot{name, ts[0]})
			continue
		}
		for _, t := range ts {
			slots = append(slots, slot{name + "_" + t.String(), t})
		}
	}
	un := &Union{Inputs: inputs}
	if u.WithSource != nil {
		un.Cols = append(un.Cols, Column{Name: u.WithSource.Name, Type: schema.String})
		un.SourceNames = names
	}
	for _, s := range slots {
		un.Cols = append(un.Cols, Column{Name: s.name, Type: s.t})
	}
	for _, in := range inputs {
		m := make([]int, len(un.Cols))
		for k, col := range un.Cols {
			m[k] = -1
			if u.WithSource != nil && k == 0 {
				continue
			}
			for i, ic := range in.Columns() {
				if (ic.Name == col.Name || ic.Name+"_"+ic.Type.String() == col.Name) && ic.Type == col.Type {
					m[k] = i
				}
			}
		}
		un.Map = append(un.Map, m)
	}
	return un
}

// checkMvExpand checks mv-expand: each item is a dynamic array (or bag)
// whose elements become rows.
func (c *checker) checkMvExpand(in Plan, o *MvExpandOp) Plan {
	e := c.rowEnv(in)
	m := &MvExpand{Input: in, Cols: append([]Column(nil), in.Columns()...)}
	indexName := ""
	for _, p := range o.Params {
		switch p.Names[0].Name {
		case "with_itemindex":
			id, ok := p.X.(*Ident)
			if !ok {
				c.fail(p.X.Pos(), "with_itemindex needs a column name")
			}
			indexName = id.Name
		case "bagexpansion", "kind":
			if id, ok := p.X.(*Ident); !ok || (id.Name != "bag" && id.Name != "array") {
				c.fail(p.X.Pos(), "mv-expand kind must be bag or array")
			} else if id.Name == "array" {
				c.fail(p.X.Pos(), "mv-expand kind=array is not supported; the default (bag) is")
			}
		default:
			c.fail(p.Pos(), "unknown mv-expand parameter '%s'", p.Names[0].Name)
		}
	}
	for _, it := range o.Items {
		x := e.check(it.X)
		if x.Type() != schema.Dynamic {
			c.fail(it.X.Pos(), "mv-expand needs a dynamic array or bag; this expression is a %s", x.Type())
		}
		name := ""
		if it.Name != nil {
			name = it.Name.Name
		} else if ref, ok := x.(*ColRef); ok {
			name = ref.Name
		} else if d := derivedName(it.X); d != "" {
			name = d
		} else {
			c.fail(it.X.Pos(), "name the expanded expression: mv-expand Name = expression")
		}
		t := schema.Dynamic
		if it.To != "" {
			t = c.scalarType(&Ident{NamePos: it.X.Pos(), Name: it.To})
		}
		target := columnIndex(m.Cols, name)
		if target < 0 {
			target = len(m.Cols)
			m.Cols = append(m.Cols, Column{Name: name, Type: t})
		} else {
			m.Cols[target].Type = t
		}
		m.Exprs = append(m.Exprs, x)
		m.Targets = append(m.Targets, target)
		m.ToTypes = append(m.ToTypes, t)
	}
	if o.Limit != nil {
		m.Limit = c.constInt(o.Limit, "mv-expand limit")
	}
	if indexName != "" {
		// The item index is the last column; MvExpand's generator fills
		// it from the position of the first item's element.
		m.Targets = append(m.Targets, len(m.Cols))
		m.Cols = append(m.Cols, Column{Name: indexName, Type: schema.Long})
	}
	return m
}

// checkMakeSeries rewrites make-series into the plan it stands for: the
// aggregations per key and bin, laid out over every bin of the range with
// the default where a bin has no rows, and collected into arrays in bin
// order.
func (c *checker) checkMakeSeries(in Plan, o *MakeSeriesOp) Plan {
	e := c.rowEnv(in)
	axis := e.check(o.On)
	axisName := derivedName(o.On)
	if axisName == "" {
		c.fail(o.On.Pos(), "make-series needs a column after on")
	}
	if o.From == nil || o.To == nil {
		c.fail(o.Pos(), "make-series needs from and to (the range of the series)")
	}
	from, to := c.checkConstExpr(o.From), c.checkConstExpr(o.To)
	step := c.checkConstExpr(o.Step)
	if axis.Type() == schema.DateTime {
		if from.Type() != schema.DateTime || to.Type() != schema.DateTime || step.Type() != schema.Timespan {
			c.fail(o.Pos(), "a datetime series needs datetime from and to and a timespan step")
		}
	} else if !isNumeric(axis.Type()) || !isNumeric(step.Type()) {
		c.fail(o.On.Pos(), "make-series runs on a datetime or a number column")
	}
	fromC, ok1 := from.(*Const)
	toC, ok2 := to.(*Const)
	stepC, ok3 := step.(*Const)
	if !ok1 || !ok2 || !ok3 || fromC.V == nil || toC.V == nil || stepC.V == nil {
		c.fail(o.Pos(), "make-series needs constant from, to and step")
	}
	ms := &MakeSeries{Input: in, Axis: axis, From: fromC, To: toC, Step: stepC}
	auto := 0
	for _, k := range o.By {
		names, values := c.namedValues(e, k, &auto)
		ms.Keys = append(ms.Keys, values...)
		for i, n := range names {
			ms.Cols = append(ms.Cols, Column{Name: n, Type: values[i].Type()})
		}
	}
	for _, a := range o.Aggs {
		call, ok := a.X.(*CallExpr)
		var spec *aggSpec
		if ok {
			spec = aggregates[call.Fun.Name]
		}
		if spec == nil {
			c.fail(a.X.Pos(), "make-series needs an aggregation such as count(), sum(x) or avg(x)")
		}
		ac, names := c.checkAggregate(e, call, spec, nil)
		if ac.Outputs != 1 {
			c.fail(a.X.Pos(), "make-series aggregations must give one value per bin")
		}
		name := names[0]
		if a.Name != nil {
			name = a.Name.Name
		}
		var def Scalar = &Const{V: int64(0), T: ac.T[0]}
		if a.Default != nil {
			def = c.convert(a.Default.Pos(), c.checkConstExpr(a.Default), ac.T[0])
		} else if ac.T[0] == schema.Real {
			def = &Const{V: float64(0), T: schema.Real}
		} else if !isNumeric(ac.T[0]) {
			def = &Const{T: ac.T[0]}
		}
		ms.Aggs = append(ms.Aggs, ac)
		ms.Defaults = append(ms.Defaults, def)
		ms.Cols = append(ms.Cols, Column{Name: name, Type: schema.Dynamic})
	}
	ms.Cols = append(ms.Cols, Column{Name: axisName, Type: schema.Dynamic})
	return ms
}

// MakeSeries is make-series: per key, one array per aggregation with a
// value for every bin from From to To (exclusive) by Step, and the array of
// bins. Columns: keys, aggregations, the axis.
type MakeSeries struct {
	Input          Plan
	Keys           []Scalar
	Aggs           []*AggCall
	Defaults       []Scalar
	Axis           Scalar
	From, To, Step *Const
	Cols           []Column
}

func (m *MakeSeries) Columns() []Column { return m.Cols }

// checkParse turns parse into regular-expression extraction: each column of
// the pattern captures the text between the literals around it.
func (c *checker) checkParse(in Plan, o *ParseOp) Plan {
	e := c.rowEnv(in)
	src := c.toStringExpr(e.check(o.Source))
	var re strings.Builder
	re.WriteString("^")
	if o.Kind != "regex" && len(o.Parts) > 0 && o.Parts[0].Literal == "" && !o.Parts[0].Wildcard {
		// A pattern that starts with a column captures from the start.
	}
	type capture struct {
		name string
		t    Type
	}
	var caps []capture
	for i, part := range o.Parts {
		switch {
		case part.Column != nil:
			t := schema.String
			if part.Type != "" {
				t = c.scalarType(&Ident{NamePos: part.Column.Pos(), Name: part.Type})
			}
			caps = append(caps, capture{part.Column.Name, t})
			last := i == len(o.Parts)-1
			switch {
			case o.Kind == "regex":
				re.WriteString("(.*?)")
			case t == schema.Long || t == schema.Int:
				re.WriteString(`(-?\d+)`)
			case t == schema.Real:
				re.WriteString(`(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)`)
			case last:
				re.WriteString("(.*)")
			default:
				re.WriteString("(.*?)")
			}
		case part.Wildcard:
			re.WriteString(".*?")
		default:
			if o.Kind == "regex" {
				re.WriteString(part.Literal)
			} else {
				re.WriteString(regexp.QuoteMeta(part.Literal))
			}
		}
	}
	if o.Kind != "regex" && len(o.Parts) > 0 && o.Parts[len(o.Parts)-1].Wildcard {
		re.WriteString("$")
	}
	pattern := re.String()
	if _, err := regexp.Compile(pattern); err != nil {
		c.fail(o.Pos(), "parse pattern is not a valid regular expression: %v", err)
	}
	cols := append([]Column(nil), in.Columns()...)
	exprs := make([]Scalar, len(cols))
	for i, col := range cols {
		exprs[i] = &ColRef{Index: i, Name: col.Name, T: col.Type}
	}
	for i, cp := range caps {
		var v Scalar = &Call{Op: OpExtract, Args: []Scalar{
			&Const{V: pattern, T: schema.String}, &Const{V: int64(i + 1), T: schema.Long}, src}, T: schema.String}
		if cp.t != schema.String {
			// An explicit conversion: text that does not read as the
			// column's type gives null (an implicit one refuses strings).
			v = c.castTo(v, cp.t)
		}
		if j := columnIndex(cols, cp.name); j >= 0 {
			cols[j], exprs[j] = Column{Name: cp.name, Type: cp.t}, v
		} else {
			cols = append(cols, Column{Name: cp.name, Type: cp.t})
			exprs = append(exprs, v)
		}
	}
	return &Project{Input: in, Exprs: exprs, Cols: cols}
}

func (c *checker) checkDatatable(d *DatatableExpr) Plan {
	v := &Values{}
	for _, col := range d.Columns {
		v.Cols = append(v.Cols, Column{Name: col.Name.Name, Type: c.scalarType(col.Type)})
	}
	if len(v.Cols) == 0 {
		c.fail(d.Pos(), "datatable needs at least one column")
	}
	if len(d.Values)%len(v.Cols) != 0 {
		c.fail(d.Pos(), "datatable has %d values, which is not a whole number of rows of %d columns", len(d.Values), len(v.Cols))
	}
	for i := 0; i < len(d.Values); i += len(v.Cols) {
		row := make([]Scalar, len(v.Cols))
		for k := range v.Cols {
			x := c.checkConstExpr(d.Values[i+k])
			k2, ok := x.(*Const)
			if !ok {
				c.fail(d.Values[i+k].Pos(), "datatable values must be literals")
			}
			row[k] = c.convertConst(d.Values[i+k].Pos(), k2, v.Cols[k].Type)
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

func (c *checker) checkPrint(p *PrintExpr) Plan {
	e := &env{c: c}
	v := &Values{}
	row := []Scalar{}
	for i, item := range p.Items {
		var name string
		var x Scalar
		if n, ok := item.(*NamedExpr); ok && len(n.Names) > 1 {
			// print (a, b) = array_sort_asc(x, y) makes several columns.
			names, values := c.tupleValues(e, n)
			for k := range names {
				v.Cols = append(v.Cols, Column{Name: names[k], Type: values[k].Type()})
				row = append(row, values[k])
			}
			continue
		} else if ok {
			name, x = n.Names[0].Name, e.check(n.X)
		} else {
			x = e.check(item)
			name = fmt.Sprintf("print_%d", i)
		}
		v.Cols = append(v.Cols, Column{Name: name, Type: x.Type()})
		row = append(row, x)
	}
	v.Rows = [][]Scalar{row}
	return v
}

func (c *checker) checkRange(r *RangeExpr) Plan {
	from, to, step := c.checkConstExpr(r.From), c.checkConstExpr(r.To), c.checkConstExpr(r.Step)
	t := from.Type()
	switch {
	case isNumeric(t) && isNumeric(to.Type()) && isNumeric(step.Type()):
		if u, ok := unifyTypes(t, to.Type()); ok {
			t = u
		}
		if u, ok := unifyTypes(t, step.Type()); ok {
			t = u
		}
		if t == schema.Int {
			t = schema.Long
		}
	case t == schema.DateTime && to.Type() == schema.DateTime && step.Type() == schema.Timespan:
	case t == schema.Timespan && to.Type() == schema.Timespan && step.Type() == schema.Timespan:
	default:
		c.fail(r.Pos(), "range runs over numbers, or datetimes or timespans with a timespan step")
	}
	if k, ok := step.(*Const); ok {
		if z, _ := k.V.(int64); k.V == nil || z == 0 && t != schema.Real {
			c.fail(r.Step.Pos(), "range step must not be zero")
		}
	}
	conv := func(x Scalar) Scalar {
		if t == schema.DateTime || x.Type() == schema.Timespan {
			return x
		}
		return c.convert(r.Pos(), x, t)
	}
	return &Range{Col: Column{Name: r.Name.Name, Type: t}, From: conv(from), To: conv(to), Step: conv(step)}
}
