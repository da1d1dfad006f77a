package sqlgen

import (
	"strconv"
	"strings"

	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/schema"
)

// join writes a join. Keys compare with KQL's equality, in which empty
// and null strings are the same value.
func (g *gen) join(j *kql.Join) *rel {
	left, right := g.plan(j.Left), g.plan(j.Right)
	if g.f.KeyColumnJoins {
		return g.keyColumnJoin(j, left, right)
	}
	la, ra := g.alias("l"), g.alias("r")
	ex := &exprGen{g: g, cols: [][]string{left.cols, right.cols}, qual: []string{la, ra}}
	var conds []string
	for i := range j.LeftKeys {
		l, r := ex.groupKey(j.LeftKeys[i]), ex.groupKey(j.RightKeys[i])
		conds = append(conds, l+" = "+r)
	}
	on := strings.Join(conds, " AND ")
	if on == "" {
		on = g.d.Const(&kql.Const{V: true, T: schema.Bool})
	}
	leftSQL := left.sql
	if j.Kind == kql.InnerUnique {
		// Kusto's default join keeps one left row per key.
		var keys []string
		lex := &exprGen{g: g, cols: [][]string{left.cols}}
		for _, k := range j.LeftKeys {
			keys = append(keys, lex.groupKey(k))
		}
		leftSQL = g.d.FirstPerKey(left.sql, keys, append(append([]string(nil), left.cols...), left.hidden...))
	}
	out := &rel{cols: g.sqlNames(j.Cols)}
	var sel []string
	for i, c := range j.LeftOut {
		sel = append(sel, g.d.Ident(la)+"."+g.d.Ident(left.cols[c])+" AS "+g.d.Ident(out.cols[i]))
	}
	for i, c := range j.RightOut {
		sel = append(sel, g.d.Ident(ra)+"."+g.d.Ident(right.cols[c])+" AS "+g.d.Ident(out.cols[len(j.LeftOut)+i]))
	}
	lfrom := "(" + leftSQL + ") AS " + g.d.Ident(la)
	rfrom := "(" + right.sql + ") AS " + g.d.Ident(ra)
	switch j.Kind {
	case kql.LeftSemi, kql.LeftAnti:
		not := ""
		if j.Kind == kql.LeftAnti {
			not = "NOT "
		}
		out.sql = "SELECT " + strings.Join(sel, ", ") + " FROM " + lfrom + " WHERE " + not + "EXISTS (SELECT 1 FROM " + rfrom + " WHERE " + on + ")"
		return out
	case kql.RightSemi, kql.RightAnti:
		not := ""
		if j.Kind == kql.RightAnti {
			not = "NOT "
		}
		out.sql = "SELECT " + strings.Join(sel, ", ") + " FROM " + rfrom + " WHERE " + not + "EXISTS (SELECT 1 FROM " + lfrom + " WHERE " + on + ")"
		return out
	}
	kind := map[kql.JoinKind]string{
		kql.InnerUnique: "INNER JOIN", kql.Inner: "INNER JOIN", kql.LeftOuter: "LEFT JOIN",
		kql.RightOuter: "RIGHT JOIN", kql.FullOuter: "FULL JOIN",
	}[j.Kind]
	out.sql = "SELECT " + strings.Join(sel, ", ") + " FROM " + lfrom + " " + kind + " " + rfrom + " ON " + on
	return out
}

