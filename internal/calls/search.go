package calls

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/quality"
	"github.com/callscope/callscope/internal/schema"
)

// SearchRequest is a call search: a keyword over every column of the
// summaries and client operations, a time range on the calls' start, and
// filters on what the search computes per call.
type SearchRequest struct {
	Keyword    string
	From, To   time.Time
	CallType   string // Group, P2P, … ("" for any)
	ClientType string // an EndpointType a participant of the call had: VoIP, PSTN, Bot, …
	Quality    string // good, poor or unknown
	Rating     string // good, average, poor or unknown
	HasIssues  *bool
	// Failed keeps the calls in which this operation failed or this
	// user-facing diagnostic went bad (a name from the issues breakdown).
	Failed string
	// ParticipantType keeps calls with a participant of this type (ACS,
	// Teams, …); EndReason those where a participant ended with this code,
	// or a code of this class written as 4xx.
	ParticipantType string
	EndReason       string
	Dropped         *bool  // calls with (or without) a participant who dropped
	PageSize        int    // 1 to MaxPageSize; 0 for DefaultPageSize
	After           string // the cursor of the previous page's last call
}

// Limits of a search.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
	// MaxFound is how many calls one search considers, newest first, as
	// Call Diagnostics does: beyond it, narrow the time range or keyword.
	MaxFound = 50_000
)

// CallRow is one call in search results.
type CallRow struct {
	CallID          string         `json:"callId"`
	Start           time.Time      `json:"start"`
	End             time.Time      `json:"end,omitzero"`
	CallType        string         `json:"callType"`
	Participants    int64          `json:"participants"`
	ClientTypes     string         `json:"clientTypes"`      // "3 VoIP, 1 Server"
	ParticipantType string         `json:"participantTypes"` // "2 ACS, 1 Teams"
	SdkVersions     string         `json:"sdkVersions"`
	OsVersions      string         `json:"osVersions"`
	Quality         string         `json:"quality"`
	Rating          string         `json:"rating"`
	Dropped         int64          `json:"droppedParticipants"`
	PoorStreams     int64          `json:"poorStreams"`
	Issues          int64          `json:"issues"`
	Breakdown       map[string]int `json:"issuesBreakdown"`
}

// SearchPage is one page of results, newest first; Next is the cursor of
// the following page ("" on the last).
type SearchPage struct {
	Calls []CallRow `json:"calls"`
	Next  string    `json:"next,omitempty"`
	// Capped says that more than MaxFound calls matched: only the newest
	// MaxFound were considered.
	Capped bool `json:"capped,omitempty"`
}

