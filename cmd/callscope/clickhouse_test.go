package main_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/clickhouse/chtest"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/simulate"
)

// simulatedBatches are NDJSON bodies of the simulator's records (calls of
// two hours from from, with their finals), size records each, every record
// tagged with its batch id in the property tag (kept in AdditionalFields).
func simulatedBatches(t *testing.T, seed, calls, size int, from time.Time, tag string) (ids []string, bodies [][]byte, counts []int) {
	t.Helper()
	var records [][]byte
	if _, err := simulate.Generate(simulate.Options{Seed: uint64(seed), Calls: calls, From: from, To: from.Add(2 * time.Hour), Finals: true},
		func(r simulate.Record) error { records = append(records, r.JSON); return nil }); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(records); i += size {
		id := fmt.Sprintf("b%04d", len(ids))
		var body bytes.Buffer
		end := min(i+size, len(records))
		for _, r := range records[i:end] {
			body.WriteString(`{"` + tag + `":"` + id + `",`)
			body.Write(r[1:])
			body.WriteByte('\n')
		}
		ids, bodies, counts = append(ids, id), append(bodies, body.Bytes()), append(counts, end-i)
	}
	return ids, bodies, counts
}

// post sends a body to a server's ingest endpoint and returns the number
// of records it accepted, or -1 if it did not acknowledge them.
func post(client *http.Client, base string, body []byte) int {
	resp, err := client.Post(base+"/v1/ingest", "application/x-ndjson", bytes.NewReader(body))
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var r struct{ Accepted int }
	json.NewDecoder(resp.Body).Decode(&r)
	if resp.StatusCode != 200 {
		return -1
	}
	return r.Accepted
}

// tableCounts counts the rows of every call-log table that records are
// sent to through a server (not the daily metrics, which the derived jobs
// write on their own schedule).
func tableCounts(t *testing.T, s *server) string {
	t.Helper()
	var parts []string
	for _, tb := range schema.CallLogTables() {
		if tb.Name == schema.CallingMetricsTable {
			continue
		}
		rows := s.sql(t, fmt.Sprintf(`SELECT count(*) FROM %s`, tb.Name))
		parts = append(parts, fmt.Sprintf("%s=%v", tb.Name, rows[0][0]))
	}
	return strings.Join(parts, " ")
}

