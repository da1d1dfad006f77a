package kql

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// Ticks per unit: Kusto measures timespans in ticks of 100 ns.
const (
	TicksPerMicrosecond = 10
	TicksPerMillisecond = 10_000
	TicksPerSecond      = 10_000_000
	TicksPerMinute      = 60 * TicksPerSecond
	TicksPerHour        = 60 * TicksPerMinute
	TicksPerDay         = 24 * TicksPerHour
)

// parseInt reads a decimal or 0x-hexadecimal integer. A leading zero does
// not make a number octal, as it would for strconv with base 0.
func parseInt(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	t := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	var v int64
	var err error
	if strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X") {
		var u uint64
		u, err = strconv.ParseUint(t[2:], 16, 64)
		v = int64(u)
	} else {
		v, err = strconv.ParseInt(t, 10, 64)
	}
	if neg {
		v = -v
	}
	return v, err
}

// parseTimespanLiteral reads a number with a unit, as the scanner found it
// ("10ms", "1.5h", "7days"), into ticks.
func parseTimespanLiteral(s string) (int64, bool) {
	i := 0
	for i < len(s) && (isDigit(s[i]) || s[i] == '.' || s[i] == '-' || s[i] == '+') {
		i++
	}
	unit, ok := timespanUnits[strings.ToLower(s[i:])]
	if !ok || i == 0 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, false
	}
	ticks := f * float64(unit)
	if math.Abs(ticks) > math.MaxInt64/2 {
		return 0, false
	}
	return int64(math.Round(ticks)), true
}

// ParseTimespan reads a timespan as KQL writes one in text: "1.5h",
// "10ms", "[-][d.]hh:mm[:ss[.fffffff]]", or a bare number of days.
func ParseTimespan(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if t, ok := parseTimespanLiteral(s); ok {
		return t, true
	}
	neg := false
	if s[0] == '-' {
		neg, s = true, s[1:]
	}
	if !strings.Contains(s, ":") {
		d, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(d) || math.IsInf(d, 0) || math.Abs(d) > 1e7 {
			return 0, false
		}
		t := int64(math.Round(d * TicksPerDay))
		if neg {
			t = -t
		}
		return t, true
	}
	var days int64
	if dot := strings.IndexByte(s, '.'); dot >= 0 && dot < strings.IndexByte(s, ':') {
		d, err := strconv.ParseInt(s[:dot], 10, 64)
		if err != nil || d > 10_000_000 {
			return 0, false
		}
		days, s = d, s[dot+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, err1 := strconv.ParseInt(parts[0], 10, 64)
	m, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	t := days*TicksPerDay + h*TicksPerHour + m*TicksPerMinute
	if len(parts) == 3 {
		secText, frac, _ := strings.Cut(parts[2], ".")
		sec, err := strconv.ParseInt(secText, 10, 64)
		if err != nil || sec < 0 || sec > 59 || len(frac) > 7 {
			return 0, false
		}
		t += sec * TicksPerSecond
		if frac != "" {
			f, err := strconv.ParseInt((frac + "0000000")[:7], 10, 64)
			if err != nil {
				return 0, false
			}
			t += f
		}
	}
	if neg {
		t = -t
	}
	return t, true
}

// FormatTimespan writes ticks as Log Analytics shows a timespan:
// [-][d.]hh:mm:ss[.fffffff].
func FormatTimespan(ticks int64) string {
	var b strings.Builder
	if ticks < 0 {
		b.WriteByte('-')
		ticks = -ticks
	}
	days := ticks / TicksPerDay
	ticks %= TicksPerDay
	if days > 0 {
		b.WriteString(strconv.FormatInt(days, 10))
		b.WriteByte('.')
	}
	h, m, s, f := ticks/TicksPerHour, ticks/TicksPerMinute%60, ticks/TicksPerSecond%60, ticks%TicksPerSecond
	b.WriteString(pad2(h) + ":" + pad2(m) + ":" + pad2(s))
	if f != 0 {
		b.WriteByte('.')
		b.WriteString(strconv.FormatInt(f+TicksPerSecond, 10)[1:])
	}
	return b.String()
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// datetimeLayouts are the forms a datetime may take in text, tried in order.
var datetimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.9999999",
	"2006-01-02 15:04:05.9999999Z07:00",
	"2006-01-02 15:04:05.9999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006-01",
	"2006",
	time.RFC1123,
	time.RFC1123Z,
	"01/02/2006 15:04:05",
	"01/02/2006",
	"2 Jan 2006 15:04:05",
	"2 Jan 2006",
}

// ParseDatetime reads a datetime as KQL accepts one in datetime(…) and
// todatetime(): ISO 8601 with or without a zone (UTC assumed) and a few
// common forms. The result is in UTC.
func ParseDatetime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range datetimeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// FormatDatetime writes a datetime as Log Analytics returns one:
// ISO 8601 in UTC with as many fraction digits as needed.
func FormatDatetime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.9999999Z")
}

// parseGUID checks and normalises a GUID: 32 hexadecimal digits, with or
// without dashes and braces.
func parseGUID(s string) (string, bool) {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "{"), "}")
	hex := strings.ReplaceAll(s, "-", "")
	if len(hex) != 32 {
		return "", false
	}
	for i := 0; i < len(hex); i++ {
		if !isHex(hex[i]) {
			return "", false
		}
	}
	h := strings.ToLower(hex)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], true
}

// jsonString quotes s as a JSON string.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// FormatValue writes a literal's value as text, as tostring() would.
func FormatValue(v any, kind LitKind) string {
	switch x := v.(type) {
	case time.Time:
		return FormatDatetime(x)
	case int64:
		if kind == LitTimespan {
			return FormatTimespan(x)
		}
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case string:
		return x
	case DynamicValue:
		return x.JSON
	}
	return ""
}

func nan() float64      { return math.NaN() }
func inf(s int) float64 { return math.Inf(s) }
