package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/callscope/callscope/internal/calls"
	"github.com/callscope/callscope/internal/decode"
	"github.com/callscope/callscope/internal/quality"
	"github.com/callscope/callscope/internal/store/enginetest"
)

type kqlReply struct {
	laResult
	Render map[string]any `json:"render"`
}

func (ts *testServer) kql(t *testing.T, key string, body map[string]any) (int, kqlReply) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/workspaces/default/query", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return doKQL(t, req)
}

func doKQL(t *testing.T, req *http.Request) (int, kqlReply) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r kqlReply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("answer is not JSON: %v", err)
	}
	return resp.StatusCode, r
}

// The query API answers in the Log Analytics shape: typed columns, values
// in the API's conventions, the render request as metadata, and the
// timespan bounding TimeGenerated.
func TestQueryAPI(t *testing.T) {
	ts := startServer(t, enginetest.DuckDB, decode.Limits{})
	recent := strings.Replace(goodSummary, "2021-07-19T18:46:50.188Z", "2021-07-21T09:00:00Z", 1)
	recent = strings.Replace(recent, `"callType":"P2P"`, `"callType":"Group"`, 1)
	if code, r := ts.post(t, []byte(goodSummary+"\n"+recent), nil); code != 200 || r.Accepted != 2 {
		t.Fatalf("ingest: %d %+v", code, r)
	}

	code, r := ts.kql(t, "", map[string]any{
		"query":    "ACSCallSummary | summarize n = count() by CallType | render piechart with (title = strcat('Calls', ' by type'))",
		"timespan": "2021-07-19T00:00:00Z/2021-07-20T00:00:00Z",
	})
	if code != 200 {
		t.Fatalf("query: %d %+v", code, r.Error)
	}
	tab := r.Tables[0]
	if tab.Name != "PrimaryResult" || len(tab.Columns) != 2 || tab.Columns[0].Name != "CallType" || tab.Columns[0].Type != "string" ||
		tab.Columns[1].Name != "n" || tab.Columns[1].Type != "long" {
		t.Fatalf("columns %+v", tab.Columns)
	}
	if len(tab.Rows) != 1 || tab.Rows[0][0] != "P2P" || tab.Rows[0][1] != float64(1) {
		t.Errorf("the timespan should keep only the 2021-07-19 call: %v", tab.Rows)
	}
	if r.Render["visualization"] != "piechart" || r.Render["title"] != "Calls by type" {
		t.Errorf("render %v", r.Render)
	}

	// GET with an ISO 8601 duration: nothing from 2021 is in the last day.
	q := url.Values{"query": {"ACSCallSummary | count"}, "timespan": {"P1D"}}
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/v1/workspaces/default/query?"+q.Encode(), nil)
	if code, r := doKQL(t, req); code != 200 || r.Tables[0].Rows[0][0] != float64(0) {
		t.Errorf("GET with P1D: %d %v %+v", code, r.Tables, r.Error)
	}

	// Values: datetimes and timespans as text, dynamic values as JSON text,
	// a missing string as "".
	code, r = ts.kql(t, "", map[string]any{"query": `ACSCallSummary | where CallType == 'P2P'
| project TimeGenerated, d = 6s + 500ms, b = bag_pack('a', 1, 'b', dynamic([true])), e = ParticipantId, ok = isempty(ParticipantId), x = CallDuration * 2`})
	if code != 200 {
		t.Fatalf("values: %d %+v", code, r.Error)
	}
	want := []any{"2021-07-19T18:46:50.188Z", "00:00:06.5000000", `{"a":1,"b":[true]}`, "", true, float64(12)}
	row := r.Tables[0].Rows[0]
	for i := range want {
		if row[i] != want[i] {
			t.Errorf("column %s: %#v, want %#v", r.Tables[0].Columns[i].Name, row[i], want[i])
		}
	}
	types := []string{"datetime", "timespan", "dynamic", "string", "bool", "long"}
	for i, c := range r.Tables[0].Columns {
		if c.Type != types[i] {
			t.Errorf("column %s is %s, want %s", c.Name, c.Type, types[i])
		}
	}

	// More rows than the limit (1000 in tests) are cut, and the answer says so.
	code, r = ts.kql(t, "", map[string]any{"query": "range x from 1 to 1500 step 1"})
	if code != 200 || len(r.Tables[0].Rows) != 1000 || r.Error == nil || r.Error.Code != "PartialError" {
		t.Errorf("row limit: %d, %d rows, error %+v", code, len(r.Tables[0].Rows), r.Error)
	}
}

