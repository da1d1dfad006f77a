package quality

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Kind is what a media stream carries, as far as the stream rules care.
type Kind string

const (
	KindAudio       Kind = "audio"
	KindVideo       Kind = "video"
	KindScreenShare Kind = "screenshare"

	// KindAll is a wildcard used only in a rule's Kinds: the rule applies
	// to every stream. KindOf never returns it.
	KindAll Kind = "all"
)

// KindOf maps an ACSCallDiagnostics MediaType to a Kind, ignoring case and
// surrounding space. "VBSS" (video-based screen sharing), "AppSharing" and
// "ScreenSharing" are screen share; "Video" is video; "Audio" is audio.
//
// Anything else, including an empty MediaType, is treated as audio. Audio's
// rules are exactly the rules that hold for every stream (jitter, loss,
// round trip, jitter buffer, healing), so an unrecognised stream is judged
// only on what is true of any stream and never on video thresholds that may
// not fit it. Call Diagnostics behaves the same way: its video and screen
// share conditions test the MediaType, so other media types meet only the
// common ones.
func KindOf(mediaType string) Kind {
	key := foldKey(mediaType)
	for _, m := range VideoMediaTypes {
		if key == foldKey(m) {
			return KindVideo
		}
	}
	for _, m := range ScreenShareMediaTypes {
		if key == foldKey(m) {
			return KindScreenShare
		}
	}
	return KindAudio
}

// Rule is one stream rule from rules.json: the stream is poor on this rule
// when its Column compares to Threshold as Comparison says. The comparison
// is strict: a value equal to the threshold is fine, as in Call Diagnostics.
type Rule struct {
	ID         string  `json:"id"`
	Column     string  `json:"column"`     // ACSCallDiagnostics column
	Comparison string  `json:"comparison"` // ">" or "<"
	Threshold  float64 `json:"threshold"`  // in Unit
	Unit       string  `json:"unit"`       // ms, fraction, fps, px, ms/min or bps
	Kinds      []Kind  `json:"kinds"`      // audio, video, screenshare, or all
	// Insights marks the rules the Insights Quality tab uses; Call
	// Diagnostics uses them all.
	Insights    bool     `json:"insights"`
	Explanation string   `json:"explanation"` // what went wrong, in one sentence
	NextStep    string   `json:"nextStep"`    // what to look at first
	Sources     []string `json:"sources"`     // keys of reference/acs-tools.md §0
}

// AppliesTo reports whether the rule judges streams of kind k.
func (r Rule) AppliesTo(k Kind) bool {
	return slices.Contains(r.Kinds, KindAll) || slices.Contains(r.Kinds, k)
}

// Fires reports whether value v breaks the rule. NaN never fires.
func (r Rule) Fires(v float64) bool {
	switch r.Comparison {
	case ">":
		return v > r.Threshold
	case "<":
		return v < r.Threshold
	}
	return false
}

// Limit is the rule's condition in words and units, e.g. "JitterAvg > 30 ms".
func (r Rule) Limit() string {
	return fmt.Sprintf("%s %s %s", r.Column, r.Comparison, withUnit(r.Threshold, r.Unit))
}

func (r Rule) clone() Rule {
	r.Kinds = slices.Clone(r.Kinds)
	r.Sources = slices.Clone(r.Sources)
	return r
}

// withUnit writes a number in a unit the way a person would read it.
func withUnit(v float64, unit string) string {
	n := fmt.Sprintf("%g", v)
	switch unit {
	case "fraction":
		return fmt.Sprintf("%s (%g %%)", n, v*100)
	case "":
		return n
	}
	return n + " " + unit
}

// Finding is a rule that fired and the value that made it fire.
type Finding struct {
	Rule  Rule
	Value float64
}

// String says what was measured against what limit, then why it matters,
// e.g. "JitterAvg was 45 ms, above the limit of 30 ms: Packets reached …".
func (f Finding) String() string {
	side := "above"
	if f.Rule.Comparison == "<" {
		side = "below"
	}
	return fmt.Sprintf("%s was %s, %s the limit of %s: %s",
		f.Rule.Column, withUnit(f.Value, f.Rule.Unit), side,
		withUnit(f.Rule.Threshold, f.Rule.Unit), f.Rule.Explanation)
}

