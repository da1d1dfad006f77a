package calls

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/quality"
	"github.com/callscope/callscope/internal/useragent"
)

// Overview is the call's facts, its participants with their streams, and
// the surveys they answered.
type Overview struct {
	CallID string `json:"callId"`
	// Final says that every participant's final summary has arrived; until
	// then the overview is built from the newest updates.
	Final           bool          `json:"final"`
	CallType        string        `json:"callType"`
	TeamsThreadID   string        `json:"teamsThreadId,omitempty"`
	Start           time.Time     `json:"start"`
	End             time.Time     `json:"end,omitzero"`
	DurationSeconds int64         `json:"durationSeconds"`
	Quality         string        `json:"quality"` // good, poor or unknown (no diagnostics yet)
	Rating          string        `json:"rating"`  // good, average, poor or unknown (no survey)
	Participants    []Participant `json:"participants"`
	Surveys         []Survey      `json:"surveys"`
}

// Participant is one participant (one endpoint in a P2P call) of the call.
type Participant struct {
	ParticipantID     string    `json:"participantId,omitempty"`
	EndpointID        string    `json:"endpointId,omitempty"`
	Identifier        string    `json:"identifier,omitempty"`
	EndpointType      string    `json:"endpointType,omitempty"`
	ParticipantType   string    `json:"participantType,omitempty"`
	PstnCallType      string    `json:"pstnParticipantCallType,omitempty"`
	TenantID          string    `json:"tenantId,omitempty"`
	Start             time.Time `json:"start,omitzero"`
	End               time.Time `json:"end,omitzero"`
	DurationSeconds   int64     `json:"durationSeconds"`
	EndReasonCode     string    `json:"endReasonCode,omitempty"`
	EndReasonSubCode  string    `json:"endReasonSubCode,omitempty"`
	EndReasonPhrase   string    `json:"endReasonPhrase,omitempty"`
	ResultCategory    string    `json:"resultCategory,omitempty"`
	SdkVersion        string    `json:"sdkVersion,omitempty"`
	OsVersion         string    `json:"osVersion,omitempty"`
	Browser           string    `json:"browser,omitempty"`
	SDKType           string    `json:"sdkType,omitempty"`
	DiagnosticOptions string    `json:"diagnosticOptions,omitempty"`
	Dropped           bool      `json:"dropped"`
	// Redacted lists the fields ACS hides for a participant of another
	// tenant: they are shown as redacted, not as missing.
	Redacted []string `json:"redacted,omitempty"`
	Final    bool     `json:"final"` // its final summary row has arrived
	Streams  []Stream `json:"streams"`
}

// Stream is one media stream of a participant with its quality verdict.
type Stream struct {
	StreamID  string             `json:"streamId"`
	MediaType string             `json:"mediaType"`
	Direction string             `json:"direction,omitempty"`
	Codec     string             `json:"codec,omitempty"`
	Transport string             `json:"transport,omitempty"`
	Metrics   map[string]float64 `json:"metrics"`
	Quality   string             `json:"quality"` // good, poor or unknown
	Fired     []FiredRule        `json:"fired,omitempty"`
	MOS       *MOS               `json:"mos,omitempty"` // audio streams with RTT or loss
	Final     bool               `json:"final"`
}

// FiredRule is a quality rule a stream broke, with the measured value.
type FiredRule struct {
	Rule        string  `json:"rule"`
	Metric      string  `json:"metric"`
	Value       float64 `json:"value"`
	Threshold   float64 `json:"threshold"`
	Comparison  string  `json:"comparison"`
	Explanation string  `json:"explanation"`
	NextStep    string  `json:"nextStep"`
}

// MOS is the estimated audio quality of a stream (ITU-T G.107 E-model).
type MOS struct {
	MOS     float64  `json:"mos"`
	R       float64  `json:"r"`
	Reasons []string `json:"reasons,omitempty"`
}

// Survey is one end-of-call survey answer, with scores normalised to 5.
type Survey struct {
	SurveyID      string             `json:"surveyId"`
	ParticipantID string             `json:"participantId,omitempty"`
	Time          time.Time          `json:"time"`
	Scores        map[string]float64 `json:"scores"`     // as given, per category
	Normalized    map[string]float64 `json:"normalized"` // on a 1–5 scale
	Poor          []string           `json:"poor,omitempty"`
	Issues        map[string]string  `json:"issues,omitempty"`
}

