package clickhousesql

import (
	"strconv"
	"strings"

	"github.com/callscope/callscope/internal/kql"
)

// Calendar arithmetic over microseconds since 1970 (Int64, either sign),
// in whole numbers only: the date functions of old releases take DateTime,
// which holds neither fractions of a second nor times before 1970, and
// newer releases' DateTime64 functions differ from one release to the
// next. Days convert to and from (year, month, day) with Howard Hinnant's
// civil_from_days and days_from_civil, which hold for any date of the
// proleptic Gregorian calendar.

// The constants are Int64: a bare 86400000000 is a UInt64, and Int64
// minus UInt64 wraps around instead of going negative.
const (
	usPerDay    = "toInt64(86400000000)"
	usPerHour   = "toInt64(3600000000)"
	usPerMinute = "toInt64(60000000)"
	usPerSecond = "toInt64(1000000)"

	// ticksToEpoch is the number of ticks (100 ns) from 0001-01-01 to
	// 1970-01-01; microsToEpoch the same span in microseconds.
	ticksToEpoch  = "toInt64(621355968000000000)"
	microsToEpoch = "toInt64(62135596800000000)"
)

// floorDiv divides rounding down, for a positive divisor b (intDiv rounds
// toward zero). a is written twice: pass a name.
func floorDiv(a, b string) string {
	return "intDiv(" + a + " - if(" + a + " < 0, toInt64(" + b + ") - 1, 0), " + b + ")"
}

// floorMod is the remainder of floorDiv, from 0 below b.
func floorMod(a, b string) string { return "(((" + a + ") % " + b + " + " + b + ") % " + b + ")" }

// civil is the tuple (year, month, day), each Int64, of a day number (days
// since 1970-01-01).
func civil(days string) string {
	return let("__z", "toInt64("+days+") + 719468",
		let("__era", "intDiv(__z - if(__z < 0, toInt64(146096), 0), 146097)",
			let("__doe", "__z - __era * 146097",
				let("__yoe", "intDiv(__doe - intDiv(__doe, 1460) + intDiv(__doe, 36524) - intDiv(__doe, 146096), 365)",
					let("__doy", "__doe - (365 * __yoe + intDiv(__yoe, 4) - intDiv(__yoe, 100))",
						let("__mp", "intDiv(5 * __doy + 2, 153)",
							"tuple(toInt64(__yoe + __era * 400 + if(__mp >= 10, 1, 0)), toInt64(if(__mp < 10, __mp + 3, __mp - 9)), toInt64(__doy - intDiv(153 * __mp + 2, 5) + 1))"))))))
}

// daysFromCivil is the day number of a year, month (1–12) and day (which
// may run past the month's end). m is written twice: pass a name or a
// constant.
func daysFromCivil(y, m, d string) string {
	return let("__cy", "toInt64("+y+") - if("+m+" <= 2, 1, 0)",
		let("__era", "intDiv(__cy - if(__cy < 0, toInt64(399), 0), 400)",
			let("__yoe", "__cy - __era * 400",
				"toInt64(__era * 146097 + __yoe * 365 + intDiv(__yoe, 4) - intDiv(__yoe, 100) + intDiv(153 * (("+m+") + if(("+m+") > 2, -3, 9)) + 2, 5) + ("+d+") - 1 - 719468)")))
}

// withDate binds, for body, __us to microseconds, __days to their day and
// __dt to that day's (year, month, day).
func withDate(us, body string) string {
	return let("__us", "toInt64("+us+")", let("__days", floorDiv("__us", usPerDay), let("__dt", civil("__days"), body)))
}

const (
	year  = "tupleElement(__dt, 1)"
	month = "tupleElement(__dt, 2)"
	day   = "tupleElement(__dt, 3)"
)

// weekday is the day of the week of a day number, Sunday 0.
func weekday(days string) string { return floorMod(days+" + 4", "7") }

