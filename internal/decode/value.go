package decode

import (
	"bytes"
	"fmt"
	"math"
	"unsafe"

	"github.com/valyala/fastjson"
	"github.com/valyala/fastjson/fastfloat"

	"github.com/callscope/callscope/internal/schema"
)

// convert turns one JSON value into the Go value of a column type (see the
// list above Decode). Real exporters send numbers as strings ("82",
// "3.146336E-05"), the string "null" for a missing value, and numbers where
// the column is a string (SubCode: 0); all of that is accepted. What cannot
// be converted without inventing data is an error.
func (d *Decoder) convert(v *fastjson.Value, typ schema.Type, last *lastString) (any, error) {
	if v.Type() == fastjson.TypeNull {
		return nil, nil
	}
	switch typ {
	case schema.String:
		return d.toString(v, last), nil
	case schema.DateTime:
		return toTime(v)
	case schema.Long:
		return toInt(v, math.MinInt64, math.MaxInt64)
	case schema.Int:
		return toInt(v, math.MinInt32, math.MaxInt32)
	case schema.Real:
		return toReal(v)
	case schema.Bool:
		return toBool(v)
	case schema.Dynamic:
		return d.toDynamic(v), nil
	}
	return nil, fmt.Errorf("column type %v cannot be decoded", typ)
}

func (d *Decoder) toString(v *fastjson.Value, last *lastString) any {
	switch v.Type() {
	case fastjson.TypeString:
		b := v.GetStringBytes()
		if isNullWord(b) {
			return nil
		}
		if last.s == string(b) && last.box != nil {
			return last.box
		}
		box := d.strings.get(b)
		*last = lastString{s: box.(string), box: box}
		return box
	case fastjson.TypeTrue:
		return "true"
	case fastjson.TypeFalse:
		return "false"
	case fastjson.TypeNumber:
		d.buf = v.MarshalTo(d.buf[:0])
		return d.strings.get(d.buf)
	default: // an object or array where a string is expected: keep its JSON text
		d.buf = v.MarshalTo(d.buf[:0])
		return string(d.buf)
	}
}

func toTime(v *fastjson.Value) (any, error) {
	if v.Type() != fastjson.TypeString {
		return nil, fmt.Errorf("expected an ISO-8601 time string, found a JSON %s", v.Type())
	}
	b := bytes.TrimSpace(v.GetStringBytes())
	if len(b) == 0 || isNullWord(b) {
		return nil, nil
	}
	t, err := ParseTime(b)
	if err != nil {
		return nil, err
	}
	return t, nil
}

func toInt(v *fastjson.Value, lo, hi int64) (any, error) {
	var n int64
	var err error
	var text []byte
	switch v.Type() {
	case fastjson.TypeNumber:
		n, err = v.Int64()
		if err != nil {
			text = v.MarshalTo(nil)
		}
	case fastjson.TypeString:
		text = bytes.TrimSpace(v.GetStringBytes())
		if len(text) == 0 || isNullWord(text) {
			return nil, nil
		}
		n, err = fastfloat.ParseInt64(unsafeString(text))
	default:
		return nil, fmt.Errorf("expected an integer, found a JSON %s", v.Type())
	}
	if err != nil {
		// Integers written as 82.0 or 1e3 are still integers.
		f, ferr := fastfloat.Parse(unsafeString(text))
		if ferr != nil || f != math.Trunc(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%q is not an integer", text)
		}
		if f < float64(lo) || f > float64(hi) {
			return nil, fmt.Errorf("%q is out of range for a %d-bit integer", text, bitsOf(lo))
		}
		n = int64(f)
	}
	if n < lo || n > hi {
		return nil, fmt.Errorf("%d is out of range for a %d-bit integer", n, bitsOf(lo))
	}
	return n, nil
}

func bitsOf(lo int64) int {
	if lo == math.MinInt32 {
		return 32
	}
	return 64
}

func toReal(v *fastjson.Value) (any, error) {
	switch v.Type() {
	case fastjson.TypeNumber:
		return v.Float64()
	case fastjson.TypeString:
		text := bytes.TrimSpace(v.GetStringBytes())
		if len(text) == 0 || isNullWord(text) {
			return nil, nil
		}
		f, err := fastfloat.Parse(unsafeString(text))
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", text)
		}
		return f, nil
	}
	return nil, fmt.Errorf("expected a number, found a JSON %s", v.Type())
}

func toBool(v *fastjson.Value) (any, error) {
	switch v.Type() {
	case fastjson.TypeTrue:
		return true, nil
	case fastjson.TypeFalse:
		return false, nil
	case fastjson.TypeNumber:
		switch string(v.MarshalTo(nil)) {
		case "0":
			return false, nil
		case "1":
			return true, nil
		}
	case fastjson.TypeString:
		b := bytes.TrimSpace(v.GetStringBytes())
		switch {
		case len(b) == 0 || isNullWord(b):
			return nil, nil
		case bytes.EqualFold(b, []byte("true")) || string(b) == "1":
			return true, nil
		case bytes.EqualFold(b, []byte("false")) || string(b) == "0":
			return false, nil
		}
	}
	return nil, fmt.Errorf("%s is not a boolean", v.MarshalTo(nil))
}

// toDynamic keeps any JSON value as JSON text. A string that itself holds a
// JSON object or array (OperationPayload arrives that way in published
// samples) is stored as that object, so that members can be queried.
func (d *Decoder) toDynamic(v *fastjson.Value) any {
	if v.Type() == fastjson.TypeString {
		b := bytes.TrimSpace(v.GetStringBytes())
		if isNullWord(b) {
			return nil
		}
		if len(b) > 0 && (b[0] == '{' || b[0] == '[') {
			if inner, err := fastjson.ParseBytes(b); err == nil {
				return string(inner.MarshalTo(nil))
			}
		}
	}
	d.buf = v.MarshalTo(d.buf[:0])
	return string(d.buf)
}

// isNullWord reports the string "null", which exporters write for a missing
// value.
func isNullWord(b []byte) bool {
	return len(b) == 4 && bytes.EqualFold(b, []byte("null"))
}

// unsafeString views b as a string for a parse that does not keep it.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// appendJSONString appends s as a JSON string literal.
func appendJSONString(b, s []byte) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// lastString is the last string value of a column, boxed.
type lastString struct {
	s   string
	box any
}

// interner returns one boxed string for equal byte sequences. Call logs
// repeat the same short values endlessly (call ids, metric names, stream
// types); handing out the same interface value saves both the string's
// allocation and the box's, and memory per batch.
type interner struct{ m map[string]any }

const (
	internMaxLen     = 64
	internMaxEntries = 1 << 16
)

func newInterner() interner { return interner{m: make(map[string]any, 1024)} }

func (in *interner) get(b []byte) any {
	if len(b) > internMaxLen {
		return string(b)
	}
	if v, ok := in.m[string(b)]; ok {
		return v
	}
	s := string(b)
	var v any = s
	if len(in.m) >= internMaxEntries {
		clear(in.m)
	}
	in.m[s] = v
	return v
}