// keyColumnJoin writes a join for engines that join on key columns
// (Features.KeyColumnJoins). Each side computes the keys under names both
// sides share, renames the columns the join returns apart, and carries a
// marker that is 1 on each of its rows:
//
//	SELECT __j1 AS a, CASE WHEN __m3 = 1 THEN __j2 END AS b
//	FROM (SELECT coalesce(k, '') AS __k1, a AS __j1, 1 AS __m2 FROM …)
//	LEFT JOIN (SELECT coalesce(k, '') AS __k1, b AS __j2, 1 AS __m3 FROM …)
//	USING (__k1)
//
// Where an outer join finds no match, the missing side's columns hold the
// engine's default values (0, the empty string), not null: the marker
// tells them apart. Semi- and anti-joins keep the rows whose keys are
// (not) IN the other side's.
func (g *gen) keyColumnJoin(j *kql.Join, left, right *rel) *rel {
	d := g.d
	if len(j.LeftKeys) == 0 {
		fail("a join without keys is not supported on %s", d.Name())
	}
	keys := make([]string, len(j.LeftKeys))
	for i := range keys {
		keys[i] = g.alias("__k")
	}
	// side writes one side: its keys, the columns outs of r, the marker.
	side := func(r *rel, sideNo int, exprs []kql.Scalar, outs []int) (sql string, cols []string, marker string) {
		cols2 := make([][]string, sideNo+1)
		cols2[sideNo] = r.cols
		ex := &exprGen{g: g, cols: cols2}
		var sel []string
		for i, k := range exprs {
			sel = append(sel, ex.groupKey(k)+" AS "+d.Ident(keys[i]))
		}
		cols = make([]string, len(outs))
		for i, c := range outs {
			cols[i] = g.alias("__j")
			sel = append(sel, d.Ident(r.cols[c])+" AS "+d.Ident(cols[i]))
		}
		marker = g.alias("__m")
		sel = append(sel, "1 AS "+d.Ident(marker))
		return "SELECT " + strings.Join(sel, ", ") + " FROM " + g.from(r), cols, marker
	}
	lsql, lcols, lmark := side(left, 0, j.LeftKeys, j.LeftOut)
	rsql, rcols, rmark := side(right, 1, j.RightKeys, j.RightOut)
	keyList := make([]string, len(keys))
	for i, k := range keys {
		keyList[i] = d.Ident(k)
	}
	tuple := strings.Join(keyList, ", ")
	if len(keys) > 1 {
		tuple = "(" + tuple + ")"
	}
	out := &rel{cols: g.sqlNames(j.Cols)}
	var sel []string
	pick := func(cols []string, marker string, nullable bool) {
		for _, c := range cols {
			v := d.Ident(c)
			if nullable {
				v = "CASE WHEN " + d.Ident(marker) + " = 1 THEN " + v + " END"
			}
			sel = append(sel, v+" AS "+d.Ident(out.cols[len(sel)]))
		}
	}
	switch j.Kind {
	case kql.LeftSemi, kql.LeftAnti, kql.RightSemi, kql.RightAnti:
		kept, other, cols := lsql, rsql, lcols
		if j.Kind == kql.RightSemi || j.Kind == kql.RightAnti {
			kept, other, cols = rsql, lsql, rcols
		}
		in := tuple + " IN (SELECT " + strings.Join(keyList, ", ") + " FROM (" + other + ") AS " + d.Ident(g.alias("t")) + ")"
		if j.Kind == kql.LeftAnti || j.Kind == kql.RightAnti {
			// A null key matches nothing, so the row stays; IN of a null
			// is null in some releases and false in others.
			in = "NOT ifNull(" + in + ", " + d.Const(&kql.Const{V: false, T: schema.Bool}) + ")"
		}
		pick(cols, "", false)
		out.sql = "SELECT " + strings.Join(sel, ", ") + " FROM (" + kept + ") AS " + d.Ident(g.alias("t")) + " WHERE " + in
		return out
	}
	if j.Kind == kql.InnerUnique {
		// Kusto's default join keeps one left row per key.
		lsql = d.FirstPerKey(lsql, keyList, append(append(append([]string(nil), keys...), lcols...), lmark))
	}
	kind := map[kql.JoinKind]string{
		kql.InnerUnique: "INNER JOIN", kql.Inner: "INNER JOIN", kql.LeftOuter: "LEFT JOIN",
		kql.RightOuter: "RIGHT JOIN", kql.FullOuter: "FULL JOIN",
	}[j.Kind]
	pick(lcols, lmark, j.Kind == kql.RightOuter || j.Kind == kql.FullOuter)
	pick(rcols, rmark, j.Kind == kql.LeftOuter || j.Kind == kql.FullOuter)
	out.sql = "SELECT " + strings.Join(sel, ", ") + " FROM (" + lsql + ") AS " + d.Ident(g.alias("l")) +
		" " + kind + " (" + rsql + ") AS " + d.Ident(g.alias("r")) + " USING (" + strings.Join(keyList, ", ") + ")"
	return out
}

