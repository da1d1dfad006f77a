package kql

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/callscope/callscope/internal/schema"
)

// aggSpec describes an aggregation function of summarize.
type aggSpec struct {
	min, max int
	fn       AggFunc
	prefix   string // default column name: prefix + "_" + the argument's column (count_ for none)
	hasIf    bool   // the last argument is the predicate (countif, sumif, …)
}

var aggregates = map[string]*aggSpec{
	"count":            {0, 0, AggCount, "count", false},
	"countif":          {1, 1, AggCountIf, "countif", true},
	"dcount":           {1, 2, AggDcount, "dcount", false},
	"dcountif":         {2, 3, AggDcount, "dcountif", true},
	"count_distinct":   {1, 1, AggDcount, "count_distinct", false},
	"count_distinctif": {2, 2, AggDcount, "count_distinctif", true},
	"sum":              {1, 1, AggSum, "sum", false},
	"sumif":            {2, 2, AggSum, "sumif", true},
	"avg":              {1, 1, AggAvg, "avg", false},
	"avgif":            {2, 2, AggAvg, "avgif", true},
	"min":              {1, 1, AggMin, "min", false},
	"minif":            {2, 2, AggMin, "minif", true},
	"max":              {1, 1, AggMax, "max", false},
	"maxif":            {2, 2, AggMax, "maxif", true},
	"percentile":       {2, 2, AggPercentiles, "percentile", false},
	"percentiles":      {2, 32, AggPercentiles, "percentile", false},
	"make_list":        {1, 2, AggMakeList, "list", false},
	"make_list_if":     {2, 3, AggMakeList, "list", true},
	"make_set":         {1, 2, AggMakeSet, "set", false},
	"make_set_if":      {2, 3, AggMakeSet, "set", true},
	"make_bag":         {1, 2, AggMakeBag, "bag", false},
	"make_bag_if":      {2, 3, AggMakeBag, "bag", true},
	"arg_max":          {1, 64, AggArgMax, "max", false},
	"arg_min":          {1, 64, AggArgMin, "min", false},
	"take_any":         {1, 64, AggTakeAny, "", false},
	"any":              {1, 64, AggTakeAny, "", false},
	"take_anyif":       {2, 2, AggTakeAny, "", true},
	"stdev":            {1, 1, AggStdev, "stdev", false},
	"stdevif":          {2, 2, AggStdev, "stdevif", true},
	"variance":         {1, 1, AggVariance, "variance", false},
	"varianceif":       {2, 2, AggVariance, "varianceif", true},
}

// checkAggregate checks one aggregation call over the rows of in; keys are
// the summarize's by columns, which arg_max(x, *) leaves out. It returns the
// call and the default names of its outputs.
func (c *checker) checkAggregate(in *env, n *CallExpr, spec *aggSpec, keys []string) (*AggCall, []string) {
	name := n.Fun.Name
	if len(n.Args) < spec.min || len(n.Args) > spec.max {
		c.fail(n.Pos(), "%s takes %s", name, arity(spec.min, spec.max))
	}
	ac := &AggCall{Func: spec.fn, Outputs: 1}
	argNodes := n.Args
	if spec.hasIf {
		// The predicate is the last argument, except for make_*_if whose
		// optional size comes after it.
		pi := len(argNodes) - 1
		if spec.fn == AggMakeList || spec.fn == AggMakeSet || spec.fn == AggMakeBag || spec.fn == AggDcount {
			pi = 1
		}
		ac.If = c.aggPredicate(in, argNodes[pi])
		argNodes = append(append([]Expr(nil), argNodes[:pi]...), argNodes[pi+1:]...)
	}
	colName := func(i int) string {
		if i < len(argNodes) {
			return derivedName(argNodes[i])
		}
		return ""
	}
	defaultName := spec.prefix + "_" + colName(0)

	switch spec.fn {
	case AggCount, AggCountIf:
		ac.T = []Type{schema.Long}
		if spec.fn == AggCountIf {
			return ac, []string{"countif_"}
		}
		return ac, []string{"count_"}
	case AggDcount:
		x := c.aggValue(in, argNodes[0])
		if x.Type() == schema.Dynamic {
			x = c.toStringExpr(x)
		}
		ac.Args = []Scalar{x}
		ac.T = []Type{schema.Long}
		return ac, []string{defaultName}
	case AggSum, AggAvg, AggStdev, AggVariance:
		x := c.aggValue(in, argNodes[0])
		switch {
		case x.Type() == schema.Dynamic:
			x = c.castTo(x, schema.Real)
		case x.Type() == schema.Timespan && (spec.fn == AggSum || spec.fn == AggAvg):
		case !isNumeric(x.Type()):
			c.fail(argNodes[0].Pos(), "%s needs numbers; this is a %s", name, x.Type())
		}
		ac.Args = []Scalar{x}
		t := x.Type()
		switch {
		case spec.fn == AggSum && t == schema.Int:
			t = schema.Long
		case spec.fn == AggAvg && t != schema.Timespan && t != schema.Decimal:
			t = schema.Real
		case spec.fn == AggStdev || spec.fn == AggVariance:
			t = schema.Real
		}
		ac.T = []Type{t}
		return ac, []string{defaultName}
	case AggMin, AggMax:
		x := c.aggValue(in, argNodes[0])
		if x.Type() == schema.Dynamic {
			x = c.castTo(x, schema.Real)
		}
		ac.Args = []Scalar{x}
		ac.T = []Type{x.Type()}
		return ac, []string{defaultName}
	case AggPercentiles:
		x := c.aggValue(in, argNodes[0])
		if x.Type() == schema.Dynamic {
			x = c.castTo(x, schema.Real)
		}
		if !isNumeric(x.Type()) && x.Type() != schema.DateTime && x.Type() != schema.Timespan {
			c.fail(argNodes[0].Pos(), "%s needs numbers, datetimes or timespans; this is a %s", name, x.Type())
		}
		ac.Args = []Scalar{x}
		var names []string
		for _, pn := range argNodes[1:] {
			p := c.constNumber(pn, name+" rank")
			if p < 0 || p > 100 {
				c.fail(pn.Pos(), "a percentile rank is between 0 and 100")
			}
			ac.Params = append(ac.Params, p)
			ac.T = append(ac.T, x.Type())
			names = append(names, "percentile_"+colName(0)+"_"+percentileSuffix(p))
		}
		ac.Outputs = len(ac.Params)
		return ac, names
	case AggMakeList, AggMakeSet, AggMakeBag:
		x := c.aggValue(in, argNodes[0])
		ac.Args = []Scalar{c.toDynamic(x)}
		if spec.fn != AggMakeBag {
			// The element type decides how the list is written: keep
			// the value itself, the dialect converts it.
			ac.Args = []Scalar{x}
		}
		ac.Params = []float64{0}
		if len(argNodes) > 1 {
			size := c.constNumber(argNodes[1], name+" size")
			if size < 1 {
				c.fail(argNodes[1].Pos(), "%s size must be positive", name)
			}
			ac.Params[0] = size
		}
		ac.T = []Type{schema.Dynamic}
		return ac, []string{defaultName}
	case AggArgMax, AggArgMin:
		return c.checkArgExtremum(in, ac, name, argNodes, keys)
	case AggTakeAny:
		var names []string
		for i, a := range argNodes {
			if _, star := a.(*StarExpr); star {
				c.fail(a.Pos(), "take_any(*) is not supported; list the columns")
			}
			x := c.aggValue(in, a)
			ac.Args = append(ac.Args, x)
			ac.T = append(ac.T, x.Type())
			nm := colName(i)
			if nm == "" {
				nm = "any_"
			}
			names = append(names, nm)
		}
		ac.Outputs = len(ac.Args)
		return ac, names
	}
	c.fail(n.Pos(), "unknown aggregation %s", name)
	return nil, nil
}

