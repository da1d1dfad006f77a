package quality

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
)

// mediaTypeOf is a MediaType value that KindOf maps to k.
var mediaTypeOf = map[Kind]string{
	KindAudio:       "Audio",
	KindVideo:       "Video",
	KindScreenShare: "VBSS",
}

var allKinds = []Kind{KindAudio, KindVideo, KindScreenShare}

// step is a small move across a rule's threshold: 1 % of it (never zero).
func step(r Rule) float64 {
	return math.Max(math.Abs(r.Threshold)*0.01, 1e-6)
}

// outside is a value that breaks r; inside one that is just within it.
func outside(r Rule) float64 {
	if r.Comparison == ">" {
		return r.Threshold + step(r)
	}
	return r.Threshold - step(r)
}

func inside(r Rule) float64 {
	if r.Comparison == ">" {
		return r.Threshold - step(r)
	}
	return r.Threshold + step(r)
}

// healthy is a stream of kind k whose every rule column holds a value just
// inside every rule of that kind on that column.
func healthy(t *testing.T, k Kind) Stream {
	t.Helper()
	s := Stream{MediaType: mediaTypeOf[k], Values: map[string]float64{}}
	for _, r := range Rules() {
		if !r.AppliesTo(k) {
			continue
		}
		v := inside(r)
		if old, ok := s.Values[r.Column]; ok {
			// two rules of one kind on one column: keep the value inside both
			if r.Comparison == ">" {
				v = math.Min(old, v)
			} else {
				v = math.Max(old, v)
			}
		}
		s.Values[r.Column] = v
	}
	for _, r := range Rules() {
		if r.AppliesTo(k) && r.Fires(s.Values[r.Column]) {
			t.Fatalf("rules of kind %s on %s leave no healthy value", k, r.Column)
		}
	}
	return s
}

func firedIDs(v Verdict) []string {
	var ids []string
	for _, f := range v.Fired {
		ids = append(ids, f.Rule.ID)
	}
	return ids
}

// TestEachRuleFiresAlone is generated from Rules(): for every rule and every
// kind it applies to, a healthy stream is fine; the rule's column just
// beyond the threshold makes exactly that rule fire; exactly at the
// threshold and just inside it, nothing fires.
func TestEachRuleFiresAlone(t *testing.T) {
	n := 0
	for _, r := range Rules() {
		for _, k := range allKinds {
			if !r.AppliesTo(k) {
				continue
			}
			n++
			t.Run(r.ID+"/"+string(k), func(t *testing.T) {
				base := healthy(t, k)
				if v := Evaluate(base); v.Poor || !v.Known || len(v.Fired) != 0 {
					t.Fatalf("healthy %s stream: Poor=%v Known=%v fired %v", k, v.Poor, v.Known, firedIDs(v))
				}

				bad := Stream{MediaType: base.MediaType, Values: clone(base.Values)}
				bad.Values[r.Column] = outside(r)
				v := Evaluate(bad)
				if !v.Poor || !slices.Equal(firedIDs(v), []string{r.ID}) {
					t.Fatalf("%s = %v on %s: fired %v, want exactly [%s]", r.Column, outside(r), k, firedIDs(v), r.ID)
				}
				if v.Fired[0].Value != outside(r) {
					t.Errorf("finding value = %v, want %v", v.Fired[0].Value, outside(r))
				}
				if v.Measured[r.Column] != outside(r) {
					t.Errorf("Measured[%s] = %v, want %v", r.Column, v.Measured[r.Column], outside(r))
				}
				if v.Kind != k {
					t.Errorf("Kind = %s, want %s", v.Kind, k)
				}

				for _, edge := range []float64{r.Threshold, inside(r)} {
					ok := Stream{MediaType: base.MediaType, Values: clone(base.Values)}
					ok.Values[r.Column] = edge
					if v := Evaluate(ok); v.Poor {
						t.Errorf("%s = %v (threshold %v, %s) fired %v; the comparison is strict", r.Column, edge, r.Threshold, r.Comparison, firedIDs(v))
					}
				}

				// The same value alone, with no other column: still fires.
				alone := Stream{MediaType: base.MediaType, Values: map[string]float64{r.Column: outside(r)}}
				if v := Evaluate(alone); !v.Poor || !v.Known {
					t.Errorf("%s alone: Poor=%v Known=%v", r.Column, v.Poor, v.Known)
				}
			})
		}
	}
	if n == 0 {
		t.Fatal("no rule applies to any kind")
	}
}

