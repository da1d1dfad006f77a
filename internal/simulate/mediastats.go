package simulate

import (
	"math"
	"sort"
	"time"
)

// Media statistics: the SDK samples each stream's metrics every second and
// reports them every 10 seconds as one row per metric, with the count, sum,
// average, minimum and maximum of the samples. This is by far the largest
// table, so the metric set per stream is kept to the handful that the Call
// Diagnostics timeline draws.

type metric uint8

const (
	mBitrate metric = iota
	mPacketsPerSecond
	mPacketsLostPerSecond
	mRtt
	mJitter
	mJitterBuffer
	mHealedRatio
	mFrameRateSent
	mFrameRateReceived
	mFrameHeightSent
	mFrameHeightReceived
	mFreeze
)

var metricNames = [...]string{
	mBitrate:              "Bitrate",
	mPacketsPerSecond:     "PacketsPerSecond",
	mPacketsLostPerSecond: "PacketsLostPerSecond",
	mRtt:                  "RttInMs",
	mJitter:               "JitterInMs",
	mJitterBuffer:         "JitterBufferInMs",
	mHealedRatio:          "HealedRatio",
	mFrameRateSent:        "FrameRateSent",
	mFrameRateReceived:    "FrameRateReceived",
	mFrameHeightSent:      "FrameHeightSent",
	mFrameHeightReceived:  "FrameHeightReceived",
	mFreeze:               "LongestFreezeDurationInMs",
}

// spread is how far the 1-second samples of a metric stray from their
// 10-second mean, as a fraction of it.
var spread = [...]float64{
	mBitrate: 0.25, mPacketsPerSecond: 0.1, mPacketsLostPerSecond: 1, mRtt: 0.2, mJitter: 0.6,
	mJitterBuffer: 0.25, mHealedRatio: 1, mFrameRateSent: 0.2, mFrameRateReceived: 0.3,
	mFrameHeightSent: 0, mFrameHeightReceived: 0.2, mFreeze: 1,
}

// metricsFor is the metric set of a stream kind and direction.
func metricsFor(m media, d int) []metric {
	switch {
	case m == mediaAudio && d == dirSend:
		return []metric{mBitrate, mPacketsPerSecond, mPacketsLostPerSecond, mRtt, mJitter}
	case m == mediaAudio:
		return []metric{mBitrate, mPacketsPerSecond, mPacketsLostPerSecond, mJitter, mJitterBuffer, mHealedRatio}
	case m == mediaVideo && d == dirSend:
		return []metric{mBitrate, mPacketsPerSecond, mRtt, mFrameRateSent, mFrameHeightSent}
	case m == mediaVideo:
		return []metric{mBitrate, mJitter, mFrameRateReceived, mFrameHeightReceived, mFreeze}
	case d == dirSend:
		return []metric{mBitrate, mRtt, mFrameRateSent, mFrameHeightSent}
	}
	return []metric{mBitrate, mJitter, mFrameRateReceived, mFrameHeightReceived, mFreeze}
}

func (q *quality) value(m metric) float64 {
	switch m {
	case mBitrate:
		return q.bitrate
	case mPacketsPerSecond:
		return q.pps
	case mPacketsLostPerSecond:
		return q.pps * q.loss
	case mRtt:
		return q.rtt
	case mJitter:
		return q.jitter
	case mJitterBuffer:
		return q.jitterBuffer
	case mHealedRatio:
		return q.healed
	case mFrameRateSent, mFrameRateReceived:
		return q.fps
	case mFrameHeightSent, mFrameHeightReceived:
		return q.height
	case mFreeze:
		return q.freezeMs
	}
	return 0
}

// series is one stream as a client sees it: the rows of its metrics over
// the spans when it flows.
type series struct {
	leg     *leg
	dir     int
	media   media
	codec   string
	remote  *leg // the sender of a received camera or screen
	spans   []span
	nom     nominal
	metrics []metric
	seed    uint64
	head    []byte // `,"CallId":"…","MetricName":"`, written once
	tail    []byte // the members every row of the series ends with, written once
}

