//go:build chdb

package query_test

import (
	"context"
	"testing"

	"github.com/callscope/callscope/internal/clickhouse/chdb"
	"github.com/callscope/callscope/internal/query/querytest"
	"github.com/callscope/callscope/internal/store"
	chstore "github.com/callscope/callscope/internal/store/clickhouse"
)

// TestKQLOnCurrentClickHouse runs the KQL suite on a current ClickHouse
// release, in the process through chdb, where the dialect uses what
// today's releases have: DateTime64, the JSON functions, common table
// expressions and window functions. Run it with
//
//	CHDB_LIB_PATH=$PWD/.cache/chdb/libchdb.so go test -tags chdb ./internal/query/
func TestKQLOnCurrentClickHouse(t *testing.T) {
	st, ws := currentWorkspace(t, store.WorkspaceRef{Name: "kqltest", ID: "00000000-0000-0000-0000-0000000000aa"})
	querytest.Run(t, ws, st.Engine(), querytest.Cases)
}

// currentWorkspace opens a workspace of a ClickHouse store on chdb, in a
// folder of the test's; the engine closes when the test ends.
func currentWorkspace(t *testing.T, ref store.WorkspaceRef) (store.Store, store.Workspace) {
	t.Helper()
	eng, err := chdb.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	ctx := context.Background()
	st, err := chstore.Open(ctx, chstore.Options{Conn: eng})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := st.Workspace(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	return st, ws
}

// parse_user_agent on ClickHouse is ua-parser's rules written as SQL; it
// must answer as ua-parser in Go does, which DuckDB's store calls.
func TestParseUserAgentOnCurrentClickHouse(t *testing.T) {
	st, ws := currentWorkspace(t, store.WorkspaceRef{Name: "ua", ID: "00000000-0000-0000-0000-0000000000ad"})
	checkParseUserAgent(t, ws, st.Engine())
}
