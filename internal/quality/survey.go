package quality

import "math"

// Scale is the rating scale of one End of Call Survey answer, as stored in
// the ACSCallSurvey columns <Category>RatingScoreLowerBound, …UpperBound and
// …Threshold. The app chooses it per survey; each bound lies in 0–100.
type Scale struct {
	Lower, Upper, Threshold float64
}

// DefaultScale is the scale a survey uses when the app sets none: scores 1
// to 5, and an answer of 2 or less marks a call that was less than perfect.
var DefaultScale = Scale{Lower: 1, Upper: 5, Threshold: 2}

// orDefault stands in DefaultScale for a scale whose upper bound is unset
// (zero, negative or NaN): the bound columns are null when the app used the
// default scale, and a scale without an upper bound is no scale at all.
func (s Scale) orDefault() Scale {
	if !(s.Upper > 0) {
		return DefaultScale
	}
	return s
}

// Normalize puts a score on the five-point scale Call Diagnostics shows:
// score × 5 / upper bound, with an unset upper bound meaning 5.
//
// This is a rescaling by the upper bound only, the way Call Diagnostics
// computes its Rating column, and not a linear map of [Lower, Upper] onto
// [1, 5]: on a 0–10 scale an answer of 0 becomes 0 and an answer of 5
// becomes 2.5. Keeping the same arithmetic keeps callscope's ratings equal
// to the ones people already compare against.
func Normalize(score float64, s Scale) float64 {
	return score * 5 / s.orDefault().Upper
}

// Rating is a call's survey rating as Call Diagnostics labels it.
type Rating string

const (
	RatingGood    Rating = "Good"
	RatingAverage Rating = "Average"
	RatingPoor    Rating = "Poor"
	RatingUnknown Rating = "Unknown" // no survey answer
)

// Boundaries of the ratings, on the normalised five-point scale.
const (
	goodFrom    = 4.5
	averageFrom = 3.0
)

// RateAverage labels the mean of normalised scores (see Normalize): 4.5 or
// more is good, 3 or more average, anything lower poor. With no scores (NaN
// entries are skipped, as a null score would be) the rating is unknown.
func RateAverage(normalized []float64) Rating {
	sum, n := 0.0, 0
	for _, v := range normalized {
		if math.IsNaN(v) {
			continue
		}
		sum += v
		n++
	}
	if n == 0 {
		return RatingUnknown
	}
	avg := sum / float64(n)
	switch {
	case avg >= goodFrom:
		return RatingGood
	case avg >= averageFrom:
		return RatingAverage
	default:
		return RatingPoor
	}
}

// BelowThreshold reports whether an answer is a poor one by the app's own
// cutoff: a score at or below the scale's threshold. (The survey docs word
// this two ways; the concept page's example, where a cutoff of 2 makes 1
// and 2 the unhappy answers, settles it as "at or below".) A scale with no
// upper bound is taken to be DefaultScale. A NaN score is never poor.
func BelowThreshold(score float64, s Scale) bool {
	return score <= s.orDefault().Threshold
}
