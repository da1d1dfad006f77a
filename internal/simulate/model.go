package simulate

import (
	"slices"
	"time"
)

// This file plans one call: who takes part, when each participant joins and
// leaves, how it ends, what media flows when, and over which network. The
// plan is plain data; records.go and its siblings turn it into log records.
//
// Vocabulary (as in the ACS logs):
//   - call: one CorrelationId;
//   - endpoint: one client (EndpointId) — a browser tab, a phone app, a phone
//     line, a bot;
//   - leg (participant): one connection of an endpoint to the call
//     (ParticipantId). A rejoin is a new leg of the same endpoint;
//   - stream: one direction of one media type of a leg.

// callKind is the scenario a call follows.
type callKind uint8

const (
	kindP2P       callKind = iota // two app users, one calls the other
	kindEscalated                 // starts as P2P, a third user is added: becomes a group call
	kindMeeting                   // a group call of 3–12 participants, sometimes a Teams meeting
	kindContact                   // a phone caller answered by a bot, transferred to an agent
)

type span struct{ from, to time.Time }

func (s span) dur() time.Duration { return s.to.Sub(s.from) }

// endReason is how a participant's connection ended: the SIP-like code, the
// sub-code and the result category, always one of the combinations the
// service documents.
type endReason struct{ code, sub, category string }

var (
	endNormal       = endReason{"0", "0", "Success"}
	endOrganizer    = endReason{"0", "4097", "Success"}       // ended for everyone by the organiser
	endRemoved      = endReason{"0", "5000", "Success"}       // removed by another participant
	endAbrupt       = endReason{"0", "4521", "ExpectedError"} // tab or app closed without hanging up
	endMediaLost    = endReason{"410", "301005", "UnexpectedClientError"}
	endServerError  = endReason{"500", "0", "UnexpectedServerError"}
	endUnavailable  = endReason{"503", "0", "UnexpectedServerError"}
	endTimeout      = endReason{"408", "0", "UnexpectedServerError"}
	endCancelled    = endReason{"487", "0", "Success"}
	endNoAnswer     = endReason{"487", "10004", "ExpectedError"}
	endDeclined     = endReason{"603", "0", "Success"}
	endPSTNHangup   = endReason{"0", "560000", "Success"}
	endPSTNBusy     = endReason{"486", "560486", "Success"}
	endPSTNNotAvail = endReason{"480", "560480", "ExpectedError"}
)

// role is how a leg entered the call; it decides the client operation.
type role uint8

const (
	roleCaller  role = iota // StartCall
	roleCallee              // AcceptIncomingCall of a 1:1 call
	roleJoiner              // Join of a group call or meeting
	roleInvited             // AcceptIncomingCall after being added to a call
)

type endpoint struct {
	id         string // EndpointId
	typ        string // EndpointType: VoIP, PSTN, Bot
	identifier string
	tenant     string
	partType   string // ParticipantType
	sdk        bool   // runs the ACS Calling SDK: client operations, media stats, surveys
	dev        *device
	instance   string // ClientInstanceId
	ua         string
	diag       string // DiagnosticOptions JSON
	sdkVersion string // as the call summary reports it; "" = absent
	osVersion  string
	class      netClass
	net        *network
	transport  string
	skew       time.Duration // error of the client's clock
	phone      string
	pstnType   string
	legs       []*leg
}

func (e *endpoint) cross(c *call) bool { return e.tenant != c.res.TenantID }

type leg struct {
	ep          *endpoint
	pid         string // ParticipantId as the service reports it; "" in a P2P call
	clientPID   string // ParticipantId in the client tables (the SDK knows one even in P2P)
	role        role
	start       time.Time // first connection attempt
	connected   time.Time // media flows from here
	end         time.Time
	answered    bool
	reason      endReason
	dropped     bool // ended ungracefully
	hungUp      bool // ended the call itself (Hangup operation)
	first       bool // first leg of its endpoint in this call
	last        bool // last leg of its endpoint in this call
	video       []span
	screen      []span
	failedVideo []time.Time // StartVideo attempts that failed
	mutes       []time.Time // mute toggles, starting unmuted
	streams     []*stream   // as the diagnostics tables report them
	versions    []time.Time // when each CallSummaryUpdates/CallDiagnosticsUpdates version is sent
	lateClient  bool        // client telemetry arrives late: version 2 still has gaps
	survey      bool
}

func (l *leg) media() span { return span{l.connected, l.end} }

type stream struct {
	leg     *leg
	media   media
	inbound bool // server → participant, reported by the Server endpoint (group calls)
	id      int64
	codec   string
	spans   []span
	nom     nominal
	stats   streamStats
}

