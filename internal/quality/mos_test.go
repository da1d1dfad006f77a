package quality

import (
	"math"
	"strings"
	"testing"
)

// near reports whether got is within 1e-6 of want.
func near(got, want float64) bool { return math.Abs(got-want) <= 1e-6 }

// ideal is an artificial codec with no impairment and no delay, used to
// show the model's ceiling.
var ideal = Codec{Name: "ideal", Ie: 0, Bpl: 25.1, DelayMs: 0}

type golden struct {
	name                     string
	in                       MOSInput
	codec                    *Codec // nil: look in.Codec up in the table
	delay, id, ieEff, r, mos float64
	lossPercent              float64
	reasonsMention           []string // substrings the reasons must contain
	reasonsMustNotMention    []string
}

// The golden vectors below were worked out by hand from the formulas in
// DESIGN.md §7; the arithmetic is in each comment. Codec delays come from
// codecs.json: Opus 26.5 ms, G.711 20 ms, G.729A 25 ms.
var goldens = []golden{
	{
		// No impairment at all (the artificial ideal codec, no delay, no
		// loss): d = 0, Id = 0, Ie,eff = 0, R = 93.2.
		// MOS = 1 + 0.035·93.2 + 7e-6·93.2·(93.2−60)·(100−93.2)
		//     = 1 + 3.262 + 7e-6·93.2·33.2·6.8
		//     = 1 + 3.262 + 7e-6·21040.832
		//     = 1 + 3.262 + 0.147285824 = 4.409285824  (the familiar 4.41)
		name: "no impairment", codec: &ideal,
		delay: 0, id: 0, ieEff: 0, r: 93.2, mos: 4.409285824,
		reasonsMention: []string{"Nothing lowered the score noticeably"},
	},
	{
		// Opus on a perfect network: only its own 26.5 ms.
		// d = 0/2 + 0 + 26.5 = 26.5; Id = 0.024·26.5 = 0.636 (below the knee)
		// R = 93.2 − 0.636 − 0 = 92.564
		// MOS = 1 + 0.035·92.564 + 7e-6·92.564·32.564·7.436
		//     = 1 + 3.23974 + 7e-6·22413.993458 = 1 + 3.23974 + 0.156898 = 4.396638
		name: "opus, perfect network", in: MOSInput{Codec: "OPUS"},
		delay: 26.5, id: 0.636, ieEff: 0, r: 92.564, mos: 4.396637954,
		reasonsMention: []string{"0.6 off R", "documented assumptions"},
	},
	{
		// One-way delay of 150 ms, below the 177.3 ms knee.
		// d = 187/2 + 30 + 26.5 = 93.5 + 30 + 26.5 = 150
		// Id = 0.024·150 = 3.6 (no steep term: 150 < 177.3)
		// R = 93.2 − 3.6 = 89.6
		// MOS = 1 + 0.035·89.6 + 7e-6·89.6·29.6·10.4
		//     = 1 + 3.136 + 7e-6·27582.464 = 1 + 3.136 + 0.193077248 = 4.329077248
		name: "d = 150 ms", in: MOSInput{RoundTripMs: 187, JitterBufferMs: 30, Codec: "Opus"},
		delay: 150, id: 3.6, ieEff: 0, r: 89.6, mos: 4.329077248,
		reasonsMention:        []string{"150.0 ms", "187 ms round trip", "30 ms of jitter buffer", "3.6 off R"},
		reasonsMustNotMention: []string{"Past 177.3 ms"},
	},
	{
		// One-way delay of 250 ms, past the knee.
		// d = 387/2 + 30 + 26.5 = 193.5 + 30 + 26.5 = 250
		// Id = 0.024·250 + 0.11·(250 − 177.3) = 6 + 0.11·72.7 = 6 + 7.997 = 13.997
		// R = 93.2 − 13.997 = 79.203
		// MOS = 1 + 0.035·79.203 + 7e-6·79.203·19.203·20.797
		//     = 1 + 2.772105 + 7e-6·31630.889544 = 1 + 2.772105 + 0.221416 = 3.993521
		name: "d = 250 ms", in: MOSInput{RoundTripMs: 387, JitterBufferMs: 30, Codec: "opus"},
		delay: 250, id: 13.997, ieEff: 0, r: 79.203, mos: 3.993521227,
		reasonsMention: []string{"250.0 ms", "14.0 off R", "Past 177.3 ms"},
	},
	{
		// Loss given as ACS stores it: the fraction 0.05, i.e. 5 %.
		// G.711: d = 0 + 0 + 20 = 20, Id = 0.024·20 = 0.48
		// Ppl = 0.05·100 = 5
		// Ie,eff = 0 + (95 − 0)·5/(5/1 + 25.1) = 475/30.1 = 15.780731
		// R = 93.2 − 0.48 − 15.780731 = 76.939269
		// MOS = 1 + 0.035·76.939269 + 7e-6·76.939269·16.939269·23.060731
		//     = 1 + 2.692874 + 7e-6·30054.934815 = 1 + 2.692874 + 0.210385 = 3.903259
		// (Read as 0.05 %, Ie,eff would be 95·0.05/25.15 = 0.19 and MOS
		// 4.40: the loss would vanish. The test below pins the difference.)
		name: "loss fraction 0.05 is 5 %", in: MOSInput{LossFraction: 0.05, Codec: "PCMU"},
		delay: 20, id: 0.48, ieEff: 15.780730897, r: 76.939269103, mos: 3.903258963,
		lossPercent:    5,
		reasonsMention: []string{"Packet loss of 5.0 %", "a loss fraction of 0.05", "15.8 off R", "Bpl of 25.1"},
	},
	{
		// G.729A with 2 % loss: a point where Ie,eff comes out exact.
		// d = 0 + 0 + 25 = 25, Id = 0.024·25 = 0.6
		// Ie,eff = 11 + (95 − 11)·2/(2 + 19) = 11 + 84·2/21 = 11 + 8 = 19
		// R = 93.2 − 0.6 − 19 = 73.6
		// MOS = 1 + 0.035·73.6 + 7e-6·73.6·13.6·26.4
		//     = 1 + 2.576 + 7e-6·26425.344 = 1 + 2.576 + 0.184977408 = 3.760977408
		name: "g.729a 2 %", in: MOSInput{LossFraction: 0.02, Codec: "g.729"},
		delay: 25, id: 0.6, ieEff: 19, r: 73.6, mos: 3.760977408,
		lossPercent:           2,
		reasonsMention:        []string{"G.729A codec itself takes 11.0", "8.0 off R", "(25 ms for the G.729A codec) takes 0.6 off R"},
		reasonsMustNotMention: []string{"round trip", "jitter buffer"},
	},
	{
		// Bursty loss: BurstR 2 makes the same 5 % cost more.
		// Ie,eff = 95·5/(5/2 + 25.1) = 475/27.6 = 17.210145
		// R = 93.2 − 0.48 − 17.210145 = 75.509855
		// MOS = 1 + 0.035·75.509855 + 7e-6·75.509855·15.509855·24.490145
		//     = 1 + 2.642845 + 7e-6·28681.557526 = 1 + 2.642845 + 0.200771 = 3.843616
		// (random loss at the same 5 % gave 3.903259: bursts cost more)
		name: "bursty 5 %", in: MOSInput{LossFraction: 0.05, Codec: "G.711", BurstR: 2},
		delay: 20, id: 0.48, ieEff: 17.210144928, r: 75.509855072, mos: 3.843615830,
		lossPercent:    5,
		reasonsMention: []string{"bursty (burst ratio 2)"},
	},
	{
		// Low clamp from delay: d = 2000/2 + 500 + 26.5 = 1526.5
		// Id = 0.024·1526.5 + 0.11·(1526.5 − 177.3) = 36.636 + 0.11·1349.2
		//    = 36.636 + 148.412 = 185.048
		// R = 93.2 − 185.048 = −91.848 ≤ 0 → MOS 1
		name: "huge delay", in: MOSInput{RoundTripMs: 2000, JitterBufferMs: 500, Codec: "Opus"},
		delay: 1526.5, id: 185.048, ieEff: 0, r: -91.848, mos: 1,
		reasonsMention: []string{"MOS 1"},
	},
	{
		// Everything lost: Ppl = 100.
		// Ie,eff = 95·100/(100 + 25.1) = 9500/125.1 = 75.939249
		// R = 93.2 − 0.636 − 75.939249 = 16.624751
		// MOS = 1 + 0.035·16.624751 + 7e-6·16.624751·(−43.375249)·83.375249
		//     = 1 + 0.581866 − 0.420855 = 1.161011 (low, but the polynomial
		//     still reaches it: the clamp needs R ≤ 0)
		name: "all packets lost", in: MOSInput{LossFraction: 1, Codec: "Opus"},
		delay: 26.5, id: 0.636, ieEff: 75.939248601, r: 16.624751399, mos: 1.161011466,
		lossPercent: 100,
	},
	{
		// Both: R = 93.2 − 185.048 − 75.939249 = −167.787249 → MOS 1
		name: "huge delay and all lost", in: MOSInput{RoundTripMs: 2000, JitterBufferMs: 500, LossFraction: 1, Codec: "Opus"},
		delay: 1526.5, id: 185.048, ieEff: 75.939248601, r: -167.787248601, mos: 1,
		lossPercent: 100,
	},
}

