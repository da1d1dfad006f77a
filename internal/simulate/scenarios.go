package simulate

import (
	"encoding/base64"
	"math"
	"strings"
	"time"
)

// The scenarios a call can follow. Each lays out the legs of the call on
// the timeline: who joins when, who leaves when and how. The rest of the
// plan (networks, media, streams, delivery times) is common to all and done
// by planner.finish.

func (p *planner) planP2P(r *rng, c *call, escalate bool) {
	taken := map[*user]bool{}
	a := p.appEndpoint(r, c, p.otherUser(r, c, taken))
	b := p.appEndpoint(r, c, p.otherUser(r, c, taken))
	la := p.newLeg(a, roleCaller, c.start)
	ring := secs(clamp(r.lognorm(5, 0.5), 1, 30))

	if !escalate && r.chance(0.05) {
		// Nobody picks up: the caller cancels, the callee declines, or the
		// call times out. No media, no streams.
		c.unanswered = true
		reason := endCancelled
		switch x := r.float(); {
		case x < 0.35:
			reason, ring = endNoAnswer, secs(r.between(30, 45))
		case x < 0.6:
			reason, ring = endDeclined, secs(r.between(2, 10))
		default:
			ring = secs(r.between(3, 25))
		}
		lb := p.newLeg(b, roleCallee, c.start.Add(secs(r.between(0.3, 1.2))))
		for _, l := range []*leg{la, lb} {
			l.answered = false
			l.connected = la.start.Add(ring)
			l.end = ms(l.connected)
			l.reason = reason
		}
		la.hungUp = reason == endCancelled
		c.legs = append(c.legs, la, lb)
		return
	}

	lb := p.newLeg(b, roleCallee, c.start.Add(ring))
	lb.connected = ms(lb.start.Add(secs(clamp(r.lognorm(1.1, 0.5), 0.3, 6))))
	la.connected = lb.connected
	talk := secs(clamp(r.lognorm(200, 0.9), 8, 7200))
	end := lb.connected.Add(talk)
	c.legs = append(c.legs, la, lb)

	if escalate {
		// The caller adds a third person: from then on it is a group call.
		c.group = true
		cu := p.appEndpoint(r, c, p.otherUser(r, c, taken))
		at := la.connected.Add(secs(talk.Seconds() * r.between(0.2, 0.6)))
		lc := p.newLeg(cu, roleInvited, at)
		lc.connected = ms(at.Add(secs(clamp(r.lognorm(6, 0.5), 1, 30))))
		if !lc.connected.Before(end) {
			end = lc.connected.Add(time.Minute)
		}
		lc.end = ms(end.Add(-secs(r.between(0, 0.8))))
		c.legs = append(c.legs, lc)
	}
	// One side hangs up, the other follows a moment later; or a side drops.
	first, second := la, lb
	if r.chance(0.5) {
		first, second = lb, la
	}
	first.end = ms(end)
	first.hungUp = true
	second.end = ms(end.Add(secs(r.between(0.1, 0.9))))
	p.maybeDrop(r, c, first, false)
	if first.dropped {
		// The service notices the lost peer and ends the call for the other.
		second.end = ms(first.end.Add(secs(r.between(0.2, 2))))
		second.hungUp = false
	}
}

// maybeDrop decides whether a leg ends ungracefully, more often on a bad
// network. A dropped leg ends at a random moment of its media.
func (p *planner) maybeDrop(r *rng, c *call, l *leg, cut bool) {
	pNet := [...]float64{0.01, 0.035, 0.09, 0.22}[l.ep.class]
	switch {
	case r.chance(pNet):
		l.reason = endMediaLost
	case r.chance(0.01):
		l.reason = choice(r, []endReason{endServerError, endUnavailable, endTimeout})
	default:
		if l.ep.sdk && l.ep.dev.platform == platWeb && r.chance(0.03) {
			// Closed the tab: an expected end for the service, but the
			// client had no chance to hang up.
			l.reason, l.hungUp = endAbrupt, false
		}
		return
	}
	l.dropped, l.hungUp = true, false
	if cut {
		m := l.media()
		if d := m.dur().Seconds(); d > 40 {
			l.end = ms(m.from.Add(secs(r.between(20, d))))
		}
	}
}

// Group sizes 3–12, small meetings being the most common.
var groupSize = newWeighted(28, 22, 15, 10, 7, 6, 4, 3, 3, 2)

