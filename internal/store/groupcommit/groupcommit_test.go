package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

var summaries = schema.ByName(schema.SummaryTable)

func batch(ids ...string) *store.Batch {
	var b store.Batch
	for _, id := range ids {
		b.Add(summaries, []any{id})
	}
	return &b
}

// ids lists the first value of every row of a group.
func ids(tables []store.TableRows) []string {
	var out []string
	for _, tr := range tables {
		for _, r := range tr.Rows {
			out = append(out, r[0].(string))
		}
	}
	return out
}

// Appends that arrive while a commit runs are committed together as the
// next group; a bad one in that group fails alone.
func TestAppendsWaitingAreCommittedTogether(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var commits [][]string
	q := Start(Options{Workers: 1, MaxRows: 100}, func(_ int, tables []store.TableRows) error {
		got := ids(tables)
		mu.Lock()
		commits = append(commits, got)
		first := len(commits) == 1
		mu.Unlock()
		if first {
			<-release // hold the first commit while the others queue
		}
		for _, id := range got {
			if id == "bad" {
				return errors.New("bad row")
			}
		}
		return nil
	})
	defer q.Close()

	firstDone := make(chan error)
	go func() { firstDone <- q.Append(context.Background(), batch("first")) }()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(commits) == 1 })

	errs := make([]error, 5)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			id := fmt.Sprint("r", i)
			if i == 2 {
				id = "bad"
			}
			errs[i] = q.Append(context.Background(), batch(id))
		})
	}
	// All five wait to be taken: the queue is unbuffered, so the next
	// group gathers whoever is waiting when the worker comes back.
	time.Sleep(100 * time.Millisecond)
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, err := range errs {
		if (i == 2) != (err != nil) {
			t.Errorf("append %d: err = %v", i, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	// first; the group of five (fails for "bad"); then each on its own.
	if len(commits) != 1+1+5 || len(commits[1]) != 5 {
		t.Fatalf("commits = %v, want [first], a group of 5, then 5 alone", commits)
	}
}

// A group stops growing at MaxRows.
func TestGroupsAreCapped(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var sizes []int
	q := Start(Options{Workers: 1, MaxRows: 4}, func(_ int, tables []store.TableRows) error {
		mu.Lock()
		sizes = append(sizes, len(ids(tables)))
		first := len(sizes) == 1
		mu.Unlock()
		if first {
			<-release
		}
		return nil
	})
	defer q.Close()
	var wg sync.WaitGroup
	wg.Go(func() { q.Append(context.Background(), batch("first")) })
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(sizes) == 1 })
	for range 6 {
		wg.Go(func() { q.Append(context.Background(), batch("a", "b")) })
	}
	time.Sleep(100 * time.Millisecond)
	close(release)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(sizes) != "[1 4 4 4]" {
		t.Errorf("group sizes %v, want [1 4 4 4]", sizes)
	}
}

// After Close, appends are refused and nothing is committed.
func TestClosedQueueRefuses(t *testing.T) {
	committed := 0
	q := Start(Options{Workers: 2, MaxRows: 10}, func(int, []store.TableRows) error { committed++; return nil })
	if err := q.Append(context.Background(), batch("x")); err != nil {
		t.Fatal(err)
	}
	q.Close()
	if err := q.Append(context.Background(), batch("y")); !errors.Is(err, store.ErrClosed) {
		t.Errorf("append after close: %v, want ErrClosed", err)
	}
	if committed != 1 {
		t.Errorf("%d commits, want 1", committed)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
