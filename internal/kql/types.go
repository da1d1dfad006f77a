package kql

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/schema"
)

func isNumeric(t Type) bool {
	return t == schema.Int || t == schema.Long || t == schema.Real || t == schema.Decimal
}

func isInteger(t Type) bool { return t == schema.Int || t == schema.Long }

// numericRank orders the numeric types by width: an operation on two
// numbers is done in the wider one.
func numericRank(t Type) int {
	switch t {
	case schema.Int:
		return 1
	case schema.Long:
		return 2
	case schema.Decimal:
		return 3
	case schema.Real:
		return 4
	}
	return 0
}

// unifyTypes finds the type two values are compared or combined in: equal
// types, or the wider of two numbers.
func unifyTypes(a, b Type) (Type, bool) {
	if a == b {
		return a, true
	}
	if isNumeric(a) && isNumeric(b) {
		if numericRank(a) > numericRank(b) {
			return a, true
		}
		return b, true
	}
	if isStringLike(a) && isStringLike(b) {
		return schema.String, true
	}
	return 0, false
}

// unifyAll finds the common type of several values (iff's branches,
// coalesce's arguments); typed nulls take the others' type.
func (c *checker) unifyAll(pos Pos, args []Scalar) ([]Scalar, Type) {
	var t Type
	for _, a := range args {
		if isNullConst(a) {
			continue
		}
		if t == 0 {
			t = a.Type()
			continue
		}
		u, ok := unifyTypes(t, a.Type())
		if !ok {
			if t == schema.Dynamic || a.Type() == schema.Dynamic {
				u = schema.Dynamic
			} else {
				c.fail(pos, "the values are of different types (%s and %s); convert them to one type", t, a.Type())
			}
		}
		t = u
	}
	if t == 0 {
		t = args[0].Type()
	}
	out := make([]Scalar, len(args))
	for i, a := range args {
		switch {
		case isNullConst(a):
			out[i] = &Const{T: t}
		case t == schema.Dynamic:
			out[i] = c.toDynamic(a)
		default:
			out[i] = c.convert(pos, a, t)
		}
	}
	return out, t
}

// convert applies an implicit conversion: between numbers, from dynamic,
// and of constants where the text reads as the type.
func (c *checker) convert(pos Pos, x Scalar, t Type) Scalar {
	if x.Type() == t {
		return x
	}
	if k, ok := x.(*Const); ok {
		return c.convertConst(pos, k, t)
	}
	switch {
	case isNumeric(x.Type()) && isNumeric(t), x.Type() == schema.Dynamic, isStringLike(x.Type()) && isStringLike(t):
		return c.castTo(x, t)
	case t == schema.Dynamic:
		return c.toDynamic(x)
	case t == schema.String:
		return c.castTo(x, t)
	}
	c.fail(pos, "expected a %s here, found a %s", t, x.Type())
	return nil
}

// convertConst converts a constant at check time.
func (c *checker) convertConst(pos Pos, k *Const, t Type) Scalar {
	if k.T == t {
		return k
	}
	if k.V == nil {
		return &Const{T: t}
	}
	v := fold(&Call{Op: castOp(t), Args: []Scalar{k}, T: t})
	if r, ok := v.(*Const); ok {
		if r.V == nil && !(k.T == schema.String && k.V == "") {
			c.fail(pos, "cannot convert %s to a %s", describeConst(k), t)
		}
		return r
	}
	return v
}

func describeConst(k *Const) string {
	if s, ok := k.V.(string); ok {
		return strconv.Quote(s)
	}
	return constText(k)
}

// castOp is the conversion operation to a type.
func castOp(t Type) Op {
	switch t {
	case schema.String:
		return OpToString
	case schema.Long:
		return OpToLong
	case schema.Int:
		return OpToInt
	case schema.Real:
		return OpToReal
	case schema.Decimal:
		return OpToDecimal
	case schema.Bool:
		return OpToBool
	case schema.DateTime:
		return OpToDatetime
	case schema.Timespan:
		return OpToTimespan
	case schema.Dynamic:
		return OpToDynamicValue
	case schema.GUID:
		return OpToGUID
	}
	return OpInvalid
}

