package quality

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// E-model constants (ITU-T G.107, simplified as DESIGN.md §7 states it).
const (
	// R0 is the transmission rating of a connection with nothing wrong
	// with it: G.107's basic signal-to-noise term less its simultaneous
	// impairments, with every other parameter at its default.
	R0 = 93.2
	// delayKneeMs is where the delay impairment starts to grow steeply.
	delayKneeMs = 177.3
	// idSlope and idSteepSlope are the delay impairment per millisecond of
	// one-way delay, below and (added on top) above the knee.
	idSlope      = 0.024
	idSteepSlope = 0.11
)

// Codec holds one row of codecs.json: the E-model parameters of an audio
// codec and, for each value, where it comes from.
type Codec struct {
	Name    string   `json:"name"`
	Aliases []string `json:"aliases"` // other spellings, e.g. CodecName values
	// Ie is the equipment impairment: what the codec costs with no loss.
	Ie       float64 `json:"ie"`
	IeSource string  `json:"ieSource"`
	// Bpl is the packet-loss robustness: the larger, the better the codec
	// hides lost packets.
	Bpl       float64 `json:"bpl"`
	BplSource string  `json:"bplSource"`
	// DelayMs is the one-way delay the codec adds: packetisation and
	// look-ahead.
	DelayMs     float64 `json:"delayMs"`
	DelaySource string  `json:"delaySource"`
	// Assumed is true when any of the three values is a documented
	// assumption rather than an ITU-T planning value or a codec's spec.
	Assumed bool `json:"assumed"`
}

func (c Codec) clone() Codec {
	c.Aliases = slices.Clone(c.Aliases)
	return c
}

type codecsFile struct {
	Default string  `json:"default"`
	Codecs  []Codec `json:"codecs"`
}

var codecTable = loadCodecs()

type codecs struct {
	list  []Codec
	byKey map[string]int // codecKey(name or alias) → index in list
	deflt int
}

// codecKey is how codec names are matched: case, dots, dashes, underscores,
// slashes and spaces do not matter, so "G.711", "g711" and "G-711" are one.
func codecKey(name string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '.', '-', '_', '/', ' ', '\t':
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(name)))
}

func loadCodecs() codecs {
	const file = "codecs.json"
	var f codecsFile
	mustDecode(file, &f)
	t := codecs{list: f.Codecs, byKey: map[string]int{}}
	for i, c := range f.Codecs {
		mustHold(c.Name != "", file, "codec %d has no name", i)
		for _, n := range append([]string{c.Name}, c.Aliases...) {
			k := codecKey(n)
			j, dup := t.byKey[k]
			mustHold(k != "" && (!dup || j == i), file, "codec name %q is empty or names two codecs", n)
			t.byKey[k] = i
		}
		mustHold(c.Ie >= 0 && c.Ie < 95, file, "codec %s: Ie %v outside [0, 95)", c.Name, c.Ie)
		mustHold(c.Bpl > 0, file, "codec %s: Bpl %v must be positive", c.Name, c.Bpl)
		mustHold(c.DelayMs >= 0, file, "codec %s: negative delay", c.Name)
		mustHold(c.IeSource != "" && c.BplSource != "" && c.DelaySource != "", file, "codec %s: every value needs a source", c.Name)
	}
	i, ok := t.byKey[codecKey(f.Default)]
	mustHold(ok, file, "default codec %q is not in the table", f.Default)
	t.deflt = i
	return t
}

// Codecs returns the codec table in codecs.json order (copies).
func Codecs() []Codec {
	out := make([]Codec, len(codecTable.list))
	for i, c := range codecTable.list {
		out[i] = c.clone()
	}
	return out
}

// DefaultCodec is the codec assumed when a stream's codec is missing or not
// in the table: Opus, the codec WebRTC clients must support and the one
// most ACS audio streams report.
func DefaultCodec() Codec {
	return codecTable.list[codecTable.deflt].clone()
}

// LookupCodec finds a codec by name or alias (see codecKey). When the name
// is unknown it returns DefaultCodec and false.
func LookupCodec(name string) (Codec, bool) {
	if i, ok := codecTable.byKey[codecKey(name)]; ok {
		return codecTable.list[i].clone(), true
	}
	return DefaultCodec(), false
}

// MOSInput is what AudioMOS needs to know about one audio stream, in the
// units ACSCallDiagnostics stores them.
type MOSInput struct {
	RoundTripMs    float64 // RoundTripTimeAvg, ms
	JitterBufferMs float64 // JitterBufferSizeAvg, ms
	LossFraction   float64 // PacketLossRateAvg: a fraction 0–1, not a percentage
	Codec          string  // CodecName; empty or unknown means DefaultCodec
	BurstR         float64 // burst ratio: 1 for random loss (also when 0/unset), > 1 for bursty
}

