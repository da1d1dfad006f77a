package sqlgen

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/schema"
)

// Options shape the statement.
type Options struct {
	// MaxRows, when positive, limits the rows the statement returns to
	// MaxRows+1, so that a caller can tell that a result was cut.
	MaxRows int
}

// Statement is a generated query.
type Statement struct {
	// Prelude are statements to run before SQL, in order and in the same
	// session: each computes a let-bound table into a temporary table
	// that later statements read (see TemporaryTables). Empty on engines
	// with common table expressions.
	Prelude []string
	SQL     string
	Columns []kql.Column // the result's columns, in KQL names and types
}

// Text is the whole statement as a user reads it: the prelude's
// statements, then the query, separated by semicolons.
func (st *Statement) Text() string {
	if len(st.Prelude) == 0 {
		return st.SQL
	}
	return strings.Join(st.Prelude, ";\n") + ";\n" + st.SQL
}

// Generate writes a checked query as one SQL statement.
func Generate(q *kql.CheckedQuery, d Dialect, opts Options) (st *Statement, err error) {
	g := &gen{d: d, f: d.Features(), uses: map[*kql.Shared]int{}, ctes: map[*kql.Shared]*rel{}}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(genError)
			if !ok {
				panic(r)
			}
			st, err = nil, e
		}
	}()
	g.countUses(q.Plan, map[kql.Plan]bool{})
	g.needs = findNeeds(q.Plan)
	root := g.plan(q.Plan)

	var b strings.Builder
	if len(g.cteDefs) > 0 {
		b.WriteString("WITH ")
		for i, def := range g.cteDefs {
			if i > 0 {
				b.WriteString(",\n")
			}
			b.WriteString(def)
		}
		b.WriteString("\n")
	}
	b.WriteString("SELECT ")
	cols := q.Plan.Columns()
	names := finalNames(cols)
	if g.f.FreshNames {
		names = g.unshadowed(names, root)
	}
	for i := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		v := d.Result(d.Ident(root.cols[i]), cols[i].Type)
		b.WriteString(v)
		if names[i] != root.cols[i] || v != d.Ident(root.cols[i]) {
			b.WriteString(" AS " + d.Ident(names[i]))
		}
	}
	if len(cols) == 0 {
		b.WriteString("NULL AS " + d.Ident("__empty"))
	}
	b.WriteString("\nFROM (" + root.sql + ") AS " + d.Ident("result"))
	if len(root.order) > 0 {
		b.WriteString("\nORDER BY " + g.orderList(root))
	}
	if opts.MaxRows > 0 {
		fmt.Fprintf(&b, "\nLIMIT %d", opts.MaxRows+1)
	}
	return &Statement{Prelude: g.prelude, SQL: b.String(), Columns: cols}, nil
}

// genError is a construct the dialect or generator cannot write.
type genError struct{ msg string }

func (e genError) Error() string { return e.msg }

func fail(format string, args ...any) { panic(genError{fmt.Sprintf(format, args...)}) }

// Refuse stops writing the statement: the dialect cannot write what it
// was asked to (a function its engine lacks, a construct that needs a
// later release). Generate returns the message as its error. Dialects
// call it from any of their methods.
func Refuse(format string, args ...any) { fail(format, args...) }

// gen holds the state of one generation.
type gen struct {
	d       Dialect
	f       Features             // what the engine reads
	uses    map[*kql.Shared]int  // how often each let-bound table is used
	ctes    map[*kql.Shared]*rel // each one written as a CTE, as its uses read it
	cteDefs []string
	prelude []string // temporary tables, without CTEs
	needs   needs    // which columns of each plan node are read
	n       int      // counter for unique aliases and hidden columns
}

// rel is a generated relation: a SELECT whose output columns are cols
// (the plan's columns, in order), then hidden columns that carry the
// order of a serialized relation.
type rel struct {
	sql    string
	cols   []string   // SQL names of the plan's columns
	hidden []string   // SQL names of hidden columns, after cols
	order  []orderKey // the rows' order, over hidden columns
}