// castTo is an explicit conversion (tostring, toint, …): null where the
// value does not convert.
func (c *checker) castTo(x Scalar, t Type) Scalar {
	if x.Type() == t {
		return x
	}
	if t == schema.Dynamic {
		return c.toDynamic(x)
	}
	return fold(&Call{Op: castOp(t), Args: []Scalar{x}, T: t})
}

func (c *checker) toStringExpr(x Scalar) Scalar { return c.castTo(x, schema.String) }

// toDynamic wraps a scalar as a dynamic value (a JSON string, number, …).
func (c *checker) toDynamic(x Scalar) Scalar {
	if x.Type() == schema.Dynamic {
		return x
	}
	return fold(&Call{Op: OpToDynamicValue, Args: []Scalar{x}, T: schema.Dynamic})
}

// constString is a constant's value as text.
func constString(k *Const) string {
	if s, ok := k.V.(string); ok {
		return s
	}
	return constText(k)
}

// constText writes a constant as tostring() would.
func constText(k *Const) string {
	switch v := k.V.(type) {
	case nil:
		return ""
	case string:
		return v
	case int64:
		if k.T == schema.Timespan {
			return FormatTimespan(v)
		}
		return strconv.FormatInt(v, 10)
	case float64:
		return formatReal(v)
	case bool:
		if v {
			return "true"
		}
		return "false"
	case time.Time:
		return FormatDatetime(v)
	case DynamicValue:
		var s string
		if json.Unmarshal([]byte(v.JSON), &s) == nil {
			return s // a dynamic string is its text, unquoted
		}
		return v.JSON
	}
	return ""
}

// formatReal writes a real as Kusto does: whole numbers without a
// fraction, NaN and infinities by name.
func formatReal(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// dynamicElements lists the elements of a constant dynamic array as
// constants (a scalar is a list of one).
func dynamicElements(k *Const) []Scalar {
	dv, ok := k.V.(DynamicValue)
	if !ok {
		return []Scalar{k}
	}
	var arr []any
	if err := json.Unmarshal([]byte(dv.JSON), &arr); err != nil {
		var one any
		if json.Unmarshal([]byte(dv.JSON), &one) != nil || one == nil {
			return nil
		}
		arr = []any{one}
	}
	out := make([]Scalar, 0, len(arr))
	for _, v := range arr {
		out = append(out, jsonConst(v))
	}
	return out
}

// jsonConst types a value decoded from JSON.
func jsonConst(v any) *Const {
	switch x := v.(type) {
	case string:
		return &Const{V: x, T: schema.String}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return &Const{V: int64(x), T: schema.Long}
		}
		return &Const{V: x, T: schema.Real}
	case bool:
		return &Const{V: x, T: schema.Bool}
	case nil:
		return &Const{T: schema.Dynamic}
	}
	b, _ := json.Marshal(v)
	return &Const{V: DynamicValue{JSON: string(b)}, T: schema.Dynamic}
}

func itoa(n int) string { return strconv.Itoa(n) }

// ---- constant folding ----

// fold computes a call at check time when its arguments are constants and
// the operation is one the checker knows; otherwise it returns the call.
// Folding makes let-bound parameters such as declare query_parameters
// disappear from the SQL: isempty(”) or x becomes true.
func fold(x Scalar) Scalar {
	call, ok := x.(*Call)
	if !ok {
		return x
	}
	// Logical short cuts with one constant side.
	switch call.Op {
	case OpAnd, OpOr:
		for i, a := range call.Args {
			k, ok := a.(*Const)
			if !ok || k.V == nil {
				continue
			}
			b := k.V.(bool)
			other := call.Args[1-i]
			if call.Op == OpOr {
				if b {
					return &Const{V: true, T: schema.Bool}
				}
				return other
			}
			if !b {
				return &Const{V: false, T: schema.Bool}
			}
			return other
		}
	case OpIff:
		if k, ok := call.Args[0].(*Const); ok {
			if b, _ := k.V.(bool); b {
				return call.Args[1]
			}
			return call.Args[2]
		}
	}
	args := make([]*Const, len(call.Args))
	for i, a := range call.Args {
		k, ok := a.(*Const)
		if !ok {
			return x
		}
		args[i] = k
	}
	if v, ok := evalConst(call, args); ok {
		return v
	}
	return x
}