// MOSResult is an E-model score and what went into it.
type MOSResult struct {
	MOS   float64 // 1–4.5
	R     float64 // transmission rating; below 0 means worse than the scale measures
	Id    float64 // delay impairment
	IeEff float64 // effective equipment impairment (codec plus loss)
	// DelayMs is the one-way delay d: RoundTripMs/2 + JitterBufferMs + codec delay.
	DelayMs float64
	// LossPercent is the loss the model used (Ppl), in percent.
	LossPercent float64
	Codec       Codec
	// Reasons say in plain sentences, with numbers, what lowered the
	// score, largest cost first, followed by notes on any input that had
	// to be corrected or assumed.
	Reasons []string
}

// DelayImpairment is the E-model's delay impairment Id for a one-way delay
// of d ms: 0.024·d, plus 0.11·(d − 177.3) once d exceeds 177.3 ms.
// Negative delays count as 0.
func DelayImpairment(d float64) float64 {
	if !(d > 0) {
		return 0
	}
	id := idSlope * d
	if d > delayKneeMs {
		id += idSteepSlope * (d - delayKneeMs)
	}
	return id
}

// EffectiveEquipmentImpairment is Ie,eff = Ie + (95 − Ie)·Ppl/(Ppl/BurstR + Bpl).
// pplPercent is the packet loss in PERCENT (5 for 5 %, not 0.05); burstR
// below 1 (or NaN) is taken as 1, random loss. With random loss the result
// approaches 95 as loss grows; with bursty loss it can pass 95 at very high
// loss, which only pushes R further below 0, where the MOS is 1 anyway.
func EffectiveEquipmentImpairment(ie, bpl, pplPercent, burstR float64) float64 {
	if !(pplPercent > 0) {
		return ie
	}
	if !(burstR >= 1) {
		burstR = 1
	}
	return ie + (95-ie)*pplPercent/(pplPercent/burstR+bpl)
}

// MOSFromR converts a transmission rating to a mean opinion score the way
// G.107 does: 1 for R ≤ 0, 4.5 for R ≥ 100, and in between
// 1 + 0.035R + 7·10⁻⁶·R(R − 60)(100 − R), kept within [1, 4.5].
//
// Between R 100 and about 107 the polynomial rises slightly above 4.5 and
// beyond that it falls again, which is why the R ≥ 100 case is stated
// rather than left to a clamp. Neither case can arise from AudioMOS with
// the codec table: R never exceeds R0 = 93.2 there, where the MOS is 4.41.
func MOSFromR(r float64) float64 {
	switch {
	case math.IsNaN(r):
		return math.NaN()
	case r <= 0:
		return 1
	case r >= 100:
		return 4.5
	}
	m := 1 + 0.035*r + 7e-6*r*(r-60)*(100-r)
	return math.Min(4.5, math.Max(1, m))
}

// AudioMOS scores an audio stream with the E-model, using the codec table
// (an unknown or empty codec means DefaultCodec). See AudioMOSWith.
func AudioMOS(in MOSInput) MOSResult {
	c, known := LookupCodec(in.Codec)
	res := AudioMOSWith(in, c)
	if !known {
		if strings.TrimSpace(in.Codec) == "" {
			res.Reasons = append(res.Reasons, fmt.Sprintf("No codec was given, so %s was assumed.", c.Name))
		} else {
			res.Reasons = append(res.Reasons, fmt.Sprintf("Codec %q is not in the codec table, so %s was assumed.", in.Codec, c.Name))
		}
	}
	return res
}

