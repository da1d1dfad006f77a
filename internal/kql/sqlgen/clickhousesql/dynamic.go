package clickhousesql

import (
	"strconv"
	"strings"

	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/schema"
)

// dynamicOp writes the operations on dynamic values.
func (d *Dialect) dynamicOp(c *kql.Call, a []string) (string, bool) {
	switch c.Op {
	case kql.OpToDynamic:
		if c.Args[0].Type() == schema.Dynamic {
			return a[0], true
		}
		// parse_json('') is null, as a missing string is; text that is not
		// JSON becomes a JSON string.
		return let("__s", nonNull(a[0]), "multiIf("+trimSpace("__s")+" = '', NULL, "+d.json.valid("__s")+", __s, "+d.json.quote("__s")+")"), true
	case kql.OpToDynamicValue:
		return d.toJSON(c.Args[0].Type(), a[0]), true
	case kql.OpMember:
		return dynamicOf(d.json.member(nonNull(a[0]), d.path(c.Path))), true
	case kql.OpIndex:
		step := jsonStep{index: a[1]}
		if c.Args[1].Type() == schema.String {
			step = jsonStep{key: "ifNull(" + a[1] + ", '')"}
			if s, ok := constText(c.Args[1]); ok {
				step.quoted = quotedKey(s)
			}
		}
		return dynamicOf(d.json.member(nonNull(a[0]), []jsonStep{step})), true
	case kql.OpBagPack:
		if len(a) == 0 {
			return "'{}'", true
		}
		parts := []string{"'{'"}
		for i := 0; i+1 < len(a); i += 2 {
			if i > 0 {
				parts = append(parts, "','")
			}
			parts = append(parts, d.json.quote("ifNull("+a[i]+", '')"), "':'", "ifNull("+a[i+1]+", 'null')")
		}
		return "concat(" + strings.Join(append(parts, "'}'"), ", ") + ")", true
	case kql.OpPackArray:
		if len(a) == 0 {
			return "'[]'", true
		}
		parts := make([]string, len(a))
		for i, x := range a {
			parts[i] = "ifNull(" + x + ", 'null')"
		}
		return arrayText("[" + strings.Join(parts, ", ") + "]"), true
	case kql.OpBagMerge:
		// The first bag's properties win.
		lists := make([]string, len(a))
		for i, x := range a {
			lists[i] = d.json.entries(nonNull(x))
		}
		all := lists[0]
		if len(lists) > 1 {
			all = "arrayConcat(" + strings.Join(lists, ", ") + ")"
		}
		return d.objectText(firstPerKey(all)), true
	case kql.OpArrayLength:
		return "if(" + isKind(a[0], "array") + ", toInt64(length(" + d.elementsOf(a[0]) + ")), NULL)", true
	case kql.OpArraySortAsc, kql.OpArraySortDesc:
		sort := "arraySort(__e -> " + d.sortKey("__e") + ", " + d.elementsOf(a[0]) + ")"
		if c.Op == kql.OpArraySortDesc {
			sort = "arrayReverseSort(__e -> " + d.descKey("__e") + ", " + d.elementsOf(a[0]) + ")"
		}
		return "if(" + isKind(a[0], "array") + ", " + arrayText(sort) + ", NULL)", true
	case kql.OpArraySortColumn, kql.OpArraySortColumnDesc:
		return d.sortedColumn(c, a), true
	case kql.OpArrayConcat:
		lists := make([]string, len(a))
		for i, x := range a {
			lists[i] = d.elementsOf(x)
		}
		all := lists[0]
		if len(lists) > 1 {
			all = "arrayConcat(" + strings.Join(lists, ", ") + ")"
		}
		return arrayText(all), true
	case kql.OpSetHasElement:
		return "has(" + d.elementsOf(a[0]) + ", ifNull(" + a[1] + ", 'null'))", true
	case kql.OpArrayIndexOf:
		return "if(" + isKind(a[0], "array") + ", toInt64(indexOf(" + d.elementsOf(a[0]) + ", ifNull(" + a[1] + ", 'null'))) - 1, NULL)", true
	case kql.OpBagKeys:
		return "if(" + isKind(a[0], "object") + ", " + arrayText("arrayMap(__p -> "+d.json.quote("tupleElement(__p, 1)")+", "+d.json.entries(nonNull(a[0]))+")") + ", NULL)", true
	case kql.OpArraySlice:
		// Kusto's bounds are inclusive and a negative one counts from the
		// end (array_length + i); a bound out of range selects nothing.
		body := let("__n", "toInt64(length(__el))",
			let("__from", "greatest(if("+a[1]+" < 0, __n + "+a[1]+", toInt64("+a[1]+")), 0) + 1",
				let("__to", "if("+a[2]+" < 0, __n + "+a[2]+", toInt64("+a[2]+")) + 1",
					arrayText("arraySlice(__el, __from, greatest(__to - __from + 1, 0))"))))
		return "if(" + isKind(a[0], "array") + ", " + let("__el", d.elementsOf(a[0]), body) + ", NULL)", true
	case kql.OpGetType:
		// A whole number that fits 32 bits is an int in Kusto's dynamic
		// values (gettype(parse_json('1')) is "int"), a larger one a long.
		return let("__gx", nonNull(a[0]), let("__gk", jsonKind("__gx"),
			"multiIf(__gk = 'string', 'string', __gk = 'number', "+
				"if(match(__gx, '[.eE]'), 'real', if(abs(toFloat64OrZero(__gx)) <= 2147483647, 'int', 'long')), "+
				"__gk = 'bool', 'bool', __gk = 'array', 'array', __gk = 'object', 'dictionary', 'null')")), true
	case kql.OpInArray:
		return "has(arrayMap(__e -> ifNull(" + d.text("__e") + ", ''), " + d.elementsOf(a[1]) + "), " + a[0] + ")", true
	case kql.OpStrcatArray:
		// Null elements are left out, as DuckDB's array_to_string does.
		return "arrayStringConcat(arrayMap(__e -> ifNull(" + d.text("__e") + ", ''), arrayFilter(__e -> __e != 'null', " + d.elementsOf(a[0]) + ")), " + a[1] + ")", true
	}
	return "", false
}

