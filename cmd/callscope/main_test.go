package main_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/loopback"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/simulate"
)

// These tests run the callscope binary as a user would.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "callscope-test-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "callscope")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building callscope:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run runs the binary to completion.
func run(t testing.TB, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

type server struct {
	url string
	cmd *exec.Cmd
	log *bytes.Buffer
}

func freePort(t testing.TB) int {
	port, err := loopback.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// serve starts callscope serve on a data folder and waits until it is ready.
func serve(t testing.TB, data string, extra ...string) *server {
	t.Helper()
	port := freePort(t)
	args := append([]string{"serve", "--listen", "127.0.0.1:" + strconv.Itoa(port), "--data", data, "--log-level", "warn"}, extra...)
	cmd := exec.Command(binary, args...)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{url: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, log: &log}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(s.url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server not ready: %s", log.String())
	return nil
}

// routeSimulator registers the simulator's resources and sends all their
// logs to the default workspace, through the admin API.
func (s *server) routeSimulator(t testing.TB) {
	t.Helper()
	if err := simulate.Register(context.Background(), s.url, "", nil, "default"); err != nil {
		t.Fatal(err)
	}
}

func (s *server) put(t testing.TB, path, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, s.url+path, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("PUT %s: %d %s", path, resp.StatusCode, raw)
	}
}

func (s *server) sql(t testing.TB, q string) [][]any {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": q})
	resp, err := http.Post(s.url+"/v1/workspaces/default/sql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Tables []struct{ Rows [][]any } `json:"tables"`
		Error  any                      `json:"error"`
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s: %d %s", q, resp.StatusCode, raw)
	}
	return out.Tables[0].Rows
}

// A server under steady ingest is killed with SIGKILL. After a restart the
// database opens, every acknowledged batch is there whole, and the batches
// in flight at the kill are either whole or absent.
func TestKill9KeepsAcknowledgedRecords(t *testing.T) {
	data := t.TempDir()
	s := serve(t, data)
	s.routeSimulator(t)

	// Batches of simulated records, each record tagged with its batch.
	const batchSize = 500
	type batch struct {
		id   string
		body []byte
		n    int
	}
	var batches []batch
	ids, bodies, counts := simulatedBatches(t, 9, 60, batchSize, time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), "killTestBatch")
	for i, id := range ids {
		batches = append(batches, batch{id, bodies[i], counts[i]})
	}
	if len(batches) < 40 {
		t.Fatalf("only %d batches", len(batches))
	}

	var (
		mu      sync.Mutex
		acked   = map[string]int{}
		tried   = map[string]int{}
		next    int
		wg      sync.WaitGroup
		stopped = make(chan struct{})
	)
	for range 3 {
		wg.Go(func() {
			client := &http.Client{Timeout: 30 * time.Second}
			for {
				mu.Lock()
				if next == len(batches) {
					mu.Unlock()
					return
				}
				b := batches[next]
				next++
				tried[b.id] = b.n
				mu.Unlock()
				resp, err := client.Post(s.url+"/v1/ingest", "application/x-ndjson", bytes.NewReader(b.body))
				if err != nil {
					return // the server is gone
				}
				var r struct{ Accepted, RejectedCount int }
				json.NewDecoder(resp.Body).Decode(&r)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					mu.Lock()
					acked[b.id] = r.Accepted
					mu.Unlock()
				}
				select {
				case <-stopped:
					return
				default:
				}
			}
		})
	}
	// Kill once a good part has been acknowledged, while requests are in
	// flight.
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= len(batches)/3 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
	close(stopped)
	wg.Wait()

	s = serve(t, data)
	var parts []string
	for _, tb := range schema.CallLogTables() {
		parts = append(parts, fmt.Sprintf(`SELECT AdditionalFields->>'killTestBatch' AS b FROM %q`, tb.Name))
	}
	rows := s.sql(t, `SELECT b, count(*) AS n FROM (`+strings.Join(parts, " UNION ALL ")+`) GROUP BY b`)
	stored := map[string]int{}
	for _, r := range rows {
		id, _ := r[0].(string)
		stored[id] = int(r[1].(float64))
	}
	for id, n := range acked {
		if stored[id] != n {
			t.Errorf("acknowledged batch %s: %d of %d records stored", id, stored[id], n)
		}
	}
	inFlight := 0
	for id, n := range tried {
		if _, ok := acked[id]; ok {
			continue
		}
		inFlight++
		if got := stored[id]; got != 0 && got != n {
			t.Errorf("unacknowledged batch %s is half stored: %d of %d", id, got, n)
		}
	}
	t.Logf("%d batches acknowledged before SIGKILL, %d in flight; all acknowledged records present after restart", len(acked), inFlight)
}