// searchKQL finds the calls and computes their columns. Parameters carry
// the user's values; the poor-stream and dropped rules come from package
// quality. Final rows win over updates, then the highest version.
const searchKQL = `declare query_parameters(keyword:string = '', from:datetime, to:datetime, callType:string = '',
    clientType:string = '', quality:string = '', rating:string = '', hasIssues:string = '', failedName:string = '',
    participantType:string = '', endReason:string = '', dropped:string = '',
    afterStart:datetime = datetime(null), afterCall:string = '', pageSize:long = 50);
let sums = union withsource=SourceTable ACSCallSummary, ACSCallSummaryUpdates
  | where CallStartTime between (from .. to);
let hits = union (union ACSCallSummary, ACSCallSummaryUpdates
                   | where CallStartTime between (from .. to) and (isempty(keyword) or %[9]s)
                   | distinct CallId = CorrelationId),
                 (ACSCallClientOperations
                   | where isnotempty(keyword) and CallClientTimeStamp between (from .. (to + 1d)) and isnotempty(CallId) and (%[10]s)
                   | distinct CallId);
let found = sums
  | where CorrelationId in (hits)
  | summarize Start = min(CallStartTime), FoundType = take_any(CallType) by CallId = CorrelationId
  | where isempty(callType) or FoundType =~ callType%[11]s
  | top %[1]d by Start desc, CallId asc;
let participants = sums
  | where CorrelationId in (found | project CallId)
  | extend who = iff(isempty(ParticipantId), strcat('endpoint:', EndpointId), ParticipantId),
           rank = iff(SourceTable == 'ACSCallSummary', 1000000000.0, 0.0) + coalesce(todouble(CallUpdatesVersion), 0.0)
  | summarize arg_max(rank, CallType, CallDuration, EndpointType, ParticipantType, SdkVersion, OsVersion, ParticipantEndReason, ResultCategory)
      by CallId = CorrelationId, who;
let perCall = participants
  | summarize CallType = take_any(CallType), Duration = max(CallDuration), Participants = dcount(who),
      Dropped = countif(%[2]s),
      EndHits = countif(ParticipantEndReason == endReason or (endReason endswith 'xx' and strlen(ParticipantEndReason) == 3 and substring(ParticipantEndReason, 0, 1) == substring(endReason, 0, 1)))
    by CallId;
let bags = union (participants | project CallId, kind = 'client', v = EndpointType),
                 (participants | project CallId, kind = 'participant', v = ParticipantType),
                 (participants | project CallId, kind = 'sdk', v = SdkVersion),
                 (participants | project CallId, kind = 'os', v = OsVersion)
  | where isnotempty(v)
  | summarize n = count() by CallId, kind, v
  | summarize client = make_bag_if(bag_pack(v, n), kind == 'client'), ptype = make_bag_if(bag_pack(v, n), kind == 'participant'),
      sdk = make_bag_if(bag_pack(v, n), kind == 'sdk'), os = make_bag_if(bag_pack(v, n), kind == 'os') by CallId;
let streams = union withsource=SourceTable ACSCallDiagnostics, ACSCallDiagnosticsUpdates
  | where TimeGenerated between ((from - %[12]s) .. (to + %[13]s)) and CorrelationId in (found | project CallId)
  | extend who = iff(isempty(ParticipantId), strcat('endpoint:', EndpointId), ParticipantId),
           rank = iff(SourceTable == 'ACSCallDiagnostics', 1000000000.0, 0.0) + coalesce(todouble(CallUpdatesVersion), 0.0)
  | summarize arg_max(rank, *) by CallId = CorrelationId, who, StreamId
  | summarize Streams = count(), PoorStreams = countif(%[3]s) by CallId;
let surveys = ACSCallSurvey
  | where TimeGenerated between ((from - %[12]s) .. (to + %[13]s)) and CallId in (found | project CallId)
  | summarize Score = avg(todouble(OverallRatingScore) * 5.0 / iff(coalesce(todouble(OverallRatingScoreUpperBound), 0.0) <= 0.0, 5.0, todouble(OverallRatingScoreUpperBound)))
    by CallId;
let callOps = ACSCallClientOperations
  | where CallClientTimeStamp between (from .. (to + 1d)) and CallId in (found | project CallId);
let failed = callOps
  | where OperationName != 'UserFacingDiagnostics' and ResultType !in (%[4]s)
  | summarize n = count() by CallId, OperationName;
let ufds = callOps
  | where OperationName == 'UserFacingDiagnostics'
  | extend diag = tostring(OperationPayload.DiagnosticChanged), q = tostring(OperationPayload.DiagnosticQuality)
  | where isnotempty(diag) and diag !in~ (%[5]s)
  | summarize bad = countif(q !in~ (%[6]s)) by CallId, OperationId, diag
  | where bad > 0
  | summarize n = count() by CallId, OperationName = diag;
let opIssues = union failed, ufds
  | summarize Failed = sum(n), ops = make_bag(bag_pack(OperationName, n)), failedNames = make_set(tolower(OperationName)) by CallId;
found
| join kind=leftouter perCall on CallId
| join kind=leftouter bags on CallId
| join kind=leftouter streams on CallId
| join kind=leftouter surveys on CallId
| join kind=leftouter opIssues on CallId
| extend Quality = case(isnull(Streams) or Streams == 0, 'unknown', PoorStreams > 0, 'poor', 'good'),
         Rating = case(isnull(Score), 'unknown', Score >= %[7]v, 'good', Score >= %[8]v, 'average', 'poor'),
         Issues = coalesce(Dropped, 0) + coalesce(PoorStreams, 0) + coalesce(Failed, 0)
| where isempty(clientType) or bag_has_key(client, clientType)
| where isempty(participantType) or bag_has_key(ptype, participantType)
| where isempty(endReason) or EndHits > 0
| where isempty(dropped) or (dropped == 'true') == (coalesce(Dropped, 0) > 0)
| where isempty(quality) or Quality == quality
| where isempty(rating) or Rating == rating
| where isempty(hasIssues) or (hasIssues == 'true') == (Issues > 0)
| where isempty(failedName) or set_has_element(failedNames, tolower(failedName))
| where isnull(afterStart) or Start < afterStart or (Start == afterStart and CallId > afterCall)
| top pageSize by Start desc, CallId asc
| project CallId, Start, Duration, CallType, Participants, client, ptype, sdk, os, Quality, Rating, Dropped, PoorStreams, Issues, ops`

