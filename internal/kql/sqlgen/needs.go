package sqlgen

import "github.com/callscope/callscope/internal/kql"

// Column pruning. Engines drop the columns nobody reads through nested
// selects on their own, but not the fields of a value they cannot see
// into: arg_max(t, *) packs a whole row into one struct so that every
// field comes from the same row, and an engine computes all of that
// struct even when the query reads two of its fields afterwards. So
// before writing SQL the generator works out, top-down, which output
// columns of each plan node are read by anything above it, and an
// aggregation packs only those.
//
// The analysis is conservative: where following the columns through an
// operator would be intricate (joins, unions, mv-expand, make-series)
// every input column counts as read. A let-bound table used in several
// places is read for the columns any of its uses reads.

// needs maps a plan node to which of its output columns are read; a node
// missing from the map has all of them read.
type needs map[kql.Plan][]bool

// findNeeds analyses a whole query whose every result column is read.
func findNeeds(root kql.Plan) needs {
	n := needs{}
	n.want(root, allOf(root))
	return n
}

// read reports whether column i of p is read.
func (n needs) read(p kql.Plan, i int) bool {
	w, ok := n[p]
	return !ok || w[i]
}

func allOf(p kql.Plan) []bool {
	w := make([]bool, len(p.Columns()))
	for i := range w {
		w[i] = true
	}
	return w
}

// want records that the columns marked in w of p are read, and follows
// that to p's inputs.
func (n needs) want(p kql.Plan, w []bool) {
	if old, ok := n[p]; ok {
		merged := make([]bool, len(w))
		same := true
		for i := range w {
			merged[i] = old[i] || w[i]
			same = same && merged[i] == old[i]
		}
		if same {
			return
		}
		w = merged
	}
	n[p] = w

	// Tables computed inside expressions (toscalar, in (…)) are read whole.
	for _, x := range planScalars(p) {
		walkScalar(x, func(s kql.Scalar) {
			switch v := s.(type) {
			case *kql.Subquery:
				n.want(v.Plan, allOf(v.Plan))
			case *kql.InQuery:
				n.want(v.Plan, allOf(v.Plan))
			}
		})
	}

	switch x := p.(type) {
	case *kql.Filter:
		in := clone(w)
		refs(in, x.Pred)
		n.want(x.Input, in)
	case *kql.Sort:
		in := clone(w)
		for _, k := range x.Keys {
			refs(in, k.X)
		}
		n.want(x.Input, in)
	case *kql.Limit:
		n.want(x.Input, clone(w))
	case *kql.Serialize:
		n.want(x.Input, clone(w))
	case *kql.Shared:
		// A let-bound table is computed once for all its uses: w is
		// already what they read together (merged above), and each use
		// that reads more comes back here with the larger set.
		n.want(x.Input, clone(n[p]))
	case *kql.Project:
		in := make([]bool, len(x.Input.Columns()))
		for i, e := range x.Exprs {
			if w[i] {
				refs(in, e)
			}
		}
		n.want(x.Input, in)
	case *kql.Aggregate:
		in := make([]bool, len(x.Input.Columns()))
		for _, k := range x.Keys {
			refs(in, k)
		}
		pos := len(x.Keys)
		for _, ac := range x.Aggs {
			for i, a := range ac.Args {
				// Output 0 of arg_max is the maximum of Args[0] and output
				// i is Args[i]: the maximum is always computed, since it
				// picks the row.
				if i == 0 || !isArgExtreme(ac) || w[pos+i] {
					refs(in, a)
				}
			}
			if ac.If != nil {
				refs(in, ac.If)
			}
			pos += ac.Outputs
		}
		n.want(x.Input, in)
	default:
		for _, in := range inputs(p) {
			n.want(in, allOf(in))
		}
	}
}

func isArgExtreme(ac *kql.AggCall) bool {
	return ac.Func == kql.AggArgMax || ac.Func == kql.AggArgMin
}

func clone(w []bool) []bool { return append([]bool(nil), w...) }

// refs marks the input columns an expression reads. Only the expression's
// own input counts: the plans of subqueries are analysed on their own.
func refs(in []bool, x kql.Scalar) {
	walkScalar(x, func(s kql.Scalar) {
		if c, ok := s.(*kql.ColRef); ok && c.Index >= 0 && c.Index < len(in) {
			in[c.Index] = true
		}
	})
}
