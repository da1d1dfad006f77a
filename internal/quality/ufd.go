package quality

import (
	"slices"
	"strings"
)

// UFD is one user-facing diagnostic from ufds.json: an event the Calling SDK
// raises when the user is probably having a bad time, logged as an
// ACSCallClientOperations row named UserFacingDiagnostics whose payload
// carries DiagnosticChanged (the name) and DiagnosticQuality (the value).
type UFD struct {
	Name    string   `json:"name"`    // as the web SDK logs it, e.g. networkReconnect
	Aliases []string `json:"aliases"` // the native SDKs' names for the same thing
	// Lane is the timeline row it belongs on: audio, video, screenshare,
	// network or call.
	Lane string `json:"lane"`
	// Type is "quality" (Good, Poor or Bad) or "flag" (raised or cleared).
	Type string `json:"type"`
	// Counts is false for the diagnostics that are hints to the user rather
	// than faults; they are never counted as issues.
	Counts      bool     `json:"countsAsIssue"`
	Explanation string   `json:"explanation"`
	NextStep    string   `json:"nextStep"`
	Sources     []string `json:"sources"`
	// Known is false when the name is not in the catalogue and the other
	// fields were filled in by LookupUFD.
	Known bool `json:"-"`
}

func (u UFD) clone() UFD {
	u.Aliases = slices.Clone(u.Aliases)
	u.Sources = slices.Clone(u.Sources)
	return u
}

type ufdsFile struct {
	UFDs []UFD `json:"ufds"`
}

type ufdCatalogue struct {
	list   []UFD
	byName map[string]int // foldKey(name or alias) → index
}

var ufds = loadUFDs()

var validLanes = []string{"audio", "video", "screenshare", "network", "call"}

func loadUFDs() ufdCatalogue {
	const file = "ufds.json"
	var f ufdsFile
	mustDecode(file, &f)
	c := ufdCatalogue{byName: map[string]int{}}
	for i, u := range f.UFDs {
		mustHold(slices.Contains(validLanes, u.Lane), file, "%s: lane %q is not one of %v", u.Name, u.Lane, validLanes)
		mustHold(u.Type == "quality" || u.Type == "flag", file, "%s: type %q is not quality or flag", u.Name, u.Type)
		mustHold(u.Explanation != "" && u.NextStep != "" && len(u.Sources) > 0, file, "%s: explanation, next step and sources are required", u.Name)
		for _, n := range append([]string{u.Name}, u.Aliases...) {
			k := foldKey(n)
			_, dup := c.byName[k]
			mustHold(k != "" && !dup, file, "UFD name %q empty or used twice", n)
			c.byName[k] = i
		}
		u.Known = true
		c.list = append(c.list, u)
	}
	return c
}

// UFDs returns the catalogue in ufds.json order (copies).
func UFDs() []UFD {
	out := make([]UFD, len(ufds.list))
	for i, u := range ufds.list {
		out[i] = u.clone()
	}
	return out
}

// LookupUFD finds a diagnostic by its web or native name, ignoring case
// (logs spell it networkReconnect or NetworkReconnect). An unknown name
// gives a UFD with Known false, counted as an issue, and placed on a lane
// guessed from its name the way Call Diagnostics places one: speaker or
// microphone → audio, camera → video, screen share or capturer →
// screenshare, network → network, anything else → call.
func LookupUFD(name string) UFD {
	if i, ok := ufds.byName[foldKey(name)]; ok {
		return ufds.list[i].clone()
	}
	return UFD{
		Name:        strings.TrimSpace(name),
		Lane:        guessLane(name),
		Counts:      true,
		Explanation: "This diagnostic is not in callscope's catalogue; the SDK raised it because something may be degrading the user's experience.",
		NextStep:    "Look the name up in the Calling SDK's user-facing diagnostics documentation.",
	}
}

func guessLane(name string) string {
	n := foldKey(name)
	switch {
	case strings.Contains(n, "speak"), strings.Contains(n, "microphone"):
		return "audio"
	case strings.Contains(n, "screenshare"), strings.Contains(n, "capturer"):
		return "screenshare"
	case strings.Contains(n, "camera"), strings.Contains(n, "video"):
		return "video"
	case strings.Contains(n, "network"):
		return "network"
	}
	return "call"
}

// UFDCounts reports whether a bad value of this diagnostic counts as an
// issue. SpeakingWhileMicrophoneIsMuted and SpeakerMuted never do (any
// case): they nudge the user and say nothing about the call's health.
// Everything else does, names outside the catalogue included.
func UFDCounts(name string) bool {
	return LookupUFD(name).Counts
}

// UFDBad reports whether a logged DiagnosticQuality value means the
// diagnostic was in a bad state. Anything but "good" is bad, where good is
// the quality "Good", its enum number 1 (Good = 1, Poor = 2, Bad = 3), or a
// flag that is false (cleared); a raised flag ("true") is bad, as are Poor,
// Bad, 2 and 3. Case and surrounding space do not matter.
//
// An empty value is not bad: a row that carries no value says nothing about
// the user's state. Call Diagnostics' query (DiagnosticQuality != 'Good')
// would count it; callscope's metrics package makes the same choice as this
// one, so the two agree.
func UFDBad(diagnosticQuality string) bool {
	q := strings.TrimSpace(diagnosticQuality)
	if q == "" {
		return false
	}
	for _, good := range reliability.UFDGoodValues {
		if strings.EqualFold(q, good) {
			return false
		}
	}
	return true
}
