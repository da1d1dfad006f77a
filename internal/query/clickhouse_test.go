package query_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/callscope/callscope/internal/clickhouse/chtest"
	"github.com/callscope/callscope/internal/query"
	"github.com/callscope/callscope/internal/query/querytest"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
	chstore "github.com/callscope/callscope/internal/store/clickhouse"
	"github.com/callscope/callscope/internal/useragent"
)

// TestKQLOnClickHouse runs the KQL suite on Debian's ClickHouse server,
// release 18.16: the oldest the store supports, without DateTime64,
// JSON functions, common table expressions or window functions, which the
// dialect makes up for.
func TestKQLOnClickHouse(t *testing.T) {
	srv := chtest.Start(t)
	ctx := context.Background()
	st, err := chstore.Open(ctx, chstore.Options{Conn: srv.Client("default")})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := st.Workspace(ctx, store.WorkspaceRef{Name: "kqltest", ID: "00000000-0000-0000-0000-0000000000aa"})
	if err != nil {
		t.Fatal(err)
	}
	querytest.Run(t, ws, st.Engine(), refusing(t, querytest.Cases, unsupportedOn1816))
	t.Run("parse_user_agent answers as ua-parser", func(t *testing.T) { checkParseUserAgent(t, ws, st.Engine()) })
}

// unsupportedOn1816 are the cases that 18.16 cannot answer, by name, with
// the error the query fails with instead (none at present).
var unsupportedOn1816 = map[string]string{}

// refusing returns the cases with those named in unsupported turned into
// cases that expect the query to fail with the given error: a case that
// cannot run must say so, not pass quietly or fail in the server.
func refusing(t *testing.T, cases []querytest.Case, unsupported map[string]string) []querytest.Case {
	t.Helper()
	out := make([]querytest.Case, len(cases))
	found := map[string]bool{}
	for i, c := range cases {
		if msg, ok := unsupported[c.Name]; ok {
			found[c.Name] = true
			c = querytest.Case{Name: c.Name, Query: c.Query, Timespan: c.Timespan, Params: c.Params, Error: msg}
		}
		out[i] = c
	}
	for name := range unsupported {
		if !found[name] {
			t.Errorf("no case %q in the suite", name)
		}
	}
	return out
}

// Every case of the suite translates for the releases between 18.16 and
// today's, whose mixes of what the dialect uses (DateTime64 from 20.1,
// CTEs from 20.10, window functions from 21.9, the JSON functions from
// 21.11, patterns that are not constants from 22.6) no server here runs:
// the generator must write each query or refuse it with an error, never
// panic.
func TestClickHouseReleasesWriteTheSuite(t *testing.T) {
	for _, release := range []string{"18.16.1", "19.17.6", "20.8.3", "20.12.8", "21.9.4", "21.11.2", "22.8.5", "24.3.1", "26.7.2"} {
		refused := 0
		for _, c := range querytest.Cases {
			_, err := query.Translate("clickhouse "+release, query.Request{Query: c.Query, Now: querytest.Now, Parameters: c.Params})
			if err != nil && c.Error == "" {
				if !errors.Is(err, query.ErrUnsupported) {
					t.Errorf("%s, %s: %v", release, c.Name, err)
				}
				refused++
			}
		}
		if refused > 0 {
			t.Errorf("ClickHouse %s refuses %d cases", release, refused)
		}
	}
}

// userAgents are user agents of browsers, of the Calling SDKs, of other
// clients and none, for parse_user_agent.
var userAgents = []string{
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
	"azure-communication-services/1.3.1 azsdk-android-communication-calling/2.11.0 (android_calling_sdk). Android 14.0; samsung SM-S911B",
	"azure-communication-services/1.3.1 azsdk-ios-communication-calling/2.10.0 (ios_calling_sdk). iOS 17.3; iPhone15,2",
	"azure-communication-services/1.3.1 azsdk-windows-communication-calling/1.6.0 (windows_calling_sdk). Windows 10.0.22631; arm64",
	"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"curl/8.5.0",
	"something else entirely",
	"",
}

// checkParseUserAgent checks that parse_user_agent answers in the store
// of an engine as ua-parser in Go does, which DuckDB's store calls: on
// ClickHouse it is ua-parser's rules written as SQL.
func checkParseUserAgent(t *testing.T, ws store.Workspace, engine string) {
	t.Helper()
	var list []string
	for _, ua := range userAgents {
		list = append(list, fmt.Sprintf("%q", ua))
	}
	// One row expanded into the agents, which ClickHouse reads as one
	// block (where datatable would be one block per row, each compiling
	// every rule's expression).
	const kinds = "browser,os,device"
	res, err := query.Run(context.Background(), ws, engine, query.Request{
		Query: "print ua = dynamic([" + strings.Join(list, ", ") + "]) | mv-expand with_itemindex = i ua to typeof(string)" +
			" | project i, p = parse_user_agent(ua, '" + kinds + "')",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != len(userAgents) {
		t.Fatalf("%d rows for %d user agents", len(res.Rows), len(userAgents))
	}
	for _, row := range res.Rows {
		ua := userAgents[row[0].(int64)]
		got := querytest.Format(row[1], schema.Dynamic)
		want := querytest.Format(useragent.Describe(ua, kinds), schema.Dynamic)
		if got != want {
			t.Errorf("%q\n got: %s\nwant: %s", ua, got, want)
		}
	}
}
