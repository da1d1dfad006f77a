package quality

import (
	"math"
	"testing"
)

func TestNormalize(t *testing.T) {
	zeroToTen := Scale{Lower: 0, Upper: 10, Threshold: 5}
	zeroToHundred := Scale{Lower: 0, Upper: 100, Threshold: 60}
	cases := []struct {
		name  string
		score float64
		scale Scale
		want  float64
	}{
		{"default 5", 5, DefaultScale, 5},
		{"default 4", 4, DefaultScale, 4},
		{"default 1", 1, DefaultScale, 1},
		{"unset scale means 1-5", 3, Scale{}, 3},
		{"unset upper bound means 5", 3, Scale{Lower: 1, Threshold: 2}, 3},
		{"negative upper bound means 5", 3, Scale{Upper: -7}, 3},
		{"NaN upper bound means 5", 3, Scale{Upper: math.NaN()}, 3},
		{"0-10: 10 → 5", 10, zeroToTen, 5},
		{"0-10: 9 → 4.5", 9, zeroToTen, 4.5},
		{"0-10: 6 → 3", 6, zeroToTen, 3},
		{"0-10: 5 → 2.5", 5, zeroToTen, 2.5},
		{"0-10: 0 → 0, not 1 (upper bound only)", 0, zeroToTen, 0},
		{"0-100: 73 → 3.65", 73, zeroToHundred, 3.65},
		{"1-3: 3 → 5", 3, Scale{Lower: 1, Upper: 3, Threshold: 1}, 5},
		{"1-3: 2 → 3.333…", 2, Scale{Lower: 1, Upper: 3, Threshold: 1}, 10.0 / 3},
	}
	for _, c := range cases {
		if got := Normalize(c.score, c.scale); !near(got, c.want) {
			t.Errorf("%s: Normalize(%v, %+v) = %v, want %v", c.name, c.score, c.scale, got, c.want)
		}
	}
}

func TestRateAverage(t *testing.T) {
	cases := []struct {
		name string
		in   []float64
		want Rating
	}{
		{"none", nil, RatingUnknown},
		{"empty", []float64{}, RatingUnknown},
		{"only NaN", []float64{math.NaN()}, RatingUnknown},
		{"5", []float64{5}, RatingGood},
		{"exactly 4.5 is good", []float64{4.5}, RatingGood},
		{"just under 4.5 is average", []float64{4.49}, RatingAverage},
		{"4 and 5 average 4.5: good", []float64{4, 5}, RatingGood},
		{"exactly 3 is average", []float64{3}, RatingAverage},
		{"2 and 4 average 3: average", []float64{2, 4}, RatingAverage},
		{"just under 3 is poor", []float64{2.99}, RatingPoor},
		{"1 and 4 average 2.5: poor", []float64{1, 4}, RatingPoor},
		{"NaN is skipped", []float64{5, math.NaN(), 4}, RatingGood},
	}
	for _, c := range cases {
		if got := RateAverage(c.in); got != c.want {
			t.Errorf("%s: RateAverage(%v) = %s, want %s", c.name, c.in, got, c.want)
		}
	}

	// End to end on a custom scale: three answers on 0–10 (9, 10, 8)
	// normalise to 4.5, 5 and 4, averaging 4.5: Good.
	s := Scale{Lower: 0, Upper: 10, Threshold: 5}
	var norm []float64
	for _, score := range []float64{9, 10, 8} {
		norm = append(norm, Normalize(score, s))
	}
	if got := RateAverage(norm); got != RatingGood {
		t.Errorf("0–10 answers 9, 10, 8 rated %s, want Good", got)
	}
	// Mixed scales: a 2 on the default scale and a 60 on 0–100 give 2 and
	// 3, averaging 2.5: Poor.
	mixed := []float64{Normalize(2, DefaultScale), Normalize(60, Scale{Upper: 100, Threshold: 50})}
	if got := RateAverage(mixed); got != RatingPoor {
		t.Errorf("mixed scales rated %s (%v), want Poor", got, mixed)
	}
}

func TestBelowThreshold(t *testing.T) {
	zeroToTen := Scale{Lower: 0, Upper: 10, Threshold: 5}
	cases := []struct {
		score float64
		scale Scale
		want  bool
	}{
		{1, DefaultScale, true},
		{2, DefaultScale, true}, // at the cutoff counts as poor
		{3, DefaultScale, false},
		{5, DefaultScale, false},
		{2, Scale{}, true}, // unset scale: default cutoff 2
		{3, Scale{}, false},
		{0, zeroToTen, true},
		{5, zeroToTen, true},
		{6, zeroToTen, false},
		{10, zeroToTen, false},
		{0, Scale{Lower: 0, Upper: 100, Threshold: 0}, true}, // a cutoff of 0 is a real cutoff
		{1, Scale{Lower: 0, Upper: 100, Threshold: 0}, false},
		{math.NaN(), DefaultScale, false},
	}
	for _, c := range cases {
		if got := BelowThreshold(c.score, c.scale); got != c.want {
			t.Errorf("BelowThreshold(%v, %+v) = %v, want %v", c.score, c.scale, got, c.want)
		}
	}
	// The cutoff and the five-point rating are different questions: on
	// 0–10 with cutoff 5, a 6 passes the app's cutoff and normalises to 3,
	// Average.
	if BelowThreshold(6, zeroToTen) || RateAverage([]float64{Normalize(6, zeroToTen)}) != RatingAverage {
		t.Error("6 on 0–10 should pass the cutoff and rate Average")
	}
}
