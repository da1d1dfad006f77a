package simulate

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// jw writes one JSON object at a time into a byte slice, members in the order
// they are written. The generator produces millions of records, so this is a
// plain append-only writer: no reflection, no maps, no per-value allocation.
//
// Keys are trusted: they are the package's own constants (column names), so
// they are written without escaping. Values are always escaped.
type jw struct {
	b     []byte
	first bool // the next member is the first of its object: no comma before it

	// Quirks of real exports that the writer can reproduce on request.
	numStr bool // write numbers as JSON strings ("82", "3.146336E-05")
	long7  bool // write property times with 7 fractional digits, as Log Analytics exports do
}

// key writes the separator and the member name.
func (w *jw) key(k string) {
	if w.first {
		w.first = false
	} else {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

// endObject closes the innermost object.
func (w *jw) endObject() {
	w.b = append(w.b, '}')
	w.first = false
}

func (w *jw) str(k, v string) {
	w.key(k)
	w.b = appendString(w.b, v)
}

// strOpt writes a string member only when the value is not empty: absent
// properties are left out of the record, as ACS does.
func (w *jw) strOpt(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *jw) null(k string) {
	w.key(k)
	w.b = append(w.b, "null"...)
}

func (w *jw) boolean(k string, v bool) {
	w.key(k)
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jw) int(k string, v int64) {
	w.key(k)
	if w.numStr {
		w.b = append(w.b, '"')
		w.b = strconv.AppendInt(w.b, v, 10)
		w.b = append(w.b, '"')
		return
	}
	w.b = strconv.AppendInt(w.b, v, 10)
}

// float writes a real number. Values are expected to be rounded by the
// caller to the precision that makes sense for them.
func (w *jw) float(k string, v float64) {
	w.key(k)
	if w.numStr {
		w.b = append(w.b, '"')
		w.b = appendFloatText(w.b, v)
		w.b = append(w.b, '"')
		return
	}
	w.b = appendFloat(w.b, v)
}

// time writes a property time stamp (UTC, milliseconds).
func (w *jw) time(k string, t time.Time) {
	w.key(k)
	w.b = append(w.b, '"')
	if w.long7 {
		w.b = appendTime(w.b, t, 7)
	} else {
		w.b = appendTime(w.b, t, 3)
	}
	w.b = append(w.b, '"')
}

// raw writes a member whose value is already JSON text.
func (w *jw) raw(k string, v []byte) {
	w.key(k)
	w.b = append(w.b, v...)
}

// appendFloat writes v as a JSON number in its shortest form.
func appendFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0 // never produce invalid JSON
	}
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'f', -1, 64)
}

// appendFloatText writes v the way the .NET exporters behind ACS print a
// single-precision number: tiny values in exponent form ("3.146336E-05").
func appendFloatText(b []byte, v float64) []byte {
	if v != 0 && math.Abs(v) < 1e-4 {
		return strconv.AppendFloat(b, float64(float32(v)), 'E', -1, 32)
	}
	return appendFloat(b, v)
}

// appendTime writes t in UTC as 2006-01-02T15:04:05.000Z with the given
// number of fractional digits (3 or 7). Written by hand: it is called for
// every record and time.AppendFormat is several times slower.
func appendTime(b []byte, t time.Time, digits int) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, min, sec := t.Clock()
	b = append4(b, year)
	b = append(b, '-')
	b = append2(b, int(month))
	b = append(b, '-')
	b = append2(b, day)
	b = append(b, 'T')
	b = append2(b, hour)
	b = append(b, ':')
	b = append2(b, min)
	b = append(b, ':')
	b = append2(b, sec)
	b = append(b, '.')
	ms := t.Nanosecond() / 1e6
	b = append(b, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	for i := 3; i < digits; i++ {
		b = append(b, '0')
	}
	return append(b, 'Z')
}

func append2(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }

func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

// appendString writes s as a JSON string literal. Unlike strconv.Quote it
// uses only escapes JSON allows, and it replaces invalid UTF-8 with U+FFFD,
// so the output is valid JSON for any input.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// round rounds x to n decimal places.
func round(x float64, n int) float64 {
	p := pow10[n]
	return math.Round(x*p) / p
}

var pow10 = [...]float64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7}