// metricColumns are the ACSCallDiagnostics columns shown per stream.
var metricColumns = []string{"RoundTripTimeAvg", "RoundTripTimeMax", "JitterAvg", "JitterMax", "PacketLossRateAvg", "PacketLossRateMax",
	"JitterBufferSizeAvg", "JitterBufferSizeMax", "HealedDataRatioAvg", "HealedDataRatioMax", "VideoFrameRateAvg", "RecvResolutionHeight",
	"RecvFreezeDurationPerMinuteInMs", "PacketUtilization", "VideoBitRateAvg", "VideoBitRateMax"}

// Overview answers for one call.
func (s *Service) Overview(ctx context.Context, callID string) (*Overview, error) {
	d, err := s.load(ctx, callID, true)
	if err != nil {
		return nil, err
	}
	return buildOverview(callID, d), nil
}

func buildOverview(callID string, d *data) *Overview {
	o := &Overview{CallID: callID, Final: d.final, Quality: "unknown"}
	byKey := map[string]*Participant{}
	for _, r := range d.summaries {
		p := participantOf(r)
		o.Participants = append(o.Participants, p)
		if o.CallType == "" {
			o.CallType, o.TeamsThreadID = r.str("CallType"), r.str("TeamsThreadId")
		}
		if st := r.time("CallStartTime"); !st.IsZero() && (o.Start.IsZero() || st.Before(o.Start)) {
			o.Start = st
		}
		if dur := r.int("CallDuration"); dur > o.DurationSeconds {
			o.DurationSeconds = dur
		}
	}
	for i := range o.Participants {
		byKey[keyOf(&o.Participants[i])] = &o.Participants[i]
	}
	if !o.Start.IsZero() && o.DurationSeconds > 0 && d.final {
		o.End = o.Start.Add(time.Duration(o.DurationSeconds) * time.Second)
	}

	// Streams under their participants; a stream of a participant with no
	// summary yet (a live call) gets a participant of its own.
	var verdicts []quality.Verdict
	for _, r := range d.streams {
		st, v := streamOf(r)
		verdicts = append(verdicts, v)
		k := keyOfRow(r)
		p := byKey[k]
		if p == nil {
			o.Participants = append(o.Participants, Participant{ParticipantID: r.str("ParticipantId"), EndpointID: r.str("EndpointId"),
				Identifier: r.str("Identifier"), EndpointType: r.str("EndpointType")})
			for i := range o.Participants {
				byKey[keyOf(&o.Participants[i])] = &o.Participants[i]
			}
			p = byKey[k]
		}
		p.Streams = append(p.Streams, st)
	}
	known := false
	for _, v := range verdicts {
		known = known || v.Known
	}
	if known {
		o.Quality = "good"
		if quality.Impacted(verdicts) {
			o.Quality = "poor"
		}
	}

	// What the client logs add: browser and SDK from the user agent.
	for _, op := range d.operations {
		p := byKey[keyOfRow(op)]
		if p == nil || p.Browser != "" {
			continue
		}
		if ua := op.str("UserAgent"); ua != "" {
			p.Browser, p.SDKType = useragent.Browser(ua), sdkType(ua)
			if p.SdkVersion == "" {
				p.SdkVersion = op.str("SdkVersion")
			}
		}
	}

	var normalized []float64
	for _, r := range d.surveys {
		sv := surveyOf(r)
		o.Surveys = append(o.Surveys, sv)
		if n, ok := sv.Normalized["Overall"]; ok {
			normalized = append(normalized, n)
		}
	}
	o.Rating = strings.ToLower(string(quality.RateAverage(normalized)))
	return o
}

func keyOf(p *Participant) string { return participantKey(p.ParticipantID, p.EndpointID) }

// redactedValue is what ACS writes in place of another tenant's data.
const redactedValue = "Redacted"

func participantOf(r row) Participant {
	p := Participant{
		ParticipantID: r.str("ParticipantId"), EndpointID: r.str("EndpointId"), Identifier: r.str("Identifier"),
		EndpointType: r.str("EndpointType"), ParticipantType: r.str("ParticipantType"), PstnCallType: r.str("PstnParticipantCallType"),
		TenantID: r.str("ParticipantTenantId"), DurationSeconds: r.int("ParticipantDuration"),
		EndReasonCode: r.str("ParticipantEndReason"), EndReasonSubCode: r.str("ParticipantEndSubCode"),
		ResultCategory: r.str("ResultCategory"), SdkVersion: r.str("SdkVersion"), OsVersion: r.str("OsVersion"),
		DiagnosticOptions: r.str("DiagnosticOptions"), Final: isFinal(r),
	}
	p.Start = r.time("ParticipantStartTime")
	if p.Start.IsZero() {
		p.Start = r.time("CallStartTime")
	}
	if !p.Start.IsZero() && p.DurationSeconds > 0 {
		p.End = p.Start.Add(time.Duration(p.DurationSeconds) * time.Second)
	}
	if code, ok := quality.ParseCode(p.EndReasonCode); ok {
		p.EndReasonPhrase = quality.LookupEndReason(code, subCode(p.EndReasonSubCode)).Phrase
		p.Dropped = quality.EndedUngracefully(code, p.ResultCategory)
	} else if p.ResultCategory != "" {
		p.Dropped = quality.EndedUngracefully(-1, p.ResultCategory)
	}
	for col, v := range map[string]string{"Identifier": p.Identifier, "SdkVersion": p.SdkVersion, "OsVersion": p.OsVersion,
		"EndpointId": p.EndpointID, "ParticipantTenantId": p.TenantID} {
		if strings.EqualFold(v, redactedValue) {
			p.Redacted = append(p.Redacted, col)
		}
	}
	sort.Strings(p.Redacted)
	return p
}

