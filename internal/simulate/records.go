package simulate

import (
	"time"
)

// Diagnostic-setting categories, as records name them.
const (
	catSummary        = "CallSummary"
	catSummaryUpdates = "CallSummaryUpdates"
	catDiag           = "CallDiagnostics"
	catDiagUpdates    = "CallDiagnosticsUpdates"
	catClientOps      = "CallClientOperations"
	catMediaStats     = "CallClientMediaStatsTimeSeries"
	catSurvey         = "CallSurvey"
	catUsage          = "Usage"
	catCallAutomation = "CallAutomationOperational"
	catAppEvents      = "AppEvents" // of the Application Insights resource, not the ACS one
)

const (
	arenaChunk        = 256 << 10 // largest arena chunk
	maxRecordEstimate = 4 << 10   // records are smaller; a larger one still works (its chunk grows by copying)
	quirkShare        = 0.05      // share of records that use an irregular spelling
)

// Categories lists the categories the simulator writes.
func Categories() []string {
	return []string{catSummary, catSummaryUpdates, catDiag, catDiagUpdates, catClientOps,
		catMediaStats, catSurvey, catUsage, catCallAutomation, catAppEvents}
}

// builder turns one planned call into records. Record bodies are cut out of
// large shared chunks (an arena): writing a record allocates nothing, and a
// record's JSON stays valid after the builder moves on, because a chunk is
// never written twice.
type builder struct {
	c   *call
	r   rng // record-level choices: delivery delays, per-record quirks
	ar  rng // choices of the apps' custom events, apart so that they leave the ACS records as they were
	w   jw
	pw  jw // scratch writer for OperationPayload
	out []Record

	start int
	t     time.Time
	cat   string
	res   string // resource id of the record being written

	finals bool
	chunk  int // size of the current arena chunk
}

func newBuilder(c *call, finals bool) *builder {
	b := &builder{finals: finals}
	if c != nil {
		b.reset(c)
	}
	return b
}

// reset points the builder at another call, keeping its buffers.
func (b *builder) reset(c *call) {
	b.c = c
	b.r = newRNG(c.seed, 2)
	b.ar = newRNG(c.seed, 4)
	b.out = b.out[:0]
}

// begin starts a record: the envelope members, then opens "properties".
// opVersion and correlation are left out when empty (tables without such a
// column).
func (b *builder) begin(t time.Time, cat, op, opVersion, correlation string) {
	b.open(t, cat, b.c.res.ID)
	w := &b.w
	w.b = append(w.b, `{"time":"`...)
	w.b = appendTime(w.b, b.t, 3)
	w.b = append(w.b, '"', ',')
	w.b = append(w.b, b.c.res.idJSON...)
	w.b = append(w.b, `,"operationName":`...)
	w.b = appendString(w.b, op)
	if opVersion != "" {
		w.b = append(w.b, `,"operationVersion":`...)
		w.b = appendString(w.b, opVersion)
	}
	w.b = append(w.b, `,"category":"`...)
	w.b = append(w.b, cat...)
	w.b = append(w.b, '"')
	if correlation != "" {
		w.b = append(w.b, `,"correlationId":`...)
		w.b = appendString(w.b, correlation)
	}
	w.b = append(w.b, `,"properties":{`...)
	w.first = true
}

// open starts a record of a resource, cut out of the arena.
func (b *builder) open(t time.Time, cat, resource string) {
	w := &b.w
	if cap(w.b)-len(w.b) < maxRecordEstimate {
		// Chunks grow from small (a live call that writes a few records)
		// to large (batch mode, which reuses one builder).
		b.chunk = min(max(2*b.chunk, 16<<10), arenaChunk)
		w.b = make([]byte, 0, b.chunk)
	}
	b.start = len(w.b)
	b.t = ms(t)
	b.cat = cat
	b.res = resource
}