// AudioMOSWith scores an audio stream with the given codec parameters
// instead of looking in.Codec up: for codecs outside the table, or to try
// other parameters. The codec's values are used as given.
//
//	d      = RoundTripMs/2 + JitterBufferMs + c.DelayMs
//	Ppl    = LossFraction × 100
//	R      = 93.2 − Id(d) − Ie,eff(c.Ie, c.Bpl, Ppl, BurstR)
//	MOS    = MOSFromR(R)
//
// Inputs that cannot be right are corrected and the correction is reported
// in Reasons: a negative or NaN delay or loss counts as 0, and a loss
// fraction above 1 (most likely a percentage passed by mistake) counts as 1,
// i.e. everything lost.
func AudioMOSWith(in MOSInput, c Codec) MOSResult {
	var notes []string
	rtt := nonNegative(in.RoundTripMs, "round trip time", &notes)
	jb := nonNegative(in.JitterBufferMs, "jitter buffer size", &notes)
	loss := nonNegative(in.LossFraction, "packet loss", &notes)
	if loss > 1 {
		notes = append(notes, fmt.Sprintf("Packet loss was given as %g, above 1: the loss is a fraction from 0 to 1 (this looks like a percentage), so it was capped at 1, i.e. all packets lost.", loss))
		loss = 1
	}
	burst := in.BurstR
	if !(burst >= 1) {
		if burst > 0 {
			notes = append(notes, fmt.Sprintf("A burst ratio of %g is below 1, which the E-model does not define; random loss (1) was used.", burst))
		}
		burst = 1
	}

	res := MOSResult{Codec: c.clone()}
	res.DelayMs = rtt/2 + jb + c.DelayMs
	res.LossPercent = loss * 100
	res.Id = DelayImpairment(res.DelayMs)
	res.IeEff = EffectiveEquipmentImpairment(c.Ie, c.Bpl, res.LossPercent, burst)
	res.R = R0 - res.Id - res.IeEff
	res.MOS = MOSFromR(res.R)
	res.Reasons = append(explain(res, rtt, jb, burst), notes...)
	return res
}

// joinAnd joins phrases as a list in prose: "a", "a and b", "a, b and c".
func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// nonNegative returns v, or 0 with a note when v is negative or NaN.
func nonNegative(v float64, what string, notes *[]string) float64 {
	if v >= 0 {
		return v
	}
	*notes = append(*notes, fmt.Sprintf("The %s was %g, which cannot be right; 0 was used.", what, v))
	return 0
}

// noticeable is the smallest cost on R worth a sentence of its own.
const noticeable = 0.5

// explain writes the sentences behind a score, largest cost first.
func explain(res MOSResult, rtt, jb, burst float64) []string {
	type cost struct {
		points float64
		text   string
	}
	var costs []cost
	c := res.Codec

	if res.Id >= noticeable {
		var parts []string
		if rtt > 0 {
			parts = append(parts, fmt.Sprintf("half of the %g ms round trip", rtt))
		}
		if jb > 0 {
			parts = append(parts, fmt.Sprintf("%g ms of jitter buffer", jb))
		}
		if c.DelayMs > 0 {
			parts = append(parts, fmt.Sprintf("%g ms for the %s codec", c.DelayMs, c.Name))
		}
		s := fmt.Sprintf("One-way delay of %.1f ms (%s) takes %.1f off R.", res.DelayMs, joinAnd(parts), res.Id)
		if res.DelayMs > delayKneeMs {
			s += fmt.Sprintf(" Past %.1f ms, conversation starts to suffer and each further millisecond costs %.3f instead of %.3f.",
				delayKneeMs, idSlope+idSteepSlope, idSlope)
		}
		costs = append(costs, cost{res.Id, s})
	}
	if lossCost := res.IeEff - c.Ie; lossCost >= noticeable {
		kind := "random"
		if burst > 1 {
			kind = fmt.Sprintf("bursty (burst ratio %g)", burst)
		}
		costs = append(costs, cost{lossCost, fmt.Sprintf(
			"Packet loss of %.1f %% (a loss fraction of %.3g, %s) takes %.1f off R; %s hides losses with a robustness factor Bpl of %g.",
			res.LossPercent, res.LossPercent/100, kind, lossCost, c.Name, c.Bpl)})
	}
	if c.Ie >= noticeable {
		costs = append(costs, cost{c.Ie, fmt.Sprintf(
			"The %s codec itself takes %.1f off R (its equipment impairment Ie), even with no loss.", c.Name, c.Ie)})
	}
	slices.SortStableFunc(costs, func(a, b cost) int {
		switch {
		case a.points > b.points:
			return -1
		case a.points < b.points:
			return 1
		}
		return 0
	})

	var out []string
	for _, k := range costs {
		out = append(out, k.text)
	}
	switch {
	case len(out) == 0:
		out = append(out, fmt.Sprintf("Nothing lowered the score noticeably: R is %.1f against the model's best of %.1f.", res.R, R0))
	case res.R <= 0:
		out = append(out, fmt.Sprintf("Together these bring R to %.1f, at or below 0, the bottom of the scale: MOS 1.", res.R))
	}
	if c.Assumed {
		out = append(out, fmt.Sprintf("The E-model values used for %s are documented assumptions, not ITU-T narrowband planning values (see codecs.json).", c.Name))
	}
	return out
}