// Errors name the problem and its line and column.
func TestQueryAPIErrors(t *testing.T) {
	ts := startServer(t, enginetest.DuckDB, decode.Limits{})
	cases := []struct {
		query, timespan string
		status          int
		inner           string
		line, pos       int
		text            string
	}{
		{query: "ACSCallSummary\n| tolower(CallType) == 'x'", status: 400, inner: "SyntaxError", line: 2, pos: 3, text: "'tolower' is not a tabular operator"},
		{query: "ACSCallSummary\n| extend h = floor(CallStartTime, 1d)\n| summarize count() by day", status: 400, inner: "SemanticError", line: 3, pos: 24, text: "'day'"},
		{query: "acscallsummary | count", status: 400, inner: "SemanticError", line: 1, pos: 1, text: "did you mean 'ACSCallSummary'"},
		{query: "ACSCallSummary | evaluate bag_unpack(x)", status: 400, inner: "SemanticError", line: 1, pos: 27, text: "evaluate bag_unpack is not supported"},
		{query: "ACSCallSummary | count", timespan: "last week", status: 400, text: "invalid timespan"},
		{query: "  ", status: 400, text: "no query"},
	}
	for _, c := range cases {
		body := map[string]any{"query": c.query}
		if c.timespan != "" {
			body["timespan"] = c.timespan
		}
		code, r := ts.kql(t, "", body)
		if code != c.status || r.Error == nil || r.Error.Code != "BadArgumentError" {
			t.Errorf("%q: %d %+v", c.query, code, r.Error)
			continue
		}
		msg := r.Error.Message
		if c.inner != "" {
			in := r.Error.InnerError
			if in == nil || in.Code != c.inner || in.Line != c.line || in.Pos != c.pos {
				t.Errorf("%q: inner error %+v, want %s at %d:%d", c.query, in, c.inner, c.line, c.pos)
				continue
			}
			msg = in.Message
		}
		if !strings.Contains(msg, c.text) {
			t.Errorf("%q: message %q lacks %q", c.query, msg, c.text)
		}
	}
}

// With keys, the query API needs a read key for the workspace.
func TestQueryAPIKeys(t *testing.T) {
	ts := startServerWith(t, enginetest.DuckDB, decode.Limits{}, false)
	_, admin, err := ts.registry.CreateKey(workspaceNewAdmin())
	if err != nil {
		t.Fatal(err)
	}
	_, out := ts.call(t, "POST", "/v1/keys", admin, map[string]any{"kind": "read", "workspace": "default"})
	readKey := out["key"].(string)
	ts.call(t, "PUT", "/v1/workspaces/other", admin, nil)
	_, out = ts.call(t, "POST", "/v1/keys", admin, map[string]any{"kind": "read", "workspace": "other"})
	otherKey := out["key"].(string)

	if code, _ := ts.kql(t, "", map[string]any{"query": "print 1"}); code != 401 {
		t.Errorf("no key: %d", code)
	}
	if code, _ := ts.kql(t, otherKey, map[string]any{"query": "print 1"}); code != 403 {
		t.Errorf("a read key of another workspace: %d", code)
	}
	if code, r := ts.kql(t, readKey, map[string]any{"query": "print x = 1"}); code != 200 || r.Tables[0].Rows[0][0] != float64(1) {
		t.Errorf("read key: %d %+v", code, r.Error)
	}
}

// The quality model the web UI reads holds the same KQL tests the call
// search uses, and every explained code and diagnostic.
func TestQualityModel(t *testing.T) {
	ts := startServer(t, enginetest.DuckDB, decode.Limits{})
	code, out := ts.call(t, "GET", "/v1/quality", "", nil)
	if code != 200 {
		t.Fatalf("GET /v1/quality: %d %v", code, out)
	}
	if out["poorStream"] != calls.PoorStreamKQL() || out["dropped"] != calls.DroppedKQL() {
		t.Errorf("predicates differ from the search's: %v / %v", out["poorStream"], out["dropped"])
	}
	reasons, _ := out["endReasons"].([]any)
	var startVideo string
	for _, r := range reasons {
		m := r.(map[string]any)
		if m["subCode"] == float64(41048) {
			startVideo = fmt.Sprint(m["phrase"])
		}
	}
	if want := quality.LookupEndReason(0, 41048).Phrase; startVideo != want || want == "" {
		t.Errorf("subcode 41048: %q, want %q", startVideo, want)
	}
	if n := len(out["ufds"].([]any)); n != len(quality.UFDs()) {
		t.Errorf("%d UFDs, want %d", n, len(quality.UFDs()))
	}
	// The predicate is valid KQL over ACSCallDiagnostics.
	for _, q := range []string{"ACSCallDiagnostics | where " + calls.PoorStreamKQL() + " | count", "ACSCallSummary | where " + calls.DroppedKQL() + " | count"} {
		if code, out := ts.call(t, "POST", "/v1/workspaces/default/query", "", map[string]string{"query": q}); code != 200 {
			t.Errorf("a predicate does not run: %d %v", code, out)
		}
	}
}
