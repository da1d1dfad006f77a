package simulate

import (
	"hash/fnv"
	"math"
	"strings"
	"time"
)

// The adjacent records of a call: billing usage, end-of-call surveys with
// the apps' own survey events, and the Call Automation requests of
// contact-centre bots.

// usage writes the billable minutes of a leg: audio for every connected leg,
// video for the time its camera was on.
func (b *builder) usage(l *leg) {
	if !l.answered || l.ep.typ == "Bot" || !l.end.After(l.connected) {
		return
	}
	c, e, r := b.c, l.ep, &b.r
	userA, userB := e.identifier, ""
	if e.typ == "PSTN" {
		userA, userB = e.phone, choice(r, c.res.pool.phones)
	} else if !c.group {
		for _, o := range c.legs {
			if o.ep != e {
				userB = o.ep.identifier
			}
		}
	}
	write := func(kind string, from, to time.Time, minutes float64) {
		b.begin(l.end.Add(secs(r.between(10, 180))), catUsage, "CallingUsage", "1.0", c.id)
		b.recordQuirks()
		w := &b.w
		w.str("RecordId", r.guid())
		w.str("UsageType", kind)
		w.str("UnitType", "Minute")
		w.float("Quantity", math.Ceil(minutes))
		w.time("StartTime", from)
		w.time("EndTime", to)
		w.strOpt("UserIdA", userA)
		w.strOpt("UserIdB", userB)
		w.str("ParticipantId", l.clientPID)
		b.end()
	}
	write("Audio", l.connected, l.end, l.end.Sub(l.connected).Minutes())
	var video time.Duration
	for _, s := range l.video {
		video += s.dur()
	}
	if video > 0 {
		write("Video", l.video[0].from, l.video[len(l.video)-1].to, video.Minutes())
	}
}

// Issue tags a survey may carry, by category.
var (
	overallIssues = []string{"CallCannotJoin", "CallCannotInvite", "HadToRejoin", "CallEndedUnexpectedly", "OtherIssues"}
	audioIssues   = []string{"NoLocalAudio", "NoRemoteAudio", "Echo", "AudioNoise", "LowVolume", "AudioStoppedUnexpectedly", "DistortedSpeech", "AudioInterruption", "OtherIssues"}
	videoIssues   = []string{"NoVideoReceived", "NoVideoSent", "LowQuality", "Freezes", "StoppedUnexpectedly", "DarkVideoReceived", "AudioVideoOutOfSync", "OtherIssues"}
	screenIssues  = []string{"NoContentLocal", "NoContentRemote", "CannotPresent", "LowQuality", "Freezes", "StoppedUnexpectedly", "LargeDelay", "OtherIssues"}
)

// scale is a rating scale: bounds and the threshold at or below which a
// score means a less than perfect call.
type scale struct{ lo, hi, threshold int64 }

var (
	defaultScale = scale{1, 5, 2}
	tenScale     = scale{0, 10, 5}
)