type orderKey struct {
	col        string
	desc       bool
	nullsFirst bool
}

func (g *gen) alias(prefix string) string {
	g.n++
	return fmt.Sprintf("%s%d", prefix, g.n)
}

// countUses counts the references to each let-bound table, to decide which
// become common table expressions.
func (g *gen) countUses(p kql.Plan, seen map[kql.Plan]bool) {
	if sh, ok := p.(*kql.Shared); ok {
		g.uses[sh]++
		if g.uses[sh] > 1 {
			return
		}
	}
	for _, in := range inputs(p) {
		g.countUses(in, seen)
	}
	for _, x := range planScalars(p) {
		walkScalar(x, func(s kql.Scalar) {
			switch v := s.(type) {
			case *kql.Subquery:
				g.countUses(v.Plan, seen)
			case *kql.InQuery:
				g.countUses(v.Plan, seen)
			}
		})
	}
}

func inputs(p kql.Plan) []kql.Plan {
	switch x := p.(type) {
	case *kql.Filter:
		return []kql.Plan{x.Input}
	case *kql.Project:
		return []kql.Plan{x.Input}
	case *kql.Aggregate:
		return []kql.Plan{x.Input}
	case *kql.Sort:
		return []kql.Plan{x.Input}
	case *kql.Limit:
		return []kql.Plan{x.Input}
	case *kql.Serialize:
		return []kql.Plan{x.Input}
	case *kql.Join:
		return []kql.Plan{x.Left, x.Right}
	case *kql.Union:
		return x.Inputs
	case *kql.MvExpand:
		return []kql.Plan{x.Input}
	case *kql.MakeSeries:
		return []kql.Plan{x.Input}
	case *kql.Shared:
		return []kql.Plan{x.Input}
	}
	return nil
}

// planScalars lists the expressions a plan node holds.
func planScalars(p kql.Plan) []kql.Scalar {
	var out []kql.Scalar
	switch x := p.(type) {
	case *kql.Filter:
		out = append(out, x.Pred)
	case *kql.Project:
		out = append(out, x.Exprs...)
	case *kql.Aggregate:
		out = append(out, x.Keys...)
		for _, a := range x.Aggs {
			out = append(out, a.Args...)
			if a.If != nil {
				out = append(out, a.If)
			}
		}
	case *kql.Sort:
		for _, k := range x.Keys {
			out = append(out, k.X)
		}
	case *kql.Join:
		out = append(append(out, x.LeftKeys...), x.RightKeys...)
	case *kql.MvExpand:
		out = append(out, x.Exprs...)
	case *kql.Values:
		for _, r := range x.Rows {
			out = append(out, r...)
		}
	case *kql.MakeSeries:
		out = append(out, x.Keys...)
		out = append(out, x.Axis)
		for _, a := range x.Aggs {
			out = append(out, a.Args...)
			if a.If != nil {
				out = append(out, a.If)
			}
		}
	}
	return out
}

func walkScalar(x kql.Scalar, f func(kql.Scalar)) {
	f(x)
	switch v := x.(type) {
	case *kql.Call:
		for _, a := range v.Args {
			walkScalar(a, f)
		}
	case *kql.Window:
		for _, a := range v.Args {
			walkScalar(a, f)
		}
	case *kql.InQuery:
		walkScalar(v.X, f)
	}
}

// plan generates one plan node.
func (g *gen) plan(p kql.Plan) *rel {
	switch x := p.(type) {
	case *kql.Scan:
		return g.scan(x)
	case *kql.Filter:
		return g.filter(x)
	case *kql.Project:
		return g.project(x)
	case *kql.Aggregate:
		return g.aggregate(x)
	case *kql.Sort:
		return g.sort(x)
	case *kql.Limit:
		return g.limit(x)
	case *kql.Serialize:
		return g.plan(x.Input)
	case *kql.Join:
		return g.join(x)
	case *kql.Union:
		return g.union(x)
	case *kql.MvExpand:
		return g.mvExpand(x)
	case *kql.Values:
		return g.values(x)
	case *kql.Range:
		return g.rangeRel(x)
	case *kql.MakeSeries:
		return g.makeSeries(x)
	case *kql.Shared:
		return g.shared(x)
	}
	fail("cannot generate SQL for %T", p)
	return nil
}