// micro is the datetime x in microseconds; back writes microseconds as a
// datetime.
func (d *Dialect) micro(x string) string { return d.time.toMicros(x) }
func (d *Dialect) back(us string) string { return d.time.fromMicros(us) }

// startOf is the first microsecond of the day, week (from Sunday), month
// or year of us.
func startOf(part, us string) string {
	switch part {
	case "day":
		return let("__us", "toInt64("+us+")", floorDiv("__us", usPerDay)+" * "+usPerDay)
	case "week":
		return let("__us", "toInt64("+us+")", let("__days", floorDiv("__us", usPerDay), "(__days - "+weekday("__days")+") * "+usPerDay))
	case "month":
		return withDate(us, daysFromCivil(year, month, "1")+" * "+usPerDay)
	case "year":
		return withDate(us, daysFromCivil(year, "1", "1")+" * "+usPerDay)
	}
	return us
}

// endOf is the last microsecond of the period of us.
func endOf(part, us string) string {
	switch part {
	case "day":
		return "(" + startOf("day", us) + " + " + usPerDay + " - 1)"
	case "week":
		return "(" + startOf("week", us) + " + 7 * " + usPerDay + " - 1)"
	case "month":
		next := "if(" + month + " = 12, 1, " + month + " + 1)"
		return withDate(us, let("__nm", next, daysFromCivil(year+" + if(__nm = 1, 1, 0)", "__nm", "1")+" * "+usPerDay+" - 1"))
	case "year":
		return withDate(us, daysFromCivil(year+" + 1", "1", "1")+" * "+usPerDay+" - 1")
	}
	return us
}

// isoWeek is the ISO 8601 week of the day number days: the week (from
// Monday) that holds its Thursday, counted in that Thursday's year.
func isoWeek(days string) string {
	return let("__d", "toInt64("+days+")",
		let("__th", "__d - "+floorMod("__d + 3", "7")+" + 3",
			let("__ty", "tupleElement("+civil("__th")+", 1)",
				"intDiv(__th - "+daysFromCivil("__ty", "1", "1")+", 7) + 1")))
}

// datePart is a part of the datetime us, as a whole number.
func datePart(part, us string) string {
	switch part {
	case "year":
		return withDate(us, year)
	case "quarter":
		return withDate(us, "intDiv("+month+" - 1, 3) + 1")
	case "month":
		return withDate(us, month)
	case "week", "week_of_year":
		return withDate(us, isoWeek("__days"))
	case "day":
		return withDate(us, day)
	case "dayofyear":
		return withDate(us, "__days - "+daysFromCivil(year, "1", "1")+" + 1")
	case "hour":
		return let("__us", us, "intDiv("+floorMod("__us", usPerDay)+", "+usPerHour+")")
	case "minute":
		return let("__us", us, "intDiv("+floorMod("__us", usPerHour)+", "+usPerMinute+")")
	case "second":
		return let("__us", us, "intDiv("+floorMod("__us", usPerMinute)+", "+usPerSecond+")")
	case "millisecond":
		return let("__us", us, "intDiv("+floorMod("__us", usPerSecond)+", 1000)")
	case "microsecond":
		return let("__us", us, floorMod("__us", usPerSecond))
	case "nanosecond":
		return let("__us", us, floorMod("__us", usPerSecond)+" * 1000")
	}
	return "NULL"
}

