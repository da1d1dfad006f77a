package simulate

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestAppendStringIsValidJSON(t *testing.T) {
	cases := []string{"", "plain", `quo"te`, `back\slash`, "tab\tnew\nline\r", "\x00\x01\x1f\x7f", "héllo wörld ✓",
		"\xff\xfe bad utf-8", "mixed \xc3 cut", "\u2028\u2029", "emoji 😀", "</script>"}
	r := newRNG(1, 1)
	for range 2000 {
		b := make([]byte, r.intn(20))
		for i := range b {
			b[i] = byte(r.intn(256))
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		out := appendString(nil, s)
		if !json.Valid(out) {
			t.Fatalf("%q → invalid JSON %s", s, out)
		}
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatal(err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("%q came back as %q", s, back)
		}
		if !utf8.ValidString(s) && back != strings.ToValidUTF8(s, "\ufffd") {
			// Each invalid byte becomes one replacement character.
			if utf8.RuneCountInString(back) < utf8.RuneCountInString(strings.ToValidUTF8(s, "\ufffd")) {
				t.Fatalf("%q came back as %q", s, back)
			}
		}
	}
}

func TestAppendTime(t *testing.T) {
	ts := time.Date(2021, 7, 19, 17, 54, 5, 113_999_999, time.FixedZone("x", 3600))
	if got := string(appendTime(nil, ts, 3)); got != "2021-07-19T16:54:05.113Z" {
		t.Errorf("got %s", got)
	}
	if got := string(appendTime(nil, ts, 7)); got != "2021-07-19T16:54:05.1130000Z" {
		t.Errorf("got %s", got)
	}
	if got, want := string(appendTime(nil, ts, 3)), ts.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z"); got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestNumbers(t *testing.T) {
	for v, want := range map[float64]string{82: "82", 0.5: "0.5", 0.000031: "0.000031", -3: "-3"} {
		if got := string(appendFloat(nil, v)); got != want {
			t.Errorf("appendFloat(%v) = %s, want %s", v, got, want)
		}
	}
	if got := string(appendFloatText(nil, 3.146336e-05)); got != "3.146336E-05" {
		t.Errorf("exponent form: %s", got)
	}
	w := jw{first: true, numStr: true}
	w.int("a", 82)
	w.float("b", 0.25)
	if string(w.b) != `"a":"82","b":"0.25"` {
		t.Errorf("numbers as strings: %s", w.b)
	}
}

func TestWeightedNeverPicksZeroWeight(t *testing.T) {
	w := newWeighted(1, 0, 2, 0)
	r := newRNG(9, 9)
	for range 100000 {
		if i := w.pick(&r); i == 1 || i == 3 {
			t.Fatalf("picked zero-weight bucket %d", i)
		}
	}
}