// checkArgExtremum checks arg_max(x, cols…) and arg_min: the row where x
// is largest (smallest) gives the listed columns, or with '*' all columns
// but the summarize keys.
func (c *checker) checkArgExtremum(in *env, ac *AggCall, name string, args []Expr, keys []string) (*AggCall, []string) {
	x := c.aggValue(in, args[0])
	if x.Type() == schema.Dynamic {
		c.fail(args[0].Pos(), "%s cannot order by a dynamic value; convert it first", name)
	}
	ac.Args = []Scalar{x}
	ac.T = []Type{x.Type()}
	first := derivedName(args[0])
	if first == "" {
		first = name + "_"
		if name == "arg_max" {
			first = "max_"
		} else {
			first = "min_"
		}
	}
	names := []string{first}
	skip := map[string]bool{first: true}
	for _, k := range keys {
		skip[k] = true
	}
	for _, a := range args[1:] {
		if _, star := a.(*StarExpr); star {
			for _, col := range in.cols {
				if skip[col] {
					continue
				}
				skip[col] = true
				v := in.names[col]
				ac.Args = append(ac.Args, v)
				ac.T = append(ac.T, v.Type())
				names = append(names, col)
			}
			continue
		}
		var nm string
		var node = a
		if ne, ok := a.(*NamedExpr); ok {
			nm, node = ne.Names[0].Name, ne.X
		} else {
			nm = derivedName(a)
		}
		if nm == "" {
			c.fail(a.Pos(), "name this expression: %s(x, Name = expression)", name)
		}
		v := c.aggValue(in, node)
		ac.Args = append(ac.Args, v)
		ac.T = append(ac.T, v.Type())
		names = append(names, nm)
		skip[nm] = true
	}
	ac.Outputs = len(ac.Args)
	return ac, names
}

// aggValue checks an aggregation's argument over the input rows.
func (c *checker) aggValue(in *env, x Expr) Scalar {
	if _, star := x.(*StarExpr); star {
		c.fail(x.Pos(), "'*' is only allowed in arg_max and arg_min")
	}
	return in.check(x)
}

func (c *checker) aggPredicate(in *env, x Expr) Scalar {
	v := in.check(x)
	switch v.Type() {
	case schema.Bool:
		return v
	case schema.Dynamic:
		return &Call{Op: OpToBool, Args: []Scalar{v}, T: schema.Bool}
	}
	c.fail(x.Pos(), "the condition must be a bool; this is a %s", v.Type())
	return nil
}

// constNumber evaluates a constant number argument.
func (c *checker) constNumber(x Expr, what string) float64 {
	v := c.checkConstExpr(x)
	if k, ok := v.(*Const); ok {
		switch n := k.V.(type) {
		case int64:
			return float64(n)
		case float64:
			return n
		}
	}
	c.fail(x.Pos(), "%s must be a constant number", what)
	return 0
}

// percentileSuffix writes a rank as Kusto names its column: 95 → "95",
// 99.9 → "99_9".
func percentileSuffix(p float64) string {
	return strings.ReplaceAll(strconv.FormatFloat(p, 'f', -1, 64), ".", "_")
}

// compileRegex checks a regular expression's syntax.
func compileRegex(re string) error {
	_, err := regexp.Compile(re)
	return err
}