func TestAudioMOSGolden(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.name, func(t *testing.T) {
			var res MOSResult
			if g.codec != nil {
				res = AudioMOSWith(g.in, *g.codec)
			} else {
				res = AudioMOS(g.in)
			}
			check := func(what string, got, want float64) {
				if !near(got, want) {
					t.Errorf("%s = %.9f, want %.9f", what, got, want)
				}
			}
			check("DelayMs", res.DelayMs, g.delay)
			check("Id", res.Id, g.id)
			check("IeEff", res.IeEff, g.ieEff)
			check("R", res.R, g.r)
			check("MOS", res.MOS, g.mos)
			check("LossPercent", res.LossPercent, g.lossPercent)
			all := strings.Join(res.Reasons, "\n")
			for _, w := range g.reasonsMention {
				if !strings.Contains(all, w) {
					t.Errorf("reasons lack %q:\n%s", w, all)
				}
			}
			for _, w := range g.reasonsMustNotMention {
				if strings.Contains(all, w) {
					t.Errorf("reasons should not say %q:\n%s", w, all)
				}
			}
			if len(res.Reasons) == 0 {
				t.Error("no reasons")
			}
		})
	}
}

// TestLossIsAFractionNotAPercent pins the unit mistake peers make: 0.05
// from ACS must cost what 5 % costs, not what 0.05 % costs.
func TestLossIsAFractionNotAPercent(t *testing.T) {
	res := AudioMOS(MOSInput{LossFraction: 0.05, Codec: "G.711"})
	asFivePercent := EffectiveEquipmentImpairment(0, 25.1, 5, 1)
	asTinyPercent := EffectiveEquipmentImpairment(0, 25.1, 0.05, 1) // the mistake
	if !near(res.IeEff, asFivePercent) {
		t.Errorf("IeEff = %v, want the 5 %% value %v", res.IeEff, asFivePercent)
	}
	if near(res.IeEff, asTinyPercent) || asTinyPercent > 0.2 {
		t.Errorf("IeEff %v looks like 0.05 %% (%v)", res.IeEff, asTinyPercent)
	}
	if res.LossPercent != 5 {
		t.Errorf("LossPercent = %v, want 5", res.LossPercent)
	}
	if res.MOS > 4 {
		t.Errorf("5 %% loss on G.711 scored %v; it should cost well over half a point", res.MOS)
	}
}

