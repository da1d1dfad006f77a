package quality

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// NoSubCode stands for a missing ParticipantEndSubCode: pass it to
// LookupEndReason when the row has none. Any negative subcode is treated
// the same way.
const NoSubCode = -1

// EndReason is what an end code (ParticipantEndReason, or Code in a client
// payload) and subcode (ParticipantEndSubCode, SubCode) mean.
type EndReason struct {
	Code, SubCode int
	// Phrase is a short label; Explanation says what happened and NextStep
	// what to check first.
	Phrase, Explanation, NextStep string
	// ResultCategory is the category ACS gives this subcode (Success,
	// ExpectedError, UnexpectedClientError, UnexpectedServerError), when
	// the subcode is in the table; empty otherwise.
	ResultCategory string
	// Class is the code's family as the Insights Quality tab groups end
	// reasons: Success, Provisional, Redirection, Client Failure, Server
	// Failure, Global Failure, or Unknown.
	Class string
	// Known is true when the subcode or the code was found in a table;
	// false when the phrase only comes from the code's class.
	Known bool
}

type endClass struct {
	Hundreds    int    `json:"hundreds"`
	Name        string `json:"name"`
	Phrase      string `json:"phrase"`
	Explanation string `json:"explanation"`
	NextStep    string `json:"nextStep"`
}

type codeEntry struct {
	Code        int    `json:"code"`
	Phrase      string `json:"phrase"`
	Explanation string `json:"explanation"`
	NextStep    string `json:"nextStep"`
}

type subCodeEntry struct {
	SubCode        int    `json:"subCode"`
	Code           int    `json:"code"`
	Phrase         string `json:"phrase"`
	ResultCategory string `json:"resultCategory"`
	Explanation    string `json:"explanation"`
	NextStep       string `json:"nextStep"`
}

type endReasonsFile struct {
	Classes  []endClass     `json:"classes"`
	Codes    []codeEntry    `json:"codes"`
	SubCodes []subCodeEntry `json:"subCodes"`
}

type endTables struct {
	classes map[int]endClass
	codes   map[int]codeEntry
	// exact holds every subcode entry by (subcode, code); bySub the first
	// entry of each nonzero subcode, for a subcode seen with another code.
	exact map[[2]int]subCodeEntry
	bySub map[int]subCodeEntry
}

var endReasons = loadEndReasons()

var resultCategories = []string{"Success", "ExpectedError", "UnexpectedClientError", "UnexpectedServerError"}

func loadEndReasons() endTables {
	const file = "endreasons.json"
	var f endReasonsFile
	mustDecode(file, &f)
	t := endTables{classes: map[int]endClass{}, codes: map[int]codeEntry{}, exact: map[[2]int]subCodeEntry{}, bySub: map[int]subCodeEntry{}}
	for _, c := range f.Classes {
		_, dup := t.classes[c.Hundreds]
		mustHold(!dup && c.Name != "" && c.Phrase != "" && c.Explanation != "" && c.NextStep != "", file, "class %d repeated or incomplete", c.Hundreds)
		t.classes[c.Hundreds] = c
	}
	for h := 0; h <= 6; h++ {
		_, ok := t.classes[h]
		mustHold(ok, file, "class %dxx missing", h)
	}
	for _, c := range f.Codes {
		_, dup := t.codes[c.Code]
		mustHold(!dup && c.Phrase != "", file, "code %d repeated or without phrase", c.Code)
		mustHold((c.Explanation == "") == (c.NextStep == ""), file, "code %d: give both explanation and next step, or neither", c.Code)
		t.codes[c.Code] = c
	}
	for _, s := range f.SubCodes {
		k := [2]int{s.SubCode, s.Code}
		_, dup := t.exact[k]
		mustHold(!dup && s.SubCode >= 0, file, "subcode %d/%d repeated or negative", s.SubCode, s.Code)
		mustHold(s.Phrase != "" && s.Explanation != "" && s.NextStep != "", file, "subcode %d/%d incomplete", s.SubCode, s.Code)
		mustHold(slices.Contains(resultCategories, s.ResultCategory), file, "subcode %d/%d: result category %q unknown", s.SubCode, s.Code, s.ResultCategory)
		t.exact[k] = s
		if _, seen := t.bySub[s.SubCode]; !seen && s.SubCode != 0 {
			t.bySub[s.SubCode] = s
		}
	}
	return t
}

