package query_test

import (
	"context"
	"errors"
	"testing"

	"github.com/callscope/callscope/internal/clickhouse/chtest"
	"github.com/callscope/callscope/internal/query"
	"github.com/callscope/callscope/internal/query/querytest"
	"github.com/callscope/callscope/internal/store"
	chstore "github.com/callscope/callscope/internal/store/clickhouse"
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
}

// unsupportedOn1816 are the cases that 18.16 cannot answer, by name, with
// the error the query fails with instead.
var unsupportedOn1816 = map[string]string{
	// ua-parser's rules in SQL pick each rule's expression from a list,
	// and 18.16 takes only constant regular expressions.
	"parse_user_agent": "parse_user_agent, which picks its regular expressions from a list, needs ClickHouse 22.6 or later; the server runs 18.16.1",
}

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
		if refused > 1 { // parse_user_agent before 22.6
			t.Errorf("ClickHouse %s refuses %d cases", release, refused)
		}
	}
}