// UsageError is a search request that cannot be answered as asked.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Search answers a call search.
func (s *Service) Search(ctx context.Context, req SearchRequest) (*SearchPage, error) {
	size := req.PageSize
	if size == 0 {
		size = DefaultPageSize
	}
	if size < 1 || size > MaxPageSize {
		return nil, &UsageError{fmt.Sprintf("page size %d: use 1 to %d", size, MaxPageSize)}
	}
	if req.From.IsZero() || req.To.IsZero() || req.To.Before(req.From) {
		return nil, &UsageError{"a search needs a time range with from before to"}
	}
	params := map[string]string{
		"keyword": req.Keyword, "from": req.From.UTC().Format(time.RFC3339Nano), "to": req.To.UTC().Format(time.RFC3339Nano),
		"callType": req.CallType, "clientType": req.ClientType, "quality": req.Quality, "rating": req.Rating, "failedName": req.Failed,
		"participantType": req.ParticipantType, "endReason": req.EndReason,
		"pageSize": strconv.Itoa(size + 1),
	}
	if req.HasIssues != nil {
		params["hasIssues"] = strconv.FormatBool(*req.HasIssues)
	}
	if req.Dropped != nil {
		params["dropped"] = strconv.FormatBool(*req.Dropped)
	}
	if req.After != "" {
		at, id, err := parseCursor(req.After)
		if err != nil {
			return nil, err
		}
		params["afterStart"], params["afterCall"] = at.Format(time.RFC3339Nano), id
	}
	rows, err := s.run(ctx, searchText(req), params)
	if err != nil {
		return nil, err
	}
	page := &SearchPage{Calls: []CallRow{}}
	for i, r := range rows {
		if i == size {
			last := page.Calls[len(page.Calls)-1]
			page.Next = cursor(last.Start, last.CallID)
			break
		}
		page.Calls = append(page.Calls, callRowOf(r))
	}
	return page, nil
}

// searchText fills the rules of package quality into the search query.
// Without a filter on what is computed per call (quality, rating, issues,
// client type), the page is cut from the calls found before those
// columns are computed, for its calls only.
func searchText(req SearchRequest) string {
	pageFirst := ""
	if req.Quality == "" && req.Rating == "" && req.HasIssues == nil && req.ClientType == "" && req.Failed == "" &&
		req.ParticipantType == "" && req.EndReason == "" && req.Dropped == nil {
		pageFirst = `
  | where isnull(afterStart) or Start < afterStart or (Start == afterStart and CallId > afterCall)
  | top pageSize by Start desc, CallId asc`
	}
	return fmt.Sprintf(searchKQL, MaxFound, DroppedKQL(), PoorStreamKQL(), kqlList(quality.SuccessResultTypes()),
		kqlList(quality.UFDsThatNeverCount()), kqlList(quality.UFDGoodValues()), quality.RatingGoodFrom, quality.RatingAverageFrom,
		keywordKQL("ACSCallSummary"), keywordKQL("ACSCallClientOperations"), pageFirst,
		fmt.Sprintf("%dh", int(rowsBefore.Hours())), fmt.Sprintf("%dh", int((rowsAfter+rowsBefore).Hours())))
}

// keywordKQL tests every text column of a table the user's logs fill (ids,
// identifiers, versions, DiagnosticOptions tags, user agents, …) for the
// keyword. Call Diagnostics tests every column, numbers and times written
// out as text included; text columns find the same calls for any keyword
// one would type, at a fraction of the work.
func keywordKQL(table string) string {
	var tests []string
	for _, c := range schema.ByName(table).Columns {
		if c.Type == schema.String && c.Derived == schema.Stored && !strings.HasPrefix(c.Name, "_") {
			tests = append(tests, c.Name+" contains keyword")
		}
	}
	return strings.Join(tests, " or ")
}

