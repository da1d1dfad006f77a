package callmetrics

import "slices"

// User-facing diagnostics (UFDs) give two families of metrics. Both look at
// each leg's events of one UFD on one day: an event is bad or good as
// payload.ufdEvent decides (quality not Good, or flag raised, is bad).
//
// Every UFD is treated alike, speakingWhileMicrophoneIsMuted included: Call
// Diagnostics does not flag that one as a problem, but the metrics table
// lists it in both families, and whether it matters is the reader's call.
//
// Only legs in a call count (see leg.inCall): UFDs are raised on a call.

// ufdRecoveryRows computes reliability/api/UFD/recovery/<Name>: of the legs
// that went bad on a UFD, the share that recovered. A leg went bad if it
// had at least one bad event, and recovered if it then had at least as many
// good events as bad ones — each bad spell closed by a good one; that is how
// ACS documents recovery. Legs that never went bad are not in these rows at all: this is a recovery rate, not
// an incidence rate — that is the other family.
func ufdRecoveryRows(r *run) groups {
	g := groups{}
	for _, l := range r.legs {
		if !l.inCall {
			continue
		}
		for name, u := range l.ufds {
			if u.bad == 0 {
				continue
			}
			recovered := u.good >= u.bad
			dims := l.dims
			dims.ResultType = resultFailed
			if recovered {
				dims.ResultType = resultSucceeded
			}
			k := groupKey{day: l.key.day, resource: l.key.resource, metric: ufdRecoveryPrefix + name, dims: dims}
			g.add(familyUFDRecovery, k, l.key.leg, l.callID, u.latest, recovered)
		}
	}
	return g
}

// ufdLegRows computes reliability/leg/UFD/<Name>: of all the legs of a
// dimension set, the share that never went bad on the UFD. The denominator
// is every leg of the set, with or without UFD events, so a UFD that hits
// one leg in a hundred reads 99 %. A UFD gets a row in a dimension set only
// if at least one of its legs went bad there; a set where nobody met the
// UFD would only say 100 % about something that did not happen.
//
// ResultType and SubCode stay empty: a leg's outcome is in the counts, not
// in a dimension.
func ufdLegRows(r *run) groups {
	type setKey struct {
		day      int64
		resource string
		dims     Dimensions
	}
	sets := map[setKey][]*leg{}
	for _, l := range r.legs {
		if l.inCall {
			k := setKey{l.key.day, l.key.resource, l.dims}
			sets[k] = append(sets[k], l)
		}
	}
	g := groups{}
	var names []string
	for k, legs := range sets {
		names = names[:0]
		for _, l := range legs {
			for name, u := range l.ufds {
				if u.bad > 0 && !slices.Contains(names, name) {
					names = append(names, name)
				}
			}
		}
		for _, name := range names {
			gk := groupKey{day: k.day, resource: k.resource, metric: ufdLegPrefix + name, dims: k.dims}
			for _, l := range legs {
				u := l.ufds[name]
				g.add(familyUFDLeg, gk, l.key.leg, l.callID, l.latest, u == nil || u.bad == 0)
			}
		}
	}
	return g
}