// autoOp is one Call Automation API request made by the bot's app.
type autoOp struct {
	at     time.Time
	name   string
	sub    string
	path   string
	dur    int64
	result string
	status int64
}

// quirks are the irregularities of real exports a call's records reproduce.
type quirks struct {
	nullStrings  bool // missing ids written as the string "null" (P2P participantId, teamsThreadId)
	serverNull   bool // the server endpoint's identifier written as the string "null"
	numStrings   bool // numbers in summary/diagnostics rows written as strings
	lowerVersion bool // version key spelled "callupdatesversion"
	long7        bool // property times with 7 fractional digits
}

type call struct {
	seed       uint64
	id         string
	res        *resourceState
	kind       callKind
	group      bool
	unanswered bool
	start, end time.Time
	threadID   string
	tpe        bool
	endpoints  []*endpoint
	legs       []*leg
	auto       []autoOp
	connID     string // Call Automation call connection id
	serverID   string // server call id
	finals     time.Time
	q          quirks
}

func (c *call) callType() string {
	if c.group {
		return "Group"
	}
	return "P2P"
}

// planner draws calls. It holds what is shared between calls: the
// resources with their user pools and the latency profile.
type planner struct {
	seed      uint64
	resources []*resourceState
	resPick   weighted
	lat       latency
}

// resourceState is a Resource with what the simulator derives from it.
type resourceState struct {
	Resource
	name      string // as in the resource id
	immutable string
	idJSON    []byte // `"resourceId":"…"`, written once
	mix       callMix
	kindPick  weighted
	pool      *pool
	botID     string
	insights  *insightsState // where its apps send custom events; nil: nowhere
}

func secs(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }

func ms(t time.Time) time.Time { return t.Truncate(time.Millisecond) }

// plan draws call number i, starting at start.
func (p *planner) plan(i int, start time.Time) *call {
	c := &call{seed: derive(p.seed, uint64(i)+1<<32)}
	r := newRNG(c.seed, 1)
	c.res = p.resources[p.resPick.pick(&r)]
	c.kind = callKind(c.res.kindPick.pick(&r))
	c.id = r.guid()
	c.start = ms(start)
	c.q = quirks{
		nullStrings:  r.chance(0.5),
		serverNull:   r.chance(0.1),
		numStrings:   r.chance(0.08),
		lowerVersion: r.chance(0.2),
		long7:        r.chance(0.03),
	}
	switch c.kind {
	case kindP2P:
		p.planP2P(&r, c, false)
	case kindEscalated:
		p.planP2P(&r, c, true)
	case kindMeeting:
		p.planMeeting(&r, c)
	case kindContact:
		p.planContact(&r, c)
	}
	p.finish(&r, c)
	return c
}

// --- endpoints -------------------------------------------------------------

func (p *planner) appEndpoint(r *rng, c *call, u *user) *endpoint {
	e := &endpoint{typ: "VoIP", identifier: u.identifier, tenant: u.tenant, dev: &u.dev}
	e.id = u.endpointID
	if e.id == "" || u.dev.platform == platWeb && !u.dev.teams {
		e.id = r.guid() // the web SDK makes a new endpoint per call
	}
	switch u.kind {
	case kindTeams:
		e.partType = "Teams"
		e.sdkVersion, e.osVersion = u.dev.teamsVer, u.dev.os
	case kindM365:
		e.partType = "ACS as Microsoft 365 user"
	default:
		e.partType = "ACS"
		if c.threadID != "" {
			e.partType = "ACS as Teams external user"
		}
	}
	if !u.dev.teams {
		e.sdk = true
		e.instance = r.guid()
		e.ua = u.ua
		if u.app != nil {
			e.diag = u.app.json()
		}
		e.sdkVersion, e.osVersion = u.dev.sdk.logged, u.dev.os
	}
	e.class = u.home
	if r.chance(0.3) {
		e.class = homeNet(r) // not where they usually call from today
	}
	e.transport = p.transport(r, e.class)
	e.skew = secs(r.norm() * 1.5)
	if r.chance(0.03) {
		e.skew = secs(r.between(-600, 600)) // a badly set clock
	}
	c.endpoints = append(c.endpoints, e)
	return e
}

func (p *planner) transport(r *rng, class netClass) string {
	pTCP := [...]float64{0.05, 0.1, 0.2, 0.3}[class]
	switch {
	case r.chance(0.01):
		return "Unrecognized"
	case r.chance(pTCP):
		return "TCP"
	}
	return "UDP"
}