// beginFlat starts a record in the flat shape of Application Insights
// exports: the envelope's time (with seven fractional digits, as they write
// it) and resourceId, then the columns of the table named by Type, with
// no category and no properties envelope.
func (b *builder) beginFlat(t time.Time, cat, table string, ai *insightsState) {
	b.open(t, cat, ai.ID)
	w := &b.w
	w.b = append(w.b, `{"time":"`...)
	w.b = appendTime(w.b, b.t, 7)
	w.b = append(w.b, '"', ',')
	w.b = append(w.b, ai.idJSON...)
	w.first = false
	w.str("ResourceGUID", ai.guid)
	w.str("Type", table)
}

// end closes the properties and the record and files it.
func (b *builder) end() {
	b.w.b = append(b.w.b, '}')
	b.endFlat()
}

// endFlat closes a record begun with beginFlat and files it.
func (b *builder) endFlat() {
	w := &b.w
	w.b = append(w.b, '}')
	n := len(w.b)
	b.out = append(b.out, Record{Time: b.t, Category: b.cat, Resource: b.res, JSON: w.b[b.start:n:n]})
	w.numStr, w.long7 = false, false
}

// recordQuirks turns on, for a few percent of records, the irregular
// spellings real exports use, so that the decoder meets them.
func (b *builder) recordQuirks() {
	if b.r.chance(quirkShare) {
		b.w.numStr = true
	}
	if b.c.q.long7 {
		b.w.long7 = true
	}
}

// eager writes every record of the call except the media stats: client
// operations, the service's summaries and diagnostics in all versions,
// surveys, usage and Call Automation operations. Media stats are written by
// media(), possibly lazily.
func (b *builder) eager() {
	c := b.c
	for i := range c.auto {
		b.automation(&c.auto[i])
	}
	for _, l := range c.legs {
		if l.ep.sdk {
			b.clientOps(l)
		}
		b.usage(l)
		if l.survey {
			b.survey(l)
		}
		for v := range l.versions {
			b.summary(l, v)
			for _, s := range l.streams {
				b.diagnostics(s, v)
			}
		}
	}
	if b.finals {
		for _, l := range c.legs {
			b.summary(l, -1)
			for _, s := range l.streams {
				b.diagnostics(s, -1)
			}
		}
	}
}

// fill is how complete a versioned row is.
type fill uint8

const (
	fillFirst    fill = iota // version 1: written before the client's data arrived
	fillLate                 // the client's data is still missing
	fillComplete             // everything known
)

// fillOf says how complete version v (0-based; -1 = the final row) of a
// leg's rows is.
func fillOf(l *leg, v int) fill {
	switch {
	case v == 0:
		return fillFirst
	case v == 1 && l.lateClient:
		return fillLate
	}
	return fillComplete
}

// deliveredAt is when version v (or the final row, v = -1) of a leg's rows
// is written; each row is a little apart from its siblings.
func (b *builder) deliveredAt(l *leg, v int) time.Time {
	jitter := secs(b.r.between(0, 4))
	if v < 0 {
		return b.c.finals.Add(jitter)
	}
	return l.versions[v].Add(jitter)
}

func (b *builder) versionKey(v int) {
	if v < 0 {
		return
	}
	k := "CallUpdatesVersion"
	if b.c.q.lowerVersion {
		k = "callupdatesversion"
	}
	b.w.int(k, int64(v+1))
}

// seconds rounds a duration to whole seconds, as the summary reports them.
func seconds(d time.Duration) int64 { return int64(d.Round(time.Second) / time.Second) }

