package quality

import (
	"slices"
	"strings"
	"testing"
)

func TestLookupEndReasonSubcodes(t *testing.T) {
	cases := []struct {
		code, sub    int
		phrase       string
		category     string
		class        string
		explanationH string // a word the explanation must contain
	}{
		{0, 0, "Ended by the local participant", "Success", "Success", "hung up"},
		{0, 4097, "Ended for everyone by the organizer", "Success", "Success", "organizer"},
		{0, 4521, "Left abruptly", "ExpectedError", "Success", "browser tab"},
		{410, 301005, "Removed after losing media connectivity", "UnexpectedClientError", "Client Failure", "media connection"},
		{487, 10004, "Ringing timed out", "ExpectedError", "Client Failure", "two minutes"},
		{486, 560486, "The phone number was busy", "Success", "Client Failure", "already in a call"},
		{410, 41048, "Video failed to start during call setup", "UnexpectedClientError", "Client Failure", "camera"},
		{403, 43001, "Camera permission not granted", "ExpectedError", "Client Failure", "permission"},
		{400, 40613, "Microphone or camera permission denied", "ExpectedError", "Client Failure", "microphone"},
		{487, 0, "Cancelled by the caller before answer", "Success", "Client Failure", "ringing"},
		{603, 0, "Declined by the person called", "Success", "Global Failure", "turned the call down"},
		{410, 3112, "Setup failed on the client's network configuration", "ExpectedError", "Client Failure", "firewall"},
		{480, 10037, "The callee has no registered endpoint", "ExpectedError", "Client Failure", "registered"},
	}
	for _, c := range cases {
		r := LookupEndReason(c.code, c.sub)
		if !r.Known || r.Phrase != c.phrase || r.ResultCategory != c.category || r.Class != c.class {
			t.Errorf("LookupEndReason(%d, %d) = %q %q %q known=%v, want %q %q %q", c.code, c.sub,
				r.Phrase, r.ResultCategory, r.Class, r.Known, c.phrase, c.category, c.class)
		}
		if !strings.Contains(r.Explanation, c.explanationH) || r.NextStep == "" {
			t.Errorf("LookupEndReason(%d, %d): explanation %q should mention %q; next step %q", c.code, c.sub, r.Explanation, c.explanationH, r.NextStep)
		}
		if r.Code != c.code || r.SubCode != c.sub {
			t.Errorf("code/subcode not echoed: %+v", r)
		}
	}
}

func TestLookupEndReasonOrder(t *testing.T) {
	// A nonzero subcode found under another code still names the reason.
	r := LookupEndReason(500, 301005)
	if !r.Known || r.Phrase != "Removed after losing media connectivity" || r.Class != "Server Failure" {
		t.Errorf("subcode under another code: %+v", r)
	}
	// Subcode 0 with a code it is not listed under: the code decides.
	r = LookupEndReason(480, 0)
	if !r.Known || r.Phrase != "The person called was not available" || r.ResultCategory != "" {
		t.Errorf("480/0: %+v", r)
	}
	// No subcode: the code table.
	for _, sub := range []int{NoSubCode, -42} {
		r = LookupEndReason(408, sub)
		if !r.Known || r.Phrase != "The call controller gave up waiting" || !strings.Contains(r.Explanation, "network") {
			t.Errorf("408 without subcode (%d): %+v", sub, r)
		}
	}
	// An unknown subcode falls back to the code.
	r = LookupEndReason(503, 999999)
	if !r.Known || r.Phrase != "The Communication Services infrastructure was unavailable" {
		t.Errorf("503/999999: %+v", r)
	}
	// A code with a phrase but no explanation of its own borrows the class's.
	r = LookupEndReason(486, NoSubCode)
	if r.Phrase != "The person called was busy" || r.Explanation == "" || r.NextStep == "" {
		t.Errorf("486: %+v", r)
	}
	r = LookupEndReason(0, NoSubCode)
	if r.Phrase != "Call ended normally" || r.Class != "Success" || !strings.Contains(r.Explanation, "0") {
		t.Errorf("0: %+v", r)
	}
}

