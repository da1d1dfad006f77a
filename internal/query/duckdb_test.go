package query_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/query"
	"github.com/callscope/callscope/internal/query/querytest"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/store/duckdb"
)

// TestKQLOnDuckDB runs the KQL suite against a real DuckDB workspace file.
func TestKQLOnDuckDB(t *testing.T) {
	st, ws := openWorkspace(t, "kqltest", "00000000-0000-0000-0000-0000000000aa", "256MB")
	querytest.Run(t, ws, st.Engine(), querytest.Cases)
}

// A query that runs past its time limit is stopped and says so.
func TestKQLTimeout(t *testing.T) {
	st, ws := openWorkspace(t, "slow", "00000000-0000-0000-0000-0000000000ab", "256MB")
	start := time.Now()
	_, err := query.Run(context.Background(), ws, st.Engine(), query.Request{
		Query: "range x from 1 to 5000000000 step 1 | summarize dcount(x)", Timeout: 200 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the query ran %v after its 200 ms limit", took)
	}
}

// A query that needs more memory than the store may use fails with an
// error that says so, not with the engine's advice about its settings.
func TestKQLMemoryLimit(t *testing.T) {
	st, ws := openWorkspace(t, "big", "00000000-0000-0000-0000-0000000000ac", "32MB")
	_, err := query.Run(context.Background(), ws, st.Engine(), query.Request{
		Query: "range x from 1 to 8000000 step 1 | summarize make_list(x)", Timeout: time.Minute})
	if !errors.Is(err, store.ErrMemoryLimit) {
		t.Fatalf("err = %v, want the memory limit", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "MiB") || strings.Contains(msg, "SET ") {
		t.Errorf("message %q should say how much memory and give no engine settings", msg)
	}
}

// openWorkspace opens a workspace in a new DuckDB store with the given
// memory limit; the store closes when the test ends.
func openWorkspace(t *testing.T, name, id, memoryLimit string) (store.Store, store.Workspace) {
	t.Helper()
	st, err := duckdb.Open(duckdb.Options{Dir: t.TempDir(), MemoryLimit: memoryLimit, Threads: 2, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ws, err := st.Workspace(context.Background(), store.WorkspaceRef{Name: name, ID: id})
	if err != nil {
		t.Fatal(err)
	}
	return st, ws
}