// The storage-export layout of Azure imports with the counts the simulator
// reports, and the sql command reads the result.
func TestImportAzureLayout(t *testing.T) {
	dir := t.TempDir()
	exported := filepath.Join(dir, "export")
	out, errOut, err := run(t, "simulate", "--calls", "12", "--seed", "5", "--from", "2026-02-01T00:00:00Z", "--to", "2026-02-01T06:00:00Z",
		"--layout", "azure", "--out", exported, "--format", "json")
	if err != nil {
		t.Fatalf("simulate: %v\n%s", err, errOut)
	}
	var sim struct {
		Records map[string]int `json:"records"`
		Total   int            `json:"total"`
	}
	if err := json.Unmarshal([]byte(out), &sim); err != nil {
		t.Fatalf("simulate output %q: %v", out, err)
	}
	blobs, _ := filepath.Glob(filepath.Join(exported, "insights-logs-callsummary", "resourceId=", "SUBSCRIPTIONS", "*", "RESOURCEGROUPS", "*", "PROVIDERS", "MICROSOFT.COMMUNICATION", "COMMUNICATIONSERVICES", "*", "y=*", "m=*", "d=*", "h=*", "m=00", "PT1H.json"))
	if len(blobs) == 0 {
		t.Fatal("no PT1H.json blobs in the storage-export layout")
	}

	data := filepath.Join(dir, "data")
	out, errOut, err = run(t, "import", "--data", data, "--format", "json", "--log-level", "warn", exported)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	var imp struct {
		Accepted map[string]int `json:"accepted"`
		Records  int            `json:"records"`
	}
	if err := json.Unmarshal([]byte(out), &imp); err != nil {
		t.Fatalf("import output %q: %v", out, err)
	}
	if imp.Records != sim.Total {
		t.Errorf("imported %d records, simulated %d", imp.Records, sim.Total)
	}
	for cat, n := range sim.Records {
		if tb := schema.ByCategory(cat); imp.Accepted[tb.Name] != n {
			t.Errorf("%s: %d accepted, %d simulated", tb.Name, imp.Accepted[tb.Name], n)
		}
	}

	out, errOut, err = run(t, "sql", "--data", data, "--format", "csv", "SELECT Type, count(*) AS n FROM ACSCallSummary GROUP BY Type")
	if err != nil || out != fmt.Sprintf("Type,n\nACSCallSummary,%d\n", sim.Records["CallSummary"]) {
		t.Errorf("sql csv: %q %v %s", out, err, errOut)
	}
	out, _, err = run(t, "sql", "--data", data, "SELECT CallType, count(*) AS calls FROM ACSCallSummary GROUP BY ALL ORDER BY 1")
	if err != nil || !strings.Contains(out, "CallType") || !strings.Contains(out, "P2P") || !strings.Contains(out, "row") {
		t.Errorf("sql table: %q %v", out, err)
	}
	_, errOut, err = run(t, "sql", "--data", data, "DROP TABLE ACSCallSummary")
	if err == nil || !strings.Contains(errOut, "read-only") {
		t.Errorf("sql write: %v %s", err, errOut)
	}
}