func TestLookupEndReasonClassFallback(t *testing.T) {
	cases := []struct {
		code          int
		class, phrase string
	}{
		{150, "Provisional", "Ended while the call was still being set up (code 150)"},
		{250, "Success", "Call ended normally (code 250)"},
		{399, "Redirection", "The call was redirected elsewhere (code 399)"},
		{499, "Client Failure", "Ended by a client-side error (code 499)"},
		{599, "Server Failure", "Ended by a service-side error (code 599)"},
		{699, "Global Failure", "Refused everywhere (code 699)"},
	}
	for _, c := range cases {
		r := LookupEndReason(c.code, NoSubCode)
		if r.Known || r.Class != c.class || r.Phrase != c.phrase || r.Explanation == "" || r.NextStep == "" {
			t.Errorf("class fallback for %d: %+v, want class %q phrase %q, not known", c.code, r, c.class, c.phrase)
		}
	}
	for _, code := range []int{-1, 700, 4097} {
		r := LookupEndReason(code, NoSubCode)
		if r.Known || r.Class != "Unknown" || !strings.Contains(r.Phrase, "Unrecognised") {
			t.Errorf("code %d: %+v", code, r)
		}
	}
	classes := map[int]string{0: "Success", 180: "Provisional", 200: "Success", 302: "Redirection",
		487: "Client Failure", 503: "Server Failure", 603: "Global Failure", 800: "Unknown", -5: "Unknown"}
	for code, want := range classes {
		if got := EndReasonClass(code); got != want {
			t.Errorf("EndReasonClass(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestParseCode(t *testing.T) {
	good := map[string]int{"487": 487, " 0 ": 0, "301005": 301005, "487.0": 487, "-1": -1}
	for in, want := range good {
		if got, ok := ParseCode(in); !ok || got != want {
			t.Errorf("ParseCode(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "  ", "abc", "487.5", "1e20"} {
		if _, ok := ParseCode(in); ok {
			t.Errorf("ParseCode(%q) should fail", in)
		}
	}
}

func TestEndedUngracefully(t *testing.T) {
	list := []int{380, 400, 407, 408, 409, 410, 412, 417, 430, 439, 440, 481, 483, 488, 489, 493, 500, 502, 503, 504, 580}
	if got := UngracefulEndCodes(); !slices.Equal(got, list) {
		t.Fatalf("ungraceful codes = %v, want %v", got, list)
	}
	for code := -1; code <= 700; code++ {
		want := slices.Contains(list, code)
		if got := EndedUngracefully(code, ""); got != want {
			t.Errorf("EndedUngracefully(%d, \"\") = %v, want %v", code, got, want)
		}
		if got := EndedUngracefully(code, "Success"); got != want {
			t.Errorf("EndedUngracefully(%d, Success) = %v, want %v", code, got, want)
		}
	}
	// Graceful codes worth naming: hang-up, busy, cancelled, declined.
	for _, code := range []int{0, 200, 486, 487, 603} {
		if EndedUngracefully(code, "ExpectedError") {
			t.Errorf("code %d with ExpectedError should be graceful", code)
		}
	}
	// The category rule, in any case, with a graceful code.
	for _, cat := range []string{"UnexpectedClientError", "UnexpectedServerError", "unexpectedclienterror", "UNEXPECTED"} {
		if !EndedUngracefully(0, cat) {
			t.Errorf("category %q should count as ungraceful", cat)
		}
	}
	if EndedUngracefully(0, "ExpectedError") {
		t.Error("ExpectedError contains \"Expected\", not \"Unexpected\"; it is graceful")
	}
	// Mutating the returned list changes nothing.
	UngracefulEndCodes()[0] = 0
	if EndedUngracefully(0, "") {
		t.Error("UngracefulEndCodes must return a copy")
	}
}

func TestOperationFailed(t *testing.T) {
	cases := map[string]bool{
		"Succeeded": false, "succeeded": false, "SUCCESS": false, "Success": false,
		"ExpectedError": false, "expectederror": false, " Succeeded ": false,
		"": false, "   ": false, // no outcome reported: not evidence of failure
		"Failed": true, "failed": true, "UnexpectedClientError": true,
		"UnexpectedServerError": true, "Error": true, "Unknown": true,
	}
	for in, want := range cases {
		if got := OperationFailed(in); got != want {
			t.Errorf("OperationFailed(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestEndReasonTablesComplete(t *testing.T) {
	// Every subcode the brief and the reference name is present.
	for _, sub := range []int{0, 4097, 4521, 301005, 10004, 560486, 41048, 43001, 40613} {
		found := false
		for k := range endReasons.exact {
			if k[0] == sub {
				found = true
			}
		}
		if !found {
			t.Errorf("subcode %d missing from endreasons.json", sub)
		}
	}
	// Every ungraceful code has a readable phrase of its own.
	for _, code := range UngracefulEndCodes() {
		if r := LookupEndReason(code, NoSubCode); !r.Known {
			t.Errorf("ungraceful code %d has no phrase in the code table", code)
		}
	}
}