// Two callscope nodes in front of a cluster of two ClickHouse shards:
// records go in through both, and either node answers with what a single
// DuckDB node given the same records answers. A node killed with SIGKILL
// during ingest loses no record it acknowledged. A shard that stops makes
// queries fail with a clear error, and service is whole once it returns.
func TestClickHouseCluster(t *testing.T) {
	shards := chtest.StartCluster(t, "pair", 2)
	a, b := shards[0], shards[1]
	hosts := func(first, second *chtest.Server) string {
		return fmt.Sprintf("clickhouse://127.0.0.1:%d,127.0.0.1:%d/cs", first.HTTPPort, second.HTTPPort)
	}
	nodeA := serve(t, t.TempDir(), "--store", hosts(a, b), "--clickhouse-cluster", "pair", "--log-level", "warn")
	nodeB := serve(t, t.TempDir(), "--store", hosts(b, a), "--clickhouse-cluster", "pair", "--log-level", "warn")
	single := serve(t, t.TempDir())
	nodeA.routeSimulator(t) // through A: B learns the settings from the shared metadata
	single.routeSimulator(t)

	ids, bodies, counts := simulatedBatches(t, 21, 40, 300, time.Now().UTC().Add(-3*time.Hour).Truncate(time.Hour), "clusterTestBatch")
	if len(ids) < 20 {
		t.Fatalf("only %d batches", len(ids))
	}
	// B must route the simulator's resources before it gets records.
	deadline := time.Now().Add(20 * time.Second)
	for post(http.DefaultClient, nodeB.url, bodies[0][:bytes.IndexByte(bodies[0], '\n')+1]) != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("node B never routed the simulator's records: %s", nodeB.log)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// That probe record is in the cluster now; the single node gets it too.
	if post(http.DefaultClient, single.url, bodies[0][:bytes.IndexByte(bodies[0], '\n')+1]) != 1 {
		t.Fatal("single node refused the probe record")
	}

	var (
		mu    sync.Mutex
		acked = map[string]int{}
		next  int
		wg    sync.WaitGroup
	)
	// Even batches through A, odd ones through B; B is killed a third of
	// the way through, and its batches after that go to A.
	var killed sync.Once
	bDead := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			client := &http.Client{Timeout: 30 * time.Second}
			for {
				mu.Lock()
				if next == len(ids) {
					mu.Unlock()
					return
				}
				i := next
				next++
				mu.Unlock()
				target := nodeA.url
				select {
				case <-bDead:
				default:
					if i%2 == 1 {
						target = nodeB.url
					}
				}
				n := post(client, target, bodies[i])
				if n < 0 && target == nodeB.url {
					n = post(client, nodeA.url, bodies[i]) // the client retries elsewhere
				}
				if n >= 0 {
					mu.Lock()
					acked[ids[i]] = n
					mu.Unlock()
				}
				if i == len(ids)/3 {
					killed.Do(func() {
						nodeB.cmd.Process.Signal(syscall.SIGKILL)
						nodeB.cmd.Wait()
						close(bDead)
					})
				}
			}
		})
	}
	wg.Wait()
	for i, body := range bodies {
		if post(http.DefaultClient, single.url, body) != counts[i] {
			t.Fatalf("single node refused batch %d", i)
		}
	}

	// Every acknowledged record is stored.
	var parts []string
	for _, tb := range schema.CallLogTables() {
		parts = append(parts, fmt.Sprintf(`SELECT visitParamExtractString(AdditionalFields, 'clusterTestBatch') AS b FROM %s`, tb.Name))
	}
	rows := nodeA.sql(t, `SELECT b, count() AS n FROM (`+strings.Join(parts, " UNION ALL ")+`) GROUP BY b`)
	stored := map[string]int{}
	for _, r := range rows {
		id, _ := r[0].(string)
		stored[id] = int(r[1].(float64))
	}
	for i, id := range ids {
		n, ok := acked[id]
		if !ok {
			t.Errorf("batch %s was never acknowledged", id)
			continue
		}
		want := n
		if i == 0 {
			want++ // the probe record
		}
		if stored[id] < want {
			t.Errorf("acknowledged batch %s: %d of %d records stored", id, stored[id], want)
		}
	}

	// Either node answers as the single node does.
	nodeB = serve(t, t.TempDir(), "--store", hosts(b, a), "--clickhouse-cluster", "pair", "--log-level", "warn")
	want := tableCounts(t, single)
	if got := tableCounts(t, nodeA); got != want {
		t.Errorf("node A counts\n %s\nsingle node\n %s", got, want)
	}
	if got := tableCounts(t, nodeB); got != want {
		t.Errorf("node B counts\n %s\nsingle node\n %s", got, want)
	}
	// A let used twice: 18.16 has no CTEs, so each node computes it into
	// a temporary table of its session first, over both shards.
	const twice = `let calls = ACSCallSummary | where isnotempty(CorrelationId) | distinct CorrelationId;
ACSCallDiagnostics | where CorrelationId in (calls) | summarize streams = count() by CorrelationId
| join kind=inner (calls) on CorrelationId | project CorrelationId, streams | order by CorrelationId asc`
	wantRows := fmt.Sprint(apiRows(t, single.url, twice, ""))
	if len(wantRows) < 10 {
		t.Fatalf("the single node finds no calls with streams: %s", wantRows)
	}
	for name, n := range map[string]*server{"A": nodeA, "B": nodeB} {
		if got := fmt.Sprint(apiRows(t, n.url, twice, "")); got != wantRows {
			t.Errorf("node %s answers the let used twice with\n %.300s\nsingle node\n %.300s", name, got, wantRows)
		}
	}

	// A shard stops: queries fail and say why; it returns: whole again.
	b.Stop()
	status, msg := sqlStatus(t, nodeA, `SELECT count(*) FROM ACSCallSummary`)
	if status != http.StatusServiceUnavailable || !strings.Contains(msg, "cannot be reached") || !strings.Contains(msg, fmt.Sprint(b.TCPPort)) {
		t.Errorf("with a shard down: %d %s", status, msg)
	}
	b.Start()
	deadline = time.Now().Add(30 * time.Second)
	for {
		got := ""
		if status, _ := sqlStatus(t, nodeA, `SELECT 1`); status == 200 {
			got = tableCounts(t, nodeA)
		}
		if got == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the shard returned: %s, want %s", got, want)
		}
		time.Sleep(500 * time.Millisecond)
	}
	// Both nodes ran the daily metrics job when they started: each metric
	// shows once.
	rows = nodeB.sql(t, `SELECT count(), uniqExact(CorrelationId, TimestampMax) FROM ACSCallingMetrics`)
	if fmt.Sprint(rows[0][0]) != fmt.Sprint(rows[0][1]) || fmt.Sprint(rows[0][0]) == "0" {
		t.Errorf("daily metrics written by both nodes: %v rows, %v distinct", rows[0][0], rows[0][1])
	}
	keys := make([]string, 0, len(acked))
	for k := range acked {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t.Logf("%d batches acknowledged across both nodes (node B killed after batch %d); counts equal on both nodes and the single node: %s", len(keys), len(ids)/3, want)
}

