package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/decode"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/store/enginetest"
	"github.com/callscope/callscope/internal/workspace"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// The ingestion tests that check what is stored (rows per table, rejected
// records, routing, redaction), on each storage engine.
func TestIngest(t *testing.T) {
	enginetest.Run(t,
		enginetest.Test{Name: "ProcessesBodyWhole", Fn: testIngestProcessesBodyWhole},
		enginetest.Test{Name: "RejectsUnreadableBodies", Fn: testIngestRejectsUnreadableBodies},
		enginetest.Test{Name: "ShapesAndGzip", Fn: testIngestShapesAndGzip},
		enginetest.Test{Name: "SettingsAreNotRetroactive", Fn: testSettingsAreNotRetroactive},
		enginetest.Test{Name: "RoutingCategoriesAndWorkspaces", Fn: testRoutingCategoriesAndWorkspaces},
		enginetest.Test{Name: "Keys", Fn: testKeys},
		enginetest.Test{Name: "Redaction", Fn: testRedaction},
		enginetest.Test{Name: "SimulatorThroughHTTP", Fn: testSimulatorThroughHTTP},
		enginetest.Test{Name: "DocSamples", Fn: testDocSamples},
	)
}

type testServer struct {
	*httptest.Server
	srv      *Server
	store    store.Store
	engine   enginetest.Engine
	registry *workspace.Registry
}

// testResource is the resource of the test records; startServer routes all
// its logs to the default workspace.
const testResource = "/subscriptions/s1/resourcegroups/rg/providers/microsoft.communication/communicationservices/a"

// startServer serves a fresh store of the engine, open (no keys), with the
// test resource's logs routed to the default workspace.
func startServer(t *testing.T, eng enginetest.Engine, lim decode.Limits) *testServer {
	t.Helper()
	ts := startServerWith(t, eng, lim, true)
	ts.routeAll(t, testResource, "tenant-1", workspace.DefaultName)
	return ts
}

func startServerWith(t *testing.T, eng enginetest.Engine, lim decode.Limits, open bool) *testServer {
	t.Helper()
	m := NewMetrics()
	st := eng.Open(t, enginetest.Options{Observer: m})
	backend, err := workspace.OpenFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	reg, err := workspace.Open(backend)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(context.Background(), Config{Limits: lim, Metrics: m, Logger: quiet, QueryTimeout: 10 * time.Second, MaxResultRows: 1000, Open: open}, st, reg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		reg.Close()
	})
	return &testServer{Server: ts, srv: srv, store: st, engine: eng, registry: reg}
}

// routeAll registers a resource and sends all its logs to a workspace.
func (ts *testServer) routeAll(t *testing.T, resource, tenant, ws string) {
	t.Helper()
	if _, err := ts.registry.RegisterResource(resource, tenant); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.registry.PutSetting(resource, "all-to-"+ws, ws, []workspace.LogSetting{{CategoryGroup: workspace.AllLogs, Enabled: true}}); err != nil {
		t.Fatal(err)
	}
}

// defaultWS is the store side of the default workspace.
func (ts *testServer) defaultWS(t *testing.T) store.Workspace {
	t.Helper()
	w, err := ts.registry.Workspace(workspace.DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := ts.srv.storeWorkspace(context.Background(), w)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

type ingestReply struct {
	Accepted      int            `json:"accepted"`
	Dropped       map[string]int `json:"dropped"`
	RejectedCount int            `json:"rejectedCount"`
	Rejected      []struct {
		Index int    `json:"index"`
		Line  int    `json:"line"`
		Error string `json:"error"`
	} `json:"rejected"`
	Error *struct{ Code, Message string } `json:"error"`
}

func (ts *testServer) post(t *testing.T, body []byte, headers map[string]string) (int, ingestReply) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/ingest", bytes.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r ingestReply
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("response %s: %v", raw, err)
	}
	return resp.StatusCode, r
}