// TestMOSCeiling shows both sides of the 4.5 cap. From R0 = 93.2 no table
// codec can go above MOS 4.409…: every impairment is ≥ 0. The cap is shown
// with an artificial codec whose Ie is negative, which pushes R above 93.2.
func TestMOSCeiling(t *testing.T) {
	// Artificial Ie = −10, no delay, no loss: R = 93.2 − 0 − (−10) = 103.2.
	// The polynomial would give 1 + 0.035·103.2 + 7e-6·103.2·43.2·(−3.2)
	//   = 1 + 3.612 − 7e-6·14266.368 = 4.612 − 0.099865 = 4.512135 > 4.5,
	// so the result is capped at 4.5.
	boost := Codec{Name: "boost", Ie: -10, Bpl: 25.1}
	res := AudioMOSWith(MOSInput{}, boost)
	if !near(res.R, 103.2) || res.MOS != 4.5 {
		t.Errorf("R = %v MOS = %v, want 103.2 and the cap 4.5", res.R, res.MOS)
	}
	if p := 1 + 0.035*103.2 + 7e-6*103.2*43.2*(-3.2); !(p > 4.5) || !near(p, 4.512135424) {
		t.Errorf("polynomial at 103.2 = %v; the test assumes it exceeds 4.5", p)
	}

	cases := []struct{ r, want float64 }{
		{-50, 1}, {0, 1}, // R ≤ 0 → 1
		{50, 2.575}, // 1 + 1.75 + 7e-6·50·(−10)·50 = 2.75 − 0.175
		{93.2, 4.409285824},
		{100, 4.5}, // the polynomial gives exactly 4.5 here: 1 + 3.5 + 0
		{103.2, 4.5},
		{120, 4.5}, // the polynomial would fall back to 4.192; G.107 says 4.5
	}
	for _, c := range cases {
		if got := MOSFromR(c.r); !near(got, c.want) {
			t.Errorf("MOSFromR(%v) = %v, want %v", c.r, got, c.want)
		}
	}
	if !math.IsNaN(MOSFromR(math.NaN())) {
		t.Error("MOSFromR(NaN) should be NaN")
	}

	// No input with a table codec gets past the no-impairment score.
	top := MOSFromR(R0)
	for _, c := range Codecs() {
		for _, rtt := range []float64{0, 50, 400, 3000} {
			for _, loss := range []float64{0, 0.01, 0.3, 1} {
				res := AudioMOS(MOSInput{RoundTripMs: rtt, LossFraction: loss, Codec: c.Name})
				if res.MOS > top || res.MOS < 1 || res.R > R0 {
					t.Fatalf("%s rtt %v loss %v: MOS %v R %v outside [1, %v]", c.Name, rtt, loss, res.MOS, res.R, top)
				}
			}
		}
	}
}