// LookupEndReason explains an end code and subcode. The subcode is tried
// first, since it names the precise reason: an entry for exactly this
// subcode and code, or else (for a nonzero subcode) the entry for the
// subcode under whatever code it was listed with. Subcode 0 only says "no
// particular reason" and is looked up with its code alone. Then the code
// table, and last the code's class (2xx success, 4xx client, 5xx server,
// 6xx global failure, …), with Known false. An explanation or next step the
// code table leaves out is taken from the class.
func LookupEndReason(code, subCode int) EndReason {
	cls, clsOK := endReasons.classes[classOf(code)]
	r := EndReason{Code: code, SubCode: subCode, Class: "Unknown"}
	if clsOK {
		r.Class = cls.Name
	}
	if subCode >= 0 {
		s, ok := endReasons.exact[[2]int{subCode, code}]
		if !ok {
			s, ok = endReasons.bySub[subCode] // never holds subcode 0
		}
		if ok {
			r.Phrase, r.Explanation, r.NextStep = s.Phrase, s.Explanation, s.NextStep
			r.ResultCategory, r.Known = s.ResultCategory, true
			return r
		}
	}
	if c, ok := endReasons.codes[code]; ok {
		r.Phrase, r.Explanation, r.NextStep, r.Known = c.Phrase, c.Explanation, c.NextStep, true
		if r.Explanation == "" && clsOK {
			r.Explanation, r.NextStep = cls.Explanation, cls.NextStep
		}
		return r
	}
	if clsOK {
		r.Phrase = fmt.Sprintf("%s (code %d)", cls.Phrase, code)
		r.Explanation, r.NextStep = cls.Explanation, cls.NextStep
		return r
	}
	r.Phrase = fmt.Sprintf("Unrecognised end code %d", code)
	r.Explanation = "The code is outside the ranges Communication Services uses (0 and 100–699)."
	r.NextStep = "Check how the code was recorded; the subcode may say more."
	return r
}

// classOf is the hundreds digit of a code, or -1 outside 0–699. Codes 0–99
// fall in class 0 (ACS reports a plain ending as 0).
func classOf(code int) int {
	if code < 0 || code > 699 {
		return -1
	}
	return code / 100
}

// EndReasonClass is the family of an end code as the Insights Quality tab
// names it: Success, Provisional, Redirection, Client Failure, Server
// Failure, Global Failure; Unknown outside 0–699.
func EndReasonClass(code int) string {
	if c, ok := endReasons.classes[classOf(code)]; ok {
		return c.Name
	}
	return "Unknown"
}

// ParseCode reads a code or subcode stored as text (ParticipantEndReason and
// ParticipantEndSubCode are strings), accepting "487", " 487 " and "487.0".
// It reports false for an empty or non-numeric value.
func ParseCode(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

type reliabilityFile struct {
	UngracefulEndCodes        []int    `json:"ungracefulEndCodes"`
	UngracefulCodesSources    []string `json:"ungracefulCodesSources"`
	UnexpectedCategoryMarker  string   `json:"unexpectedCategoryMarker"`
	UnexpectedCategorySources []string `json:"unexpectedCategorySources"`
	SuccessResultTypes        []string `json:"successResultTypes"`
	SuccessResultTypesSources []string `json:"successResultTypesSources"`
	UFDGoodValues             []string `json:"ufdGoodValues"`
	UFDGoodValuesSources      []string `json:"ufdGoodValuesSources"`
}

var reliability = loadReliability()

func loadReliability() reliabilityFile {
	const file = "reliability.json"
	var f reliabilityFile
	mustDecode(file, &f)
	mustHold(len(f.UngracefulEndCodes) > 0 && f.UnexpectedCategoryMarker != "" &&
		len(f.SuccessResultTypes) > 0 && len(f.UFDGoodValues) > 0, file, "a list is empty")
	return f
}

// UngracefulEndCodes returns the end codes that count as a call ending
// ungracefully (a copy of the list in reliability.json).
func UngracefulEndCodes() []int {
	return slices.Clone(reliability.UngracefulEndCodes)
}

// EndedUngracefully reports whether a participant's call ended
// ungracefully, by either rule Call Diagnostics has used: the end code is in
// the list of ungraceful codes (its 2024 rule: timeouts, lost media, server
// errors; not a hang-up, a decline or a cancel), or the result category
// contains "Unexpected", in any case (its 2025 rule: UnexpectedClientError
// and UnexpectedServerError). Either rule alone is enough, so rows from SDKs
// that report only a code, and rows that carry a category, are both judged.
func EndedUngracefully(code int, resultCategory string) bool {
	return slices.Contains(reliability.UngracefulEndCodes, code) ||
		containsFold(resultCategory, reliability.UnexpectedCategoryMarker)
}

// OperationFailed reports whether a client operation's ResultType counts as
// a failure: anything other than Succeeded, Success or ExpectedError,
// ignoring case and surrounding space. ExpectedError is not a failure: it
// means the app asked for something the situation did not allow (a call no
// longer ringing, a camera already started), not that the SDK or the
// service broke.
//
// An empty ResultType is not a failure: an operation that reports no
// outcome gives no evidence of one, and counting it would turn every
// incompletely logged row into an issue. (Call Diagnostics' query, which
// compares with !in, would count it.)
func OperationFailed(resultType string) bool {
	rt := strings.TrimSpace(resultType)
	if rt == "" {
		return false
	}
	for _, ok := range reliability.SuccessResultTypes {
		if strings.EqualFold(rt, ok) {
			return false
		}
	}
	return true
}

// EndReasons lists every code and subcode the tables explain: first each
// code of the code table (SubCode -1), then each subcode entry, in file
// order. The web UI shows these next to the codes it counts.
func EndReasons() []EndReason {
	var out []EndReason
	codes := make([]int, 0, len(endReasons.codes))
	for c := range endReasons.codes {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for _, c := range codes {
		r := LookupEndReason(c, -1)
		r.SubCode = -1
		out = append(out, r)
	}
	subs := make([][2]int, 0, len(endReasons.exact))
	for k := range endReasons.exact {
		subs = append(subs, k)
	}
	slices.SortFunc(subs, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	for _, k := range subs {
		out = append(out, LookupEndReason(k[1], k[0]))
	}
	return out
}
