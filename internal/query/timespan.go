package query

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/kql"
)

// ParseTimespan reads the timespan of a Log Analytics query: an ISO 8601
// duration ending now ("PT24H", "P7D"), or an interval "start/end",
// "start/duration" or "duration/end". It returns the bounds of
// TimeGenerated, both included.
func ParseTimespan(s string, now time.Time) (from, to time.Time, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, time.Time{}, fmt.Errorf("the timespan is empty")
	}
	first, second, interval := strings.Cut(s, "/")
	if !interval {
		d, err := parseDuration(first)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		return d.before(now.UTC()), now.UTC(), nil
	}
	switch {
	case isDuration(first) && isDuration(second):
		return time.Time{}, time.Time{}, fmt.Errorf("timespan %q has two durations; give a start or an end", s)
	case isDuration(first):
		d, err := parseDuration(first)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		end, err := parseInstant(second)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		return d.before(end), end, nil
	case isDuration(second):
		start, err := parseInstant(first)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		d, err := parseDuration(second)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		return start, d.after(start), nil
	}
	start, err := parseInstant(first)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	end, err := parseInstant(second)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	if end.Before(start) {
		return time.Time{}, time.Time{}, fmt.Errorf("timespan %q ends before it starts", s)
	}
	return start, end, nil
}

func isDuration(s string) bool { return strings.HasPrefix(strings.ToUpper(s), "P") }

func parseInstant(s string) (time.Time, error) {
	t, ok := kql.ParseDatetime(s)
	if !ok {
		return time.Time{}, fmt.Errorf("%q is not an ISO 8601 time such as 2024-05-01T00:00:00Z", s)
	}
	return t, nil
}

// duration is an ISO 8601 duration: calendar parts (years, months, days)
// and a clock part.
type duration struct {
	years, months, days int
	clock               time.Duration
}

func (d duration) before(t time.Time) time.Time {
	return t.AddDate(-d.years, -d.months, -d.days).Add(-d.clock)
}

func (d duration) after(t time.Time) time.Time {
	return t.AddDate(d.years, d.months, d.days).Add(d.clock)
}

// parseDuration reads PnYnMnWnDTnHnMnS (fractions allowed on the last part).
func parseDuration(s string) (duration, error) {
	bad := fmt.Errorf("%q is not an ISO 8601 duration such as PT24H, P7D or P1DT12H", s)
	u := strings.ToUpper(s)
	if !strings.HasPrefix(u, "P") || len(u) < 3 {
		return duration{}, bad
	}
	var d duration
	inTime := false
	num := ""
	for _, c := range u[1:] {
		switch {
		case c == 'T':
			if inTime || num != "" {
				return duration{}, bad
			}
			inTime = true
		case c >= '0' && c <= '9' || c == '.' || c == ',':
			if c == ',' {
				c = '.'
			}
			num += string(c)
		default:
			if num == "" {
				return duration{}, bad
			}
			f, err := strconv.ParseFloat(num, 64)
			if err != nil || f < 0 || f > 1e6 {
				return duration{}, bad
			}
			num = ""
			whole := f == math.Trunc(f)
			switch {
			case !inTime && c == 'Y' && whole:
				d.years += int(f)
			case !inTime && c == 'M' && whole:
				d.months += int(f)
			case !inTime && c == 'W':
				d.clock += time.Duration(f * 7 * 24 * float64(time.Hour))
			case !inTime && c == 'D':
				d.clock += time.Duration(f * 24 * float64(time.Hour))
			case inTime && c == 'H':
				d.clock += time.Duration(f * float64(time.Hour))
			case inTime && c == 'M':
				d.clock += time.Duration(f * float64(time.Minute))
			case inTime && c == 'S':
				d.clock += time.Duration(f * float64(time.Second))
			default:
				return duration{}, bad
			}
		}
	}
	if num != "" {
		return duration{}, bad
	}
	return d, nil
}