func TestDelayImpairment(t *testing.T) {
	cases := []struct{ d, want float64 }{
		{-10, 0}, {0, 0},
		{100, 2.4},
		{177.3, 4.2552}, // 0.024·177.3; the steep term starts strictly above the knee
		{200, 4.8 + 0.11*22.7},
		{250, 13.997},
	}
	for _, c := range cases {
		if got := DelayImpairment(c.d); !near(got, c.want) {
			t.Errorf("DelayImpairment(%v) = %v, want %v", c.d, got, c.want)
		}
	}
	// Continuous at the knee, steeper after it.
	below := DelayImpairment(177.3) - DelayImpairment(176.3)
	above := DelayImpairment(178.3) - DelayImpairment(177.3)
	if !near(below, 0.024) || !near(above, 0.134) {
		t.Errorf("slopes around the knee = %v, %v; want 0.024, 0.134", below, above)
	}
}

func TestEffectiveEquipmentImpairment(t *testing.T) {
	cases := []struct {
		name                string
		ie, bpl, ppl, burst float64
		want                float64
	}{
		{"no loss is the codec's own Ie", 11, 19, 0, 1, 11},
		{"negative loss is no loss", 11, 19, -4, 1, 11},
		{"g729a 2 %", 11, 19, 2, 1, 19},
		{"g711 1 %: 95/26.1", 0, 25.1, 1, 1, 3.639846743},
		{"burst 0 means random", 0, 25.1, 5, 0, 15.780730897},
		{"burst 0.5 means random", 0, 25.1, 5, 0.5, 15.780730897},
		{"burst 2: 475/27.6", 0, 25.1, 5, 2, 17.210144928},
	}
	for _, c := range cases {
		if got := EffectiveEquipmentImpairment(c.ie, c.bpl, c.ppl, c.burst); !near(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestAudioMOSCorrectsImpossibleInputs(t *testing.T) {
	// A percentage passed where a fraction belongs: capped at 1, and said.
	res := AudioMOS(MOSInput{LossFraction: 5, Codec: "Opus"})
	if res.LossPercent != 100 {
		t.Errorf("loss 5 → LossPercent %v, want 100 (capped)", res.LossPercent)
	}
	if !strings.Contains(strings.Join(res.Reasons, " "), "looks like a percentage") {
		t.Errorf("reasons should flag the unit mistake: %q", res.Reasons)
	}

	// Negative and NaN values count as zero, and are reported.
	res = AudioMOS(MOSInput{RoundTripMs: -100, JitterBufferMs: math.NaN(), LossFraction: -0.1, Codec: "Opus"})
	clean := AudioMOS(MOSInput{Codec: "Opus"})
	if res.R != clean.R || res.DelayMs != 26.5 {
		t.Errorf("corrected inputs: R %v (want %v), d %v (want 26.5)", res.R, clean.R, res.DelayMs)
	}
	all := strings.Join(res.Reasons, " ")
	for _, w := range []string{"round trip time was -100", "jitter buffer size was NaN", "packet loss was -0.1"} {
		if !strings.Contains(all, w) {
			t.Errorf("reasons lack %q: %q", w, res.Reasons)
		}
	}

	// A burst ratio between 0 and 1 is not defined: random loss, said.
	res = AudioMOS(MOSInput{LossFraction: 0.05, Codec: "G.711", BurstR: 0.5})
	if !near(res.IeEff, 15.780730897) || !strings.Contains(strings.Join(res.Reasons, " "), "burst ratio of 0.5") {
		t.Errorf("burst 0.5: IeEff %v, reasons %q", res.IeEff, res.Reasons)
	}
}

func TestCodecLookup(t *testing.T) {
	cases := map[string]string{
		"OPUS": "Opus", "opus": "Opus", " Opus ": "Opus",
		"G722": "G.722", "g.722": "G.722",
		"SATIN": "SATIN",
		"PCMU":  "G.711", "PCMA": "G.711", "g711": "G.711", "G-711": "G.711",
		"G729": "G.729A", "G.729A": "G.729A",
		"G723": "G.723.1", "G.723.1": "G.723.1",
		"SILK": "SILK",
	}
	for in, want := range cases {
		c, ok := LookupCodec(in)
		if !ok || c.Name != want {
			t.Errorf("LookupCodec(%q) = %s, %v; want %s", in, c.Name, ok, want)
		}
	}
	for _, unknown := range []string{"", "H264S", "AMR-WB"} {
		c, ok := LookupCodec(unknown)
		if ok || c.Name != "Opus" {
			t.Errorf("LookupCodec(%q) = %s, %v; want the default Opus, false", unknown, c.Name, ok)
		}
	}
	if DefaultCodec().Name != "Opus" {
		t.Errorf("default codec = %s", DefaultCodec().Name)
	}

	res := AudioMOS(MOSInput{Codec: "AMR-WB"})
	if res.Codec.Name != "Opus" || !strings.Contains(strings.Join(res.Reasons, " "), `Codec "AMR-WB" is not in the codec table, so Opus was assumed`) {
		t.Errorf("unknown codec: %s, %q", res.Codec.Name, res.Reasons)
	}
	res = AudioMOS(MOSInput{})
	if !strings.Contains(strings.Join(res.Reasons, " "), "No codec was given, so Opus was assumed") {
		t.Errorf("empty codec: %q", res.Reasons)
	}
	res = AudioMOS(MOSInput{Codec: "OPUS"})
	if strings.Contains(strings.Join(res.Reasons, " "), "was assumed") {
		t.Errorf("a known codec should not be reported as assumed: %q", res.Reasons)
	}
}

// TestCodecTable pins the ITU-T planning values and checks that every
// other value is labelled as an assumption.
func TestCodecTable(t *testing.T) {
	itu := map[string][3]float64{ // Ie, Bpl, delay
		"G.711":   {0, 25.1, 20},
		"G.729A":  {11, 19.0, 25},
		"G.723.1": {15, 16.1, 37.5},
	}
	seen := 0
	for _, c := range Codecs() {
		if c.IeSource == "" || c.BplSource == "" || c.DelaySource == "" {
			t.Errorf("%s: every value needs a source", c.Name)
		}
		if w, ok := itu[c.Name]; ok {
			seen++
			if c.Ie != w[0] || c.Bpl != w[1] || c.DelayMs != w[2] || c.Assumed {
				t.Errorf("%s = Ie %v Bpl %v delay %v assumed %v, want %v and not assumed", c.Name, c.Ie, c.Bpl, c.DelayMs, c.Assumed, w)
			}
			if !strings.Contains(c.IeSource, "G.113") || !strings.Contains(c.BplSource, "G.113") {
				t.Errorf("%s: Ie and Bpl should cite G.113 Appendix I", c.Name)
			}
			continue
		}
		if !c.Assumed {
			t.Errorf("%s has no ITU-T values but is not marked assumed", c.Name)
		}
		if !strings.HasPrefix(c.IeSource, "Assumption") || !strings.HasPrefix(c.BplSource, "Assumption") {
			t.Errorf("%s: Ie and Bpl sources should say they are assumptions", c.Name)
		}
	}
	if seen != len(itu) {
		t.Errorf("found %d of the %d ITU-T codecs", seen, len(itu))
	}
	cs := Codecs()
	cs[0].Aliases = append(cs[0].Aliases, "changed")
	cs[0].Ie = 50
	if c, _ := LookupCodec(cs[0].Name); c.Ie == 50 {
		t.Error("Codecs() must return copies")
	}
}

// TestMOSMonotonic: more delay or more loss never raises the score.
func TestMOSMonotonic(t *testing.T) {
	for _, codec := range []string{"Opus", "G.711", "G.729A", "G.723.1"} {
		prev := math.Inf(1)
		for rtt := 0.0; rtt <= 1500; rtt += 25 {
			r := AudioMOS(MOSInput{RoundTripMs: rtt, Codec: codec}).R
			if r > prev {
				t.Fatalf("%s: R rose from %v to %v as RTT grew to %v", codec, prev, r, rtt)
			}
			prev = r
		}
		prev = math.Inf(1)
		for loss := 0.0; loss <= 1; loss += 0.01 {
			r := AudioMOS(MOSInput{LossFraction: loss, Codec: codec}).R
			if r > prev {
				t.Fatalf("%s: R rose from %v to %v as loss grew to %v", codec, prev, r, loss)
			}
			prev = r
		}
	}
}