// sortKey orders JSON values: numbers by value, then everything else by
// its text, then nulls, which Kusto puts last both ways.
func (d *Dialect) sortKey(e string) string {
	return "tuple(" + e + " = 'null', toFloat64OrNull(" + e + ") IS NULL, toFloat64OrZero(" + e + "), " + e + ")"
}

// descKey orders JSON values for a reverse sort that leaves nulls last:
// numbers by value, then everything else by its text, descending.
func (d *Dialect) descKey(e string) string {
	return "tuple(" + e + " != 'null', toFloat64OrNull(" + e + ") IS NOT NULL, toFloat64OrZero(" + e + "), " + e + ")"
}

// sortedColumn is array i of array_sort_asc(a1, a2, …): the arrays
// reordered as a1 sorts.
func (d *Dialect) sortedColumn(c *kql.Call, a []string) string {
	i := int(constInt(c.Args[0]))
	key, sort := d.sortKey("__f[__k]"), "arraySort"
	if c.Op == kql.OpArraySortColumnDesc {
		key, sort = d.descKey("__f[__k]"), "arrayReverseSort"
	}
	order := sort + "(__k -> " + key + ", arrayEnumerate(__f))"
	return let("__f", d.elementsOf(a[1]), let("__c", d.elementsOf(a[i+1]),
		arrayText("arrayMap(__k -> if(__k <= length(__c), __c[__k], 'null'), "+order+")")))
}

// toJSON wraps a value of type t as a dynamic value, the way Kusto writes
// it into dynamic: datetimes and timespans as their text, strings with
// null as "". Null stays null.
func (d *Dialect) toJSON(t kql.Type, x string) string {
	switch t {
	case schema.Dynamic:
		return x
	case schema.String, schema.GUID:
		return d.json.quote("ifNull(" + x + ", '')")
	case schema.DateTime:
		return "concat('\"', " + d.toString(t, x) + ", '\"')"
	case schema.Timespan:
		return "concat('\"', " + timespanText(x) + ", '\"')"
	case schema.Real:
		return let("__r", x, "if(isFinite(__r), toString(__r), concat('\"', toString(__r), '\"'))")
	case schema.Bool:
		return "if(isNull(" + x + "), NULL, if(" + x + ", 'true', 'false'))"
	case schema.Decimal:
		return d.toString(t, x)
	}
	return "toString(" + x + ")"
}

// ExpandElements lists what mv-expand turns into rows: an array's
// elements, a bag's properties each as a bag of one, a single null for
// null, any other value itself.
func (d *Dialect) ExpandElements(x string, limit int64) string {
	return d.keepCaptured(d.expandElements(x, limit))
}

func (d *Dialect) expandElements(x string, limit int64) string {
	nullList := "[CAST(NULL AS Nullable(String))]"
	list := let("__x", nonNull(x), let("__xk", jsonKind("__x"),
		"if(__xk IN ('', 'null'), "+nullList+", "+
			"if(__xk = 'array', arrayMap(__e -> toNullable(__e), "+d.json.elements("__x")+"), "+
			"if(__xk = 'object', arrayMap(__p -> toNullable(concat('{', "+d.json.quote("tupleElement(__p, 1)")+", ':', tupleElement(__p, 2), '}')), "+d.json.entries("__x")+"), "+
			"[toNullable(__x)])))"))
	if limit > 0 {
		list = "arraySlice(" + list + ", 1, " + strconv.FormatInt(limit, 10) + ")"
	}
	return list
}

// FromDynamic converts an expanded element to a type, null where it does
// not convert.
func (d *Dialect) FromDynamic(x string, t kql.Type) string {
	return d.keepCaptured(d.fromDynamic(x, t))
}

func (d *Dialect) fromDynamic(x string, t kql.Type) string {
	switch t {
	case schema.String, schema.GUID:
		return d.text(x)
	case schema.Long, schema.Timespan:
		return d.toInteger(schema.Dynamic, x, schema.Long)
	case schema.Int:
		return d.toInteger(schema.Dynamic, x, schema.Int)
	case schema.Real, schema.Decimal:
		return d.toReal(schema.Dynamic, x, t)
	case schema.Bool:
		return boolFromText(d.text(x))
	case schema.DateTime:
		return d.time.parse("ifNull(" + d.text(x) + ", '')")
	}
	return x
}
