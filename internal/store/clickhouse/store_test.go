package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/clickhouse/chtest"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/store/storetest"
)

// openOn opens a store on servers, with a database prefix of its own so
// that tests can share a server.
func openOn(t *testing.T, cluster string, servers []*chtest.Server) *Store {
	t.Helper()
	var nodes []Conn
	for _, s := range servers {
		nodes = append(nodes, s.Client("default"))
	}
	st, err := Open(context.Background(), Options{Conn: nodes[0], Nodes: nodes, Cluster: cluster, Database: fmt.Sprintf("t%d", prefix.Add(1))})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

var prefix atomic.Int64

// The behaviour every store owes callscope, on Debian's server.
func TestStoreSuite(t *testing.T) {
	srv := chtest.Start(t)
	storetest.Run(t, func(t *testing.T) store.Store { return openOn(t, "", []*chtest.Server{srv}) })
}

// The same on a cluster of two shards, through one of them.
func TestStoreSuiteOnCluster(t *testing.T) {
	srv := chtest.StartCluster(t, "pair", 2)
	storetest.Run(t, func(t *testing.T) store.Store { return openOn(t, "pair", srv) })
}

func TestQueriesStayInTheWorkspace(t *testing.T) {
	srv := chtest.Start(t)
	st := openOn(t, "", []*chtest.Server{srv})
	ctx := context.Background()
	ws, err := st.Workspace(ctx, storetest.Ref)
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.Workspace(ctx, store.WorkspaceRef{Name: "other", ID: "x"})
	if err != nil {
		t.Fatal(err)
	}
	storetest.Add(t, other, "ACSCallSurvey", map[string]any{"TimeGenerated": time.Now(), "SurveyId": "secret"})
	otherDB := unquote(other.(*workspace).l.Database)
	refused := []string{
		`INSERT INTO ACSCallSurvey (SurveyId) VALUES ('x')`,
		`ALTER TABLE ACSCallSurvey DELETE WHERE 1`,
		`DROP TABLE ACSCallSurvey`,
		`CREATE TABLE t (x Int32) ENGINE = Memory`,
		`SELECT 1; DROP TABLE ACSCallSurvey`,
		`SET max_threads = 1`,
		`SELECT 1 SETTINGS max_memory_usage = 0`,
		`SELECT * FROM ` + otherDB + `.ACSCallSurvey`,
		"SELECT * FROM `" + otherDB + "`.ACSCallSurvey",
		`SELECT * FROM system.tables`,
		`SELECT * FROM file('/etc/passwd', 'TSV', 'line String')`,
		`SELECT * FROM remote('127.0.0.1', system.one)`,
		`SELECT * FROM url('http://127.0.0.1:1/', 'TSV', 'x String')`,
	}
	for _, q := range refused {
		if _, err := ws.Query(ctx, q, store.QueryOptions{}); !errors.Is(err, store.ErrNotReadOnly) {
			t.Errorf("%s: %v, want it refused", q, err)
		}
	}
	// A prelude may only create temporary tables from what a query may
	// read, and the query reads them.
	badPreludes := []string{
		`CREATE TABLE t ENGINE = Memory AS SELECT 1`,
		`CREATE TEMPORARY TABLE t ENGINE = Log AS SELECT 1`,
		`CREATE TEMPORARY TABLE t ENGINE = Memory AS SELECT * FROM ` + otherDB + `.ACSCallSurvey`,
		`CREATE TEMPORARY TABLE t ENGINE = Memory AS SELECT 1; DROP TABLE ACSCallSurvey`,
		`DROP TABLE ACSCallSurvey`,
	}
	for _, p := range badPreludes {
		if _, err := ws.Query(ctx, `SELECT 1`, store.QueryOptions{Prelude: []string{p}}); !errors.Is(err, store.ErrNotReadOnly) {
			t.Errorf("prelude %s: %v, want it refused", p, err)
		}
	}
	storetest.Add(t, ws, "ACSCallSurvey", map[string]any{"TimeGenerated": time.Now(), "SurveyId": "mine"})
	res, err := ws.Query(ctx, "SELECT a.SurveyId, b.n FROM `cte_a` AS a CROSS JOIN `cte_b` AS b", store.QueryOptions{Prelude: []string{
		"CREATE TEMPORARY TABLE `cte_a` ENGINE = Memory AS SELECT SurveyId FROM ACSCallSurvey",
		"CREATE TEMPORARY TABLE `cte_b` ENGINE = Memory AS SELECT count() AS n FROM `cte_a`",
	}})
	if err != nil || fmt.Sprint(res.Rows) != "[[mine 1]]" {
		t.Errorf("query over a prelude's tables: %v %v", res, err)
	}

	// Names inside strings and comments are not references.
	res, err = ws.Query(ctx, "SELECT 'system.tables' AS s, count() AS n FROM ACSCallSurvey -- file(", store.QueryOptions{})
	if err != nil || fmt.Sprint(res.Rows) != "[[system.tables 1]]" {
		t.Errorf("a name in a string: %v %v", res, err)
	}
	// A syntax error is a QueryError saying where.
	_, err = ws.Query(ctx, "SELECT SurveyId FRM ACSCallSurvey", store.QueryOptions{})
	var qe *store.QueryError
	if !errors.As(err, &qe) || !strings.Contains(qe.Msg, "position") {
		t.Errorf("syntax error: %v", err)
	}
}

func TestQueryLimitsAndTypes(t *testing.T) {
	srv := chtest.Start(t)
	st := openOn(t, "", []*chtest.Server{srv})
	st.opts.MaxMemory = 64 << 20
	ctx := context.Background()
	ws, err := st.Workspace(ctx, storetest.Ref)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ws.Query(ctx, `SELECT number FROM numbers(100000)`, store.QueryOptions{MaxRows: 3})
	if err != nil || len(res.Rows) != 3 || !res.Truncated {
		t.Fatalf("row limit: %v, %v", res, err)
	}
	start := time.Now()
	_, err = ws.Query(ctx, `SELECT count() FROM numbers(100000000000) WHERE sleepEachRow(0) = 0`, store.QueryOptions{Timeout: time.Second})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("timeout: %v after %v", err, time.Since(start))
	}
	_, err = ws.Query(ctx, `SELECT groupArray(number) FROM numbers(50000000)`, store.QueryOptions{})
	if !errors.Is(err, store.ErrMemoryLimit) {
		t.Errorf("memory limit: %v", err)
	}
	res, err = ws.Query(ctx, `SELECT toInt32(1) AS i, toInt64(9007199254740993) AS l, 1.5 AS r, 'x' AS s,
		toDateTime('2024-01-02 03:04:05', 'UTC') AS d, [1, 2] AS list, NULL AS n, toUInt8(1) AS b`, store.QueryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := res.Rows[0]
	if r[0] != int64(1) || r[1] != int64(9007199254740993) || r[2] != 1.5 || r[3] != "x" ||
		!r[4].(time.Time).Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) || r[5] != "[1,2]" || r[6] != nil || r[7] != int64(1) {
		t.Errorf("values %#v", r)
	}
}