// sqlNames gives the columns of a relation SQL names: the KQL name where
// it is a plain identifier and unique without regard to case (engines
// compare identifiers that way), otherwise a generated one.
//
// Where aliases shadow input columns (Features.FreshNames) every name is
// a generated one, unique in the statement, so that no select names an
// output as one of its input's columns.
func (g *gen) sqlNames(cols []kql.Column) []string {
	out := make([]string, len(cols))
	seen := map[string]bool{}
	for i, c := range cols {
		name := c.Name
		if g.f.FreshNames || !plainIdent.MatchString(name) || seen[strings.ToLower(name)] || strings.HasPrefix(name, "__") {
			name = g.alias("c")
			for seen[name] {
				name = g.alias("c")
			}
		}
		seen[strings.ToLower(name)] = true
		out[i] = name
	}
	return out
}

var plainIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// finalNames are the result's column names: the KQL names, unless two
// differ only in case, which engines cannot return.
func finalNames(cols []kql.Column) []string {
	out := make([]string, len(cols))
	seen := map[string]bool{}
	for i, c := range cols {
		name := c.Name
		if seen[strings.ToLower(name)] {
			name = fmt.Sprintf("%s_%d", name, i)
		}
		seen[strings.ToLower(name)] = true
		out[i] = name
	}
	return out
}

// unshadowed renames the result's columns where a name is also a column
// of the root relation other than the one it names: with aliases that
// shadow columns, ORDER BY and the other items would read the alias. The
// names only label the SQL result; callers take the KQL names from the
// Statement.
func (g *gen) unshadowed(names []string, root *rel) []string {
	taken := map[string]bool{}
	for _, c := range append(append([]string(nil), root.cols...), root.hidden...) {
		taken[strings.ToLower(c)] = true
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n
		if taken[strings.ToLower(n)] && !strings.EqualFold(n, root.cols[i]) {
			out[i] = root.cols[i]
		}
	}
	return out
}

func (g *gen) scan(s *kql.Scan) *rel {
	cols := make([]string, len(s.Cols))
	for i, c := range s.Cols {
		cols[i] = c.Name // table columns are plain identifiers from the schema
	}
	var from, to = s.From, s.To
	if s.TimeCol < 0 {
		from, to = nil, nil
	}
	return &rel{sql: g.d.Table(s.Table.Name, s.Cols, s.TimeCol, from, to), cols: cols}
}

// from wraps a relation as the FROM item of a new SELECT.
func (g *gen) from(r *rel) string {
	return "(" + r.sql + ") AS " + g.d.Ident(g.alias("t"))
}

// carry lists the hidden columns of r for a select list that keeps them.
func (g *gen) carry(r *rel) string {
	var b strings.Builder
	for _, h := range r.hidden {
		b.WriteString(", " + g.d.Ident(h))
	}
	return b.String()
}

func (g *gen) filter(f *kql.Filter) *rel {
	in := g.plan(f.Input)
	if k, ok := f.Pred.(*kql.Const); ok && k.V == true {
		return in
	}
	ex := &exprGen{g: g, cols: [][]string{in.cols}, order: g.orderList(in)}
	if w := g.windowsBeneath(in, f.Input, ex, []kql.Scalar{f.Pred}); w != in {
		// The window functions' columns stay below: select the input's.
		pred := ex.predicate(f.Pred)
		var sel []string
		for _, c := range g.readColumns(in, f.Input) {
			sel = append(sel, g.d.Ident(c))
		}
		return &rel{sql: "SELECT " + strings.Join(sel, ", ") + " FROM " + g.from(w) + " WHERE " + pred, cols: in.cols, hidden: in.hidden, order: in.order}
	}
	pred := ex.predicate(f.Pred)
	return &rel{sql: "SELECT * FROM " + g.from(in) + " WHERE " + pred, cols: in.cols, hidden: in.hidden, order: in.order}
}