func clone(m map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestRuleTable pins the rules to DESIGN.md §7, so that an accidental edit
// of rules.json (a threshold, a comparison, a kind) fails here.
func TestRuleTable(t *testing.T) {
	type want struct {
		column, cmp string
		threshold   float64
		unit        string
		kinds       []Kind
		insights    bool
	}
	all := []Kind{KindAll}
	wants := map[string]want{
		"jitter":                 {"JitterAvg", ">", 30, "ms", all, true},
		"packet-loss":            {"PacketLossRateAvg", ">", 0.1, "fraction", all, true},
		"rtt":                    {"RoundTripTimeAvg", ">", 500, "ms", all, true},
		"jitter-buffer":          {"JitterBufferSizeAvg", ">", 200, "ms", all, false},
		"healed-data":            {"HealedDataRatioAvg", ">", 0.1, "fraction", all, false},
		"video-frame-rate":       {"VideoFrameRateAvg", "<", 7, "fps", []Kind{KindVideo}, false},
		"screenshare-frame-rate": {"VideoFrameRateAvg", "<", 1, "fps", []Kind{KindScreenShare}, false},
		"video-resolution":       {"RecvResolutionHeight", "<", 240, "px", []Kind{KindVideo}, false},
		"screenshare-resolution": {"RecvResolutionHeight", "<", 768, "px", []Kind{KindScreenShare}, false},
		"video-freeze":           {"RecvFreezeDurationPerMinuteInMs", ">", 6000, "ms/min", []Kind{KindVideo}, false},
		"screenshare-freeze":     {"RecvFreezeDurationPerMinuteInMs", ">", 25000, "ms/min", []Kind{KindScreenShare}, false},
		"video-bitrate":          {"VideoBitRateAvg", "<", 150000, "bps", []Kind{KindVideo}, false},
	}
	got := Rules()
	if len(got) != len(wants) {
		t.Errorf("%d rules, want %d", len(got), len(wants))
	}
	for _, r := range got {
		w, ok := wants[r.ID]
		if !ok {
			t.Errorf("unexpected rule %q: add it to this table once DESIGN.md lists it", r.ID)
			continue
		}
		if r.Column != w.column || r.Comparison != w.cmp || r.Threshold != w.threshold || r.Unit != w.unit ||
			!slices.Equal(r.Kinds, w.kinds) || r.Insights != w.insights {
			t.Errorf("rule %s = %s %s %v %s %v insights=%v, want %s %s %v %s %v insights=%v", r.ID,
				r.Column, r.Comparison, r.Threshold, r.Unit, r.Kinds, r.Insights,
				w.column, w.cmp, w.threshold, w.unit, w.kinds, w.insights)
		}
		if r.Explanation == "" || r.NextStep == "" || len(r.Sources) == 0 {
			t.Errorf("rule %s lacks an explanation, next step or source", r.ID)
		}
	}
}

func TestKindOf(t *testing.T) {
	cases := map[string]Kind{
		"Audio": KindAudio, "audio": KindAudio, " AUDIO ": KindAudio,
		"Video": KindVideo, "VIDEO": KindVideo,
		"VBSS": KindScreenShare, "vbss": KindScreenShare,
		"AppSharing": KindScreenShare, "appsharing": KindScreenShare,
		"ScreenSharing": KindScreenShare, "screensharing": KindScreenShare,
		"": KindAudio, "Data": KindAudio, "RawMedia": KindAudio,
	}
	for in, want := range cases {
		if got := KindOf(in); got != want {
			t.Errorf("KindOf(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestVideoVersusScreenShare: the same value, judged by the kind's own
// threshold.
func TestVideoVersusScreenShare(t *testing.T) {
	cases := []struct {
		column     string
		value      float64
		mediaType  string
		wantFired  []string
		reasonLine string
	}{
		{"VideoFrameRateAvg", 5, "Video", []string{"video-frame-rate"}, "5 fps is jerky video"},
		{"VideoFrameRateAvg", 5, "VBSS", nil, "5 fps is plenty for a shared screen"},
		{"VideoFrameRateAvg", 0.5, "AppSharing", []string{"screenshare-frame-rate"}, "under 1 fps is too slow even for slides"},
		{"VideoFrameRateAvg", 7, "Video", nil, "exactly 7 fps is not below 7"},
		{"RecvResolutionHeight", 480, "Video", nil, "480 lines is fine for video"},
		{"RecvResolutionHeight", 480, "ScreenSharing", []string{"screenshare-resolution"}, "480 lines is unreadable for a screen"},
		{"RecvResolutionHeight", 180, "Video", []string{"video-resolution"}, "180 lines is blurry video"},
		{"RecvResolutionHeight", 768, "VBSS", nil, "exactly 768 is not below 768"},
		{"RecvFreezeDurationPerMinuteInMs", 10000, "Video", []string{"video-freeze"}, "10 s frozen per minute is bad video"},
		{"RecvFreezeDurationPerMinuteInMs", 10000, "VBSS", nil, "a static screen may sit still for 10 s"},
		{"RecvFreezeDurationPerMinuteInMs", 30000, "VBSS", []string{"screenshare-freeze"}, "30 s per minute is too much even for a screen"},
		{"VideoBitRateAvg", 100000, "Video", []string{"video-bitrate"}, "100 kbit/s is too little for video"},
		{"VideoBitRateAvg", 100000, "VBSS", nil, "the bit-rate rule is for video only"},
		{"VideoFrameRateAvg", 0, "Audio", nil, "video rules never judge audio"},
		{"RecvResolutionHeight", 0, "Audio", nil, "video rules never judge audio"},
	}
	for _, c := range cases {
		v := Evaluate(Stream{MediaType: c.mediaType, Values: map[string]float64{c.column: c.value}})
		if !slices.Equal(firedIDs(v), c.wantFired) {
			t.Errorf("%s %s=%v: fired %v, want %v (%s)", c.mediaType, c.column, c.value, firedIDs(v), c.wantFired, c.reasonLine)
		}
	}
}

func TestMissingValuesNeverFire(t *testing.T) {
	for _, mt := range []string{"Audio", "Video", "VBSS"} {
		v := Evaluate(Stream{MediaType: mt})
		if v.Poor || v.Known || len(v.Measured) != 0 {
			t.Errorf("%s with no values: Poor=%v Known=%v Measured=%v, want nothing", mt, v.Poor, v.Known, v.Measured)
		}
	}
	// A video stream with only network columns is judged on those and is
	// not poor for want of a frame rate.
	v := Evaluate(Stream{MediaType: "Video", Values: map[string]float64{"JitterAvg": 12, "RoundTripTimeAvg": 80}})
	if v.Poor || !v.Known {
		t.Errorf("video with only network values: Poor=%v Known=%v", v.Poor, v.Known)
	}
	if len(v.Measured) != 2 || v.Measured["JitterAvg"] != 12 || v.Measured["RoundTripTimeAvg"] != 80 {
		t.Errorf("Measured = %v", v.Measured)
	}
	// Why callers must leave nulls out rather than write 0: a present zero
	// frame rate is a frozen video.
	if v := Evaluate(Stream{MediaType: "Video", Values: map[string]float64{"VideoFrameRateAvg": 0}}); !v.Poor {
		t.Error("a present frame rate of 0 should fire")
	}
	// NaN is treated as missing.
	v = Evaluate(Stream{MediaType: "Audio", Values: map[string]float64{"JitterAvg": math.NaN()}})
	if v.Poor || v.Known {
		t.Errorf("NaN jitter: Poor=%v Known=%v, want neither", v.Poor, v.Known)
	}
	// Columns no rule reads are not reported as measured.
	v = Evaluate(Stream{MediaType: "Audio", Values: map[string]float64{"PacketUtilization": 0, "JitterMax": 900}})
	if v.Known || len(v.Measured) != 0 {
		t.Errorf("unread columns: Known=%v Measured=%v", v.Known, v.Measured)
	}
}

func TestEvaluateInsightsUsesThreeRules(t *testing.T) {
	var ids []string
	for _, r := range Rules() {
		if r.Insights {
			ids = append(ids, r.ID)
		}
	}
	if !slices.Equal(ids, []string{"jitter", "packet-loss", "rtt"}) {
		t.Fatalf("insights rules = %v, want [jitter packet-loss rtt]", ids)
	}

	buffer := Stream{MediaType: "Audio", Values: map[string]float64{"JitterBufferSizeAvg": 400}}
	if v := Evaluate(buffer); !v.Poor {
		t.Error("Evaluate: a 400 ms jitter buffer should be poor")
	}
	if v := EvaluateInsights(buffer); v.Poor || v.Known {
		t.Errorf("EvaluateInsights: jitter buffer is not an Insights rule, got Poor=%v Known=%v", v.Poor, v.Known)
	}

	all := Stream{MediaType: "Video", Values: map[string]float64{
		"JitterAvg": 31, "PacketLossRateAvg": 0.2, "RoundTripTimeAvg": 501, "VideoFrameRateAvg": 2,
	}}
	if got := firedIDs(EvaluateInsights(all)); !slices.Equal(got, []string{"jitter", "packet-loss", "rtt"}) {
		t.Errorf("EvaluateInsights fired %v", got)
	}
	if got := firedIDs(Evaluate(all)); !slices.Equal(got, []string{"jitter", "packet-loss", "rtt", "video-frame-rate"}) {
		t.Errorf("Evaluate fired %v", got)
	}
}

func TestImpacted(t *testing.T) {
	good := Evaluate(Stream{MediaType: "Audio", Values: map[string]float64{"JitterAvg": 5}})
	bad := Evaluate(Stream{MediaType: "Audio", Values: map[string]float64{"JitterAvg": 50}})
	unknown := Evaluate(Stream{MediaType: "Audio"})
	cases := []struct {
		vs   []Verdict
		want bool
	}{
		{nil, false},
		{[]Verdict{good}, false},
		{[]Verdict{good, unknown}, false},
		{[]Verdict{good, bad}, true},
		{[]Verdict{bad}, true},
	}
	for i, c := range cases {
		if got := Impacted(c.vs); got != c.want {
			t.Errorf("case %d: Impacted = %v, want %v", i, got, c.want)
		}
	}
}

func TestRulesReturnsCopies(t *testing.T) {
	rs := Rules()
	rs[0].Threshold = -1
	rs[0].Kinds[0] = "nonsense"
	rs = rs[:1]
	again := Rules()
	if again[0].Threshold == -1 || again[0].Kinds[0] == "nonsense" || len(again) == 1 {
		t.Fatal("changing the result of Rules() changed the package's rules")
	}
	v := Evaluate(Stream{MediaType: "Audio", Values: map[string]float64{"JitterAvg": 50}})
	v.Fired[0].Rule.Sources[0] = "changed"
	if Rules()[0].Sources[0] == "changed" {
		t.Fatal("changing a finding's rule changed the package's rules")
	}
}

func TestFindingString(t *testing.T) {
	v := Evaluate(Stream{MediaType: "Audio", Values: map[string]float64{"JitterAvg": 45, "PacketLossRateAvg": 0.25}})
	if len(v.Fired) != 2 {
		t.Fatalf("fired %v", firedIDs(v))
	}
	s := v.Fired[0].String()
	for _, want := range []string{"JitterAvg was 45 ms", "above the limit of 30 ms", v.Fired[0].Rule.Explanation} {
		if !strings.Contains(s, want) {
			t.Errorf("%q lacks %q", s, want)
		}
	}
	s = v.Fired[1].String()
	if !strings.Contains(s, "0.25 (25 %)") || !strings.Contains(s, "0.1 (10 %)") {
		t.Errorf("loss finding should show the fraction and the percentage: %q", s)
	}
	low := Evaluate(Stream{MediaType: "Video", Values: map[string]float64{"VideoFrameRateAvg": 3}})
	if s := low.Fired[0].String(); !strings.Contains(s, "below the limit of 7 fps") {
		t.Errorf("%q should say below", s)
	}
	if got := Rules()[0].Limit(); got != "JitterAvg > 30 ms" {
		t.Errorf("Limit() = %q", got)
	}
}

func ExampleEvaluate() {
	v := Evaluate(Stream{
		MediaType: "VBSS",
		Values: map[string]float64{
			"JitterAvg":            12,
			"RoundTripTimeAvg":     90,
			"RecvResolutionHeight": 480,
			"VideoFrameRateAvg":    4,
		},
	})
	fmt.Println(v.Kind, v.Poor)
	for _, f := range v.Fired {
		fmt.Println(f.Rule.ID, f.Value)
	}
	// Output:
	// screenshare true
	// screenshare-resolution 480
}
