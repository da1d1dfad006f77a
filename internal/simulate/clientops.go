package simulate

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// Client operations: what the Calling SDK of one participant logs about
// itself — the API calls the app makes (with their latency and outcome), the
// call's state changes and the user-facing diagnostics (UFDs) it raises.

// failure is a documented way for an SDK operation to fail.
type failure struct {
	code, sub int64
	category  string
	reason    string
}

// opFailures are the failures each operation meets in the simulation,
// taken from the SDK's published code/sub-code list.
var opFailures = map[string][]failure{
	"CallAgentInit": {
		{408, 40101, "UnexpectedClientError", "Failed to create CallAgent"},
		{412, 40115, "UnexpectedClientError", "Unable to initialize connection to the service"},
		{409, 40228, "ExpectedError", "A CallAgent for this identity already exists"},
	},
	"StartCall": {
		{408, 40114, "UnexpectedClientError", "Failed to connect to the service"},
		{412, 41056, "ExpectedError", "Enterprise voice policy is not enabled"},
	},
	"Join": {
		{408, 40114, "UnexpectedClientError", "Failed to connect to the service"},
		{412, 41056, "ExpectedError", "Enterprise voice policy is not enabled"},
	},
	"AcceptIncomingCall": {
		{400, 41006, "ExpectedError", "Call is not in the Ringing state"},
	},
	"StartVideo": {
		{412, 43000, "ExpectedError", "Camera is used by another application"},
		{403, 43001, "ExpectedError", "Camera permission was not granted"},
		{412, 43015, "ExpectedError", "Camera request timed out"},
		{410, 41048, "UnexpectedClientError", "Failed to start video during call setup"},
		{500, 43002, "UnexpectedClientError", "Failed to start video"},
	},
	"StopVideo": {
		{400, 41030, "ExpectedError", "Video is already stopped"},
	},
	"CreateView": {
		{412, 43200, "ExpectedError", "Stream is not available"},
		{404, 43202, "ExpectedError", "Stream is no longer available"},
		{408, 43203, "UnexpectedClientError", "Rendering timed out waiting for frames"},
	},
	"MuteMicrophone": {
		{500, 41015, "UnexpectedClientError", "Failed to mute microphone"},
	},
	"UnmuteMicrophone": {
		{400, 41016, "UnexpectedClientError", "Failed to unmute microphone"},
	},
}

// opLatency is the median and spread of an operation's DurationMs. The
// medians sit well under the P95 targets the Insights dashboard uses
// (CallAgentInit 2 s, AcceptIncomingCall 3 s, Join 5 s, StartCall 1 s,
// StartVideo 7 s, StopVideo 1 s), with a tail that sometimes crosses them.
var opLatency = map[string][2]float64{
	"CallAgentInit":       {650, 0.55},
	"AskDevicePermission": {900, 0.9},
	"StartCall":           {380, 0.5},
	"AcceptIncomingCall":  {1100, 0.55},
	"Join":                {1800, 0.5},
	"StartVideo":          {1500, 0.75},
	"StopVideo":           {180, 0.6},
	"CreateView":          {320, 0.6},
	"DisposeView":         {40, 0.5},
	"StartScreenShare":    {1400, 0.6},
	"StopScreenShare":     {150, 0.5},
	"MuteMicrophone":      {60, 0.5},
	"UnmuteMicrophone":    {70, 0.5},
	"Hangup":              {140, 0.5},
	"RejectIncomingCall":  {200, 0.5},
}

// opCtx carries what is common to one leg's operations.
type opCtx struct {
	l        *leg
	platform string
	batchAt  time.Time // zero, or when a delayed client uploads everything
}

