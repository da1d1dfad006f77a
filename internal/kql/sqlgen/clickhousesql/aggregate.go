package clickhousesql

import (
	"strconv"
	"strings"

	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/kql/sqlgen"
	"github.com/callscope/callscope/internal/schema"
)

// fail refuses to write what the release cannot run: the query fails
// with the message (sqlgen.Refuse).
func fail(format string, args ...any) { sqlgen.Refuse(format, args...) }

// Aggregate writes an aggregation. A filter becomes the -If form of the
// function (sumIf(x, cond)); order, for make_list after sort, is a row
// number to sort the collected values by. Aggregations over no values
// give null, as in DuckDB's dialect: ClickHouse's sum gives 0 and avg
// NaN there, so they are guarded by a count of the values.
func (d *Dialect) Aggregate(ac *kql.AggCall, a []string, filter, order string) (inner, outer []string) {
	cond := ""
	if filter != "" {
		cond = "ifNull(" + filter + ", 0)"
	}
	// call writes fn(args), or fnIf(args, cond) under a filter.
	call := func(fn string, args ...string) string {
		if cond == "" {
			return fn + "(" + strings.Join(args, ", ") + ")"
		}
		return fn + "If(" + strings.Join(append(args, cond), ", ") + ")"
	}
	// values counts the non-null values of x that the filter keeps.
	values := func(x string) string {
		if cond == "" {
			return "count(" + x + ")"
		}
		return "countIf(" + x + " IS NOT NULL AND " + cond + ")"
	}
	orNull := func(x, agg string) string { return "if(" + values(x) + " = 0, NULL, " + agg + ")" }

	switch ac.Func {
	case kql.AggCount, kql.AggCountIf:
		if cond == "" {
			return []string{"toInt64(count())"}, nil
		}
		return []string{"toInt64(countIf(" + cond + "))"}, nil
	case kql.AggDcount:
		return []string{"toInt64(" + call("uniqExact", a[0]) + ")"}, nil
	case kql.AggSum:
		sum := call("sum", a[0])
		if ac.T[0] != schema.Real && ac.T[0] != schema.Decimal {
			sum = "toInt64(" + sum + ")"
		}
		return []string{orNull(a[0], sum)}, nil
	case kql.AggAvg:
		avg := call("avg", a[0])
		switch ac.T[0] {
		case schema.Timespan:
			avg = "toInt64(" + roundAway(avg) + ")"
		case schema.Decimal:
			avg = "toDecimal128(" + avg + ", 10)"
		}
		return []string{orNull(a[0], avg)}, nil
	case kql.AggMin:
		return []string{call("min", a[0])}, nil
	case kql.AggMax:
		return []string{call("max", a[0])}, nil
	case kql.AggStdev, kql.AggVariance:
		fn := "stddevSamp"
		if ac.Func == kql.AggVariance {
			fn = "varSamp"
		}
		// A sample of one has no deviation: null, not NaN.
		return []string{"if(" + values(a[0]) + " < 2, NULL, " + call(fn, a[0]) + ")"}, nil
	case kql.AggPercentiles:
		// Nearest rank: the value at position ceil(p·n) of the n sorted
		// values (ClickHouse's quantiles interpolate or round
		// differently). One sort serves every rank.
		sorted := "arraySort(" + call("groupArray", a[0]) + ")"
		outer = make([]string, len(ac.Params))
		for i, p := range ac.Params {
			outer[i] = nearestRank("$0", p)
		}
		if len(ac.Params) == 1 {
			return []string{nearestRank(sorted, ac.Params[0])}, nil
		}
		return []string{sorted}, outer
	case kql.AggMakeList, kql.AggMakeSet:
		var list string
		switch {
		case ac.Func == kql.AggMakeSet:
			list = call("groupUniqArray", a[0])
		case order != "":
			list = inOrder(a[0], order, cond)
		default:
			list = call("groupArray", a[0])
		}
		if ac.Params[0] > 0 {
			list = "arraySlice(" + list + ", 1, " + strconv.FormatInt(int64(ac.Params[0]), 10) + ")"
		}
		return []string{arrayText("arrayMap(__v -> ifNull(__v, 'null'), " + list + ")")}, nil
	case kql.AggMakeBag:
		isBag := isKind(a[0], "object")
		bagCond := isBag
		if cond != "" {
			bagCond = isBag + " AND " + cond
		}
		bags := "groupArrayIf(" + a[0] + ", " + bagCond + ")"
		if order != "" {
			bags = inOrder(a[0], order, bagCond)
		}
		return []string{d.mergeBags(bags)}, nil
	case kql.AggTakeAny:
		if len(a) == 1 {
			return []string{call("any", a[0])}, nil
		}
		outer := make([]string, len(a))
		for i := range a {
			outer[i] = "tupleElement($0, " + strconv.Itoa(i+1) + ")"
		}
		return []string{call("any", "tuple("+strings.Join(a, ", ")+")")}, outer
	case kql.AggArgMax, kql.AggArgMin:
		fn, ext := "argMax", "max"
		if ac.Func == kql.AggArgMin {
			fn, ext = "argMin", "min"
		}
		if len(a) == 1 {
			return []string{call(ext, a[0])}, nil
		}
		// The row's other values, packed so that they come from one row;
		// null where there was no row.
		outer = []string{"$0"}
		for i := range a[1:] {
			outer = append(outer, "if($0 IS NULL, NULL, tupleElement($1, "+strconv.Itoa(i+1)+"))")
		}
		return []string{call(ext, a[0]), call(fn, "tuple("+strings.Join(a[1:], ", ")+")", a[0])}, outer
	}
	fail("aggregation %v is not supported on %s", ac.Func, d.Name())
	return nil, nil
}