func (g *gen) project(p *kql.Project) *rel {
	in := g.plan(p.Input)
	ex := &exprGen{g: g, cols: [][]string{in.cols}, order: g.orderList(in)}
	if g.f.WindowFunctions {
		in = g.rankHelpers(in, ex, p.Exprs)
	} else {
		in = g.windowsByArrays(in, p.Input, ex, p.Exprs)
	}
	out := &rel{cols: g.sqlNames(p.Cols), hidden: in.hidden, order: in.order}
	var sel []string
	for i, x := range p.Exprs {
		if g.needs.read(p, i) { // a column nothing reads is left out
			sel = append(sel, ex.value(x)+" AS "+g.d.Ident(out.cols[i]))
		}
	}
	if len(sel) == 0 {
		sel = append(sel, "NULL AS "+g.d.Ident(g.alias("__none")))
	}
	var b strings.Builder
	b.WriteString("SELECT " + strings.Join(sel, ", "))
	b.WriteString(g.carry(in))
	b.WriteString(" FROM " + g.from(in))
	out.sql = b.String()
	return out
}

// rankHelpers computes, beneath a projection, what its rank window
// functions need: for each, a change flag and a row number. Window
// functions do not nest, so they come from a select of their own.
func (g *gen) rankHelpers(in *rel, ex *exprGen, exprs []kql.Scalar) *rel {
	var ranks []*kql.Window
	for _, x := range exprs {
		walkScalar(x, func(s kql.Scalar) {
			if w, ok := s.(*kql.Window); ok && (w.Op == kql.WinRowRankDense || w.Op == kql.WinRowRankMin) {
				ranks = append(ranks, w)
			}
		})
	}
	if len(ranks) == 0 {
		return in
	}
	// The rows are numbered once in their order, and every window of ex
	// is then ordered by that number. Sort keys may tie, and an engine
	// may put tied rows in a different order in each window (ClickHouse
	// does); the number has no ties, so the change flags, the numbers and
	// the ranks all see one order.
	rn := g.alias("__rn")
	number := g.d.Window(&kql.Window{Op: kql.WinRowNumber, T: schema.Long}, []string{g.d.Const(&kql.Const{V: int64(1), T: schema.Long})}, ex.order)
	in = &rel{sql: "SELECT *, " + number + " AS " + g.d.Ident(rn) + " FROM " + g.from(in), cols: in.cols, hidden: in.hidden, order: in.order}
	ex.order = g.d.Ident(rn) + " ASC"
	if ex.helpers == nil {
		ex.helpers = map[*kql.Window][2]string{}
	}
	var sel []string
	for _, w := range ranks {
		chg := g.alias("__chg")
		flag := g.d.Window(&kql.Window{Op: kql.WinChanged, Args: w.Args, T: schema.Long}, []string{ex.value(w.Args[0])}, ex.order)
		sel = append(sel, flag+" AS "+g.d.Ident(chg))
		ex.helpers[w] = [2]string{chg, rn}
	}
	return &rel{sql: "SELECT *, " + strings.Join(sel, ", ") + " FROM " + g.from(in), cols: in.cols, hidden: in.hidden, order: in.order}
}