// evalConst computes the operations that have constant arguments.
func evalConst(call *Call, a []*Const) (*Const, bool) {
	t := call.T
	null := &Const{T: t}
	switch call.Op {
	case OpIsEmpty, OpIsNotEmpty:
		empty := a[0].V == nil || a[0].V == ""
		return &Const{V: empty == (call.Op == OpIsEmpty), T: schema.Bool}, true
	case OpIsNull, OpIsNotNull:
		isNull := a[0].V == nil
		return &Const{V: isNull == (call.Op == OpIsNull), T: schema.Bool}, true
	case OpNot:
		if a[0].V == nil {
			return null, true
		}
		return &Const{V: !a[0].V.(bool), T: schema.Bool}, true
	case OpStrcat:
		var b strings.Builder
		for _, k := range a {
			b.WriteString(constText(k))
		}
		return &Const{V: b.String(), T: schema.String}, true
	case OpToString:
		if a[0].V == nil {
			return &Const{V: "", T: schema.String}, true
		}
		return &Const{V: constText(a[0]), T: schema.String}, true
	case OpToDynamicValue:
		if a[0].V == nil {
			return &Const{V: DynamicValue{JSON: "null"}, T: schema.Dynamic}, true
		}
		return &Const{V: DynamicValue{JSON: constJSON(a[0])}, T: schema.Dynamic}, true
	}
	for _, k := range a {
		if k.V == nil {
			switch call.Op {
			case OpCoalesce, OpMaxOf, OpMinOf, OpIn, OpInCI, OpEq, OpNe, OpEqCI, OpNeCI:
				// These treat nulls their own way; leave them to the engine.
				return nil, false
			}
			return null, true
		}
	}
	switch call.Op {
	case OpNeg:
		switch v := a[0].V.(type) {
		case int64:
			return &Const{V: -v, T: t}, true
		case float64:
			return &Const{V: -v, T: t}, true
		}
	case OpAdd, OpSub, OpMul, OpDiv, OpIntDiv, OpMod:
		return arith(call.Op, a[0], a[1], t)
	case OpDatetimeAdd:
		d := a[0].V.(time.Time)
		return &Const{V: d.Add(time.Duration(a[1].V.(int64)) * 100), T: schema.DateTime}, true
	case OpDatetimeDiff:
		d := a[0].V.(time.Time).Sub(a[1].V.(time.Time))
		return &Const{V: int64(d / 100), T: schema.Timespan}, true
	case OpToLong, OpToInt:
		return toIntConst(a[0], t)
	case OpToReal, OpToDecimal:
		switch v := a[0].V.(type) {
		case int64:
			return &Const{V: float64(v), T: t}, true
		case float64:
			return &Const{V: v, T: t}, true
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return null, true
			}
			return &Const{V: f, T: t}, true
		case bool:
			return &Const{V: b2f(v), T: t}, true
		}
	case OpToDatetime:
		switch v := a[0].V.(type) {
		case string:
			d, ok := ParseDatetime(v)
			if !ok {
				return null, true
			}
			return &Const{V: d, T: t}, true
		case time.Time:
			return &Const{V: v, T: t}, true
		}
	case OpToTimespan:
		switch v := a[0].V.(type) {
		case string:
			ticks, ok := ParseTimespan(v)
			if !ok {
				return null, true
			}
			return &Const{V: ticks, T: t}, true
		case int64:
			return &Const{V: v, T: t}, true
		}
	case OpToBool:
		switch v := a[0].V.(type) {
		case bool:
			return &Const{V: v, T: t}, true
		case int64:
			return &Const{V: v != 0, T: t}, true
		case string:
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true", "1":
				return &Const{V: true, T: t}, true
			case "false", "0":
				return &Const{V: false, T: t}, true
			}
			return null, true
		}
	case OpToGUID:
		if s, ok := a[0].V.(string); ok {
			g, ok := parseGUID(s)
			if !ok {
				return null, true
			}
			return &Const{V: g, T: t}, true
		}
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
		r, ok := compareConst(a[0], a[1])
		if !ok {
			return nil, false
		}
		var b bool
		switch call.Op {
		case OpEq:
			b = r == 0
		case OpNe:
			b = r != 0
		case OpLt:
			b = r < 0
		case OpLe:
			b = r <= 0
		case OpGt:
			b = r > 0
		case OpGe:
			b = r >= 0
		}
		return &Const{V: b, T: schema.Bool}, true
	case OpMaxOf, OpMinOf:
		best := a[0]
		for _, k := range a[1:] {
			r, ok := compareConst(k, best)
			if !ok {
				return nil, false
			}
			if (call.Op == OpMaxOf && r > 0) || (call.Op == OpMinOf && r < 0) {
				best = k
			}
		}
		return &Const{V: best.V, T: t}, true
	case OpToLower:
		return &Const{V: strings.ToLower(a[0].V.(string)), T: t}, true
	case OpToUpper:
		return &Const{V: strings.ToUpper(a[0].V.(string)), T: t}, true
	case OpStrlen:
		return &Const{V: int64(len([]rune(a[0].V.(string)))), T: t}, true
	}
	return nil, false
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func toIntConst(k *Const, t Type) (*Const, bool) {
	var n int64
	switch v := k.V.(type) {
	case int64:
		n = v
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return &Const{T: t}, true
		}
		n = int64(v)
	case bool:
		if v {
			n = 1
		}
	case string:
		s := strings.TrimSpace(v)
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(s, 64)
			if ferr != nil {
				return &Const{T: t}, true
			}
			i = int64(f)
		}
		n = i
	case time.Time:
		n = v.UnixNano()/100 + 621355968000000000 // ticks since 0001-01-01
	default:
		return nil, false
	}
	if t == schema.Int && int64(int32(n)) != n {
		return &Const{T: t}, true
	}
	return &Const{V: n, T: t}, true
}