// nearestRank is the value of rank p (0–100) of a sorted list, null for
// an empty one. The product is rounded first, so that 0.07·100 is 7.
func nearestRank(sorted string, p float64) string {
	rank := strconv.FormatFloat(p/100, 'g', -1, 64)
	return let("__ps", sorted, "if(length(__ps) = 0, NULL, __ps[toUInt64(greatest(ceil(round("+rank+" * length(__ps), 9)), 1))])")
}

// inOrder collects the non-null values of x, under cond, in the order of
// the row number.
func inOrder(x, number, cond string) string {
	keep := x + " IS NOT NULL"
	if cond != "" {
		keep += " AND " + cond
	}
	return "arrayMap(__p -> tupleElement(__p, 2), arraySort(__p -> tupleElement(__p, 1), groupArrayIf(tuple(" + number + ", " + x + "), " + keep + ")))"
}

// mergeBags merges a list of JSON objects into one; where a key comes
// more than once the last value wins, as DuckDB's json_merge_patch does.
// The objects' properties are joined as text into one object, whose
// entries are then kept once per key.
func (d *Dialect) mergeBags(bags string) string {
	inside := "arrayFilter(__s -> __s != '', arrayMap(__b -> " + trimSpace("substring("+trimSpace("__b")+", 2, length("+trimSpace("__b")+") - 2)") + ", " + bags + "))"
	joined := "concat('{', arrayStringConcat(" + inside + ", ','), '}')"
	entries := "arrayReverse(" + d.json.entries(joined) + ")"
	return d.objectText(firstPerKey(entries))
}

// ---- window functions ----

// Window writes a window function, from 21.9.
func (d *Dialect) Window(w *kql.Window, a []string, order string) string {
	by := ""
	if order != "" {
		by = "ORDER BY " + order + " "
	}
	whole := "OVER (" + by + "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
	running := "OVER (" + by + "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
	numbered := "OVER (" + strings.TrimSpace(by) + ")"
	switch w.Op {
	case kql.WinPrev, kql.WinNext:
		fn := "lagInFrame"
		if w.Op == kql.WinNext {
			fn = "leadInFrame"
		}
		t := "Nullable(" + d.Type(w.T) + ")"
		return fn + "(CAST(" + a[0] + " AS " + t + "), toUInt64(" + a[1] + "), CAST(" + a[2] + " AS " + t + ")) " + whole
	case kql.WinRowNumber:
		return "(toInt64(row_number() " + numbered + ") + " + a[0] + " - 1)"
	case kql.WinChanged:
		term := a[0]
		if w.Args[0].Type() == schema.String {
			term = "ifNull(" + term + ", '')"
		}
		t := "Nullable(" + d.Type(w.Args[0].Type()) + ")"
		prev := "lagInFrame(CAST(" + term + " AS " + t + "), 1, NULL) " + whole
		first := "row_number() " + numbered + " = 1"
		same := "ifNull(CAST(" + term + " AS " + t + ") = " + prev + ", isNull(" + term + ") AND isNull(" + prev + "))"
		return "if(" + first + " OR NOT " + same + ", 1, 0)"
	case kql.WinRowRankDense:
		// a[0] is the change flag: the rank grows by one at each change.
		return "toInt64(sum(" + a[0] + ") " + running + ")"
	case kql.WinRowRankMin:
		// a[1] is the row number: the rank is that of the run's first row.
		return "toInt64(max(if(" + a[0] + " = 1, " + a[1] + ", NULL)) " + running + ")"
	case kql.WinRowCumsum:
		return "sum(ifNull(" + a[0] + ", 0)) " + running
	}
	fail("%s() is not supported on %s", w.Op, d.Name())
	return ""
}