func (p *planner) planMeeting(r *rng, c *call) {
	c.group = true
	if r.chance(0.15) {
		c.threadID = "19:meeting_" + r.alnum(48) + "@thread.v2"
	}
	n := 3 + groupSize.pick(r)
	dur := secs(clamp(r.lognorm(480, 0.7), 60, 3*3600))
	c.end = c.start.Add(dur)
	taken := map[*user]bool{}
	organizerEnds := r.chance(0.35)

	for i := 0; i < n; i++ {
		var e *endpoint
		if i > 0 && r.chance(0.07) {
			dialIn := r.chance(0.7)
			kind := "Inbound"
			if !dialIn {
				kind = "Outbound"
			}
			if r.chance(0.3) {
				kind = "DirectRouting" + kind
			}
			e = p.phoneEndpoint(r, c, pstnNumber(r), kind)
		} else {
			e = p.appEndpoint(r, c, p.otherUser(r, c, taken))
		}
		join := c.start
		if i > 0 {
			if r.chance(0.25) {
				join = c.start.Add(secs(dur.Seconds() * r.between(0.1, 0.5))) // late joiner
			} else {
				join = c.start.Add(secs(math.Min(r.exp(25), 120)))
			}
		}
		ro := roleJoiner
		if e.typ == "PSTN" && e.pstnType != "Inbound" && e.pstnType != "DirectRoutingInbound" {
			ro = roleInvited
		}
		l := p.newLeg(e, ro, join)
		l.connected = ms(join.Add(secs(clamp(r.lognorm(1.8, 0.5), 0.4, 12))))
		if e.typ == "PSTN" && ro == roleInvited {
			l.connected = ms(join.Add(secs(clamp(r.lognorm(8, 0.4), 2, 40)))) // ringing
			if r.chance(0.08) {
				// The number dialled out to is busy or unreachable.
				l.answered = false
				l.reason = endPSTNBusy
				if r.chance(0.4) {
					l.reason = endPSTNNotAvail
				}
				l.end = l.connected
				c.legs = append(c.legs, l)
				continue
			}
		}
		switch {
		case i > 0 && r.chance(0.2): // leaves early
			lo := math.Max(0.5, l.connected.Sub(c.start).Seconds()/dur.Seconds()+0.05)
			l.end = ms(c.start.Add(secs(dur.Seconds() * r.between(lo, math.Max(lo, 0.95)))))
			l.hungUp = true
		case i == 0 || organizerEnds:
			l.end = c.end
			l.hungUp = i == 0
			if organizerEnds && i > 0 {
				l.reason = endOrganizer
			}
		default:
			l.end = ms(c.end.Add(-secs(r.between(0, 30))))
			l.hungUp = true
		}
		if e.typ == "PSTN" && l.hungUp && l.reason == endNormal {
			l.reason = endPSTNHangup
		}
		if !l.end.After(l.connected.Add(5 * time.Second)) {
			l.end = ms(l.connected.Add(secs(r.between(5, 30))))
		}
		p.maybeDrop(r, c, l, true)
		if !l.dropped && r.chance(0.01) && i > 0 {
			l.reason = endRemoved
			l.hungUp = false
		}
		c.legs = append(c.legs, l)
		// After a drop most people come back: a new leg of the same endpoint.
		if l.dropped && e.typ == "VoIP" && r.chance(0.65) {
			back := l.end.Add(secs(r.between(3, 40)))
			if c.end.Sub(back) > 30*time.Second {
				l2 := p.newLeg(e, roleJoiner, back)
				l2.connected = ms(back.Add(secs(clamp(r.lognorm(2, 0.5), 0.5, 12))))
				l2.end = c.end
				if !organizerEnds {
					l2.end = ms(c.end.Add(-secs(r.between(0, 20))))
					l2.hungUp = true
				} else {
					l2.reason = endOrganizer
				}
				c.legs = append(c.legs, l2)
			}
		}
	}
	// A deliberate rejoin now and then (switching devices is a new endpoint,
	// but reloading the page keeps it): graceful leave, then back.
	if r.chance(0.08) {
		for _, l := range c.legs {
			if l.ep.sdk && !l.dropped && l.answered && len(l.ep.legs) == 1 && l.end.Sub(l.connected) > 3*time.Minute {
				mid := ms(l.connected.Add(secs(l.end.Sub(l.connected).Seconds() * r.between(0.3, 0.7))))
				l2 := p.newLeg(l.ep, roleJoiner, mid.Add(secs(r.between(4, 20))))
				l2.connected = ms(l2.start.Add(secs(clamp(r.lognorm(1.8, 0.5), 0.4, 10))))
				l2.end, l2.reason, l2.hungUp = l.end, l.reason, l.hungUp
				l.end, l.reason, l.hungUp = mid, endNormal, true
				c.legs = append(c.legs, l2)
				break
			}
		}
	}
}

