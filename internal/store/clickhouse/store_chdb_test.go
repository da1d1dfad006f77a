//go:build chdb

package clickhouse

import (
	"context"
	"fmt"
	"testing"

	"github.com/callscope/callscope/internal/clickhouse/chdb"
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