func (g *gen) sort(s *kql.Sort) *rel {
	in := g.plan(s.Input)
	ex := &exprGen{g: g, cols: [][]string{in.cols}, order: g.orderList(in)}
	if !g.f.WindowFunctions {
		var keys []kql.Scalar
		for _, k := range s.Keys {
			keys = append(keys, k.X)
		}
		in = g.windowsByArrays(in, s.Input, ex, keys)
	}
	out := &rel{cols: in.cols}
	var sel []string
	for i, c := range in.cols {
		if g.needs.read(s, i) {
			sel = append(sel, g.d.Ident(c))
		}
	}
	for _, k := range s.Keys {
		h := g.alias("__o")
		x := k.X
		if x.Type() == schema.String {
			// Empty and null strings are one value in KQL.
			x = &kql.Call{Op: kql.OpCoalesce, Args: []kql.Scalar{x, &kql.Const{V: "", T: schema.String}}, T: schema.String}
		}
		sel = append(sel, ex.value(x)+" AS "+g.d.Ident(h))
		out.hidden = append(out.hidden, h)
		out.order = append(out.order, orderKey{col: h, desc: k.Desc, nullsFirst: k.NullsFirst})
	}
	if len(sel) == 0 {
		sel = append(sel, "NULL AS "+g.d.Ident(g.alias("__none")))
	}
	out.sql = "SELECT " + strings.Join(sel, ", ") + " FROM " + g.from(in)
	return out
}