// DroppedKQL is the test of an ungraceful end.
func DroppedKQL() string {
	var codes []string
	for _, c := range quality.UngracefulEndCodes() {
		codes = append(codes, strconv.Quote(strconv.Itoa(c)))
	}
	return "ParticipantEndReason in (" + strings.Join(codes, ", ") + ") or ResultCategory contains " +
		strconv.Quote(quality.UnexpectedCategoryMarker())
}

// PoorStreamKQL is the test of a poor stream: any rule that applies to the
// stream's kind fires. A missing value fires nothing, as in Evaluate (a
// comparison with null is false).
func PoorStreamKQL() string {
	kindTest := map[quality.Kind]string{
		quality.KindVideo:       "MediaType in~ (" + kqlList(quality.VideoMediaTypes) + ")",
		quality.KindScreenShare: "MediaType in~ (" + kqlList(quality.ScreenShareMediaTypes) + ")",
		quality.KindAudio: "not(MediaType in~ (" + kqlList(quality.VideoMediaTypes) + ") or MediaType in~ (" +
			kqlList(quality.ScreenShareMediaTypes) + "))",
	}
	var parts []string
	for _, r := range quality.Rules() {
		test := fmt.Sprintf("todouble(%s) %s %s", r.Column, r.Comparison, strconv.FormatFloat(r.Threshold, 'g', -1, 64))
		if !r.AppliesTo(quality.KindAll) {
			var kinds []string
			for _, k := range []quality.Kind{quality.KindAudio, quality.KindVideo, quality.KindScreenShare} {
				if r.AppliesTo(k) {
					kinds = append(kinds, kindTest[k])
				}
			}
			test = "(" + strings.Join(kinds, " or ") + ") and " + test
		}
		parts = append(parts, "("+test+")")
	}
	return strings.Join(parts, " or ")
}

func kqlList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

func callRowOf(r row) CallRow {
	c := CallRow{CallID: r.str("CallId"), Start: r.time("Start"), CallType: r.str("CallType"), Participants: r.int("Participants"),
		ClientTypes: countsText(r["client"]), ParticipantType: countsText(r["ptype"]), SdkVersions: countsText(r["sdk"]), OsVersions: countsText(r["os"]),
		Quality: r.str("Quality"), Rating: r.str("Rating"), Dropped: r.int("Dropped"), PoorStreams: r.int("PoorStreams"),
		Issues: r.int("Issues"), Breakdown: map[string]int{}}
	if d := r.int("Duration"); d > 0 {
		c.End = c.Start.Add(time.Duration(d) * time.Second)
	}
	if c.Dropped > 0 {
		c.Breakdown["Call Ended Ungracefully"] = int(c.Dropped)
	}
	if c.PoorStreams > 0 {
		c.Breakdown["Poor Media Streams"] = int(c.PoorStreams)
	}
	for k, v := range jsonObject(r["ops"]) {
		if n, ok := v.(float64); ok {
			c.Breakdown[k] += int(n)
		}
	}
	return c
}

// countsText writes a bag of counts as "3 VoIP, 1 Server", largest first.
func countsText(v any) string {
	type kv struct {
		k string
		n int
	}
	var list []kv
	for k, x := range jsonObject(v) {
		if n, ok := x.(float64); ok {
			list = append(list, kv{k, int(n)})
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].n != list[j].n {
			return list[i].n > list[j].n
		}
		return list[i].k < list[j].k
	})
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = fmt.Sprintf("%d %s", e.n, e.k)
	}
	return strings.Join(parts, ", ")
}

// A cursor is the start and id of the last call of a page: the next page
// holds the calls after it in the order (start descending, id ascending),
// which new calls, always newer, cannot disturb.
func cursor(start time.Time, id string) string {
	return start.UTC().Format(time.RFC3339Nano) + "|" + id
}

func parseCursor(s string) (time.Time, string, error) {
	at, id, ok := strings.Cut(s, "|")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || id == "" {
		return time.Time{}, "", &UsageError{fmt.Sprintf("the cursor %q is not one this search gave", s)}
	}
	return t, id, nil
}