// A file that breaks off keeps the records read before the break, and the
// import says where it broke.
func TestImportTruncatedFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "calls.ndjson.gz")
	if _, errOut, err := run(t, "simulate", "--calls", "10", "--out", file, "--from", "2026-02-01T00:00:00Z", "--to", "2026-02-01T01:00:00Z"); err != nil {
		t.Fatalf("simulate: %v %s", err, errOut)
	}
	whole, _ := os.ReadFile(file)
	os.WriteFile(file, whole[:len(whole)*2/3], 0o644)
	data := filepath.Join(dir, "data")
	out, errOut, err := run(t, "import", "--data", data, "--quiet", "--log-level", "warn", file)
	if err == nil || !strings.Contains(errOut, "gzip: stream is truncated") {
		t.Fatalf("import of a truncated file: %v\n%s\n%s", err, out, errOut)
	}
	out, _, _ = run(t, "sql", "--data", data, "--format", "csv", "SELECT count(*) AS n FROM ACSCallClientMediaStatsTimeSeries")
	n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(out, "n\n")))
	if n == 0 {
		t.Errorf("nothing kept from before the break: %q", out)
	}
}

// While a server holds the data folder, the sql command says so and points
// to --url, which works.
func TestSQLWhileServing(t *testing.T) {
	data := t.TempDir()
	s := serve(t, data)
	s.routeSimulator(t)
	var body bytes.Buffer
	zw := gzip.NewWriter(&body)
	fmt.Fprintf(zw, `{"category":"CallSurvey","resourceId":%q,"properties":{"SurveyId":"s-1","OverallRatingScore":"4"}}`+"\n", simulate.DefaultResources()[0].ID)
	zw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.url+"/v1/ingest", &body)
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("ingest: %v", err)
	}
	resp.Body.Close()

	_, errOut, err := run(t, "sql", "--data", data, "SELECT 1")
	if err == nil || !strings.Contains(errOut, "another callscope process") {
		t.Errorf("sql on a served folder: %v %s", err, errOut)
	}
	out, errOut, err := run(t, "sql", "--url", s.url, "--format", "json", "SELECT SurveyId, OverallRatingScore FROM ACSCallSurvey")
	if err != nil || !strings.Contains(out, `"OverallRatingScore": 4`) || !strings.Contains(out, `"SurveyId": "s-1"`) {
		t.Errorf("sql --url: %q %v %s", out, err, errOut)
	}
}

// callscope demo serves a workspace that fills itself, and stops cleanly
// on an interrupt.
func TestDemo(t *testing.T) {
	port := freePort(t)
	cmd := exec.Command(binary, "demo", "--listen", "127.0.0.1:"+strconv.Itoa(port), "--backfill", "15", "--rate", "120", "--log-level", "warn")
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	s := &server{url: "http://127.0.0.1:" + strconv.Itoa(port)}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var calls, live float64
	for ctx.Err() == nil {
		time.Sleep(500 * time.Millisecond)
		resp, err := http.Get(s.url + "/readyz")
		if err != nil {
			continue
		}
		resp.Body.Close()
		rows := s.sql(t, `SELECT count(DISTINCT CorrelationId), count(*) FILTER (WHERE TimeGenerated > now() - INTERVAL 1 MINUTE) FROM ACSCallSummaryUpdates`)
		calls = rows[0][0].(float64)
		mrows := s.sql(t, `SELECT count(*) FROM ACSCallClientMediaStatsTimeSeries WHERE TimeGenerated > now() - INTERVAL 30 SECOND`)
		live = mrows[0][0].(float64)
		if calls >= 10 && live > 0 {
			break
		}
	}
	if calls < 10 || live == 0 {
		t.Fatalf("demo holds %v calls and %v live media-stats rows\n%s", calls, live, log.String())
	}
	if !strings.Contains(log.String(), "callscope demo is running at "+s.url) {
		t.Errorf("demo does not print its URL:\n%s", log.String())
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Errorf("demo did not stop cleanly: %v\n%s", err, log.String())
	}
}