// orderList writes a relation's order as an ORDER BY list ("" if none).
func (g *gen) orderList(r *rel) string {
	var parts []string
	for _, k := range r.order {
		s := g.d.Ident(k.col)
		if k.desc {
			s += " DESC"
		} else {
			s += " ASC"
		}
		if k.nullsFirst {
			s += " NULLS FIRST"
		} else {
			s += " NULLS LAST"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func (g *gen) limit(l *kql.Limit) *rel {
	in := g.plan(l.Input)
	sql := "SELECT * FROM " + g.from(in)
	if len(in.order) > 0 {
		sql += " ORDER BY " + g.orderList(in)
	}
	sql += fmt.Sprintf(" LIMIT %d", l.N)
	return &rel{sql: sql, cols: in.cols, hidden: in.hidden, order: in.order}
}

// aggregate writes summarize: a grouping query whose columns are named as
// the plan's, or, when an aggregation yields its outputs through an outer
// select (fields of a struct for arg_max, elements of a list for
// percentiles), that outer select over it.
func (g *gen) aggregate(a *kql.Aggregate) *rel {
	in := g.plan(a.Input)
	order := g.orderList(in)
	ex := &exprGen{g: g, cols: [][]string{in.cols}, order: order}
	in = g.windowsBeneath(in, a.Input, ex, planScalars(a))
	in, listOrder := g.numberedForAggregates(in, a)
	names := g.sqlNames(a.Cols)
	var inner, keys []string
	final := make([]string, len(a.Cols)) // the outer select's expression per column
	for i, k := range a.Keys {
		v := ex.groupKey(k)
		keys = append(keys, v)
		inner = append(inner, v+" AS "+g.d.Ident(names[i]))
		final[i] = g.d.Ident(names[i])
	}
	direct := true
	for _, job := range g.aggJobs(a, ex) {
		ac := job.call
		args := make([]string, len(ac.Args))
		for i, x := range ac.Args {
			args[i] = ex.aggArg(ac, x)
		}
		aggOrder := ""
		if ac.Func == kql.AggMakeList || ac.Func == kql.AggMakeBag {
			aggOrder = listOrder // make_list after sort keeps the order
		}
		exprs, outer := g.d.Aggregate(ac, args, job.filter, aggOrder)
		if outer == nil && len(exprs) == len(job.outputs) && job.contiguous() {
			for k, s := range exprs {
				name := names[job.outputs[k]]
				inner = append(inner, s+" AS "+g.d.Ident(name))
				final[job.outputs[k]] = g.d.Ident(name)
			}
			continue
		}
		// The aggregates get hidden names in the grouping select, and the
		// outer select picks the outputs from them.
		direct = false
		var innerNames []string
		for _, s := range exprs {
			name := g.alias("__a")
			inner = append(inner, s+" AS "+g.d.Ident(name))
			innerNames = append(innerNames, g.d.Ident(name))
		}
		if outer == nil {
			outer = make([]string, len(exprs))
			for k := range exprs {
				outer[k] = fmt.Sprintf("$%d", k)
			}
		}
		for k, o := range outer {
			for m := len(innerNames) - 1; m >= 0; m-- {
				o = strings.ReplaceAll(o, fmt.Sprintf("$%d", m), innerNames[m])
			}
			final[job.outputs[k]] = o
		}
	}
	sql := "SELECT " + strings.Join(inner, ", ") + " FROM " + g.from(in)
	if len(keys) > 0 {
		sql += " GROUP BY " + strings.Join(keys, ", ")
	}
	if direct {
		return &rel{sql: sql, cols: names}
	}
	var sel []string
	for i, f := range final {
		if g.needs.read(a, i) { // a column nothing reads is left out
			sel = append(sel, f+" AS "+g.d.Ident(names[i]))
		}
	}
	if len(sel) == 0 {
		sel = append(sel, "NULL AS "+g.d.Ident(g.alias("__none")))
	}
	return &rel{sql: "SELECT " + strings.Join(sel, ", ") + " FROM (" + sql + ") AS " + g.d.Ident(g.alias("g")), cols: names}
}

// aggJob is one aggregation as written: the call, its filter in SQL, and
// the output column each of its outputs goes to.
type aggJob struct {
	call    *kql.AggCall
	filter  string
	outputs []int
}

// contiguous reports outputs that are consecutive columns, written in
// place by the grouping select.
func (j aggJob) contiguous() bool {
	for k := 1; k < len(j.outputs); k++ {
		if j.outputs[k] != j.outputs[k-1]+1 {
			return false
		}
	}
	return true
}

// aggJobs plans the aggregations of a summarize. Two rewrites make it
// cheaper than one call per aggregation: arg_max/arg_min carry only the
// values read above (pruneArgExtreme), and percentiles of one value under
// one filter become a single call with several ranks, since engines sort
// the values once per call (p50 and p95 of a latency are the usual pair).
func (g *gen) aggJobs(a *kql.Aggregate, ex *exprGen) []aggJob {
	var jobs []aggJob
	merged := map[string]int{} // argument and filter of a percentile job → its index
	pos := len(a.Keys)
	for _, full := range a.Aggs {
		ac, kept := g.pruneArgExtreme(a, pos, full)
		job := aggJob{call: ac}
		for _, k := range kept {
			job.outputs = append(job.outputs, pos+k)
		}
		pos += full.Outputs
		if ac.If != nil {
			job.filter = ex.predicate(ac.If)
		}
		if ac.Func == kql.AggPercentiles {
			key := ex.aggArg(ac, ac.Args[0]) + "\x00" + job.filter
			if i, ok := merged[key]; ok {
				into := *jobs[i].call
				into.Params = append(append([]float64(nil), into.Params...), ac.Params...)
				into.T = append(append([]kql.Type(nil), into.T...), ac.T...)
				into.Outputs += ac.Outputs
				jobs[i].call = &into
				jobs[i].outputs = append(jobs[i].outputs, job.outputs...)
				continue
			}
			merged[key] = len(jobs)
		}
		jobs = append(jobs, job)
	}
	return jobs
}

// pruneArgExtreme drops from arg_max/arg_min the values that nothing
// above reads (see needs.go), so that the engine does not carry them along
// with every candidate row. It returns the aggregation to write and, for
// each of its outputs, the position of that output in the full one.
func (g *gen) pruneArgExtreme(a *kql.Aggregate, pos int, ac *kql.AggCall) (*kql.AggCall, []int) {
	kept := make([]int, 0, ac.Outputs)
	for i := 0; i < ac.Outputs; i++ {
		kept = append(kept, i)
	}
	if !isArgExtreme(ac) || len(ac.Args) < 2 {
		return ac, kept
	}
	pruned := *ac
	// New slices: appending to ac's would write over the checked plan.
	pruned.Args, pruned.T, kept = []kql.Scalar{ac.Args[0]}, []kql.Type{ac.T[0]}, kept[:1]
	for i := 1; i < len(ac.Args); i++ {
		if g.needs.read(a, pos+i) {
			pruned.Args = append(pruned.Args, ac.Args[i])
			pruned.T = append(pruned.T, ac.T[i])
			kept = append(kept, i)
		}
	}
	pruned.Outputs = len(pruned.Args)
	return &pruned, kept
}
