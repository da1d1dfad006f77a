//go:build chdb

package query_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/callscope/callscope/internal/clickhouse/chdb"
	"github.com/callscope/callscope/internal/query"
	"github.com/callscope/callscope/internal/query/querytest"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
	chstore "github.com/callscope/callscope/internal/store/clickhouse"
	"github.com/callscope/callscope/internal/useragent"
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
	agents := []string{
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
		"Mozilla/5.0 (X11; CrOS x86_64 15786.48.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
		"Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
		"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
		"azure-communication-services/1.3.1 azsdk-android-communication-calling/2.9.0 (android_calling_sdk). Android 14; Pixel 7",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
		"curl/8.5.0",
		"something else entirely",
		"",
	}
	st, ws := currentWorkspace(t, store.WorkspaceRef{Name: "ua", ID: "00000000-0000-0000-0000-0000000000ad"})
	var rows []string
	for i, ua := range agents {
		rows = append(rows, fmt.Sprintf("%d, %q", i, ua))
	}
	const kinds = "browser,os,device"
	res, err := query.Run(context.Background(), ws, st.Engine(), query.Request{
		Query: "datatable(i:long, ua:string)[" + strings.Join(rows, ", ") + "] | project i, p = parse_user_agent(ua, '" + kinds + "')",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != len(agents) {
		t.Fatalf("%d rows for %d user agents", len(res.Rows), len(agents))
	}
	for _, row := range res.Rows {
		ua := agents[row[0].(int64)]
		got := querytest.Format(row[1], schema.Dynamic)
		want := querytest.Format(useragent.Describe(ua, kinds), schema.Dynamic)
		if got != want {
			t.Errorf("%q\n got: %s\nwant: %s", ua, got, want)
		}
	}
}