// union writes a union: each input's columns in the union's order, with
// typed nulls where an input lacks a column.
func (g *gen) union(u *kql.Union) *rel {
	out := &rel{cols: g.sqlNames(u.Cols)}
	var parts []string
	for i, p := range u.Inputs {
		in := g.plan(p)
		var sel []string
		for k, col := range u.Cols {
			var v string
			switch {
			case u.SourceNames != nil && k == 0:
				v = g.d.String(u.SourceNames[i])
			case u.Map[i][k] >= 0:
				v = g.d.Ident(in.cols[u.Map[i][k]])
			default:
				v = g.d.Const(&kql.Const{T: col.Type})
			}
			if uc, ok := g.d.(UnionColumns); ok {
				v = uc.UnionColumn(v)
			}
			sel = append(sel, v+" AS "+g.d.Ident(out.cols[k]))
		}
		if len(sel) == 0 {
			sel = []string{"NULL AS " + g.d.Ident("__none")}
		}
		parts = append(parts, "SELECT "+strings.Join(sel, ", ")+" FROM "+g.from(in))
	}
	out.sql = strings.Join(parts, " UNION ALL ")
	return out
}

// mvExpand writes mv-expand: the inner select unnests the elements next to
// the row's other columns, the outer select converts them to their types.
func (g *gen) mvExpand(m *kql.MvExpand) *rel {
	in := g.plan(m.Input)
	ex := &exprGen{g: g, cols: [][]string{in.cols}, order: g.orderList(in)}
	if !g.f.WindowFunctions {
		in = g.windowsByArrays(in, m.Input, ex, m.Exprs)
	}
	out := &rel{cols: g.sqlNames(m.Cols), hidden: in.hidden, order: in.order}
	replaced := map[int]int{} // output column → item
	for i, t := range m.Targets {
		replaced[t] = i
	}
	var inner, outer, lists []string
	elems := make([]string, len(m.Exprs))
	for i, x := range m.Exprs {
		elems[i] = g.alias("__e")
		lists = append(lists, g.d.ExpandElements(ex.value(x), m.Limit))
	}
	if len(m.Targets) > len(m.Exprs) {
		// with_itemindex: the positions of the first item's elements.
		elems = append(elems, g.alias("__e"))
		lists = append(lists, g.d.ListIndexes(g.d.ExpandElements(ex.value(m.Exprs[0]), m.Limit)))
	}
	for i, item := range g.d.Unnest(lists) {
		inner = append(inner, item+" AS "+g.d.Ident(elems[i]))
	}
	for k := range m.Cols {
		if item, ok := replaced[k]; ok {
			v := g.d.Ident(elems[item])
			if item < len(m.ToTypes) && m.ToTypes[item] != schema.Dynamic {
				v = g.d.FromDynamic(v, m.ToTypes[item])
			}
			outer = append(outer, v+" AS "+g.d.Ident(out.cols[k]))
			continue
		}
		inner = append(inner, g.d.Ident(in.cols[k]))
		outer = append(outer, g.d.Ident(in.cols[k])+" AS "+g.d.Ident(out.cols[k]))
	}
	for _, h := range in.hidden {
		inner = append(inner, g.d.Ident(h))
		outer = append(outer, g.d.Ident(h))
	}
	innerSQL := "SELECT " + strings.Join(inner, ", ") + " FROM " + g.from(in)
	out.sql = "SELECT " + strings.Join(outer, ", ") + " FROM (" + innerSQL + ") AS " + g.d.Ident(g.alias("x"))
	return out
}

