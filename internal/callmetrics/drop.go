package callmetrics

// Drop metric: of the legs that got into a call, the share that did not end
// ungracefully.
//
// A leg counts once it connected on the day: a StateChanged to Connected,
// or a Join/StartCall/AcceptIncomingCall that succeeded (see
// isConnectResult). It dropped if one of its StateChanged to Disconnected
// that day carries an ungraceful end (see isUngraceful). Dropped legs are
// counted under ResultType Failed with the disconnect's SubCode, so the
// dashboard can break drops down by cause; the others under Succeeded with
// no SubCode.
//
// A leg that connects before midnight and drops after it counts as a
// connected, undropped leg of the first day and not at all on the second:
// legs are looked at day by day (see legKey). Such legs are rare, and the
// alternative — a day's rows depending on the next day's operations —
// would change rows after they were written.
//
// Only legs in a call count (see leg.inCall): a pre-call SDK instance has no
// connection to drop.

func dropRows(r *run) groups {
	g := groups{}
	for _, l := range r.legs {
		if !l.inCall || !l.connected {
			continue
		}
		dims := l.dims
		if l.dropped {
			dims.ResultType, dims.SubCode = resultFailed, l.dropSubCode
		} else {
			dims.ResultType = resultSucceeded
		}
		k := groupKey{day: l.key.day, resource: l.key.resource, metric: DropMetric, dims: dims}
		g.add(familyDrop, k, l.key.leg, l.callID, l.latest, !l.dropped)
	}
	return g
}
