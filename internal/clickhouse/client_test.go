package clickhouse_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/clickhouse/chtest"
)

func TestParseConfig(t *testing.T) {
	for _, c := range []struct{ url, addr, db, err string }{
		{"clickhouse://ch1:8123/logs", "ch1:8123", "logs", ""},
		{"clickhouse://ch1/logs", "ch1:8123", "logs", ""},
		{"http://127.0.0.1:18123?database=x", "127.0.0.1:18123", "x", ""},
		{"https://u:p@ch.example:8443/", "ch.example:8443", "default", ""},
		{"postgres://h/db", "", "", "scheme"},
		{"clickhouse:///db", "", "", "no host"},
		{"clickhouse://h/bad-name", "", "", "database"},
	} {
		cl, err := clickhouse.New(clickhouse.Config{URL: c.url})
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want one about %s", c.url, err, c.err)
			}
			continue
		}
		if err != nil || cl.Addr() != c.addr || cl.Database() != c.db {
			t.Errorf("%s: %v %q %q", c.url, err, cl.Addr(), cl.Database())
		}
	}
}

func TestVersions(t *testing.T) {
	v, err := clickhouse.ParseVersion("18.16.1")
	if err != nil || v.String() != "18.16.1" || !v.AtLeast(18, 16) || v.AtLeast(18, 17) || v.AtLeast(19, 1) {
		t.Errorf("18.16.1: %v %v", v, err)
	}
	if f := clickhouse.FeaturesOf(v); f.DateTime64 || f.TTL || f.CommonTableExpressions {
		t.Errorf("18.16 features: %+v", f)
	}
	// DateTime64 columns came in 20.1, the functions over their
	// microseconds in 20.5: the releases between keep whole seconds.
	for release, want := range map[string]bool{"20.1.2": false, "20.4.9": false, "20.5.1": true} {
		v, _ := clickhouse.ParseVersion(release)
		if got := clickhouse.FeaturesOf(v).DateTime64; got != want {
			t.Errorf("%s: DateTime64 %v, want %v", release, got, want)
		}
	}
	v, _ = clickhouse.ParseVersion("26.3.2.5")
	if f := clickhouse.FeaturesOf(v); !f.DateTime64 || !f.TTL || !f.InsertDeduplicationToken || !f.WindowFunctions {
		t.Errorf("26.3 features: %+v", f)
	}
	for _, bad := range []string{"", "18", "x.y", "18.-1"} {
		if _, err := clickhouse.ParseVersion(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// Against Debian's server: DDL, a streamed insert, typed results, errors
// with their codes.
func TestAgainstServer(t *testing.T) {
	s := chtest.Start(t)
	ctx := context.Background()
	c := s.Client("default")
	v, err := c.ServerVersion(ctx)
	if err != nil || v.Major == 0 {
		t.Fatalf("version: %v %v", v, err)
	}
	t.Logf("clickhouse-server %s", v)
	if err := c.Exec(ctx, "CREATE TABLE t (id String, n Int64, at DateTime, d Date DEFAULT toDate(at)) ENGINE = MergeTree() PARTITION BY d ORDER BY (id, at)", nil); err != nil {
		t.Fatal(err)
	}
	rows := `{"id":"a'b","n":9007199254740993,"at":"2026-11-24 10:00:00"}
{"id":"c\\d","n":-1,"at":"2026-11-23 23:59:59"}
`
	if err := c.Insert(ctx, clickhouse.Ident("t"), []string{"id", "n", "at"}, "JSONEachRow", strings.NewReader(rows), nil); err != nil {
		t.Fatal(err)
	}
	r, err := c.Query(ctx, "SELECT id, n, toString(d) AS d FROM t WHERE id = "+clickhouse.String("a'b")+" ORDER BY id", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Columns) != 3 || r.Columns[1].Type != "Int64" || len(r.Rows) != 1 {
		t.Fatalf("result: %+v", r)
	}
	var id, n, d string
	json.Unmarshal(r.Rows[0][0], &id)
	json.Unmarshal(r.Rows[0][1], &n) // 64-bit integers come quoted, exact
	json.Unmarshal(r.Rows[0][2], &d)
	if id != "a'b" || n != "9007199254740993" || d != "2026-11-24" {
		t.Errorf("row: %q %q %q", id, n, d)
	}
	r, err = c.Query(ctx, "SELECT count() FROM t WHERE id = "+clickhouse.String(`c\d`), nil)
	if err != nil || string(r.Rows[0][0]) != `"1"` {
		t.Errorf("backslash literal: %v %v", r, err)
	}
	_, err = c.Query(ctx, "SELECT * FROM missing", nil)
	if !clickhouse.IsCode(err, clickhouse.CodeUnknownTable) {
		t.Errorf("unknown table: %v", err)
	}
	_, err = c.Query(ctx, "SELEC 1", nil)
	if !clickhouse.IsCode(err, clickhouse.CodeSyntaxError) {
		t.Errorf("syntax error: %v", err)
	}
	// An error that happens after the first rows are computed still comes
	// back as an error, not inside a 200.
	_, err = c.Query(ctx, "SELECT throwIf(number = 100000) FROM system.numbers LIMIT 200000", clickhouse.Settings{"max_block_size": "1000"})
	var e *clickhouse.Error
	if !errors.As(err, &e) || e.Code == 0 {
		t.Errorf("late error: %v", err)
	}
}

// A cluster of two shards: a Distributed table over local tables reads
// both, and a stopped shard gives an error until it is back.
func TestCluster(t *testing.T) {
	nodes := chtest.StartCluster(t, "callscope_test", 2)
	ctx := context.Background()
	for i, n := range nodes {
		c := n.Client("default")
		if err := c.Exec(ctx, "CREATE TABLE local (k UInt64) ENGINE = MergeTree() ORDER BY k", nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Exec(ctx, "CREATE TABLE dist AS local ENGINE = Distributed(callscope_test, default, local, rand())", nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Exec(ctx, "INSERT INTO local SELECT number FROM system.numbers LIMIT "+[]string{"10", "20"}[i], nil); err != nil {
			t.Fatal(err)
		}
	}
	count := func(n *chtest.Server) (string, error) {
		r, err := n.Client("default").Query(ctx, "SELECT count() FROM dist", nil)
		if err != nil {
			return "", err
		}
		return string(r.Rows[0][0]), nil
	}
	for _, n := range nodes {
		if got, err := count(n); err != nil || got != `"30"` {
			t.Errorf("count through %s: %s %v", n.URL(), got, err)
		}
	}
	nodes[1].Stop()
	if _, err := count(nodes[0]); err == nil {
		t.Error("a count with a shard down succeeded")
	}
	nodes[1].Start()
	if got, err := count(nodes[0]); err != nil || got != `"30"` {
		t.Errorf("count after the shard returned: %s %v", got, err)
	}
}