// ---- window functions from arrays, before 21.9 (sqlgen.RowArrays) ----

// NumberRows numbers rows with row_number() where there are window
// functions, and otherwise with rowNumberInAllBlocks() over the sorted
// rows, which come out of ORDER BY as one stream.
func (d *Dialect) NumberRows(sql, order, col string) string {
	t := d.Ident("numbered")
	if d.features.WindowFunctions {
		by := ""
		if order != "" {
			by = "ORDER BY " + order
		}
		return "SELECT *, toInt64(row_number() OVER (" + by + ")) AS " + d.Ident(col) + " FROM (" + sql + ") AS " + t
	}
	if order != "" {
		sql = "SELECT * FROM (" + sql + ") AS " + t + " ORDER BY " + order
	}
	return "SELECT *, toInt64(rowNumberInAllBlocks() + 1) AS " + d.Ident(col) + " FROM (" + sql + ") AS " + t
}

// CollectInOrder collects x with its row number, nulls included (a tuple
// is never null), and sorts by the number.
func (d *Dialect) CollectInOrder(x, number string) string {
	return "arrayMap(__p -> tupleElement(__p, 2), arraySort(__p -> tupleElement(__p, 1), groupArray(tuple(" + number + ", " + x + "))))"
}

// WindowOverLists computes a window function for every row at once, from
// the lists of its arguments over the rows in order.
func (d *Dialect) WindowOverLists(w *kql.Window, a []string) string {
	return d.keepCaptured(d.windowOverLists(w, a))
}

func (d *Dialect) windowOverLists(w *kql.Window, a []string) string {
	switch w.Op {
	case kql.WinPrev:
		// a: values, offsets, defaults.
		return "arrayMap(__i -> if(__i > " + a[1] + "[__i], " + a[0] + "[__i - " + a[1] + "[__i]], " + a[2] + "[__i]), arrayEnumerate(" + a[0] + "))"
	case kql.WinNext:
		return "arrayMap(__i -> if(__i + " + a[1] + "[__i] <= length(" + a[0] + "), " + a[0] + "[__i + " + a[1] + "[__i]], " + a[2] + "[__i]), arrayEnumerate(" + a[0] + "))"
	case kql.WinRowNumber:
		return "arrayMap(__i -> toInt64(" + a[0] + "[__i] + __i - 1), arrayEnumerate(" + a[0] + "))"
	case kql.WinRowCumsum:
		return "arrayCumSum(arrayMap(__v -> ifNull(__v, 0), " + a[0] + "))"
	case kql.WinRowRankDense:
		return "arrayMap(__v -> toInt64(__v), arrayCumSum(" + changes(w, a[0]) + "))"
	case kql.WinRowRankMin:
		// The rank of a row is the position of the first row of its run
		// of equal values: the start of the run numbered by the running
		// count of changes.
		return let("__chg", changes(w, a[0]),
			let("__starts", "arrayFilter(__i -> __chg[__i] = 1, arrayEnumerate(__chg))",
				"arrayMap(__r -> toInt64(__starts[__r]), arrayCumSum(__chg))"))
	}
	fail("%s() is not supported on %s", w.Op, d.Name())
	return ""
}

// changes is the list of change flags of a list of values: 1 where a
// value differs from the one before (the first always), nulls equal to
// each other, a missing string equal to "".
func changes(w *kql.Window, values string) string {
	v := values
	if w.Args[0].Type() == schema.String {
		v = "arrayMap(__s -> ifNull(__s, ''), " + values + ")"
	}
	return let("__vs", v, "arrayMap(__i -> if(__i = 1 OR NOT ifNull(__vs[__i] = __vs[__i - 1], isNull(__vs[__i]) AND isNull(__vs[__i - 1])), 1, 0), arrayEnumerate(__vs))")
}