func streamOf(r row) (Stream, quality.Verdict) {
	st := Stream{StreamID: r.str("StreamId"), MediaType: r.str("MediaType"), Direction: r.str("StreamDirection"),
		Codec: r.str("CodecName"), Transport: r.str("TransportType"), Metrics: map[string]float64{}, Final: isFinal(r)}
	for _, c := range metricColumns {
		if v, ok := r.num(c); ok {
			st.Metrics[c] = v
		}
	}
	v := quality.Evaluate(quality.Stream{MediaType: st.MediaType, Values: st.Metrics})
	st.Quality = "unknown"
	if v.Known {
		st.Quality = "good"
		if v.Poor {
			st.Quality = "poor"
		}
	}
	for _, f := range v.Fired {
		st.Fired = append(st.Fired, FiredRule{Rule: f.Rule.ID, Metric: f.Rule.Column, Value: f.Value, Threshold: f.Rule.Threshold,
			Comparison: f.Rule.Comparison, Explanation: f.Rule.Explanation, NextStep: f.Rule.NextStep})
	}
	rtt, hasRTT := st.Metrics["RoundTripTimeAvg"]
	loss, hasLoss := st.Metrics["PacketLossRateAvg"]
	if quality.KindOf(st.MediaType) == quality.KindAudio && (hasRTT || hasLoss) {
		m := quality.AudioMOS(quality.MOSInput{RoundTripMs: rtt, JitterBufferMs: st.Metrics["JitterBufferSizeAvg"], LossFraction: loss, Codec: st.Codec})
		st.MOS = &MOS{MOS: round2(m.MOS), R: round2(m.R), Reasons: m.Reasons}
	}
	return st, v
}

// surveyCategories are the rating categories of ACSCallSurvey.
var surveyCategories = []string{"Overall", "Audio", "Video", "Screenshare"}

func surveyOf(r row) Survey {
	sv := Survey{SurveyID: r.str("SurveyId"), ParticipantID: r.str("ParticipantId"), Time: r.time("TimeGenerated"),
		Scores: map[string]float64{}, Normalized: map[string]float64{}, Issues: map[string]string{}}
	for _, c := range surveyCategories {
		score, ok := r.num(c + "RatingScore")
		if !ok {
			continue
		}
		scale := quality.DefaultScale
		if v, ok := r.num(c + "RatingScoreLowerBound"); ok {
			scale.Lower = v
		}
		if v, ok := r.num(c + "RatingScoreUpperBound"); ok {
			scale.Upper = v
		}
		if v, ok := r.num(c + "RatingScoreThreshold"); ok {
			scale.Threshold = v
		}
		sv.Scores[c] = score
		sv.Normalized[c] = round2(quality.Normalize(score, scale))
		if quality.BelowThreshold(score, scale) {
			sv.Poor = append(sv.Poor, c)
		}
	}
	for _, col := range []string{"OverallCallIssues", "AudioIssues", "VideoIssues", "ScreenshareIssues"} {
		if v := r.str(col); v != "" {
			sv.Issues[strings.TrimSuffix(col, "Issues")] = v
		}
	}
	return sv
}

// sdkType reads which calling SDK a user agent names ("azsdk-js-communication-calling/1.20.1 …").
func sdkType(ua string) string {
	for _, f := range strings.Fields(ua) {
		if i := strings.Index(f, "-communication-calling"); i >= 0 {
			name, _, _ := strings.Cut(f, "/")
			return name
		}
	}
	return ""
}

func round2(x float64) float64 { return float64(int64(x*100+0.5*sign(x))) / 100 }

func sign(x float64) float64 {
	if x < 0 {
		return -1
	}
	return 1
}

// subCode reads an end subcode column; quality.NoSubCode when there is none.
func subCode(s string) int {
	if n, ok := quality.ParseCode(s); ok {
		return n
	}
	return quality.NoSubCode
}