func (p *planner) planContact(r *rng, c *call) {
	c.group = true
	pl := c.res.pool
	kind := "Inbound"
	if r.chance(0.35) {
		kind = "DirectRoutingInbound"
	}
	caller := p.phoneEndpoint(r, c, pstnNumber(r), kind)
	bot := p.botEndpoint(r, c)
	c.connID = r.guid()
	c.serverID = serverCallID(r)
	c.tpe = r.chance(0.05)

	lp := p.newLeg(caller, roleJoiner, c.start)
	lb := p.newLeg(bot, roleInvited, c.start.Add(secs(r.between(0.5, 2))))
	lb.connected = ms(lb.start.Add(secs(r.between(0.3, 0.9))))
	lp.connected = lb.connected
	c.legs = append(c.legs, lp, lb)

	api := "?api-version=" + choice(r, []string{"2023-10-15", "2024-09-15"})
	host := "https://" + strings.ToLower(c.res.name) + ".communication.azure.com"
	base := host + "/calling/callConnections/" + c.connID
	add := func(at time.Time, name, sub, path string, dur float64) *autoOp {
		op := autoOp{at: ms(at), name: name, sub: sub, path: path + api, dur: int64(dur), result: "Succeeded", status: 200}
		if name == "Play" || name == "Recognize" || name == "Transfer" {
			op.status = 202
		}
		if r.chance(0.03) {
			op.result = "Failed"
			op.status = choice(r, []int64{400, 404, 500})
		}
		c.auto = append(c.auto, op)
		return &c.auto[len(c.auto)-1]
	}
	answerURL := host + "/calling/callConnections:answer"
	add(lb.start, "Answer", "", answerURL, r.lognorm(180, 0.4))
	t := lb.connected.Add(secs(r.between(0.3, 1)))
	add(t, "Play", choice(r, []string{"Play File", "Play TextToSpeech"}), base+":play", r.lognorm(90, 0.4))
	ivr := secs(r.between(20, 100))
	t = t.Add(secs(r.between(4, 9)))
	add(t, "Recognize", choice(r, []string{"Recognize Dtmf", "Recognize Dtmf", "Recognize Speech", "Recognize Choices"}), base+":recognize", r.lognorm(110, 0.4))
	if r.chance(0.5) {
		add(t.Add(secs(r.between(8, 15))), "Play", "Play TextToSpeech", base+":play", r.lognorm(90, 0.4))
	}
	ivrEnd := lb.connected.Add(ivr)
	if r.chance(0.15) {
		// The caller gives up in the menu.
		lp.end = ms(lb.connected.Add(secs(ivr.Seconds() * r.between(0.3, 1))))
		lp.reason, lp.hungUp = endPSTNHangup, true
		lb.end = ms(lp.end.Add(secs(r.between(0.2, 1))))
		return
	}
	add(ivrEnd, "Transfer", "Transfer ToParticipant", base+":transferToParticipant", r.lognorm(150, 0.4))
	agent := p.appEndpoint(r, c, choice(r, pl.agents))
	la := p.newLeg(agent, roleInvited, ivrEnd.Add(secs(r.between(1, 3))))
	la.connected = ms(la.start.Add(secs(clamp(r.lognorm(6, 0.5), 1, 40))))
	lb.end = la.connected
	talk := secs(clamp(r.lognorm(240, 0.8), 15, 3600))
	end := la.connected.Add(talk)
	c.legs = append(c.legs, la)
	if r.chance(0.6) {
		lp.end, lp.reason, lp.hungUp = ms(end), endPSTNHangup, true
		la.end = ms(end.Add(secs(r.between(0.2, 1))))
	} else {
		la.end, la.hungUp = ms(end), true
		lp.end = ms(end.Add(secs(r.between(0.2, 1))))
	}
	p.maybeDrop(r, c, la, false)
}

// serverCallID imitates the base64 server call ids of ACS.
func serverCallID(r *rng) string {
	raw := "https://api.flightproxy.skype.com/api/v2/cp/conv-" + r.hex(8) + "/conversations/" + r.guid() + "?i=" + r.hex(2)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}
