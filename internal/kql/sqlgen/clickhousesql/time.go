package clickhousesql

import (
	"strconv"
	"strings"
	"time"
)

// timeRep is how datetimes are held in SQL. Every datetime operation is
// written once, over microseconds since 1970 in an Int64 (calendar.go),
// between toMicros and fromMicros: releases with DateTime64 convert at
// each operation and keep DateTime64 in columns, so that comparisons and
// grouping read the stored column as it is; older releases hold the
// microseconds themselves.
type timeRep interface {
	sqlType() string
	literal(t time.Time) string
	toMicros(x string) string
	fromMicros(us string) string
	// fromStored reads a stored time column (col) into this
	// representation.
	fromStored(col string) string
	// storedBound is a constant to compare a stored time column with, as
	// the lower (from) or upper (to) bound of a range.
	storedBound(t time.Time, lower bool) string
	// result is how a datetime is returned to the store.
	result(x string) string
	// parse reads text as a datetime, null where it is not one.
	parse(text string) string
}

// micros holds datetimes as microseconds since 1970 in an Int64, for
// releases before 20.5, whose stored times are whole seconds in DateTime
// (from 1970 to 2105).
type micros struct{}

func (micros) sqlType() string { return "Int64" }

func (micros) literal(t time.Time) string {
	return "toInt64(" + strconv.FormatInt(t.UnixMicro(), 10) + ")"
}

func (micros) toMicros(x string) string    { return x }
func (micros) fromMicros(us string) string { return "toInt64(" + us + ")" }

func (micros) fromStored(col string) string {
	return "(toInt64(toUnixTimestamp(" + col + ")) * 1000000)"
}

// storedBound rounds a bound to the whole seconds stored: up for the
// lower bound, down for the upper, so that the range keeps exactly the
// stored times within it.
func (micros) storedBound(t time.Time, lower bool) string {
	s := t.Unix()
	if lower && t.Nanosecond() > 0 {
		s++
	}
	if s < 0 {
		s = 0
	}
	return "toDateTime(" + strconv.FormatInt(s, 10) + ")"
}

// result writes the datetime as text the store reads:
// 2006-01-02 15:04:05.000000.
func (micros) result(x string) string {
	return "if(isNull(" + x + "), NULL, " + plainText("assumeNotNull("+x+")") + ")"
}

// parse goes through DateTime, which takes only times from 1970 on;
// the fraction of a second is read from the text.
func (micros) parse(text string) string {
	seconds := "toInt64(toUnixTimestamp(parseDateTimeBestEffortOrNull(" + text + ", 'UTC')))"
	fraction := "toInt64OrZero(substring(concat(extract(" + text + ", '[0-9]:[0-9][0-9][.,]([0-9]+)'), '000000'), 1, 6))"
	return "(" + seconds + " * 1000000 + " + fraction + ")"
}

// dateTime64 holds datetimes as DateTime64(6, 'UTC'), as the store keeps
// them from 20.5, the first release with toUnixTimestamp64Micro and
// fromUnixTimestamp64Micro.
type dateTime64 struct{}

func (dateTime64) sqlType() string { return "DateTime64(6, 'UTC')" }

func (dateTime64) literal(t time.Time) string {
	return "toDateTime64('" + t.UTC().Format("2006-01-02 15:04:05.000000") + "', 6, 'UTC')"
}

func (dateTime64) toMicros(x string) string { return "toUnixTimestamp64Micro(" + x + ")" }

func (dateTime64) fromMicros(us string) string {
	return "fromUnixTimestamp64Micro(toInt64(" + us + "), 'UTC')"
}

func (dateTime64) fromStored(col string) string { return col }

func (r dateTime64) storedBound(t time.Time, lower bool) string { return r.literal(t) }

func (dateTime64) result(x string) string { return x }

func (dateTime64) parse(text string) string {
	return "parseDateTime64BestEffortOrNull(" + text + ", 6, 'UTC')"
}

// ---- text of datetimes and timespans ----

// plainText writes microseconds as 2006-01-02 15:04:05.000000.
func plainText(us string) string {
	return let("__us", us, let("__dt", civil(floorDiv("__us", usPerDay)),
		"concat("+dateText("__dt")+", ' ', "+clockText("__us")+", '.', "+pad(floorMod("__us", usPerSecond), 6)+")"))
}

// isoText writes microseconds as Kusto writes a datetime:
// 2024-05-01T10:30:15.5Z, the fraction without trailing zeros.
func isoText(us string) string {
	return let("__us", us, let("__dt", civil(floorDiv("__us", usPerDay)),
		"concat(replaceRegexpOne(concat("+dateText("__dt")+", 'T', "+clockText("__us")+", '.', "+pad(floorMod("__us", usPerSecond), 6)+
			"), '\\\\.?0+$', ''), 'Z')"))
}