// dateDiff counts the boundaries of part between b and a (a − b), as
// Kusto's datetime_diff does: datetime_diff('year', 2017-01-01,
// 2016-12-31) is 1.
func dateDiff(part, a, b string) string {
	// count numbers the periods of part from some origin.
	count := func(us string) string {
		switch part {
		case "year":
			return withDate(us, year)
		case "quarter":
			return withDate(us, year+" * 4 + intDiv("+month+" - 1, 3)")
		case "month":
			return withDate(us, year+" * 12 + "+month+" - 1")
		case "week", "week_of_year":
			// Weeks start on Sunday.
			return let("__us", "toInt64("+us+")", let("__days", floorDiv("__us", usPerDay), "intDiv(__days - "+weekday("__days")+" + 7000000, 7)"))
		case "day", "dayofyear":
			return let("__us", "toInt64("+us+")", floorDiv("__us", usPerDay))
		case "hour":
			return let("__us", "toInt64("+us+")", floorDiv("__us", usPerHour))
		case "minute":
			return let("__us", "toInt64("+us+")", floorDiv("__us", usPerMinute))
		case "second":
			return let("__us", "toInt64("+us+")", floorDiv("__us", usPerSecond))
		case "millisecond":
			return let("__us", "toInt64("+us+")", floorDiv("__us", "1000"))
		case "nanosecond":
			return "(" + us + ") * 1000"
		}
		return us // microsecond
	}
	return "toInt64(" + count(a) + " - " + count(b) + ")"
}

// dateAdd adds n units of part to the datetime us. Months and years keep
// the day of the month, or the month's last day where it is shorter
// (January 31 plus a month is February 29 in 2024).
func dateAdd(part, n, us string) string {
	addMonths := func(months string) string {
		return withDate(us,
			let("__t", year+" * 12 + "+month+" - 1 + ("+months+")",
				let("__ny", floorDiv("__t", "12"),
					let("__nm", "__t - __ny * 12 + 1",
						let("__dim", daysFromCivil("__ny + if(__nm = 12, 1, 0)", "if(__nm = 12, 1, __nm + 1)", "1")+" - "+daysFromCivil("__ny", "__nm", "1"),
							daysFromCivil("__ny", "__nm", "least("+day+", __dim)")+" * "+usPerDay+" + (__us - __days * "+usPerDay+")")))))
	}
	switch part {
	case "year":
		return addMonths("toInt64(" + n + ") * 12")
	case "quarter":
		return addMonths("toInt64(" + n + ") * 3")
	case "month":
		return addMonths("toInt64(" + n + ")")
	}
	per := map[string]string{
		"week": "7 * " + usPerDay, "week_of_year": "7 * " + usPerDay, "day": usPerDay, "dayofyear": usPerDay,
		"hour": usPerHour, "minute": usPerMinute, "second": usPerSecond, "millisecond": "1000", "microsecond": "1",
	}[part]
	if part == "nanosecond" {
		return "(" + us + " + intDiv(toInt64(" + n + "), 1000))"
	}
	if per == "" {
		return us
	}
	return "(" + us + " + toInt64(" + roundAway("("+n+") * "+per) + "))"
}

// binMicros rounds us down to a multiple of size microseconds counted
// from 0001-01-01, as Kusto's bins are (for whole days and their
// divisors, the same as counting from 1970). Times since then are
// positive, so intDiv rounds down.
func binMicros(us, size string) string {
	return "(intDiv(" + us + " + " + microsToEpoch + ", " + size + ") * " + size + " - " + microsToEpoch + ")"
}