// missingVersion is how the summary reports the SDK or OS of an endpoint
// that has none: the string "null", or no property at all.
func missingVersion(r *rng) string {
	if r.chance(0.6) {
		return "null"
	}
	return ""
}

// carrierClass is the network of phone lines, steadier than the internet.
var carrierClass = newWeighted(90, 8, 2, 0)

func (p *planner) phoneEndpoint(r *rng, c *call, number, callType string) *endpoint {
	e := &endpoint{typ: "PSTN", id: r.guid(), tenant: c.res.TenantID, partType: "PSTN", phone: number, pstnType: callType}
	e.identifier = "4:" + number
	if r.chance(0.25) {
		e.identifier = "null"
	}
	e.sdkVersion = missingVersion(r)
	e.osVersion = e.sdkVersion
	e.class = netClass(carrierClass.pick(r))
	e.transport = "UDP"
	c.endpoints = append(c.endpoints, e)
	return e
}

func (p *planner) botEndpoint(r *rng, c *call) *endpoint {
	e := &endpoint{typ: "Bot", id: r.guid(), tenant: c.res.TenantID, partType: "ACS", identifier: c.res.botID}
	e.sdkVersion = missingVersion(r)
	e.osVersion = e.sdkVersion
	e.class = netGood
	e.transport = "UDP"
	c.endpoints = append(c.endpoints, e)
	return e
}

// otherUser draws the person behind a seat of a call: mostly the resource's
// own users, about one in ten from another tenant.
func (p *planner) otherUser(r *rng, c *call, taken map[*user]bool) *user {
	pl := c.res.pool
	for range 20 {
		var u *user
		switch x := r.float(); {
		case c.threadID != "" && x < 0.11:
			u = choice(r, pl.teams)
		case c.threadID != "" && x < 0.16:
			u = choice(r, pl.m365)
		case x < 0.115:
			u = choice(r, pl.external)
		default:
			u = pl.pickUser(r)
		}
		if !taken[u] {
			taken[u] = true
			return u
		}
	}
	u := newACSUser(r, c.res, pl, false) // everyone popular is busy: a one-off user
	taken[u] = true
	return u
}

func (p *planner) newLeg(e *endpoint, ro role, start time.Time) *leg {
	l := &leg{ep: e, role: ro, start: ms(start), answered: true, reason: endNormal}
	e.legs = append(e.legs, l)
	return l
}

// --- after the timeline: ids, media, networks, streams, delivery ------------

func (p *planner) finish(r *rng, c *call) {
	// The call spans the first attempt to the last leg's end.
	c.end = c.start
	for _, l := range c.legs {
		if l.end.Before(l.connected) {
			l.end = l.connected
		}
		if l.end.After(c.end) {
			c.end = l.end
		}
	}
	slices.SortStableFunc(c.legs, func(a, b *leg) int { return a.start.Compare(b.start) })
	for _, l := range c.legs {
		l.clientPID = r.guid()
		if c.group {
			l.pid = l.clientPID
		}
		e := l.ep
		l.first = e.legs[0] == l
		l.last = e.legs[len(e.legs)-1] == l
	}
	for _, e := range c.endpoints {
		from, to := e.legs[0].start, e.legs[0].end
		for _, l := range e.legs {
			to = maxTime(to, l.end)
		}
		e.net = newNetwork(r, e.class, e.transport == "TCP", from, to)
	}
	p.planMedia(r, c)
	p.planStreams(r, c)
	p.planDelivery(r, c)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// planDelivery decides when the service sends the records that follow a
// participant's end: the update versions, the finals, the survey.
func (p *planner) planDelivery(r *rng, c *call) {
	lat := &p.lat
	for _, l := range c.legs {
		base := l.end
		if !c.group {
			base = c.end // P2P rows are written when the call ends
		}
		l.lateClient = l.ep.sdk && r.chance(0.06)
		l.versions = append(l.versions,
			ms(base.Add(lat.v1.draw(r))),
			ms(base.Add(lat.v2.draw(r))))
		if l.lateClient || r.chance(0.25) {
			l.versions = append(l.versions, ms(base.Add(lat.v3.draw(r))))
		}
		if r.chance(0.03) {
			prev := l.versions[len(l.versions)-1]
			l.versions = append(l.versions, ms(maxTime(prev, base.Add(lat.v4.draw(r))).Add(time.Second)))
		}
		l.survey = l.ep.sdk && l.last && l.answered && r.chance(0.2)
	}
	c.finals = ms(c.end.Add(lat.finals.draw(r)))
}