// mediaSeries lists the series of every SDK participant of the call, in a
// fixed order. Each gets its own seed so its rows can be generated on their
// own, in any order.
func mediaSeries(c *call) []*series {
	var out []*series
	add := func(l *leg, d int, m media, remote *leg, spans []span) {
		if len(spans) == 0 {
			return
		}
		codec := "OPUS"
		if m != mediaAudio {
			codec = "H264"
			if l.ep.dev.platform == platWeb && (l.ep.id[0]&1 == 0) {
				codec = "VP8"
			}
		}
		s := &series{leg: l, dir: d, media: m, codec: codec, remote: remote, spans: spans, metrics: metricsFor(m, d)}
		s.seed = derive(c.seed, uint64(len(out))+7<<40)
		r := newRNG(s.seed, 0)
		desktop := l.ep.dev.desktop
		if remote != nil && remote.ep.dev != nil {
			desktop = remote.ep.dev.desktop
		}
		s.nom = nominalFor(&r, m, desktop)
		s.head = append(appendString([]byte(`,"CallId":`), c.id), `,"MetricName":"`...)
		s.tail = seriesTail(s)
		out = append(out, s)
	}
	for _, l := range c.legs {
		if !l.ep.sdk || !l.answered || !l.end.After(l.connected) {
			continue
		}
		m := l.media()
		add(l, dirSend, mediaAudio, nil, []span{m})
		add(l, dirRecv, mediaAudio, nil, othersPresent(c, l))
		add(l, dirSend, mediaVideo, nil, l.video)
		add(l, dirSend, mediaScreen, nil, l.screen)
		cams := 0
		for _, o := range c.legs {
			if o.ep == l.ep {
				continue
			}
			if v := overlap(o.video, m); len(v) > 0 && cams < 2 {
				cams++
				add(l, dirRecv, mediaVideo, o, v)
			}
			add(l, dirRecv, mediaScreen, o, overlap(o.screen, m))
		}
	}
	return out
}

// othersPresent is when anyone else is in the call with l: when l receives audio.
func othersPresent(c *call, l *leg) []span {
	var out []span
	for _, o := range c.legs {
		if o.ep != l.ep && o.answered {
			out = append(out, o.media())
		}
	}
	return overlap(mergeSpans(out), l.media())
}

func overlap(spans []span, m span) []span {
	var out []span
	for _, s := range spans {
		from, to := maxTime(s.from, m.from), minTime(s.to, m.to)
		if to.After(from) {
			out = append(out, span{from, to})
		}
	}
	return out
}

// Intervals are counted from the moment the leg's media started, as the
// SDK's collector does. Interval k covers [anchor+10k s, anchor+10(k+1) s)
// clipped to the span.
func intervalBounds(anchor time.Time, s span, k int) (from, to time.Time) {
	from = anchor.Add(time.Duration(k) * bucket)
	to = from.Add(bucket)
	return maxTime(from, s.from), minTime(to, s.to)
}

func firstInterval(anchor time.Time, s span) int {
	return int(s.from.Sub(anchor) / bucket)
}

// due is when the rows of interval k reach the service: the SDK uploads a
// batch a few seconds after each 10-second boundary (a last, partial
// interval goes with the batch of its boundary). The delay depends on the
// leg and the interval only, so all series of a client arrive together, and
// it is under 10 s, so the rows of a series arrive in order.
func (s *series) due(k int) time.Time {
	r := newRNG(s.leg.ep.net.seed^0x5eed, uint64(k))
	boundary := s.leg.connected.Add(time.Duration(k+1) * bucket)
	return boundary.Add(secs(r.between(1, 6)))
}

// mediaCursor walks a series' intervals; live mode keeps one per series.
type mediaCursor struct {
	s    *series
	span int
	k    int  // next interval
	init bool // k is set for the current span
}

func (cur *mediaCursor) done() bool { return cur.span >= len(cur.s.spans) }

