package query_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/callscope/callscope/internal/query/querytest"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/store/duckdb"
)

// TestKQLOnDuckDB runs the KQL suite against a real DuckDB workspace file.
func TestKQLOnDuckDB(t *testing.T) {
	st, err := duckdb.Open(duckdb.Options{Dir: t.TempDir(), MemoryLimit: "256MB", Threads: 2,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ws, err := st.Workspace(context.Background(), store.WorkspaceRef{Name: "kqltest", ID: "00000000-0000-0000-0000-0000000000aa"})
	if err != nil {
		t.Fatal(err)
	}
	querytest.Run(t, ws, st.Engine(), querytest.Cases)
}
