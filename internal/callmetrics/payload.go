package callmetrics

import (
	"math"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"
)

// payload holds the OperationPayload fields the rules read. Everything else
// in the payload (stream ids, durations, device names) is ignored.
type payload struct {
	platform       string // SdkPlatform
	callType       string // CallType, as logged (P2P, Group)
	newState       string // NewState of a StateChanged
	subCode        string // SubCode as decimal text, "" when absent
	resultCategory string // ResultCategory
	source         string // Source of a CreateView: local or remote
	ufd            string // DiagnosticChanged: the UFD's name
	quality        string // DiagnosticQuality: Good, Poor, Bad (or 1, 2, 3)
	code           int    // Code, when hasCode
	hasCode        bool
	flag           flagValue // DiagnosticFlag
}

// flagValue is a DiagnosticFlag: absent, false or true.
type flagValue uint8

const (
	flagAbsent flagValue = iota
	flagFalse
	flagTrue
)

// readPayload fills p from the payload's JSON text. A payload that is not
// JSON, or not an object, yields an empty p: the operation still counts,
// only without the payload's dimensions. A payload that is a JSON string
// holding the object (as some exports write it) is unwrapped once.
func readPayload(jp *fastjson.Parser, text string, p *payload) {
	*p = payload{}
	if text == "" {
		return
	}
	v, err := jp.Parse(text)
	if err != nil {
		return
	}
	if v.Type() == fastjson.TypeString {
		inner := string(v.GetStringBytes()) // copied: the next Parse reuses the parser's memory
		if v, err = jp.Parse(inner); err != nil {
			return
		}
	}
	o, err := v.Object()
	if err != nil {
		return
	}
	// Both PascalCase (as the Calling SDKs log) and camelCase keys are
	// accepted; one visit of the object is cheaper than a lookup per key.
	o.Visit(func(key []byte, v *fastjson.Value) {
		switch string(key) {
		case "SdkPlatform", "sdkPlatform":
			p.platform = valueText(v)
		case "CallType", "callType":
			p.callType = valueText(v)
		case "NewState", "newState":
			p.newState = valueText(v)
		case "SubCode", "subCode":
			p.subCode = decimal(v)
		case "Code", "code":
			if s := decimal(v); s != "" {
				if n, err := strconv.Atoi(s); err == nil {
					p.code, p.hasCode = n, true
				}
			}
		case "ResultCategory", "resultCategory":
			p.resultCategory = valueText(v)
		case "Source", "source":
			p.source = valueText(v)
		case "DiagnosticChanged", "diagnosticChanged":
			p.ufd = valueText(v)
		case "DiagnosticQuality", "diagnosticQuality":
			p.quality = valueText(v)
		case "DiagnosticFlag", "diagnosticFlag":
			p.flag = flagOf(v)
		}
	})
}

// valueText is a value as text: strings as they are, numbers and booleans as
// written, null as "".
func valueText(v *fastjson.Value) string {
	switch v.Type() {
	case fastjson.TypeString:
		return strings.TrimSpace(string(v.GetStringBytes()))
	case fastjson.TypeNumber:
		return decimal(v)
	case fastjson.TypeTrue:
		return "true"
	case fastjson.TypeFalse:
		return "false"
	}
	return ""
}

// decimal is a code written as a number or as a string ("41048", 41048,
// 41048.0) in canonical decimal form, so that every spelling lands in the
// same SubCode dimension. Text that is not a number is kept as it is.
func decimal(v *fastjson.Value) string {
	var s string
	switch v.Type() {
	case fastjson.TypeNumber:
		s = string(v.MarshalTo(nil))
	case fastjson.TypeString:
		s = strings.TrimSpace(string(v.GetStringBytes()))
	default:
		return ""
	}
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return s
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	return s
}

// flagOf reads a DiagnosticFlag written as a boolean or as "true"/"false".
func flagOf(v *fastjson.Value) flagValue {
	switch v.Type() {
	case fastjson.TypeTrue:
		return flagTrue
	case fastjson.TypeFalse:
		return flagFalse
	case fastjson.TypeString:
		switch b, err := strconv.ParseBool(strings.TrimSpace(string(v.GetStringBytes()))); {
		case err != nil:
			return flagAbsent
		case b:
			return flagTrue
		default:
			return flagFalse
		}
	}
	return flagAbsent
}

// ufdEvent classifies a UserFacingDiagnostics operation. A quality UFD is
// bad when its quality is anything but Good (Poor and Bad alike); a flag
// UFD is bad while its flag is raised. Events with neither a quality nor a
// flag say nothing and are not counted.
func (p *payload) ufdEvent() (bad, known bool) {
	switch {
	case p.flag == flagTrue:
		return true, true
	case p.quality != "" && !isGoodQuality(p.quality):
		return true, true
	case p.flag == flagFalse || p.quality != "":
		return false, true
	}
	return false, false
}