// Stream is one ACSCallDiagnostics row as the rules see it: its MediaType
// and the numeric columns that were present, by Log Analytics column name.
// A column that was null or missing must be left out of Values: a missing
// value never fires a rule (a zero would, for the "<" rules).
type Stream struct {
	MediaType string
	Values    map[string]float64
}

// Verdict is the outcome of judging one stream.
type Verdict struct {
	Kind Kind
	// Poor is true when at least one rule fired.
	Poor bool
	// Known is true when at least one rule could be evaluated, i.e. the
	// stream had a value for at least one rule's column. A verdict that is
	// not Known says nothing about the stream (Call Diagnostics shows
	// "Unknown" quality when a call has no diagnostics at all).
	Known bool
	// Fired lists the rules that fired, in rules.json order.
	Fired []Finding
	// Measured holds every value a rule read, by column.
	Measured map[string]float64
}

var rules = loadRules()

type rulesFile struct {
	Rules []Rule `json:"rules"`
}

var (
	validUnits = []string{"ms", "fraction", "fps", "px", "ms/min", "bps"}
	validKinds = []Kind{KindAudio, KindVideo, KindScreenShare, KindAll}
)

func loadRules() []Rule {
	const file = "rules.json"
	var f rulesFile
	mustDecode(file, &f)
	mustHold(len(f.Rules) > 0, file, "no rules")
	seen := map[string]bool{}
	for _, r := range f.Rules {
		mustHold(r.ID != "" && !seen[r.ID], file, "rule id %q is empty or repeated", r.ID)
		seen[r.ID] = true
		mustHold(r.Column != "", file, "rule %s: no column", r.ID)
		mustHold(r.Comparison == ">" || r.Comparison == "<", file, "rule %s: comparison %q is not > or <", r.ID, r.Comparison)
		mustHold(!math.IsNaN(r.Threshold) && !math.IsInf(r.Threshold, 0), file, "rule %s: threshold is not a number", r.ID)
		mustHold(slices.Contains(validUnits, r.Unit), file, "rule %s: unit %q is not one of %v", r.ID, r.Unit, validUnits)
		mustHold(len(r.Kinds) > 0, file, "rule %s: no kinds", r.ID)
		for _, k := range r.Kinds {
			mustHold(slices.Contains(validKinds, k), file, "rule %s: kind %q is not one of %v", r.ID, k, validKinds)
		}
		mustHold(strings.TrimSpace(r.Explanation) != "" && strings.TrimSpace(r.NextStep) != "", file, "rule %s: explanation and next step are required", r.ID)
		mustHold(len(r.Sources) > 0, file, "rule %s: no source", r.ID)
	}
	return f.Rules
}

// Rules returns the stream rules in rules.json order. The slice and the
// rules in it are copies: changing them changes nothing in the package.
func Rules() []Rule {
	out := make([]Rule, len(rules))
	for i, r := range rules {
		out[i] = r.clone()
	}
	return out
}

// Evaluate judges a stream by every rule that applies to its kind: the
// Call Diagnostics rules.
func Evaluate(s Stream) Verdict {
	return evaluate(s, false)
}

// EvaluateInsights judges a stream by the rules the Insights Quality tab
// uses (jitter, packet loss and round trip time) and no others.
func EvaluateInsights(s Stream) Verdict {
	return evaluate(s, true)
}

func evaluate(s Stream, insightsOnly bool) Verdict {
	v := Verdict{Kind: KindOf(s.MediaType), Measured: map[string]float64{}}
	for _, r := range rules {
		if insightsOnly && !r.Insights {
			continue
		}
		if !r.AppliesTo(v.Kind) {
			continue
		}
		val, ok := s.Values[r.Column]
		if !ok || math.IsNaN(val) {
			continue // a missing value (or NaN, which a null may decode to) says nothing
		}
		v.Known = true
		v.Measured[r.Column] = val
		if r.Fires(val) {
			v.Fired = append(v.Fired, Finding{Rule: r.clone(), Value: val})
		}
	}
	v.Poor = len(v.Fired) > 0
	return v
}

// Impacted reports whether a call with these stream verdicts is impacted:
// at least one of its streams is poor.
func Impacted(vs []Verdict) bool {
	for _, v := range vs {
		if v.Poor {
			return true
		}
	}
	return false
}
