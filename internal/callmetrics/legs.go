package callmetrics

import (
	"time"
)

// legKey identifies a leg on one day. Legs are looked at day by day: a leg
// that spans midnight is a leg of both days, each day seeing only its own
// operations. That keeps a day's rows a function of that day's operations
// alone, so recomputing one day gives the same rows whichever other days are
// computed with it.
type legKey struct {
	day      int64 // days since the Unix epoch, UTC
	resource string
	leg      string // ParticipantId, or ClientInstanceId before the call
}

// leg is what the operations of one leg on one day say about it.
type leg struct {
	key legKey

	// The leg's dimensions are voted on by its operations (see tally).
	call, callType, platform, sdk, userAgent tally

	inCall    bool      // some operation carries a CallId: a real call leg, not a pre-call SDK instance
	latest    time.Time // its newest operation
	connected bool      // Connected state, or an entering operation that succeeded

	// The first ungraceful Disconnected, if any.
	dropped     bool
	dropAt      time.Time
	dropSubCode string

	ufds map[string]*ufdCount // by UFD name (NetworkReceiveQuality)

	// Set by resolve once every operation has been seen.
	dims   Dimensions // ResultType and SubCode left empty: each family sets its own
	callID string
}

// ufdCount counts one UFD's events on one leg.
type ufdCount struct {
	bad, good int
	latest    time.Time
}

// observe records what one operation says about the leg's identity.
func (l *leg) observe(op *Operation, p *payload, at time.Time, platform string) {
	if op.CallID != "" {
		l.inCall = true
		l.call.add(op.CallID, at)
	}
	l.callType.add(callTypeDim(p.callType), at)
	l.platform.add(platform, at)
	l.sdk.add(op.SdkVersion, at)
	l.userAgent.add(op.UserAgent, at)
	if at.After(l.latest) {
		l.latest = at
	}
}

// disconnected records an ungraceful end; the first one (then the lowest
// sub-code) gives the drop its SubCode.
func (l *leg) disconnected(at time.Time, subCode string) {
	if !l.dropped || at.Before(l.dropAt) || (at.Equal(l.dropAt) && subCode < l.dropSubCode) {
		l.dropped, l.dropAt, l.dropSubCode = true, at, subCode
	}
}

// diagnostic records one UFD event.
func (l *leg) diagnostic(name string, bad bool, at time.Time) {
	if l.ufds == nil {
		l.ufds = map[string]*ufdCount{}
	}
	u := l.ufds[name]
	if u == nil {
		u = &ufdCount{}
		l.ufds[name] = u
	}
	if bad {
		u.bad++
	} else {
		u.good++
	}
	if at.After(u.latest) {
		u.latest = at
	}
}

// resolve fixes the leg's dimensions once all its operations are in. The
// device, OS and browser come from one user agent (the leg's most frequent),
// not voted field by field, so that they always describe one real client.
func (l *leg) resolve(c *Computer) {
	cl := c.userAgent(l.userAgent.best())
	l.dims = cl.onto(Dimensions{
		CallType:   l.callType.best(),
		Platform:   l.platform.best(),
		SdkVersion: l.sdk.best(),
	})
	l.callID = l.call.best()
}

// tally elects one value of a leg's dimension from its operations. A leg
// normally agrees with itself (one client, one SDK, one call type); when it
// does not — a call escalated from 1:1 to group, an SDK that logs its
// platform only sometimes — the most frequent non-empty value wins, then the
// one seen earliest, then the smallest. None of this depends on the order of
// the input, so neither do the rows.
type tally []tallyEntry

type tallyEntry struct {
	value string
	n     int
	first time.Time
}

func (t *tally) add(v string, at time.Time) {
	if v == "" {
		return
	}
	for i := range *t {
		e := &(*t)[i]
		if e.value == v {
			e.n++
			if at.Before(e.first) {
				e.first = at
			}
			return
		}
	}
	*t = append(*t, tallyEntry{value: v, n: 1, first: at})
}

func (t tally) best() string {
	var b *tallyEntry
	for i := range t {
		e := &t[i]
		switch {
		case b == nil, e.n > b.n:
			b = e
		case e.n < b.n:
		case e.first.Before(b.first), e.first.Equal(b.first) && e.value < b.value:
			b = e
		}
	}
	if b == nil {
		return ""
	}
	return b.value
}
