// Package enginetest runs the tests of the packages above the store on
// every storage engine: DuckDB, and a real ClickHouse server (Debian's
// 18.16, the oldest release the store supports). A package's suite is
// written once against store.Store and answers to both engines, as the
// store's own suite (package storetest) does one level down.
//
// It cannot be part of storetest: the engines' own tests import that
// package, and it imports the engines.
package enginetest

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	ch "github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/clickhouse/chtest"
	"github.com/callscope/callscope/internal/store"
	chstore "github.com/callscope/callscope/internal/store/clickhouse"
	"github.com/callscope/callscope/internal/store/duckdb"
)

// Engine opens stores of one engine.
type Engine struct {
	Name string // "duckdb" or "clickhouse", the name of its subtest
	// Precision is the finest time the engine keeps: times it stores are
	// truncated to it. DuckDB keeps microseconds; ClickHouse before 20.5
	// has no DateTime64 and keeps whole seconds.
	Precision time.Duration
	open      func(t *testing.T, opts Options) store.Store
}

// Options are what a test may choose about the store it opens.
type Options struct {
	// Observer, if set, learns about every commit.
	Observer store.CommitObserver
}

// Open opens a new, empty store of the engine; it is closed when the
// test ends.
func (e Engine) Open(t *testing.T, opts Options) store.Store {
	t.Helper()
	st := e.open(t, opts)
	t.Cleanup(func() { st.Close() })
	return st
}

// Test is one test of a package's suite.
type Test struct {
	Name string
	Fn   func(t *testing.T, e Engine)
}

// Run runs every test on each engine, as subtests named engine/test
// ("duckdb/Rollup", "clickhouse/Rollup"). The ClickHouse server is
// started once for all the tests.
func Run(t *testing.T, tests ...Test) {
	run := func(t *testing.T, e Engine) {
		for _, tc := range tests {
			t.Run(tc.Name, func(t *testing.T) { tc.Fn(t, e) })
		}
	}
	t.Run("duckdb", func(t *testing.T) { run(t, DuckDB) })
	t.Run("clickhouse", func(t *testing.T) { run(t, ClickHouse(t, chtest.Start(t))) })
}

// DuckDB opens each store in a folder of its own.
var DuckDB = Engine{Name: "duckdb", Precision: time.Microsecond, open: func(t *testing.T, opts Options) store.Store {
	st, err := duckdb.Open(duckdb.Options{Dir: t.TempDir(), MemoryLimit: "256MB", Threads: 2, Observer: opts.Observer,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return st
}}

// databases numbers the stores opened on one server: each has a database
// prefix of its own, so that the tests sharing the server never see each
// other's workspaces.
var databases atomic.Int64

// ClickHouse opens each store on srv with a database prefix of its own.
func ClickHouse(t *testing.T, srv *chtest.Server) Engine {
	t.Helper()
	v, err := srv.Client("default").ServerVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	precision := time.Second
	if ch.FeaturesOf(v).DateTime64 {
		precision = time.Microsecond
	}
	return Engine{Name: "clickhouse", Precision: precision, open: func(t *testing.T, opts Options) store.Store {
		st, err := chstore.Open(context.Background(), chstore.Options{Conn: srv.Client("default"),
			Database: fmt.Sprintf("t%d", databases.Add(1)), Observer: opts.Observer})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}}
}