// formatDatetime writes the parts of a .NET-style format (the elements
// format_datetime accepts) as a concatenation.
func (d *Dialect) formatDatetime(format, us string) string {
	hour := "intDiv(" + floorMod("__us", usPerDay) + ", " + usPerHour + ")"
	hour12 := "if(" + hour + " % 12 = 0, 12, " + hour + " % 12)"
	minute := "intDiv(" + floorMod("__us", usPerHour) + ", " + usPerMinute + ")"
	second := "intDiv(" + floorMod("__us", usPerMinute) + ", " + usPerSecond + ")"
	fraction := pad(floorMod("__us", usPerSecond)+" * 10", 7) // seven digits: ticks
	elements := []struct{ from, to string }{
		{"yyyy", pad(year, 4)}, {"yy", pad(year+" % 100", 2)},
		{"MM", pad(month, 2)}, {"M", "toString(" + month + ")"},
		{"dd", pad(day, 2)}, {"d", "toString(" + day + ")"},
		{"HH", pad(hour, 2)}, {"H", "toString(" + hour + ")"},
		{"hh", pad(hour12, 2)}, {"h", "toString(" + hour12 + ")"},
		{"mm", pad(minute, 2)}, {"m", "toString(" + minute + ")"},
		{"ss", pad(second, 2)}, {"s", "toString(" + second + ")"},
		{"tt", "if(" + hour + " < 12, 'AM', 'PM')"},
	}
	// The longest run of f (or F) first: fff is three digits, not f thrice.
	var fractions []struct{ from, to string }
	for n := 7; n >= 1; n-- {
		e := "substring(" + fraction + ", 1, " + strconv.Itoa(n) + ")"
		fractions = append(fractions, struct{ from, to string }{strings.Repeat("f", n), e}, struct{ from, to string }{strings.Repeat("F", n), e})
	}
	elements = append(fractions, elements...)
	var parts []string
	var literal strings.Builder
	flush := func() {
		if literal.Len() > 0 {
			parts = append(parts, d.String(literal.String()))
			literal.Reset()
		}
	}
	for rest := format; rest != ""; {
		matched := false
		for _, e := range elements {
			if strings.HasPrefix(rest, e.from) {
				flush()
				parts = append(parts, e.to)
				rest = rest[len(e.from):]
				matched = true
				break
			}
		}
		if !matched {
			literal.WriteByte(rest[0])
			rest = rest[1:]
		}
	}
	flush()
	if len(parts) == 0 {
		return "''"
	}
	if len(parts) == 1 {
		parts = append(parts, "''") // concat takes two or more
	}
	return withDate(us, "concat("+strings.Join(parts, ", ")+")")
}

// datetimeOp writes the datetime operations of Call.
func (d *Dialect) datetimeOp(c *kql.Call, a []string) (string, bool) {
	switch c.Op {
	case kql.OpDatetimeAdd:
		return d.back(d.micro(a[0]) + " + " + floorDivTicks(a[1])), true
	case kql.OpDatetimeDiff:
		return "((" + d.micro(a[0]) + " - " + d.micro(a[1]) + ") * 10)", true
	case kql.OpBinDatetime:
		return d.back(binMicros(d.micro(a[0]), "intDiv("+a[1]+", 10)")), true
	case kql.OpStartOf:
		return d.back(startOf(c.Part, d.micro(a[0]))), true
	case kql.OpEndOf:
		return d.back(endOf(c.Part, d.micro(a[0]))), true
	case kql.OpDatetimePart:
		return "CAST(" + datePart(c.Part, d.micro(a[0])) + " AS Nullable(" + d.Type(c.T) + "))", true
	case kql.OpDatetimeDiffU:
		return dateDiff(c.Part, d.micro(a[0]), d.micro(a[1])), true
	case kql.OpDatetimeAddU:
		return d.back(dateAdd(c.Part, a[0], d.micro(a[1]))), true
	case kql.OpFormatDT:
		return d.formatDatetime(c.Part, d.micro(a[0])), true
	case kql.OpDayOfWeek:
		return let("__us", "toInt64("+d.micro(a[0])+")", "(toInt64("+weekday(floorDiv("__us", usPerDay))+") * 864000000000)"), true
	case kql.OpUnixSecondsToDT:
		return d.back("toInt64(" + roundAway("("+a[0]+") * 1000000") + ")"), true
	case kql.OpUnixMillisToDT:
		return d.back("toInt64(" + roundAway("("+a[0]+") * 1000") + ")"), true
	}
	return "", false
}

// floorDivTicks turns ticks into microseconds, rounding down.
func floorDivTicks(ticks string) string {
	return let("__tk", "toInt64("+ticks+")", floorDiv("__tk", "10"))
}