// arith folds arithmetic on two constants of the call's type.
func arith(op Op, a, b *Const, t Type) (*Const, bool) {
	if x, ok := a.V.(int64); ok {
		y, ok := b.V.(int64)
		if !ok {
			return nil, false
		}
		switch op {
		case OpAdd:
			return &Const{V: x + y, T: t}, true
		case OpSub:
			return &Const{V: x - y, T: t}, true
		case OpMul:
			return &Const{V: x * y, T: t}, true
		case OpIntDiv, OpDiv:
			if y == 0 {
				return &Const{T: t}, true
			}
			return &Const{V: x / y, T: t}, true
		case OpMod:
			if y == 0 {
				return &Const{T: t}, true
			}
			return &Const{V: x % y, T: t}, true
		}
	}
	x, ok1 := a.V.(float64)
	y, ok2 := b.V.(float64)
	if !ok1 || !ok2 {
		return nil, false
	}
	switch op {
	case OpAdd:
		return &Const{V: x + y, T: t}, true
	case OpSub:
		return &Const{V: x - y, T: t}, true
	case OpMul:
		return &Const{V: x * y, T: t}, true
	case OpDiv:
		return &Const{V: x / y, T: t}, true
	case OpMod:
		return &Const{V: math.Mod(x, y), T: t}, true
	}
	return nil, false
}

// compareConst orders two constants of one type: -1, 0 or 1.
func compareConst(a, b *Const) (int, bool) {
	switch x := a.V.(type) {
	case int64:
		y, ok := b.V.(int64)
		if !ok {
			return 0, false
		}
		return cmp3(x < y, x > y), true
	case float64:
		y, ok := b.V.(float64)
		if !ok {
			return 0, false
		}
		return cmp3(x < y, x > y), true
	case string:
		y, ok := b.V.(string)
		if !ok {
			return 0, false
		}
		return strings.Compare(x, y), true
	case time.Time:
		y, ok := b.V.(time.Time)
		if !ok {
			return 0, false
		}
		return x.Compare(y), true
	case bool:
		y, ok := b.V.(bool)
		if !ok {
			return 0, false
		}
		return cmp3(!x && y, x && !y), true
	}
	return 0, false
}

func cmp3(less, more bool) int {
	switch {
	case less:
		return -1
	case more:
		return 1
	}
	return 0
}

// constJSON writes a constant as a JSON value.
func constJSON(k *Const) string {
	switch v := k.V.(type) {
	case nil:
		return "null"
	case DynamicValue:
		return v.JSON
	case string:
		return jsonString(v)
	case int64:
		if k.T == schema.Timespan {
			return jsonString(FormatTimespan(v))
		}
		return strconv.FormatInt(v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return jsonString(formatReal(v))
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case time.Time:
		return jsonString(FormatDatetime(v))
	}
	return "null"
}
