package quality

import (
	"slices"
	"testing"
)

func TestUFDCatalogue(t *testing.T) {
	// The web names from the reference catalogue, each on its lane.
	want := map[string]string{
		"noNetwork": "network", "networkRelaysNotReachable": "network", "networkReconnect": "network",
		"networkReceiveQuality": "network", "networkSendQuality": "network",
		"noSpeakerDevicesEnumerated": "audio", "speakingWhileMicrophoneIsMuted": "audio",
		"noMicrophoneDevicesEnumerated": "audio", "microphoneNotFunctioning": "audio",
		"microphoneMuteUnexpectedly": "audio", "microphonePermissionDenied": "audio",
		"cameraFreeze": "video", "cameraStartFailed": "video", "cameraStartTimedOut": "video",
		"cameraPermissionDenied": "video", "cameraStoppedUnexpectedly": "video",
		"screenshareRecordingDisabled": "screenshare", "capturerStartFailed": "screenshare",
		"capturerStoppedUnexpectedly": "screenshare",
	}
	for name, lane := range want {
		u := LookupUFD(name)
		if !u.Known || u.Name != name || u.Lane != lane || u.Explanation == "" || u.NextStep == "" {
			t.Errorf("LookupUFD(%q) = %+v, want known, lane %s", name, u, lane)
		}
	}
	// Quality UFDs versus flags.
	for _, name := range []string{"networkReconnect", "networkReceiveQuality", "networkSendQuality"} {
		if LookupUFD(name).Type != "quality" {
			t.Errorf("%s should be a quality diagnostic", name)
		}
	}
	if LookupUFD("cameraFreeze").Type != "flag" {
		t.Error("cameraFreeze should be a flag")
	}
	if n := len(UFDs()); n < len(want) {
		t.Errorf("catalogue has %d entries, want at least %d", n, len(want))
	}
}

func TestLookupUFDNamesAndAliases(t *testing.T) {
	cases := map[string]string{
		"NetworkReconnect":             "networkReconnect", // as Call Diagnostics capitalises it
		"NETWORKRECONNECT":             "networkReconnect",
		" networkReconnect ":           "networkReconnect",
		"networkReconnectionQuality":   "networkReconnect", // native SDK names
		"networkUnavailable":           "noNetwork",
		"NetworkRelaysUnreachable":     "networkRelaysNotReachable",
		"noSpeakerDevicesAvailable":    "noSpeakerDevicesEnumerated",
		"NoMicrophoneDevicesAvailable": "noMicrophoneDevicesEnumerated",
		"cameraFrozen":                 "cameraFreeze",
	}
	for in, want := range cases {
		if u := LookupUFD(in); !u.Known || u.Name != want {
			t.Errorf("LookupUFD(%q) = %s (known %v), want %s", in, u.Name, u.Known, want)
		}
	}
	unknown := map[string]string{
		"speakerVolumeIsZero":   "audio",
		"microphoneBusy":        "audio",
		"cameraBusy":            "video",
		"screenshareWhatever":   "screenshare",
		"capturerGlitch":        "screenshare",
		"networkTurnedPurple":   "network",
		"somethingElseEntirely": "call",
	}
	for in, lane := range unknown {
		u := LookupUFD(in)
		if u.Known || u.Lane != lane || !u.Counts || u.Name != in || u.Explanation == "" {
			t.Errorf("LookupUFD(%q) = %+v, want unknown on lane %s, counted", in, u, lane)
		}
	}
	us := UFDs()
	us[0].Aliases = append(us[0].Aliases, "x")
	us[0].Lane = "changed"
	if LookupUFD(us[0].Name).Lane == "changed" {
		t.Error("UFDs must return copies")
	}
}

func TestUFDCounts(t *testing.T) {
	never := []string{"speakingWhileMicrophoneIsMuted", "SpeakingWhileMicrophoneIsMuted", "SPEAKINGWHILEMICROPHONEISMUTED",
		"speakerMuted", "SpeakerMuted", "speakermuted"}
	for _, name := range never {
		if UFDCounts(name) {
			t.Errorf("UFDCounts(%q) = true; it is a hint, never an issue", name)
		}
	}
	for _, name := range []string{"networkReconnect", "NetworkReceiveQuality", "cameraFreeze", "microphoneNotFunctioning", "cameraFrozen", "someFutureDiagnostic"} {
		if !UFDCounts(name) {
			t.Errorf("UFDCounts(%q) = false, want true", name)
		}
	}
	var notCounted []string
	for _, u := range UFDs() {
		if !u.Counts {
			notCounted = append(notCounted, u.Name)
		}
	}
	if !slices.Equal(notCounted, []string{"speakingWhileMicrophoneIsMuted", "speakerMuted"}) {
		t.Errorf("uncounted UFDs = %v", notCounted)
	}
}

func TestUFDBad(t *testing.T) {
	cases := map[string]bool{
		// quality values, by name and by enum number (Good = 1, Poor = 2, Bad = 3)
		"Good": false, "good": false, " GOOD ": false, "1": false,
		"Poor": true, "poor": true, "Bad": true, "BAD": true, "2": true, "3": true,
		// flag values: raised is bad, cleared is good
		"true": true, "True": true, "false": false, "False": false,
		// no value says nothing
		"": false, "  ": false,
		// anything else is not good, hence bad
		"Unknown": true, "0": true, "Degraded": true,
	}
	for in, want := range cases {
		if got := UFDBad(in); got != want {
			t.Errorf("UFDBad(%q) = %v, want %v", in, got, want)
		}
	}
}