// dateText writes a (year, month, day) tuple as 2006-01-02.
func dateText(dt string) string {
	return "concat(" + pad("tupleElement("+dt+", 1)", 4) + ", '-', " + pad("tupleElement("+dt+", 2)", 2) + ", '-', " + pad("tupleElement("+dt+", 3)", 2) + ")"
}

// clockText writes the time of day of microseconds as 15:04:05.
func clockText(us string) string {
	secs := "intDiv(" + floorMod(us, usPerDay) + ", 1000000)"
	return "concat(" + pad("intDiv("+secs+", 3600)", 2) + ", ':', " + pad("intDiv("+secs+", 60) % 60", 2) + ", ':', " + pad(secs+" % 60", 2) + ")"
}

// pad writes a whole number from 0 below 10^width with leading zeros
// (leftPad came in 21.8).
func pad(n string, width int) string {
	return "substring(toString(" + "1" + strings.Repeat("0", width) + " + (" + n + ")), 2)"
}

// timespanText writes ticks as Kusto writes a timespan:
// [-][d.]hh:mm:ss[.fffffff].
func timespanText(x string) string {
	body := let("__a", "abs(assumeNotNull("+x+"))",
		"concat(if(assumeNotNull("+x+") < 0, '-', ''), "+
			"if(__a >= 864000000000, concat(toString(intDiv(__a, 864000000000)), '.'), ''), "+
			pad("intDiv(__a % 864000000000, 36000000000)", 2)+", ':', "+
			pad("intDiv(__a, 600000000) % 60", 2)+", ':', "+
			pad("intDiv(__a, 10000000) % 60", 2)+", "+
			"if(__a % 10000000 > 0, concat('.', "+pad("__a % 10000000", 7)+"), ''))")
	return "if(isNull(" + x + "), NULL, " + body + ")"
}

// timespanFromText parses text as totimespan does: a number with a unit
// (10s, 1.5h, 100ms), [-][d.]hh:mm[:ss[.f]], or a number of days.
func (d *Dialect) timespanFromText(x string) string {
	unit := `^(-?[0-9]+(?:\.[0-9]+)?)\s*(d|day|days|h|hr|hrs|hour|hours|m|min|minute|minutes|s|sec|second|seconds|ms|milli|millis|millisecond|milliseconds|microsecond|microseconds|tick|ticks)$`
	clock := `^(-?)(?:([0-9]+)\.)?([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2})(?:\.([0-9]{1,7}))?)?$`
	group := func(re string, n int) string {
		return "replaceRegexpOne(__t, " + d.String(re) + ", '\\\\" + strconv.Itoa(n) + "')"
	}
	perUnit := "multiIf(__u IN ('d', 'day', 'days'), 864000000000, __u IN ('h', 'hr', 'hrs', 'hour', 'hours'), 36000000000, " +
		"__u IN ('m', 'min', 'minute', 'minutes'), 600000000, __u IN ('s', 'sec', 'second', 'seconds'), 10000000, " +
		"__u IN ('ms', 'milli', 'millis', 'millisecond', 'milliseconds'), 10000, __u IN ('microsecond', 'microseconds'), 10, 1)"
	clockPart := func(n int) string { return "toInt64OrZero(" + group(clock, n) + ")" }
	fraction := "toInt64OrZero(substring(concat(" + group(clock, 6) + ", '0000000'), 1, 7))"
	clockTicks := "if(" + group(clock, 1) + " = '-', -1, 1) * (" + clockPart(2) + " * 864000000000 + " + clockPart(3) + " * 36000000000 + " +
		clockPart(4) + " * 600000000 + " + clockPart(5) + " * 10000000 + " + fraction + ")"
	body := "multiIf(match(__t, " + d.String(unit) + "), " +
		let("__u", "lower("+group(unit, 2)+")", "toInt64("+roundAway("toFloat64OrZero("+group(unit, 1)+") * "+perUnit)+")") +
		", match(__t, " + d.String(clock) + "), toInt64(" + clockTicks + ")" +
		", isNotNull(toFloat64OrNull(__t)), toInt64(" + roundAway("toFloat64OrZero(__t) * 864000000000") + "), NULL)"
	return let("__t", trimSpace("ifNull("+x+", '')"), body)
}

// trimSpace strips white space at both ends (trimBoth came in 20.1).
func trimSpace(x string) string { return "replaceRegexpAll(" + x + ", '^\\\\s+|\\\\s+$', '')" }