// survey writes the end-of-call survey a participant submits. Scores follow
// the participant's network: good calls get 4s and 5s, bad ones 1s and 2s.
func (b *builder) survey(l *leg) {
	c, e, r := b.c, l.ep, &b.r
	base := [...]float64{4.6, 3.9, 2.7, 1.6}[e.class]
	troubled := false
	for _, x := range e.legs {
		troubled = troubled || x.dropped
	}
	if troubled {
		base -= 1.2
	}
	sc := defaultScale
	if r.chance(0.15) {
		sc = tenScale
	}
	score := func(offset float64) int64 {
		s5 := clamp(base+offset+0.6*r.norm(), 1, 5) // on the default scale
		if sc == tenScale {
			return int64(clamp(math.Round((s5-1)/4*10+r.norm()*0.5), 0, 10))
		}
		return int64(math.Round(s5))
	}
	tags := func(from []string, likely ...string) string {
		var out []string
		for _, t := range likely {
			if r.chance(0.6) {
				out = append(out, t)
			}
		}
		if len(out) == 0 {
			out = append(out, choice(r, from))
		}
		return strings.Join(out, ",")
	}

	op := "CallSurvey"
	if r.chance(0.5) {
		op = "EndOfCallSurvey"
	}
	at := l.end.Add(secs(r.between(5, 90)))
	b.begin(at, catSurvey, op, "0.0", l.clientPID)
	b.recordQuirks()
	w := &b.w
	w.str("CallId", c.id)
	w.str("ParticipantId", l.clientPID)
	surveyID := r.guid()
	w.str("SurveyId", surveyID)

	bad := e.class >= netPoor
	overall := score(0)
	w.int("OverallRatingScore", overall)
	b.bounds("OverallRatingScore", sc)
	if overall <= sc.threshold || r.chance(0.05) {
		switch {
		case len(e.legs) > 1:
			w.str("OverallCallIssues", tags(overallIssues, "HadToRejoin"))
		case troubled:
			w.str("OverallCallIssues", tags(overallIssues, "CallEndedUnexpectedly"))
		default:
			w.str("OverallCallIssues", tags(overallIssues))
		}
	}
	if r.chance(0.7) {
		s := score(-0.1)
		w.int("AudioRatingScore", s)
		b.bounds("AudioRatingScore", sc)
		if s <= sc.threshold {
			if bad {
				w.str("AudioIssues", tags(audioIssues, "AudioInterruption", "DistortedSpeech"))
			} else {
				w.str("AudioIssues", tags(audioIssues))
			}
		}
	}
	if len(l.video) > 0 && r.chance(0.7) {
		s := score(-0.2)
		w.int("VideoRatingScore", s)
		b.bounds("VideoRatingScore", sc)
		if s <= sc.threshold {
			if bad {
				w.str("VideoIssues", tags(videoIssues, "Freezes", "LowQuality"))
			} else {
				w.str("VideoIssues", tags(videoIssues))
			}
		}
	}
	if len(othersMedia(c, l, func(o *leg) []span { return o.screen }))+len(l.screen) > 0 && r.chance(0.7) {
		s := score(0)
		w.int("ScreenshareRatingScore", s)
		b.bounds("ScreenshareRatingScore", sc)
		if s <= sc.threshold {
			w.str("ScreenshareIssues", tags(screenIssues))
		}
	}
	b.end()
	b.appEvent(l, surveyID, at, overall <= sc.threshold)
}

// What users write into an app's own survey question ("What could we do
// better?"): complaints after a poor call, wishes after a good one.
var (
	complaints = []string{
		"The video kept freezing", "I could not hear the other side clearly", "There was an echo",
		"The call dropped and I had to rejoin", "Sound was choppy", "It took too long to connect",
		"My camera was not detected", "The other person could not hear me",
	}
	wishes = []string{
		"Let me test my microphone before joining", "Show a countdown before the visit starts",
		"Add a chat during the call", "Allow blurring my background", "Worked well, nothing to add",
		"Send me a summary after the call", "Bigger buttons please",
	}
)