// sqlStatus runs SQL through a server and returns the status and body.
func sqlStatus(t *testing.T, s *server, q string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": q})
	resp, err := http.Post(s.url+"/v1/workspaces/default/sql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// callscope bench on ClickHouse: ingest runs callscope on both stores and
// each engine's own load of the same file, and query runs every panel on a
// ClickHouse copy of the dataset with DuckDB's answers.
func TestBenchOnClickHouse(t *testing.T) {
	out, errOut, err := run(t, "bench", "ingest", "--records", "5000", "--clickhouse-server", "--format", "json")
	if err != nil {
		t.Fatalf("bench ingest: %v\n%s", err, errOut)
	}
	var ing struct {
		Records        int
		DuckDB         struct{ Accepted int }
		DuckDBBaseline struct{ Rows int64 }
		ClickHouse     *struct {
			Store            string
			Accepted         int
			RecordsPerSecond float64
			DiskBytes        int64
			RatioToBaseline  float64
		}
		ClickHouseBaseline *struct {
			What string
			Rows int64
		}
	}
	if err := json.Unmarshal([]byte(out), &ing); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if ing.ClickHouse == nil || ing.ClickHouseBaseline == nil {
		t.Fatalf("no ClickHouse figures: %s", out)
	}
	if ing.DuckDB.Accepted != 5000 || ing.ClickHouse.Accepted != 5000 || ing.DuckDBBaseline.Rows != 5000 || ing.ClickHouseBaseline.Rows != 5000 {
		t.Errorf("rows stored: DuckDB %d, ClickHouse %d, baselines %d and %d; want 5000 each",
			ing.DuckDB.Accepted, ing.ClickHouse.Accepted, ing.DuckDBBaseline.Rows, ing.ClickHouseBaseline.Rows)
	}
	if !strings.HasPrefix(ing.ClickHouse.Store, "ClickHouse 18.") || ing.ClickHouse.RecordsPerSecond <= 0 || ing.ClickHouse.DiskBytes <= 0 || ing.ClickHouse.RatioToBaseline <= 0 {
		t.Errorf("ClickHouse figures: %+v", *ing.ClickHouse)
	}

	out, errOut, err = run(t, "bench", "query", "--dir", t.TempDir(), "--rows", "20000", "--days", "3",
		"--runs", "1", "--clickhouse-server", "--format", "json")
	if err != nil {
		t.Fatalf("bench query: %v\n%s", err, errOut)
	}
	var q struct {
		ClickHouse string
		Panels     []struct {
			Tab, Name  string
			ClickHouse *struct {
				KQLP50Ms   float64
				SameAnswer bool
				Difference string
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &q); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if !strings.HasPrefix(q.ClickHouse, "clickhouse") || len(q.Panels) != 17 {
		t.Fatalf("engine %q, %d panels", q.ClickHouse, len(q.Panels))
	}
	for _, p := range q.Panels {
		switch {
		case p.ClickHouse == nil:
			t.Errorf("%s / %s: not run on ClickHouse", p.Tab, p.Name)
		case !p.ClickHouse.SameAnswer:
			t.Errorf("%s / %s: ClickHouse answers differently: %s", p.Tab, p.Name, p.ClickHouse.Difference)
		case p.ClickHouse.KQLP50Ms <= 0:
			t.Errorf("%s / %s: no timing", p.Tab, p.Name)
		}
	}
}

// The commands that work on a store without a server (import, query, sql,
// call, derive) take --store as serve does, and --explain prints the SQL
// of that store's engine.
func TestCommandsOnClickHouse(t *testing.T) {
	ch := chtest.Start(t)
	st := ch.URL() + "/cmds"
	file := filepath.Join(t.TempDir(), "calls.ndjson")
	out, errOut, err := run(t, "simulate", "--calls", "6", "--seed", "9", "--from", "2026-02-01T00:00:00Z", "--to", "2026-02-01T02:00:00Z",
		"--out", file, "--format", "json")
	if err != nil {
		t.Fatalf("simulate: %v\n%s", err, errOut)
	}
	var sim struct {
		Records map[string]int `json:"records"`
		Total   int            `json:"total"`
	}
	if err := json.Unmarshal([]byte(out), &sim); err != nil || sim.Records["CallSummary"] == 0 {
		t.Fatalf("simulate output %q: %v", out, err)
	}

	out, errOut, err = run(t, "import", "--store", st, "--format", "json", "--log-level", "warn", file)
	var imp struct{ Records int }
	if err != nil || json.Unmarshal([]byte(out), &imp) != nil || imp.Records != sim.Total {
		t.Fatalf("import --store: %d of %d records: %q %v\n%s", imp.Records, sim.Total, out, err, errOut)
	}
	summaries := fmt.Sprint(sim.Records["CallSummary"])
	out, errOut, err = run(t, "query", "--store", st, "--format", "csv", "ACSCallSummary | count")
	if err != nil || out != "Count\n"+summaries+"\n" {
		t.Errorf("query --store: %q %v %s", out, err, errOut)
	}
	out, errOut, err = run(t, "sql", "--store", st, "--format", "csv", "SELECT count(*) AS n FROM ACSCallSummary")
	if err != nil || out != "n\n"+summaries+"\n" {
		t.Errorf("sql --store: %q %v %s", out, err, errOut)
	}
	out, errOut, err = run(t, "query", "--store", st, "--explain", "ACSCallSummary | take 1")
	if err != nil || !strings.Contains(out, "`ACSCallSummary`") {
		t.Errorf("query --store --explain is not ClickHouse SQL: %q %v %s", out, err, errOut)
	}
	out, errOut, err = run(t, "query", "--store", st, "--format", "csv", "ACSCallSummary | summarize by CorrelationId | take 1")
	id := strings.TrimSpace(strings.TrimPrefix(out, "CorrelationId\n"))
	if err != nil || id == "" {
		t.Fatalf("a call id: %q %v %s", out, err, errOut)
	}
	out, errOut, err = run(t, "call", "--store", st, "--format", "json", id)
	if err != nil || !strings.Contains(out, id) {
		t.Errorf("call --store %s: %.300q %v %s", id, out, err, errOut)
	}
	if _, errOut, err = run(t, "derive", "--store", st, "--once"); err != nil {
		t.Errorf("derive --store --once: %v %s", err, errOut)
	}
}
