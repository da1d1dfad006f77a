package sqlgen

import (
	"strings"

	"github.com/callscope/callscope/internal/kql"
)

// Window functions where SQL takes none, and on engines that have none.
//
// SQL takes a window function only in a select list, but KQL takes prev()
// and its kin in where and summarize too: windowsBeneath computes them in
// a select of their own beneath such a node, which then reads columns.
//
// Engines without window functions (Features.WindowFunctions false) get
// them from arrays (windowsByArrays). A window function reads other rows
// of a serialized input: the previous one, the running total so far.
// Without OVER (…), the generator brings all rows into one row of arrays
// and back:
//
//  1. number the rows in order (RowArrays.NumberRows);
//  2. collect every column, and every argument of a window function,
//     into one array in that order (RowArrays.CollectInOrder, an
//     aggregation without grouping: one row);
//  3. compute each window function over whole arrays
//     (RowArrays.WindowOverLists), one array of values per function;
//  4. unnest all arrays side by side, back into one row per input row.
//
// The whole input passes through one row, so this suits the small,
// already summarized tables that window functions are used on.

// windowsBeneath computes the window functions that exprs hold in a
// select of their own beneath the node that reads them, for nodes whose
// clause cannot hold a window function (WHERE, an aggregation's
// arguments). It returns in itself when exprs hold none.
func (g *gen) windowsBeneath(in *rel, input kql.Plan, ex *exprGen, exprs []kql.Scalar) *rel {
	if !g.f.WindowFunctions {
		return g.windowsByArrays(in, input, ex, exprs)
	}
	wins := windowsOf(exprs)
	if len(wins) == 0 {
		return in
	}
	in = g.rankHelpers(in, ex, exprs)
	var sel []string
	names := make([]string, len(wins))
	for i, w := range wins {
		names[i] = g.alias("__w")
		sel = append(sel, ex.value(w)+" AS "+g.d.Ident(names[i]))
	}
	if ex.computed == nil {
		ex.computed = map[*kql.Window]string{}
	}
	for i, w := range wins {
		ex.computed[w] = names[i]
	}
	return &rel{sql: "SELECT *, " + strings.Join(sel, ", ") + " FROM " + g.from(in), cols: in.cols, hidden: in.hidden, order: in.order}
}

// windowsOf lists the window functions of exprs, each once.
func windowsOf(exprs []kql.Scalar) []*kql.Window {
	var wins []*kql.Window
	seen := map[*kql.Window]bool{}
	for _, x := range exprs {
		walkScalar(x, func(s kql.Scalar) {
			if w, ok := s.(*kql.Window); ok && !seen[w] {
				seen[w] = true
				wins = append(wins, w)
			}
		})
	}
	return wins
}