// mediaUntil writes the rows of the series that are due at or before limit
// (all of them when limit is zero) and advances the cursor.
func (b *builder) mediaUntil(cur *mediaCursor, limit time.Time) {
	s := cur.s
	anchor := s.leg.connected
	for !cur.done() {
		sp := s.spans[cur.span]
		if !cur.init {
			// A span that resumes within an interval already reported
			// (camera back on after a few seconds) starts with the next one.
			cur.k, cur.init = max(cur.k, firstInterval(anchor, sp)), true
		}
		from, to := intervalBounds(anchor, sp, cur.k)
		if !to.After(from) {
			cur.span++
			cur.init = false
			continue
		}
		due := s.due(cur.k)
		if !limit.IsZero() && due.After(limit) {
			return
		}
		b.mediaRows(s, cur.k, from, to, due)
		cur.k++
	}
}

// media writes every media-stats row of the call.
func (b *builder) media(all []*series) {
	for _, s := range all {
		cur := mediaCursor{s: s}
		b.mediaUntil(&cur, time.Time{})
	}
}

// mediaRows writes the rows of all metrics of a series for one interval.
func (b *builder) mediaRows(s *series, k int, from, to, due time.Time) {
	l := s.leg
	e := l.ep
	r := newRNG(s.seed, uint64(k)+1)
	count := int64(math.Ceil(to.Sub(from).Seconds()))
	if count < 1 {
		count = 1
	}
	if count == 10 && r.chance(0.02) {
		count = 9 // a sample missed
	}
	q := qualityAt(s.media, s.nom, e.net.at(s.dir, from))
	if s.media == mediaAudio && s.dir == dirSend && mutedAt(l, from) {
		q.bitrate *= 0.08 // silence suppression while muted
		q.pps *= 0.2
	}
	for _, m := range s.metrics {
		avg := q.value(m)
		lo, hi := avg, avg
		if count > 1 {
			sp := spread[m]
			lo = avg * (1 - sp*r.float())
			hi = avg * (1 + sp*r.float()*1.5)
		}
		digits := 2
		if avg >= 1000 {
			digits = 0
		} else if m == mHealedRatio {
			digits = 4
		}
		avg = round(avg, digits)
		lo, hi = math.Min(round(lo, digits), avg), math.Max(round(hi, digits), avg)

		b.begin(due, catMediaStats, "CallClientMediaStatsTimeSeries", "", "")
		b.recordQuirks()
		w := &b.w
		w.time("CallClientTimeStamp", to.Add(e.skew))
		w.b = append(w.b, s.head...)
		w.b = append(w.b, metricNames[m]...)
		w.b = append(w.b, '"')
		w.int("Count", count)
		w.float("Sum", round(avg*float64(count), digits))
		w.float("Average", avg)
		w.float("Minimum", lo)
		w.float("Maximum", hi)
		w.b = append(w.b, s.tail...)
		w.int("AggregationIntervalSeconds", 10)
		b.end()
	}
}

// seriesTail writes the members that are the same in every row of a
// series, so that each row copies them instead of escaping them again.
func seriesTail(s *series) []byte {
	w := jw{}
	dir := "send"
	if s.dir == dirRecv {
		dir = "recv"
	}
	w.str("MediaStreamDirection", dir)
	w.str("MediaStreamType", s.media.statsName())
	w.str("MediaStreamCodec", s.codec)
	w.str("ParticipantId", s.leg.clientPID)
	w.str("ClientInstanceId", s.leg.ep.instance)
	if s.remote != nil {
		w.str("RemoteParticipantId", s.remote.clientPID)
		w.str("RemoteEndpointId", s.remote.ep.id)
	}
	return w.b
}

// mutedAt reports whether the leg's microphone is muted at t (toggles start
// from unmuted).
func mutedAt(l *leg, t time.Time) bool {
	n := sort.Search(len(l.mutes), func(i int) bool { return l.mutes[i].After(t) })
	return n%2 == 1
}
