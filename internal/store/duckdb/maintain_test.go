package duckdb

import (
	"testing"

	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/store/storetest"
)

// The behaviour every store owes callscope.
func TestStoreSuite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		st, err := Open(Options{Dir: t.TempDir(), MemoryLimit: "256MB", Threads: 2, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}
