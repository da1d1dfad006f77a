package callmetrics

import "time"

// groupKey is a row's identity while rows are being built: the day as a
// number (cheaper to hash than a time.Time) and the other key parts.
type groupKey struct {
	day      int64
	resource string
	metric   string
	dims     Dimensions
}

// group gathers what one row counts. Legs and calls are counted distinctly
// (the "Dcount" in the column names): a leg that retries Join twice with the
// same outcome is one leg of that row.
type group struct {
	fam     family
	legs    map[string]struct{}
	success map[string]struct{} // the legs that count as successes
	calls   map[string]struct{}
	latest  time.Time
}

type groups map[groupKey]*group

// add counts a leg (and its call, when it has one) in the row k, as a
// success or a failure, with at the time of what was counted.
func (g groups) add(fam family, k groupKey, legID, callID string, at time.Time, ok bool) {
	gr := g[k]
	if gr == nil {
		gr = &group{fam: fam, legs: map[string]struct{}{}, success: map[string]struct{}{}, calls: map[string]struct{}{}}
		g[k] = gr
	}
	gr.legs[legID] = struct{}{}
	if ok {
		gr.success[legID] = struct{}{}
	}
	if callID != "" {
		gr.calls[callID] = struct{}{}
	}
	if at.After(gr.latest) {
		gr.latest = at
	}
}

// rows turns the groups into rows, in no particular order.
func (g groups) rows(out []Row) []Row {
	for k, gr := range g {
		legs, ok := len(gr.legs), len(gr.success)
		out = append(out, Row{
			Bin:               binTime(k.day),
			ResourceID:        k.resource,
			MetricName:        k.metric,
			Dims:              k.dims,
			LegsDcount:        legs,
			SuccessLegsDcount: ok,
			FailedLegsDcount:  legs - ok,
			CallsDcount:       len(gr.calls),
			MetricValueAvg:    percent(ok, legs),
			Unit:              unit,
			Goal:              goals[gr.fam],
			LatestData:        gr.latest,
		})
	}
	return out
}

// percent is the metric's value: the share of legs that succeeded, 0 for
// no legs (a row always has legs, but a division by zero must not be the
// way to learn it).
func percent(ok, legs int) float64 {
	if legs == 0 {
		return 0
	}
	return float64(ok) * 100 / float64(legs)
}

const secondsPerDay = 24 * 60 * 60

// dayOf is the UTC day holding t, as days since the Unix epoch.
func dayOf(t time.Time) int64 {
	s := t.Unix()
	d := s / secondsPerDay
	if s%secondsPerDay < 0 {
		d-- // round towards the past for times before 1970
	}
	return d
}

// binTime is a day's TimestampBin: its first instant, in UTC.
func binTime(day int64) time.Time {
	return time.Unix(day*secondsPerDay, 0).UTC()
}
