//go:build chdb

package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/clickhouse/chdb"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/store/storetest"
)

// The behaviour every store owes callscope, on a current ClickHouse
// release (chdb, in this process).
func TestStoreSuiteOnCurrentRelease(t *testing.T) {
	eng, err := chdb.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	storetest.Run(t, func(t *testing.T) store.Store {
		st, err := Open(context.Background(), Options{Conn: eng, Database: fmt.Sprintf("t%d", prefix.Add(1))})
		if err != nil {
			t.Fatal(err)
		}
		if !st.features.DateTime64 || !st.features.WindowFunctions {
			t.Fatalf("release %s lacks features of a current one", st.version)
		}
		return st
	})
}

// On a release with TTL, Retain gives the tables a TTL of the retention,
// once, and the server drops expired rows as it merges.
func TestRetainSetsTTLOnCurrentRelease(t *testing.T) {
	eng, err := chdb.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	ctx := context.Background()
	st, err := Open(ctx, Options{Conn: eng, Database: fmt.Sprintf("t%d", prefix.Add(1))})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	wsi, err := st.Workspace(ctx, storetest.Ref)
	if err != nil {
		t.Fatal(err)
	}
	ws := wsi.(*workspace)
	tbl := schema.ByName(schema.SummaryTable)
	for range 2 { // the second call finds the TTL in place
		if err := ws.Retain(ctx, tbl, 7); err != nil {
			t.Fatal(err)
		}
	}
	for _, table := range []string{ws.l.localTable(tbl), ws.l.derivedTable(tbl, true)} {
		r, err := eng.Query(ctx, "SHOW CREATE TABLE "+table, nil)
		if err != nil {
			t.Fatal(err)
		}
		var create string
		json.Unmarshal(r.Rows[0][0], &create)
		if strings.Count(create, "TTL ") != 1 || !strings.Contains(create, "toIntervalDay(7)") {
			t.Errorf("%s:\n%s", table, create)
		}
	}
	now := time.Now().UTC()
	storetest.Add(t, ws, schema.SummaryTable,
		map[string]any{"TimeGenerated": now.Add(-10 * 24 * time.Hour), "CorrelationId": "old"},
		map[string]any{"TimeGenerated": now.Add(-time.Hour), "CorrelationId": "new"})
	if err := eng.Exec(ctx, "OPTIMIZE TABLE "+ws.l.localTable(tbl)+" FINAL", nil); err != nil {
		t.Fatal(err)
	}
	res := storetest.Query(t, ws, "SELECT CorrelationId FROM ACSCallSummary")
	if fmt.Sprint(res.Rows) != "[[new]]" {
		t.Errorf("after a merge: %v, want only the row of the last 7 days", res.Rows)
	}
}