// summary writes one participant row: version v of CallSummaryUpdates, or
// the final CallSummary row when v < 0.
func (b *builder) summary(l *leg, v int) {
	c, e := b.c, l.ep
	cat := catSummaryUpdates
	if v < 0 {
		cat = catSummary
	}
	b.begin(b.deliveredAt(l, v), cat, "CallSummary", "1.0", c.id)
	w := &b.w
	w.numStr = c.q.numStrings
	w.long7 = c.q.long7
	f := fillOf(l, v)

	w.str("identifier", e.identifier)
	w.time("callStartTime", c.start)
	w.int("callDuration", seconds(c.end.Sub(c.start)))
	w.str("callType", c.callType())
	switch {
	case c.threadID != "":
		w.str("teamsThreadId", c.threadID)
	case c.q.nullStrings:
		w.str("teamsThreadId", "null")
	}
	b.participantID(l)
	w.time("participantStartTime", l.start)
	w.int("participantDuration", seconds(l.end.Sub(l.start)))
	w.str("participantEndReason", l.reason.code)
	w.str("endpointId", e.id)
	w.str("endpointType", e.typ)
	if f == fillComplete || !e.sdk {
		w.strOpt("sdkVersion", e.sdkVersion)
		w.strOpt("osVersion", e.osVersion)
	} else if f == fillFirst {
		w.null("sdkVersion")
		w.null("osVersion")
	}
	w.str("participantTenantId", e.tenant)
	w.str("participantType", e.partType)
	w.strOpt("pstnParticipantCallType", e.pstnType)
	if f == fillFirst {
		w.null("ParticipantEndSubCode")
	} else {
		w.str("ParticipantEndSubCode", l.reason.sub)
	}
	w.str("ResultCategory", l.reason.category)
	if f == fillComplete {
		w.strOpt("DiagnosticOptions", e.diag)
	}
	w.boolean("TPE", c.tpe)
	b.versionKey(v)
	b.end()
}

// participantID writes the participantId of a summary or diagnostics row:
// absent in P2P calls, where exports show either JSON null or the string "null".
func (b *builder) participantID(l *leg) {
	w := &b.w
	switch {
	case l.pid != "":
		w.str("participantId", l.pid)
	case b.c.q.nullStrings:
		w.str("participantId", "null")
	default:
		w.null("participantId")
	}
}

// diagnostics writes one stream row: version v of CallDiagnosticsUpdates, or
// the final CallDiagnostics row when v < 0.
func (b *builder) diagnostics(s *stream, v int) {
	c, l, e := b.c, s.leg, s.leg.ep
	cat := catDiagUpdates
	if v < 0 {
		cat = catDiag
	}
	b.begin(b.deliveredAt(l, v), cat, "CallDiagnostics", "1.0", c.id)
	w := &b.w
	w.numStr = c.q.numStrings
	f := fillOf(l, v)
	st := &s.stats

	if s.inbound {
		// Rows of the server endpoint describe what it sends the participant.
		if c.q.serverNull {
			w.str("identifier", "null")
		} else {
			w.null("identifier")
		}
		b.participantID(l)
		w.null("endpointId")
		w.str("endpointType", "Server")
	} else {
		w.str("identifier", e.identifier)
		b.participantID(l)
		w.str("endpointId", e.id)
		w.str("endpointType", e.typ)
	}
	w.str("mediaType", s.media.diagName())
	w.int("streamId", s.id)
	w.str("transportType", e.transport)
	w.int("roundTripTimeAvg", st.rttAvg)
	w.int("roundTripTimeMax", st.rttMax)
	w.int("jitterAvg", st.jitterAvg)
	w.int("jitterMax", st.jitterMax)
	w.float("packetLossRateAvg", st.lossAvg)
	if f == fillFirst {
		w.null("packetLossRateMax")
	} else {
		w.float("packetLossRateMax", st.lossMax)
	}
	// The rest comes from the clients' telemetry, which the first version
	// usually lacks.
	if f == fillComplete {
		w.int("JitterBufferSizeAvg", st.jbAvg)
		w.int("JitterBufferSizeMax", st.jbMax)
		switch s.media {
		case mediaAudio:
			w.float("HealedDataRatioAvg", st.healAvg)
			w.float("HealedDataRatioMax", st.healMax)
		default:
			w.float("VideoFrameRateAvg", st.fps)
			w.int("RecvResolutionHeight", st.height)
			w.float("RecvFreezeDurationPerMinuteInMs", st.freezePerMin)
			w.int("VideoBitRateAvg", st.bitrateAvg)
			w.int("VideoBitRateMax", st.bitrateMax)
		}
		w.int("PacketUtilization", st.packets)
	}
	if s.inbound {
		w.str("StreamDirection", "Inbound")
	} else {
		w.str("StreamDirection", "Outbound")
	}
	if f != fillFirst {
		w.str("CodecName", s.codec)
	}
	w.boolean("TPE", c.tpe)
	b.versionKey(v)
	b.end()
}