// windowsByArrays returns in (the relation of the plan input) with a
// column per window function that exprs hold, and records those columns
// in ex so that writing exprs reads them. Without window functions in
// exprs it returns in itself. It carries the columns of in that are read
// (see needs.go): the others may be missing from in's select.
func (g *gen) windowsByArrays(in *rel, input kql.Plan, ex *exprGen, exprs []kql.Scalar) *rel {
	wins := windowsOf(exprs)
	if len(wins) == 0 {
		return in
	}
	ra, ok := g.d.(RowArrays)
	if !ok {
		fail("%s() needs window functions, which %s does not have", windowName(wins[0]), g.d.Name())
	}
	for _, w := range wins {
		for _, a := range w.Args {
			walkScalar(a, func(s kql.Scalar) {
				if _, ok := s.(*kql.Window); ok {
					fail("%s() of another window function is not supported on %s", windowName(w), g.d.Name())
				}
			})
		}
	}

	// 1. Number the rows.
	num := g.alias("__n")
	numbered := ra.NumberRows(in.sql, ex.order, num)

	// 2. Collect the columns and the arguments.
	carried := g.readColumns(in, input)
	var pack []string
	colLists := make([]string, len(carried))
	for i, c := range carried {
		colLists[i] = g.alias("__l")
		pack = append(pack, ra.CollectInOrder(g.d.Ident(c), g.d.Ident(num))+" AS "+g.d.Ident(colLists[i]))
	}
	argLists := make([][]string, len(wins))
	for i, w := range wins {
		for _, a := range w.Args {
			name := g.alias("__l")
			pack = append(pack, ra.CollectInOrder(ex.value(a), g.d.Ident(num))+" AS "+g.d.Ident(name))
			argLists[i] = append(argLists[i], g.d.Ident(name))
		}
	}
	packed := "SELECT " + strings.Join(pack, ", ") + " FROM (" + numbered + ") AS " + g.d.Ident(g.alias("t"))

	// 3. One list of values per window function.
	lists := make([]string, 0, len(carried)+len(wins))
	for _, l := range colLists {
		lists = append(lists, g.d.Ident(l))
	}
	var computed []string
	winCols := make([]string, len(wins))
	for i, w := range wins {
		name := g.alias("__l")
		computed = append(computed, ra.WindowOverLists(w, argLists[i])+" AS "+g.d.Ident(name))
		lists = append(lists, g.d.Ident(name))
		winCols[i] = g.alias("__w")
	}
	withWindows := "SELECT *, " + strings.Join(computed, ", ") + " FROM (" + packed + ") AS " + g.d.Ident(g.alias("t"))

	// 4. Back into rows, under the input's names.
	items := g.d.Unnest(lists)
	sel := make([]string, len(items))
	for i, it := range items {
		name := ""
		if i < len(carried) {
			name = carried[i]
		} else {
			name = winCols[i-len(carried)]
		}
		sel[i] = it + " AS " + g.d.Ident(name)
	}
	if ex.computed == nil {
		ex.computed = map[*kql.Window]string{}
	}
	for i, w := range wins {
		ex.computed[w] = winCols[i]
	}
	return &rel{
		sql:    "SELECT " + strings.Join(sel, ", ") + " FROM (" + withWindows + ") AS " + g.d.Ident(g.alias("t")),
		cols:   in.cols,
		hidden: in.hidden,
		order:  in.order,
	}
}

// readColumns lists the columns of in, the relation of input, that are
// read above input, and its hidden columns.
func (g *gen) readColumns(in *rel, input kql.Plan) []string {
	var cols []string
	for i, c := range in.cols {
		if g.needs.read(input, i) {
			cols = append(cols, c)
		}
	}
	return append(cols, in.hidden...)
}

// numberedForAggregates numbers the rows of a serialized input for an
// engine without ORDER BY inside aggregations, so that make_list can keep
// their order. It returns the input unchanged when that is not needed,
// and otherwise the numbered input and the number as Aggregate's order.
func (g *gen) numberedForAggregates(in *rel, a *kql.Aggregate) (*rel, string) {
	if g.f.OrderedAggregates || len(in.order) == 0 {
		return in, g.orderList(in)
	}
	ordered := false
	for _, ac := range a.Aggs {
		ordered = ordered || ac.Func == kql.AggMakeList || ac.Func == kql.AggMakeBag
	}
	if !ordered {
		return in, ""
	}
	ra, ok := g.d.(RowArrays)
	if !ok {
		fail("make_list after sort needs ordered aggregations, which %s does not have", g.d.Name())
	}
	num := g.alias("__n")
	out := &rel{sql: ra.NumberRows(in.sql, g.orderList(in), num), cols: in.cols, hidden: append(append([]string(nil), in.hidden...), num), order: in.order}
	return out, g.d.Ident(num)
}

var windowNames = map[kql.Op]string{
	kql.WinPrev: "prev", kql.WinNext: "next", kql.WinRowNumber: "row_number", kql.WinRowCumsum: "row_cumsum",
	kql.WinRowRankDense: "row_rank_dense", kql.WinRowRankMin: "row_rank_min", kql.WinChanged: "changed",
}

func windowName(w *kql.Window) string {
	if n, ok := windowNames[w.Op]; ok {
		return n
	}
	return w.Op.String()
}