type laResult struct {
	Tables []struct {
		Name    string `json:"name"`
		Columns []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"columns"`
		Rows [][]any `json:"rows"`
	} `json:"tables"`
	Error *struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Line    int    `json:"line"`
			Pos     int    `json:"pos"`
		} `json:"innererror"`
	} `json:"error"`
}

func (ts *testServer) sql(t *testing.T, q string) (int, laResult) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": q})
	resp, err := http.Post(ts.URL+"/v1/workspaces/default/sql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r laResult
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, r
}

// rows runs a KQL query in a workspace, with a key ("" on an open
// server), and returns its rows. The tests of what is stored read it in
// KQL, which every engine's dialect translates, rather than in one
// engine's SQL.
func (ts *testServer) rows(t *testing.T, key, ws, query string) [][]any {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/workspaces/"+ws+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	code, r := doKQL(t, req)
	if code != 200 || r.Error != nil { // a partial result too
		t.Fatalf("%s: %d %+v", query, code, r.Error)
	}
	return r.Tables[0].Rows
}

// count counts the rows of a table of the default workspace.
func (ts *testServer) count(t *testing.T, table string) int {
	t.Helper()
	return int(ts.rows(t, "", workspace.DefaultName, table+" | count")[0][0].(float64))
}

const (
	goodSummary = `{"time":"2021-07-19T18:46:50.188Z","resourceId":"SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMMUNICATION/COMMUNICATIONSERVICES/A","category":"CallSummary","correlationId":"c1","properties":{"callDuration":"6","callType":"P2P"}}`
	goodDiag    = `{"time":"2021-07-19T18:46:50.188Z","resourceId":"/subscriptions/s1/resourcegroups/rg/providers/microsoft.communication/communicationservices/a","category":"CallDiagnostics","correlationId":"c1","properties":{"mediaType":"Audio","jitterAvg":"1"}}`
)

// A mixed body: valid records are stored, the bad ones are listed with
// their index and reason and kept in the errors table, and the answer only
// comes once it is all committed.
func testIngestProcessesBodyWhole(t *testing.T, eng enginetest.Engine) {
	ts := startServer(t, eng, decode.Limits{})
	body := strings.Join([]string{
		goodSummary,
		`{"category":"CallSummary","resourceId":"` + testResource + `","properties":{"callDuration":"six"}}`,
		goodDiag,
		`{"category":"SomethingElse"}`,
		`{not json`,
	}, "\n")
	code, r := ts.post(t, []byte(body), nil)
	if code != 200 || r.Accepted != 2 || r.RejectedCount != 3 || len(r.Rejected) != 3 {
		t.Fatalf("%d %+v", code, r)
	}
	if r.Dropped["noDiagnosticSetting"] != 0 {
		t.Errorf("dropped %v", r.Dropped)
	}
	wantIdx := []int{1, 3, 4}
	wantMsg := []string{`CallDuration: "six" is not an integer`, `unsupported category "SomethingElse"`, "malformed JSON"}
	for i, rj := range r.Rejected {
		if rj.Index != wantIdx[i] || rj.Line != wantIdx[i]+1 || !strings.Contains(rj.Error, wantMsg[i]) {
			t.Errorf("rejected[%d] = %+v", i, rj)
		}
	}
	if n := ts.count(t, "ACSCallSummary"); n != 1 {
		t.Errorf("%d summary rows", n)
	}
	if n := ts.count(t, "ACSCallDiagnostics"); n != 1 {
		t.Errorf("%d diagnostics rows", n)
	}
	rows := ts.rows(t, "", workspace.DefaultName, `IngestionErrors | project Reason, RawRecord, Category, TableName, Position | order by Position asc`)
	if len(rows) != 3 {
		t.Fatalf("%d error rows", len(rows))
	}
	if rows[0][1] != `{"category":"CallSummary","resourceId":"`+testResource+`","properties":{"callDuration":"six"}}` || rows[0][2] != "CallSummary" || rows[0][3] != "ACSCallSummary" || !strings.HasPrefix(rows[0][4].(string), "record 1 (line 2") {
		t.Errorf("error row %v", rows[0])
	}
}

// A body that cannot be read as a whole is refused with 4xx and nothing of
// it is stored, not even its valid first records.
func testIngestRejectsUnreadableBodies(t *testing.T, eng enginetest.Engine) {
	ts := startServer(t, eng, decode.Limits{MaxBodyBytes: 64 << 10, MaxDecompressedBytes: 256 << 10, MaxRecords: 100})
	gzipped := func(records int, pad int) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		for range records {
			fmt.Fprintf(zw, `{"category":"CallSummary","resourceId":"%s","properties":{"pad":"%s"}}`+"\n", testResource, strings.Repeat("x", pad))
		}
		zw.Close()
		return buf.Bytes()
	}
	small := gzipped(50, 10)
	truncated := small[:len(small)-30]
	bomb := gzipped(50, 6000) // 300 kB once decompressed, a few hundred bytes sent

	cases := []struct {
		name    string
		body    []byte
		headers map[string]string
		status  int
		message string
	}{
		{"envelope cut short", []byte(`{"records":[` + goodSummary + `,` + goodDiag), nil, 400, "unexpected end of input"},
		{"truncated gzip", truncated, map[string]string{"Content-Encoding": "gzip"}, 400, "gzip"},
		{"gzip header without gzip", []byte(goodSummary), map[string]string{"Content-Encoding": "gzip"}, 400, "not gzip-compressed"},
		{"unsupported encoding", []byte(goodSummary), map[string]string{"Content-Encoding": "br"}, 415, "not supported"},
		{"too many records", []byte(strings.Repeat(goodSummary+"\n", 101)), nil, 413, "more than 100 records"},
		{"body too large", bytes.Repeat([]byte(goodSummary+"\n"), 300), nil, 413, "larger than the limit"},
		{"too large after decompression", bomb, nil, 413, "after decompression"},
		{"not JSON", []byte("hello"), nil, 400, "not JSON"},
	}
	for _, c := range cases {
		code, r := ts.post(t, c.body, c.headers)
		if code != c.status || r.Error == nil || !strings.Contains(r.Error.Message, c.message) {
			t.Errorf("%s: %d %+v, want %d mentioning %q", c.name, code, r.Error, c.status, c.message)
		}
	}
	if n := ts.count(t, "ACSCallSummary") + ts.count(t, "IngestionErrors"); n != 0 {
		t.Errorf("%d rows stored from refused bodies", n)
	}
	// A body sent chunked (no Content-Length) is cut off at the limit too.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/ingest", io.MultiReader(bytes.NewReader(bytes.Repeat([]byte(goodSummary+"\n"), 300))))
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("chunked oversize body: %d", resp.StatusCode)
	}
}

func testIngestShapesAndGzip(t *testing.T, eng enginetest.Engine) {
	ts := startServer(t, eng, decode.Limits{})
	bodies := map[string]string{
		"envelope": `{"records":[` + goodSummary + `,` + goodDiag + `]}`,
		"array":    `[` + goodSummary + `,` + goodDiag + `]`,
		"ndjson":   goodSummary + "\n" + goodDiag + "\n",
	}
	total := 0
	for name, body := range bodies {
		for _, compress := range []bool{false, true} {
			b := []byte(body)
			headers := map[string]string{}
			if compress {
				var buf bytes.Buffer
				zw := gzip.NewWriter(&buf)
				zw.Write(b)
				zw.Close()
				b = buf.Bytes()
				headers["Content-Encoding"] = "gzip"
			}
			code, r := ts.post(t, b, headers)
			if code != 200 || r.Accepted != 2 || r.RejectedCount != 0 {
				t.Errorf("%s gzip=%v: %d %+v", name, compress, code, r)
			}
			total += 2
		}
	}
	if n := ts.count(t, "ACSCallSummary") + ts.count(t, "ACSCallDiagnostics"); n != total {
		t.Errorf("%d rows, want %d", n, total)
	}
}

// The SQL endpoint runs the engine's own SQL; these statements are
// DuckDB's.
func TestSQLResultShape(t *testing.T) {
	ts := startServer(t, enginetest.DuckDB, decode.Limits{})
	ts.post(t, []byte(goodSummary), nil)
	code, r := ts.sql(t, `SELECT CorrelationId, CallDuration, TimeGenerated, _ResourceId, AdditionalFields, 0.5::DOUBLE AS half, INTERVAL 61 SECOND AS span FROM ACSCallSummary`)
	if code != 200 || len(r.Tables) != 1 || r.Tables[0].Name != "PrimaryResult" {
		t.Fatalf("%d %+v", code, r)
	}
	types := []string{}
	for _, c := range r.Tables[0].Columns {
		types = append(types, c.Name+":"+c.Type)
	}
	if got := strings.Join(types, " "); got != "CorrelationId:string CallDuration:long TimeGenerated:datetime _ResourceId:string AdditionalFields:dynamic half:real span:timespan" {
		t.Errorf("columns %s", got)
	}
	row := r.Tables[0].Rows[0]
	want := []any{"c1", float64(6), "2021-07-19T18:46:50.188Z", "/subscriptions/s1/resourcegroups/rg/providers/microsoft.communication/communicationservices/a", nil, 0.5, "00:01:01"}
	for i := range want {
		if row[i] != want[i] {
			t.Errorf("value %d = %#v, want %#v", i, row[i], want[i])
		}
	}

	// Errors come in the Log Analytics shape, with the position.
	code, r = ts.sql(t, "SELECT CorrelationId\nFROM ACSCallSummary\nWHERE NoSuchColumn = 1")
	if code != 400 || r.Error == nil || r.Error.Code != "BadArgumentError" || r.Error.InnerError == nil || r.Error.InnerError.Line != 3 || r.Error.InnerError.Pos != 7 {
		t.Errorf("error: %d %+v %+v", code, r.Error, r.Error.InnerError)
	}
	code, r = ts.sql(t, "DELETE FROM ACSCallSummary")
	if code != 400 || r.Error.InnerError.Code != "NotReadOnly" {
		t.Errorf("write refused: %d %+v", code, r.Error)
	}
	code, _ = ts.sql(t, "SELECT 1")
	resp, _ := http.Get(ts.URL + "/v1/workspaces/nope/sql?query=SELECT+1")
	if code != 200 || resp.StatusCode != 404 {
		t.Errorf("unknown workspace: %d", resp.StatusCode)
	}
	// Truncation is reported as a partial result.
	_, r = ts.sql(t, "SELECT * FROM range(5000)")
	if len(r.Tables[0].Rows) != 1000 || r.Error == nil || r.Error.Code != "PartialError" {
		t.Errorf("truncated result: %d rows, %+v", len(r.Tables[0].Rows), r.Error)
	}
	// GET with ?query= works as well, as does a plain-text body.
	resp, err := http.Get(ts.URL + "/v1/workspaces/default/sql?query=SELECT%2042%20AS%20x")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET: %v %v", err, resp.Status)
	}
	resp.Body.Close()
	resp, err = http.Post(ts.URL+"/v1/workspaces/default/sql", "text/plain", strings.NewReader("SELECT 42 AS x"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("text body: %v %v", err, resp.Status)
	}
	resp.Body.Close()
}

func TestHealthReadyMetrics(t *testing.T) {
	ts := startServer(t, enginetest.DuckDB, decode.Limits{})
	ts.post(t, []byte(goodSummary+"\n{\"category\":\"x\"}"), nil)
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(ts.URL + p)
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("%s: %v %v", p, err, resp.Status)
		}
	}
	resp, err := http.Get(ts.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`callscope_ingest_records_total{outcome="accepted",table="ACSCallSummary"} 1`,
		`callscope_ingest_records_total{outcome="rejected",table="unknown"} 1`,
		`callscope_ingest_requests_total{code="200"} 1`,
		`callscope_store_commit_duration_seconds_count{workspace="default"} 1`,
		`callscope_ingest_bytes_total{stage="received"}`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestFormatTimespan(t *testing.T) {
	cases := map[time.Duration]string{
		0:                                 "00:00:00",
		90 * time.Minute:                  "01:30:00",
		26*time.Hour + 3*time.Second:      "1.02:00:03",
		1500 * time.Millisecond:           "00:00:01.5000000",
		-(2*time.Second + 100):            "-00:00:02.0000001",
		3*24*time.Hour + time.Microsecond: "3.00:00:00.0000010",
	}
	for d, want := range cases {
		if got := FormatTimespan(d); got != want {
			t.Errorf("FormatTimespan(%v) = %s, want %s", d, got, want)
		}
	}
}