// values writes datatable and print rows.
func (g *gen) values(v *kql.Values) *rel {
	out := &rel{cols: g.sqlNames(v.Cols)}
	ex := &exprGen{g: g}
	if len(v.Rows) == 0 {
		var sel []string
		for i, c := range v.Cols {
			sel = append(sel, g.d.Const(&kql.Const{T: c.Type})+" AS "+g.d.Ident(out.cols[i]))
		}
		out.sql = "SELECT " + strings.Join(sel, ", ") + " WHERE " + g.d.Const(&kql.Const{V: false, T: schema.Bool})
		return out
	}
	var rows []string
	for _, r := range v.Rows {
		var sel []string
		for i, x := range r {
			val := ex.value(x)
			if k, ok := x.(*kql.Const); ok && k.V == nil {
				val = g.d.Const(&kql.Const{T: v.Cols[i].Type})
			}
			sel = append(sel, val+" AS "+g.d.Ident(out.cols[i]))
		}
		rows = append(rows, "SELECT "+strings.Join(sel, ", "))
	}
	out.sql = strings.Join(rows, " UNION ALL ")
	if len(rows) > 1 {
		// Keep datatable's row order.
		h := g.alias("__o")
		var b strings.Builder
		for i, r := range rows {
			if i > 0 {
				b.WriteString(" UNION ALL ")
			}
			b.WriteString(r + ", " + itoa(i) + " AS " + g.d.Ident(h))
		}
		out.sql = b.String()
		out.hidden = []string{h}
		out.order = []orderKey{{col: h}}
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

func (g *gen) rangeRel(r *kql.Range) *rel {
	ex := &exprGen{g: g}
	name := g.sqlNames([]kql.Column{r.Col})[0]
	from, to, step := ex.value(r.From), ex.value(r.To), ex.value(r.Step)
	h := g.alias("__o")
	return &rel{
		sql:    "SELECT " + g.d.Ident(name) + ", " + g.d.Ident(name) + " AS " + g.d.Ident(h) + " FROM " + g.d.Series(name, from, to, step, r.Col.Type, true),
		cols:   []string{name},
		hidden: []string{h},
		order:  []orderKey{{col: h, desc: ex.isDescending(r.Step)}},
	}
}

// shared writes a let-bound table: inline where it is used once, as a
// common table expression where it is used more often or materialized.
//
// Without common table expressions (Features.CommonTableExpressions) it
// is computed first into a temporary table where the dialect has them
// (TemporaryTables), by a statement of the prelude, and written out at
// each use otherwise, and computed as often.
func (g *gen) shared(s *kql.Shared) *rel {
	temp, hasTemp := g.d.(TemporaryTables)
	if g.uses[s] <= 1 && !s.Materialize || !g.f.CommonTableExpressions && !hasTemp {
		return g.plan(s.Input)
	}
	// Every use reads the one CTE or table, under the names its body gave
	// its columns (generated names differ from one generation to the
	// next).
	if r, ok := g.ctes[s]; ok {
		return r
	}
	in := g.plan(s.Input)
	name := g.alias("cte_")
	if plainIdent.MatchString(s.Name) {
		name = "cte_" + s.Name + "_" + itoa(g.n)
	}
	body := "SELECT * FROM (" + in.sql + ") AS " + g.d.Ident(g.alias("t"))
	if !g.f.CommonTableExpressions {
		g.prelude = append(g.prelude, temp.TemporaryTable(g.d.Ident(name), body))
		r := &rel{sql: "SELECT * FROM " + g.d.Ident(name), cols: in.cols, hidden: in.hidden, order: in.order}
		g.ctes[s] = r
		return r
	}
	kw := ""
	if s.Materialize || g.uses[s] > 1 {
		kw = g.d.Materialized()
	}
	if kw != "" {
		kw += " "
	}
	g.cteDefs = append(g.cteDefs, g.d.Ident(name)+" AS "+kw+"("+body+")")
	r := &rel{sql: "SELECT * FROM " + g.d.Ident(name), cols: in.cols, hidden: in.hidden, order: in.order}
	g.ctes[s] = r
	return r
}

// makeSeries writes make-series: aggregate per key and bin within the
// range, lay the bins of the range against every key, fill the gaps with
// the defaults, and collect arrays in bin order.
func (g *gen) makeSeries(m *kql.MakeSeries) *rel {
	in := g.plan(m.Input)
	ex := &exprGen{g: g, cols: [][]string{in.cols}}
	out := &rel{cols: g.sqlNames(m.Cols)}
	axisType := m.Axis.Type()
	from, to, step := ex.value(m.From), ex.value(m.To), ex.value(m.Step)

	// The bin of a row: from + floor((axis - from) / step) * step.
	var bin kql.Scalar
	if axisType == schema.DateTime {
		diff := &kql.Call{Op: kql.OpDatetimeDiff, Args: []kql.Scalar{m.Axis, m.From}, T: schema.Timespan}
		n := &kql.Call{Op: kql.OpBin, Args: []kql.Scalar{diff, m.Step}, T: schema.Timespan}
		bin = &kql.Call{Op: kql.OpDatetimeAdd, Args: []kql.Scalar{m.From, n}, T: schema.DateTime}
	} else {
		diff := &kql.Call{Op: kql.OpSub, Args: []kql.Scalar{m.Axis, m.From}, T: axisType}
		n := &kql.Call{Op: kql.OpBin, Args: []kql.Scalar{diff, m.Step}, T: axisType}
		bin = &kql.Call{Op: kql.OpAdd, Args: []kql.Scalar{m.From, n}, T: axisType}
	}
	keyNames := make([]string, len(m.Keys))
	var sel, group []string
	for i, k := range m.Keys {
		keyNames[i] = g.alias("__k")
		v := ex.groupKey(k)
		sel = append(sel, v+" AS "+g.d.Ident(keyNames[i]))
		group = append(group, v)
	}
	binName := g.alias("__b")
	sel = append(sel, ex.value(bin)+" AS "+g.d.Ident(binName))
	group = append(group, ex.value(bin))
	aggNames := make([]string, len(m.Aggs))
	for i, ac := range m.Aggs {
		args := make([]string, len(ac.Args))
		for k, x := range ac.Args {
			args[k] = ex.aggArg(ac, x)
		}
		filter := ""
		if ac.If != nil {
			filter = ex.predicate(ac.If)
		}
		exprs, outer := g.d.Aggregate(ac, args, filter, "")
		if outer != nil || len(exprs) != 1 {
			fail("make-series cannot use %v", ac.Func)
		}
		aggNames[i] = g.alias("__v")
		sel = append(sel, exprs[0]+" AS "+g.d.Ident(aggNames[i]))
	}
	axisSQL := ex.value(m.Axis)
	agg := "SELECT " + strings.Join(sel, ", ") + " FROM " + g.from(in) +
		" WHERE " + axisSQL + " >= " + from + " AND " + axisSQL + " < " + to +
		" GROUP BY " + strings.Join(group, ", ")

	aggAlias, keysAlias, binsAlias := g.alias("m"), g.alias("k"), g.alias("s")
	binsCol := g.alias("__bin")
	if g.f.KeyColumnJoins {
		binsCol = binName // the join goes USING the keys and the bin
	}
	bins := g.d.Series(binsCol, from, to, step, axisType, false)

	var keysSQL string
	if len(m.Keys) > 0 {
		var ks []string
		for _, k := range keyNames {
			ks = append(ks, g.d.Ident(k))
		}
		keysSQL = "(SELECT DISTINCT " + strings.Join(ks, ", ") + " FROM (" + agg + ") AS " + g.d.Ident(g.alias("d")) + ")"
	} else {
		keysSQL = "(SELECT 1 AS " + g.d.Ident(g.alias("__one")) + ")"
	}
	// Series already names its relation; a select around it takes the
	// alias the joins refer to.
	grid := keysSQL + " AS " + g.d.Ident(keysAlias) + " CROSS JOIN (SELECT * FROM " + bins + ") AS " + g.d.Ident(binsAlias)

	// ref reads a column of the keys, the bins or the aggregates; value
	// reads an aggregate, null where the bin had no rows.
	ref := func(alias, col string) string { return g.d.Ident(alias) + "." + g.d.Ident(col) }
	value := func(col string) string { return ref(aggAlias, col) }
	var source string
	if g.f.KeyColumnJoins {
		// One join per select: the grid of keys and bins is a subquery,
		// joined USING the key and bin columns, which both sides name
		// alike. An unmatched bin reads the engine's defaults, so the
		// aggregates carry a marker.
		marker := g.alias("__m")
		using := append(append([]string(nil), keyNames...), binName)
		for i := range using {
			using[i] = g.d.Ident(using[i])
		}
		source = "(SELECT * FROM " + grid + ") AS " + g.d.Ident(g.alias("g")) +
			" LEFT JOIN (SELECT *, 1 AS " + g.d.Ident(marker) + " FROM (" + agg + ") AS " + g.d.Ident(g.alias("t")) + ") AS " + g.d.Ident(aggAlias) +
			" USING (" + strings.Join(using, ", ") + ")"
		ref = func(alias, col string) string { return g.d.Ident(col) }
		value = func(col string) string {
			return "CASE WHEN " + g.d.Ident(marker) + " = 1 THEN " + g.d.Ident(col) + " END"
		}
	} else {
		var on []string
		for _, k := range keyNames {
			on = append(on, ref(aggAlias, k)+" = "+ref(keysAlias, k))
		}
		on = append(on, ref(aggAlias, binName)+" = "+ref(binsAlias, binsCol))
		source = grid + " LEFT JOIN (" + agg + ") AS " + g.d.Ident(aggAlias) + " ON " + strings.Join(on, " AND ")
	}
	binRef := ref(binsAlias, binsCol)
	binOrder := binRef + " ASC"
	if !g.f.OrderedAggregates {
		binOrder = binRef // bins ascend
	}

	var outSel, outGroup []string
	for i, k := range keyNames {
		outSel = append(outSel, ref(keysAlias, k)+" AS "+g.d.Ident(out.cols[i]))
		outGroup = append(outGroup, ref(keysAlias, k))
	}
	for i, name := range aggNames {
		val := "coalesce(" + value(name) + ", " + ex.value(m.Defaults[i]) + ")"
		list := &kql.AggCall{Func: kql.AggMakeList, Params: []float64{0}, Outputs: 1, T: []kql.Type{schema.Dynamic}}
		exprs, _ := g.d.Aggregate(list, []string{ex.elementOf(val, m.Aggs[i].T[0])}, "", binOrder)
		outSel = append(outSel, exprs[0]+" AS "+g.d.Ident(out.cols[len(keyNames)+i]))
	}
	list := &kql.AggCall{Func: kql.AggMakeList, Params: []float64{0}, Outputs: 1, T: []kql.Type{schema.Dynamic}}
	exprs, _ := g.d.Aggregate(list, []string{ex.elementOf(binRef, axisType)}, "", binOrder)
	outSel = append(outSel, exprs[0]+" AS "+g.d.Ident(out.cols[len(out.cols)-1]))

	out.sql = "SELECT " + strings.Join(outSel, ", ") + " FROM " + source
	if len(outGroup) > 0 {
		out.sql += " GROUP BY " + strings.Join(outGroup, ", ")
	}
	return out
}