// clientOps writes every client operation of one SDK leg.
func (b *builder) clientOps(l *leg) {
	c, e, r := b.c, l.ep, &b.r
	o := &opCtx{l: l, platform: e.dev.platform.sdkPlatform()}
	if r.chance(0.04) {
		// Telemetry held back (offline, app in background) and sent in one
		// go after the call.
		o.batchAt = l.end.Add(secs(r.between(5, 120)))
	}
	web := e.dev.platform == platWeb

	// Before the call: the SDK starts up, the browser asks for the devices.
	if l.first {
		t := l.start.Add(-secs(r.between(1.5, 40)))
		if !web && r.chance(0.4) {
			t = l.start.Add(-secs(r.between(60, 1800))) // app opened long before
		}
		if r.chance(0.015) {
			b.apiOp(o, "CallAgentInit", t.Add(-secs(r.between(3, 8))), false, true)
		}
		b.apiOp(o, "CallAgentInit", t, false, false)
		if web && r.chance(0.7) {
			b.pay(o)
			b.pw.boolean("Audio", true)
			b.pw.boolean("Video", len(l.video) > 0)
			b.op(o, "AskDevicePermission", l.start.Add(-secs(r.between(0.2, 1))), b.opDur("AskDevicePermission"), nil, false)
		}
	}

	// Entering the call.
	name, direction := "Join", "Outgoing"
	switch l.role {
	case roleCaller:
		name = "StartCall"
	case roleCallee, roleInvited:
		name, direction = "AcceptIncomingCall", "Incoming"
	}
	callType := c.callType()
	if c.kind == kindEscalated && l.role != roleInvited {
		callType = "P2P" // it was one when they joined
	}
	if r.chance(0.01) {
		// A first attempt fails; the app retries. (An incoming call can only
		// be accepted while it rings.)
		at := l.start.Add(-secs(r.between(2, 8)))
		if direction == "Incoming" {
			at = l.start.Add(secs(r.between(0.1, 0.3)))
		}
		b.enterOp(o, name, at, b.opDur(name), direction, callType, true)
	}
	if !l.answered {
		b.unanswered(o, direction)
		return
	}
	// StartCall returns as soon as the call is placed; Join and
	// AcceptIncomingCall return once the call is connected.
	switch name {
	case "StartCall":
		d := b.opDur(name)
		b.enterOp(o, name, l.start.Add(time.Duration(d)*time.Millisecond), d, direction, callType, false)
	case "Join":
		b.enterOp(o, name, l.connected, max(l.connected.Sub(l.start).Milliseconds(), 50), direction, callType, false)
	default:
		b.enterOp(o, name, l.connected, b.opDur(name), direction, callType, false)
	}
	b.state(o, l.connected.Add(secs(b.r.between(0.01, 0.2))), "Connected", callType)

	if e.dev.desktop && r.chance(0.25) {
		b.point(o, "SelectedMicrophoneChanged", l.connected.Add(secs(r.between(1, 20))))
	}
	if e.dev.desktop && r.chance(0.15) {
		b.point(o, "SelectedSpeakerChanged", l.connected.Add(secs(r.between(1, 20))))
	}
	if web && r.chance(0.1) {
		b.point(o, "PageHidden", l.connected.Add(secs(r.between(5, math.Max(6, l.end.Sub(l.connected).Seconds())))))
	}

	b.muteOps(o)
	b.videoOps(o)
	b.viewOps(o)
	b.networkUFDs(o)
	b.deviceUFDs(o)

	// Leaving.
	if l.reason == endAbrupt {
		return // the tab is gone: nothing more is logged
	}
	if l.dropped {
		if r.chance(0.4) { // the SDK sometimes still notices
			b.pay(o)
			b.pw.str("NewState", "Disconnected")
			b.pw.int("Code", atoi(l.reason.code))
			b.pw.int("SubCode", atoi(l.reason.sub))
			b.op(o, "StateChanged", l.end.Add(secs(r.between(0.5, 3))), 0, nil, true)
		}
		return
	}
	if l.hungUp {
		b.apiOp(o, "Hangup", l.end, true, false)
	}
	b.pay(o)
	b.pw.str("NewState", "Disconnected")
	b.pw.int("Code", atoi(l.reason.code))
	b.pw.int("SubCode", atoi(l.reason.sub))
	b.op(o, "StateChanged", l.end.Add(secs(r.between(0.05, 0.4))), 0, nil, true)
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// enterOp writes the operation that brings a leg into the call.
func (b *builder) enterOp(o *opCtx, name string, at time.Time, dur int64, direction, callType string, failed bool) {
	b.pay(o)
	b.pw.str("CallDirection", direction)
	b.pw.str("CallType", callType)
	var f *failure
	if failed {
		f = b.pickFailure(name)
	}
	b.op(o, name, at, dur, f, true)
}

// unanswered writes the end of a 1:1 call nobody picked up.
func (b *builder) unanswered(o *opCtx, direction string) {
	l := o.l
	switch {
	case l.role == roleCaller:
		d := b.opDur("StartCall")
		b.enterOp(o, "StartCall", l.start.Add(time.Duration(d)*time.Millisecond), d, direction, "P2P", false)
		if l.hungUp {
			b.apiOp(o, "Hangup", l.end, true, false)
		}
		b.state(o, l.end.Add(200*time.Millisecond), "Disconnected", "P2P")
	case l.reason == endDeclined:
		b.apiOp(o, "RejectIncomingCall", l.end, true, false)
	}
}

// pay starts an OperationPayload; every payload names the SDK platform,
// which the Performance tab of the Insights dashboard filters on.
func (b *builder) pay(o *opCtx) {
	p := &b.pw
	p.b = append(p.b[:0], '{')
	p.first = true
	p.str("SdkPlatform", o.platform)
}

// opDur draws an operation's DurationMs.
func (b *builder) opDur(name string) int64 {
	m := opLatency[name]
	return int64(clamp(b.r.lognorm(m[0], m[1]), 5, 60000))
}

func (b *builder) pickFailure(name string) *failure {
	fs := opFailures[name]
	if len(fs) == 0 {
		return nil
	}
	f := choice(&b.r, fs)
	return &f
}

// apiOp writes a plain API call with a standard payload.
func (b *builder) apiOp(o *opCtx, name string, at time.Time, inCall, failed bool) {
	b.pay(o)
	var f *failure
	if failed {
		f = b.pickFailure(name)
	}
	b.op(o, name, at, b.opDur(name), f, inCall)
}

// point writes an event that has no duration.
func (b *builder) point(o *opCtx, name string, at time.Time) {
	b.pay(o)
	b.op(o, name, at, 0, nil, true)
}

func (b *builder) state(o *opCtx, at time.Time, state, callType string) {
	b.pay(o)
	b.pw.str("NewState", state)
	b.pw.str("CallType", callType)
	b.op(o, "StateChanged", at, 0, nil, true)
}

// op writes one ACSCallClientOperations record. The payload is in b.pw.
// at is when the operation completed, in true time; the record carries it
// in the client's clock, and reaches the service a moment later.
func (b *builder) op(o *opCtx, name string, at time.Time, dur int64, f *failure, inCall bool) {
	b.opWithID(o, name, at, dur, f, inCall, b.r.guid())
}

func (b *builder) opWithID(o *opCtx, name string, at time.Time, dur int64, f *failure, inCall bool, opID string) {
	c, l, e, r := b.c, o.l, o.l.ep, &b.r
	emit := at.Add(secs(clamp(r.lognorm(2.5, 0.8), 0.2, 90)))
	if !o.batchAt.IsZero() && emit.Before(o.batchAt) {
		emit = o.batchAt.Add(secs(r.between(0, 2)))
	}
	if f != nil {
		p := &b.pw
		p.int("Code", f.code)
		p.int("SubCode", f.sub)
		p.str("ResultCategory", f.category)
		p.str("FailureReason", f.reason)
	}
	b.pw.endObject()

	b.begin(emit, catClientOps, name, "", "")
	b.recordQuirks()
	w := &b.w
	w.time("CallClientTimeStamp", at.Add(e.skew))
	if inCall {
		w.str("CallId", c.id)
		w.str("ParticipantId", l.clientPID)
	}
	w.str("OperationType", "client-api-request")
	w.str("OperationId", opID)
	w.int("DurationMs", dur)
	switch {
	case f == nil:
		w.str("ResultType", "Succeeded")
		w.int("ResultSignature", 200)
	default:
		rt := f.category
		if r.chance(0.3) {
			rt = "Failed"
		}
		w.str("ResultType", rt)
		w.int("ResultSignature", f.code)
	}
	w.str("SdkVersion", e.dev.sdk.logged)
	w.str("UserAgent", e.ua)
	w.str("ClientInstanceId", e.instance)
	w.str("EndpointId", e.id)
	if w.numStr {
		// Published samples carry the payload as a string holding JSON.
		w.key("OperationPayload")
		w.b = appendString(w.b, string(b.pw.b))
	} else {
		w.raw("OperationPayload", b.pw.b)
	}
	b.end()
}

// muteOps writes the microphone toggles and the "speaking while muted" hints.
func (b *builder) muteOps(o *opCtx) {
	l, r := o.l, &b.r
	for i, t := range l.mutes {
		muted := i%2 == 0
		name := "UnmuteMicrophone"
		if muted {
			name = "MuteMicrophone"
		}
		b.apiOp(o, name, t, true, r.chance(0.003))
		b.pay(o)
		b.pw.boolean("IsMuted", muted)
		b.op(o, "IsMutedChanged", t.Add(15*time.Millisecond), 0, nil, true)
		if muted && r.chance(0.25) {
			until := l.end
			if i+1 < len(l.mutes) {
				until = l.mutes[i+1]
			}
			if d := until.Sub(t).Seconds(); d > 15 {
				on := t.Add(secs(r.between(5, d/2)))
				b.flagUFD(o, "speakingWhileMicrophoneIsMuted", on, minTime(on.Add(secs(r.between(3, 10))), until), true)
			}
		}
	}
}

// videoOps writes the camera and screen-share operations.
func (b *builder) videoOps(o *opCtx) {
	l, r := o.l, &b.r
	for _, t := range l.failedVideo {
		b.pay(o)
		b.pw.str("StreamType", "Video")
		b.op(o, "StartVideo", t, b.opDur("StartVideo"), b.pickFailure("StartVideo"), true)
		if len(l.video) > 0 {
			b.flagUFD(o, "cameraStartFailed", t.Add(200*time.Millisecond), l.video[0].from, true)
		} else {
			b.flagUFD(o, "cameraStartFailed", t.Add(200*time.Millisecond), time.Time{}, false)
		}
	}
	for _, s := range l.video {
		b.pay(o)
		b.pw.str("StreamType", "Video")
		b.op(o, "StartVideo", s.from, b.opDur("StartVideo"), nil, true)
		b.view(o, s.from.Add(secs(r.between(0.1, 0.6))), mediaVideo, "local", nil, 1)
		if s.to.Before(l.end.Add(-time.Second)) {
			b.pay(o)
			b.pw.str("StreamType", "Video")
			b.op(o, "StopVideo", s.to, b.opDur("StopVideo"), b.maybeFail("StopVideo", 0.005), true)
			b.disposeView(o, s.to.Add(50*time.Millisecond), mediaVideo, "local", nil, 1)
		}
	}
	for _, s := range l.screen {
		b.pay(o)
		b.pw.str("StreamType", "ScreenSharing")
		b.op(o, "StartScreenShare", s.from, b.opDur("StartScreenShare"), nil, true)
		if s.to.Before(l.end.Add(-time.Second)) {
			b.pay(o)
			b.pw.str("StreamType", "ScreenSharing")
			b.op(o, "StopScreenShare", s.to, b.opDur("StopScreenShare"), nil, true)
		}
		if r.chance(0.01) {
			at := s.from.Add(secs(r.between(5, math.Max(6, s.dur().Seconds()))))
			b.flagUFD(o, "capturerStoppedUnexpectedly", at, at.Add(secs(r.between(2, 10))), r.chance(0.8))
		}
	}
}

func (b *builder) maybeFail(name string, p float64) *failure {
	if b.r.chance(p) {
		return b.pickFailure(name)
	}
	return nil
}

// viewOps renders the other participants' cameras and screens: a CreateView
// when a remote stream becomes available, a DisposeView when it goes.
func (b *builder) viewOps(o *opCtx) {
	l, r := o.l, &b.r
	m := l.media()
	n := 0
	for _, other := range b.c.legs {
		if other.ep == l.ep {
			continue
		}
		for _, kind := range []media{mediaVideo, mediaScreen} {
			spans := other.video
			if kind == mediaScreen {
				spans = other.screen
			} else if n >= 4 {
				continue // the SDK renders only a few remote cameras
			}
			for _, s := range spans {
				from, to := maxTime(s.from, m.from), minTime(s.to, m.to)
				if !to.After(from.Add(2 * time.Second)) {
					continue
				}
				if kind == mediaVideo {
					n++
				}
				b.view(o, from.Add(secs(r.between(0.2, 1.2))), kind, "remote", other, n+1)
				if to.Before(m.to.Add(-time.Second)) {
					b.disposeView(o, to.Add(secs(r.between(0.05, 0.5))), kind, "remote", other, n+1)
				}
			}
		}
	}
}

func (b *builder) viewPayload(o *opCtx, kind media, source string, remote *leg, n int) {
	b.pay(o)
	b.pw.str("StreamType", kind.viewName())
	b.pw.str("StreamId", strconv.Itoa(n)+".0")
	b.pw.str("Source", source)
	if remote != nil {
		b.pw.str("RemoteParticipantId", remote.clientPID)
	}
}

func (b *builder) view(o *opCtx, at time.Time, kind media, source string, remote *leg, n int) {
	b.viewPayload(o, kind, source, remote, n)
	b.op(o, "CreateView", at, b.opDur("CreateView"), b.maybeFail("CreateView", 0.015), true)
}

func (b *builder) disposeView(o *opCtx, at time.Time, kind media, source string, remote *leg, n int) {
	b.viewPayload(o, kind, source, remote, n)
	b.op(o, "DisposeView", at, b.opDur("DisposeView"), nil, true)
}

// networkUFDs raises networkSendQuality/networkReceiveQuality for each
// episode of bad network during the leg: Poor or Bad when it starts, Good
// when it ends, both under one OperationId. A camera freezes in the same bad
// stretches; a dropped leg reports networkReconnect.
func (b *builder) networkUFDs(o *opCtx) {
	l, r := o.l, &b.r
	m := l.media()
	for _, ep := range l.ep.net.episodes {
		from, to := maxTime(ep.from, m.from.Add(2*time.Second)), ep.to
		if !from.Before(m.to) || !to.After(from) {
			continue
		}
		q := "Poor"
		if ep.bad {
			q = "Bad"
		}
		for d, name := range [2]string{"networkSendQuality", "networkReceiveQuality"} {
			if !ep.has(d) {
				continue
			}
			at := from.Add(secs(r.between(1, 4)))
			if !at.Before(m.to) {
				continue
			}
			id := r.guid()
			b.ufd(o, name, at, q, id)
			if to.Before(m.to) {
				b.ufd(o, name, to.Add(secs(r.between(0.5, 3))), "Good", id)
			}
		}
		if ep.bad && ep.has(dirSend) && videoOnAt(l, from) {
			b.flagUFD(o, "cameraFreeze", from.Add(5*time.Second), to, to.Before(m.to))
		}
	}
	if l.dropped && l.reason == endMediaLost {
		id := r.guid()
		b.ufd(o, "networkReconnect", l.end.Add(-secs(r.between(1, 6))), "Bad", id)
		if i := slices.Index(l.ep.legs, l); i+1 < len(l.ep.legs) {
			next := l.ep.legs[i+1]
			b.ufd(&opCtx{l: next, platform: o.platform, batchAt: o.batchAt}, "networkReconnect", next.connected, "Good", id)
		}
	}
}

func videoOnAt(l *leg, t time.Time) bool {
	for _, s := range l.video {
		if !t.Before(s.from) && t.Before(s.to) {
			return true
		}
	}
	return false
}

// deviceUFDs raises the rarer device problems.
func (b *builder) deviceUFDs(o *opCtx) {
	l, r := o.l, &b.r
	m := l.media()
	d := m.dur().Seconds()
	if d < 10 {
		return
	}
	rnd := func() time.Time { return m.from.Add(secs(r.between(2, d))) }
	if r.chance(0.005) {
		at := rnd()
		b.flagUFD(o, "microphoneNotFunctioning", at, at.Add(secs(r.between(10, 60))), r.chance(0.6))
	}
	if r.chance(0.003) {
		at := rnd()
		b.flagUFD(o, "noSpeakerDevicesEnumerated", at, at.Add(secs(r.between(5, 30))), r.chance(0.7))
	}
	if !l.ep.dev.desktop && r.chance(0.02) {
		at := rnd()
		b.flagUFD(o, "microphoneMuteUnexpectedly", at, at.Add(secs(r.between(10, 90))), r.chance(0.9))
	}
	if len(l.video) > 0 && r.chance(0.01) {
		s := l.video[0]
		at := s.from.Add(secs(r.between(1, math.Max(2, s.dur().Seconds()))))
		b.flagUFD(o, "cameraStoppedUnexpectedly", at, at.Add(secs(r.between(3, 20))), r.chance(0.8))
	}
}

// ufd writes a quality UFD (value Good, Poor or Bad).
func (b *builder) ufd(o *opCtx, name string, at time.Time, quality, id string) {
	if at.After(o.l.end) {
		return
	}
	b.pay(o)
	b.pw.str("DiagnosticChanged", name)
	b.pw.str("DiagnosticQuality", quality)
	b.opWithID(o, "UserFacingDiagnostics", at, 0, nil, true, id)
}

// flagUFD writes a flag UFD raised at `on` and, if it recovers, cleared at
// `off`. The flag is mirrored in DiagnosticQuality (true → Bad, false →
// Good) because that is the field the Call Diagnostics rules read.
func (b *builder) flagUFD(o *opCtx, name string, on, off time.Time, recovers bool) {
	if on.After(o.l.end) {
		return
	}
	id := b.r.guid()
	for _, v := range []bool{true, false} {
		at := on
		if !v {
			if !recovers || off.IsZero() || off.After(o.l.end) {
				return
			}
			at = off
		}
		b.pay(o)
		b.pw.str("DiagnosticChanged", name)
		b.pw.boolean("DiagnosticFlag", v)
		if v {
			b.pw.str("DiagnosticQuality", "Bad")
		} else {
			b.pw.str("DiagnosticQuality", "Good")
		}
		b.opWithID(o, "UserFacingDiagnostics", at, 0, nil, true, id)
	}
}