// appEvent writes the custom event an app sends to Application Insights
// once its user has submitted the end-of-call survey, as the ACS survey
// tutorial shows: trackEvent "CallSurvey" with the survey id that
// submitSurvey returned and the answer to the app's own free-text question
// (often left empty), to be joined with ACSCallSurvey on SurveyId. The web
// apps (JavaScript SDK) and Windows apps of the resource's tenant send it
// to the tenant's Application Insights resource; the mobile apps, the
// Teams client and guests in another tenant's app do not. Each event comes
// a few seconds after its survey.
func (b *builder) appEvent(l *leg, surveyID string, surveyAt time.Time, poor bool) {
	c, e := b.c, l.ep
	ai := c.res.insights
	if ai == nil || e.dev == nil || e.dev.teams || e.cross(c) {
		return
	}
	var clientType, sdk string
	switch e.dev.platform {
	case platWeb:
		clientType, sdk = "Browser", "javascript:3.2.1"
	case platWindows:
		clientType, sdk = "PC", "dotnetc:2.22.0-997"
	default:
		return
	}
	// What belongs to the user's browser or machine (the user cookie, the
	// machine name, the place) is the same in every call.
	h := fnv.New64a()
	h.Write([]byte(e.identifier))
	ur := newRNG(h.Sum64(), 41)
	userID, machine, place := ur.alnum(22), "DESKTOP-"+strings.ToUpper(ur.alnum(7)), choice(&ur, clientPlaces)

	r := &b.ar
	b.beginFlat(surveyAt.Add(secs(r.between(1, 8))), catAppEvents, "AppEvents", ai)
	w := &b.w
	if clientType == "PC" {
		w.str("AppRoleInstance", machine)
	}
	pl := c.res.pool
	w.str("AppRoleName", pl.app.name)
	w.strOpt("ClientBrowser", e.dev.aiBrowser)
	w.str("ClientCity", place[0])
	w.str("ClientCountryOrRegion", place[2])
	w.str("ClientIP", "0.0.0.0")
	w.str("ClientOS", e.dev.aiOS)
	w.str("ClientStateOrProvince", place[1])
	w.str("ClientType", clientType)
	w.str("IKey", ai.iKey)
	w.str("OperationName", pl.app.surveyPage)
	op := r.hex(32)
	w.str("OperationId", op)
	w.str("ParentId", op)
	w.str("SDKVersion", sdk)
	if clientType == "Browser" {
		w.str("SessionId", r.alnum(22))
	} else {
		w.str("SessionId", r.guid())
	}
	w.str("UserId", userID)
	suggestion := ""
	switch {
	case r.chance(0.4): // left empty
	case poor:
		suggestion = choice(r, complaints)
	default:
		suggestion = choice(r, wishes)
	}
	w.key("Properties")
	w.b = append(w.b, '{')
	w.first = true
	w.str("id", surveyID)
	w.str("improvementSuggestion", suggestion)
	w.endObject()
	w.str("Name", "CallSurvey")
	w.int("ItemCount", 1)
	b.endFlat()
}

// clientPlaces are where users call from, as Application Insights
// resolves their address: city, state or province, country.
var clientPlaces = [][3]string{
	{"Seattle", "Washington", "United States"}, {"Redmond", "Washington", "United States"},
	{"Portland", "Oregon", "United States"}, {"San Francisco", "California", "United States"},
	{"Chicago", "Illinois", "United States"}, {"Austin", "Texas", "United States"},
	{"New York", "New York", "United States"}, {"Vancouver", "British Columbia", "Canada"},
	{"Toronto", "Ontario", "Canada"},
}

func (b *builder) bounds(prefix string, sc scale) {
	w := &b.w
	w.int(prefix+"LowerBound", sc.lo)
	w.int(prefix+"UpperBound", sc.hi)
	w.int(prefix+"Threshold", sc.threshold)
}

// automation writes one Call Automation request of the contact-centre app.
func (b *builder) automation(op *autoOp) {
	c, r := b.c, &b.r
	pl := c.res.pool
	api := op.path[strings.LastIndexByte(op.path, '=')+1:]
	b.begin(op.at.Add(secs(r.between(0.05, 0.8))), catCallAutomation, op.name, api, c.id)
	b.recordQuirks()
	w := &b.w
	w.str("CallConnectionId", c.connID)
	w.str("CallerIpAddress", pl.callerIP)
	w.int("DurationMs", op.dur)
	level := "Informational"
	if op.result != "Succeeded" {
		level = "Warning"
	}
	w.str("Level", level)
	w.str("OperationId", r.guid())
	w.int("ResultSignature", op.status)
	w.str("ResultType", op.result)
	w.str("SdkType", pl.autoSDK[0])
	w.str("SdkVersion", pl.autoSDK[1])
	w.str("ServerCallId", c.serverID)
	w.strOpt("SubOperationName", op.sub)
	w.str("URI", op.path)
	b.end()
}
