package simulate

import (
	"math"
	"slices"
	"time"
)

// Media on a call's timeline: when cameras and screen shares are on, when
// microphones are muted, and the streams the diagnostics tables report,
// with their codecs and quality figures.

// planMedia decides when each leg's camera and screen share are on, and when
// its microphone is muted.
func (p *planner) planMedia(r *rng, c *call) {
	videoWanted := map[*endpoint]bool{}
	for i, e := range c.endpoints {
		if e.typ != "VoIP" {
			continue
		}
		pv := 0.5
		if e.dev.desktop {
			pv = 0.58
		}
		if c.kind == kindContact {
			pv = 0.1 // agents talk to phone callers
		}
		if !c.group && i == 1 {
			// In a 1:1 call the callee mostly does what the caller does.
			if videoWanted[c.endpoints[0]] {
				pv = 0.75
			} else {
				pv = 0.25
			}
		}
		videoWanted[e] = r.chance(pv)
	}
	var presenter *leg
	pShare := 0.06
	if c.kind == kindMeeting {
		pShare = 0.3
	}
	if r.chance(pShare) {
		var desk []*leg
		for _, l := range c.legs {
			if l.answered && l.ep.typ == "VoIP" && l.ep.dev.desktop && l.end.Sub(l.connected) > time.Minute {
				desk = append(desk, l)
			}
		}
		if len(desk) > 0 {
			presenter = choice(r, desk)
		}
	}
	for _, l := range c.legs {
		if !l.answered || l.ep.typ != "VoIP" {
			continue
		}
		m := l.media()
		d := m.dur().Seconds()
		if videoWanted[l.ep] && d > 10 {
			from := m.from.Add(secs(r.between(1, math.Min(8, d/3))))
			to := m.to
			switch x := r.float(); {
			case x < 0.2:
				to = m.from.Add(secs(d * r.between(0.3, 0.8)))
			case x < 0.35:
				from = m.from.Add(secs(d * r.between(0.1, 0.5)))
			}
			if to.Sub(from) > 3*time.Second {
				spans := []span{{ms(from), ms(to)}}
				if r.chance(0.1) && to.Sub(from) > time.Minute {
					// Camera off for a while in the middle.
					off := from.Add(secs(to.Sub(from).Seconds() * r.between(0.3, 0.6)))
					on := off.Add(secs(r.between(10, 40)))
					if on.Before(to.Add(-5 * time.Second)) {
						spans = []span{{ms(from), ms(off)}, {ms(on), ms(to)}}
					}
				}
				if l.ep.sdk && r.chance(0.03) {
					// The first StartVideo fails; most retry successfully.
					fail := spans[0].from.Add(-secs(r.between(2, 10)))
					if fail.After(l.connected) {
						l.failedVideo = append(l.failedVideo, ms(fail))
						if r.chance(0.4) {
							spans = spans[1:]
						}
					}
				}
				l.video = spans
			}
		}
		if l == presenter {
			from := m.from.Add(secs(d * r.between(0.1, 0.4)))
			to := m.from.Add(secs(d * r.between(0.5, 0.95)))
			l.screen = []span{{ms(from), ms(to)}}
		}
		if l.ep.sdk {
			mean := 0.4
			if c.group {
				mean = 1.5
			}
			for t := m.from; ; {
				t = t.Add(secs(r.exp(d / math.Max(mean, 0.1))))
				if !t.Before(m.to) {
					break
				}
				l.mutes = append(l.mutes, ms(t))
			}
		}
	}
}

// planStreams derives the diagnostics streams of every leg: in a P2P call the
// outbound streams of each endpoint; in a group call each leg's outbound
// streams plus the inbound streams the server sends it.
func (p *planner) planStreams(r *rng, c *call) {
	for _, l := range c.legs {
		if !l.answered {
			continue
		}
		e := l.ep
		desktop := e.dev != nil && e.dev.desktop
		add := func(m media, inbound bool, spans []span) {
			if len(spans) == 0 {
				return
			}
			s := &stream{leg: l, media: m, inbound: inbound, spans: spans, nom: nominalFor(r, m, desktop)}
			s.id = int64(1000 + r.intn(1<<31-1000))
			if r.chance(0.3) {
				s.id = int64(1000 + r.intn(30000)) // small ids are common too
			}
			s.codec = codecFor(r, e, m)
			d := dirSend
			if inbound {
				d = dirRecv
			}
			s.stats = aggregate(e.net, d, m, s.nom, spans)
			l.streams = append(l.streams, s)
		}
		add(mediaAudio, false, []span{l.media()})
		add(mediaVideo, false, l.video)
		add(mediaScreen, false, l.screen)
		if c.group {
			add(mediaAudio, true, []span{l.media()})
			add(mediaVideo, true, othersMedia(c, l, func(o *leg) []span { return o.video }))
			add(mediaScreen, true, othersMedia(c, l, func(o *leg) []span { return o.screen }))
		}
	}
}

// othersMedia is when any other leg sends a kind of media while l is in the
// call: what the server forwards to l.
func othersMedia(c *call, l *leg, of func(*leg) []span) []span {
	var out []span
	m := l.media()
	for _, o := range c.legs {
		if o == l || o.ep == l.ep {
			continue
		}
		for _, s := range of(o) {
			from, to := maxTime(s.from, m.from), minTime(s.to, m.to)
			if to.After(from) {
				out = append(out, span{from, to})
			}
		}
	}
	return mergeSpans(out)
}

func mergeSpans(in []span) []span {
	if len(in) < 2 {
		return in
	}
	slices.SortFunc(in, func(a, b span) int { return a.from.Compare(b.from) })
	out := in[:1]
	for _, s := range in[1:] {
		last := &out[len(out)-1]
		if !s.from.After(last.to) {
			last.to = maxTime(last.to, s.to)
			continue
		}
		out = append(out, s)
	}
	return out
}

func codecFor(r *rng, e *endpoint, m media) string {
	switch m {
	case mediaAudio:
		switch {
		case e.typ == "PSTN":
			return "G722"
		case e.dev != nil && e.dev.teams:
			return "SATIN"
		case e.dev != nil && e.dev.platform.native() && r.chance(0.3):
			return "SATIN"
		}
		return "OPUS"
	case mediaVideo:
		if e.dev != nil && e.dev.platform.native() {
			return "H264S"
		}
		if r.chance(0.35) {
			return "VP8"
		}
		return "H264"
	}
	return "H264"
}