// Workspaces, resources, settings and keys survive a kill -9 of the server
// that created them; once a key exists the server checks keys.
func TestMetadataSurvivesKill9(t *testing.T) {
	data := t.TempDir()
	s := serve(t, data)
	res := simulate.DefaultResources()[0]
	s.put(t, "/v1/workspaces/ops", "")
	s.put(t, "/v1/resources"+res.ID, fmt.Sprintf(`{"tenantId":%q}`, res.TenantID))
	s.put(t, "/v1/resources"+res.ID+"/diagnosticSettings/to-ops", `{"workspaceId":"ops","logs":[{"category":"CallSurvey","enabled":true}]}`)
	resp, err := http.Post(s.url+"/v1/keys", "application/json", strings.NewReader(`{"kind":"admin","name":"root"}`))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ Key string }
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if created.Key == "" {
		t.Fatal("no key created")
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()

	s = serve(t, data)
	get := func(path, key string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, s.url+path, nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("/v1/workspaces", ""); code != 401 {
		t.Errorf("without a key after restart: %d (keys exist, so they are checked)", code)
	}
	if code, body := get("/v1/workspaces", created.Key); code != 200 || !strings.Contains(body, `"ops"`) {
		t.Errorf("workspaces after restart: %d %s", code, body)
	}
	if code, body := get("/v1/resources"+res.ID+"/diagnosticSettings/to-ops", created.Key); code != 200 || !strings.Contains(body, "CallSurvey") {
		t.Errorf("setting after restart: %d %s", code, body)
	}
}

// The management commands work on a data folder, and the same commands
// work on the running server with --url and an admin key.
func TestManagementCommands(t *testing.T) {
	data := t.TempDir()
	res := simulate.DefaultResources()[0]
	steps := [][]string{
		{"workspace", "create", "ops"},
		{"resource", "register", res.ID, "--tenant", res.TenantID},
		{"settings", "put", "--resource", res.ID, "--name", "all", "--workspace", "ops", "--all-logs"},
		{"workspace", "retention", "ops", "ACSCallSurvey", "90"},
	}
	for _, args := range steps {
		if out, errOut, err := run(t, append(args, "--data", data)...); err != nil {
			t.Fatalf("%v: %v\n%s%s", args, err, out, errOut)
		}
	}
	out, _, err := run(t, "key", "create", "--kind", "admin", "--data", data, "--format", "json")
	var key struct{ Key string }
	if err != nil || json.Unmarshal([]byte(out), &key) != nil || key.Key == "" {
		t.Fatalf("key create: %v %q", err, out)
	}

	// Without a key, a server reachable from elsewhere refuses to start
	// (refused before it binds anything).
	_, errOut, err := run(t, "serve", "--listen", "0.0.0.0:0", "--data", t.TempDir())
	if err == nil || !strings.Contains(errOut, "key create --kind admin") {
		t.Errorf("serve without keys on 0.0.0.0: %v %s", err, errOut)
	}

	s := serve(t, data)
	out, errOut, err = run(t, "settings", "list", "--url", s.url, "--key", key.Key)
	if err != nil || !strings.Contains(out, "ops") || !strings.Contains(out, "allLogs") {
		t.Errorf("settings list --url: %v\n%s%s", err, out, errOut)
	}
	out, _, err = run(t, "workspace", "show", "ops", "--url", s.url, "--key", key.Key)
	if err != nil || !strings.Contains(out, "ACSCallSurvey") || !strings.Contains(out, "90") {
		t.Errorf("workspace show --url: %v\n%s", err, out)
	}
	if _, errOut, err := run(t, "workspace", "list", "--url", s.url); err == nil || !strings.Contains(errOut, "401") {
		t.Errorf("workspace list --url without a key: %v %s", err, errOut)
	}
	// While the server runs, the data folder is its own.
	if _, errOut, err := run(t, "workspace", "list", "--data", data); err == nil || !strings.Contains(errOut, "another callscope process") {
		t.Errorf("workspace list on a served folder: %v %s", err, errOut)
	}
}

// callscope bench query builds a small dataset, runs every Insights panel
// in KQL and in hand-written SQL, and finds the same answers.
func TestBenchQuery(t *testing.T) {
	out, errOut, err := run(t, "bench", "query", "--dir", t.TempDir(), "--rows", "20000", "--days", "3",
		"--runs", "1", "--format", "json")
	if err != nil {
		t.Fatalf("bench query: %v\n%s", err, errOut)
	}
	var rep struct {
		Rows   int64
		Panels []struct {
			Tab, Name             string
			ResultRows            int
			KQLP50Ms              float64
			SameAnswer            bool
			Difference            string
			TranslateMicroseconds float64
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if rep.Rows < 15000 || len(rep.Panels) != 17 {
		t.Fatalf("%d records, %d panels; want about 20,000 and 17", rep.Rows, len(rep.Panels))
	}
	answered := 0
	for _, p := range rep.Panels {
		if !p.SameAnswer {
			t.Errorf("%s / %s: the KQL and the SQL disagree: %s", p.Tab, p.Name, p.Difference)
		}
		if p.KQLP50Ms <= 0 || p.TranslateMicroseconds <= 0 {
			t.Errorf("%s / %s: no timing: %+v", p.Tab, p.Name, p)
		}
		if p.ResultRows > 0 {
			answered++
		}
	}
	if answered < 15 {
		t.Errorf("only %d of 17 panels had rows to compare", answered)
	}
}

// getJSON fetches a URL and decodes its JSON answer.
func getJSON(t *testing.T, u string, v any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

// The Call Diagnostics API over simulated calls: search pages through the
// calls newest first, and each call's overview, issues, timeline and
// series agree with what the search said of it; callscope call prints it.
func TestCallDiagnosticsAPI(t *testing.T) {
	data := t.TempDir()
	s := serve(t, data)
	s.routeSimulator(t)
	if _, errOut, err := run(t, "simulate", "--post", s.url, "--calls", "40", "--seed", "3",
		"--from", "2026-03-01T08:00:00Z", "--to", "2026-03-01T12:00:00Z"); err != nil {
		t.Fatalf("simulate: %v\n%s", err, errOut)
	}
	base := s.url + "/v1/workspaces/default/calls"
	span := "from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z"

	type row struct {
		CallID              string
		Start               time.Time
		Participants        int
		Quality             string
		DroppedParticipants int
		PoorStreams         int
		Issues              int
	}
	var all []row
	next := ""
	for pages := 0; ; pages++ {
		var page struct {
			Calls []row
			Next  string
		}
		u := base + "?" + span + "&pageSize=15"
		if next != "" {
			u += "&after=" + url.QueryEscape(next)
		}
		if code := getJSON(t, u, &page); code != 200 {
			t.Fatalf("search: %d", code)
		}
		all = append(all, page.Calls...)
		if next = page.Next; next == "" {
			break
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	if len(all) != 40 {
		t.Fatalf("%d calls found over the pages, want the 40 simulated", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].Start.After(all[i-1].Start) {
			t.Fatalf("not newest first at %d: %v after %v", i, all[i].Start, all[i-1].Start)
		}
	}

	checked := 0
	for _, c := range all {
		if c.Issues == 0 && checked > 0 {
			continue
		}
		checked++
		var o struct {
			Quality      string
			Participants []struct {
				Dropped bool
				Streams []struct{ Quality string }
			}
		}
		if code := getJSON(t, base+"/"+c.CallID, &o); code != 200 {
			t.Fatalf("overview of %s: %d", c.CallID, code)
		}
		dropped, poor := 0, 0
		for _, p := range o.Participants {
			if p.Dropped {
				dropped++
			}
			for _, st := range p.Streams {
				if st.Quality == "poor" {
					poor++
				}
			}
		}
		if len(o.Participants) != c.Participants || o.Quality != c.Quality || dropped != c.DroppedParticipants || poor != c.PoorStreams {
			t.Errorf("%s: search said %+v; the overview has %d participants, quality %s, %d dropped, %d poor streams",
				c.CallID, c, len(o.Participants), o.Quality, dropped, poor)
		}
		var is struct{ Issues []struct{ Kind string } }
		getJSON(t, base+"/"+c.CallID+"/issues", &is)
		if len(is.Issues) < c.Issues {
			t.Errorf("%s: search counted %d issues, the issues list has %d", c.CallID, c.Issues, len(is.Issues))
		}
		var tl struct {
			Participants []struct{ Lanes []struct{ Name string } }
		}
		if code := getJSON(t, base+"/"+c.CallID+"/timeline", &tl); code != 200 || len(tl.Participants) < c.Participants ||
			len(tl.Participants[0].Lanes) != 5 {
			t.Errorf("%s: timeline %d %+v", c.CallID, code, tl)
		}
		var se struct{ Series []any }
		if code := getJSON(t, base+"/"+c.CallID+"/series", &se); code != 200 {
			t.Errorf("%s: series %d", c.CallID, code)
		}
		if checked == 6 {
			break
		}
	}

	var e struct {
		Error struct{ Code, Message string }
	}
	if code := getJSON(t, base+"/no-such-call", &e); code != 404 || e.Error.Code != "CallNotFound" {
		t.Errorf("unknown call: %d %+v", code, e)
	}
	if code := getJSON(t, base+"?quality=excellent", &e); code != 400 || !strings.Contains(e.Error.Message, "quality") {
		t.Errorf("bad filter: %d %+v", code, e)
	}
	if code := getJSON(t, base+"?"+span+"&after=nonsense", &e); code != 400 || !strings.Contains(e.Error.Message, "cursor") {
		t.Errorf("bad cursor: %d %+v", code, e)
	}

	out, errOut, err := run(t, "call", "--url", s.url, all[0].CallID)
	if err != nil || !strings.Contains(out, "Call "+all[0].CallID) || !strings.Contains(out, "PARTICIPANT") || !strings.Contains(out, "issue(s)") {
		t.Errorf("callscope call: %v %s\n%s", err, errOut, out)
	}
	if _, errOut, err := run(t, "call", "--url", s.url, "no-such-call"); err == nil || !strings.Contains(errOut, "no call") {
		t.Errorf("callscope call of an unknown call: %v %s", err, errOut)
	}
}

// callscope bench calls times a call's detail over calls of a small
// dataset and the searches, and reports them.
func TestBenchCalls(t *testing.T) {
	out, errOut, err := run(t, "bench", "calls", "--dir", t.TempDir(), "--rows", "20000", "--days", "3",
		"--calls", "10", "--runs", "1", "--format", "json")
	if err != nil {
		t.Fatalf("bench calls: %v\n%s", err, errOut)
	}
	var rep struct {
		Rows   int64
		Calls  int
		Detail struct {
			N     int
			P95Ms float64
		}
		ParticipantsPerCall struct{ Min, Max int }
		Searches            []struct {
			Name   string
			Rows   int
			Timing struct{ P50Ms float64 }
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if rep.Calls != 10 || rep.Detail.N != 10 || rep.Detail.P95Ms <= 0 || rep.ParticipantsPerCall.Min < 1 || len(rep.Searches) != 4 {
		t.Fatalf("report: %+v", rep)
	}
	for _, s := range rep.Searches {
		if s.Rows == 0 || s.Timing.P50Ms <= 0 {
			t.Errorf("search %q: %d rows in %v ms", s.Name, s.Rows, s.Timing.P50Ms)
		}
	}
}
