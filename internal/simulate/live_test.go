package simulate

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"
)

// A fake clock that moves a fixed step each time it is read.
type fakeClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	return c.now
}

func runSteps(t *testing.T, opts LiveOptions, from time.Time, step time.Duration, steps int) []Record {
	t.Helper()
	lv, err := NewLive(opts)
	if err != nil {
		t.Fatal(err)
	}
	var all []Record
	now := from
	for range steps {
		now = now.Add(step)
		recs := lv.Step(now)
		for i, r := range recs {
			if r.Time.After(now) {
				t.Fatalf("record at %v released at %v", r.Time, now)
			}
			if i > 0 && r.Time.Before(recs[i-1].Time) {
				t.Fatal("a tick's records are not in time order")
			}
		}
		all = append(all, recs...)
	}
	return all
}

func TestLiveReleasesRecordsWhenDue(t *testing.T) {
	opts := LiveOptions{Seed: 41, Rate: 6, Finals: true, FinalsDelay: time.Minute}
	recs := runSteps(t, opts, testStart, time.Second, 25*60)
	counts := Counts{}
	for _, r := range recs {
		counts[r.Category]++
	}
	for _, cat := range []string{catClientOps, catMediaStats, catSummaryUpdates, catDiagUpdates, catSummary, catDiag, catUsage} {
		if counts[cat] == 0 {
			t.Errorf("no %s records in 25 minutes of live mode: %v", cat, counts)
		}
	}
	// Media stats of a running call arrive while it runs, before its
	// summary rows, which come once participants have left.
	firstStats, firstSummary := map[string]time.Time{}, map[string]time.Time{}
	for _, r := range recs {
		switch r.Category {
		case catMediaStats:
			id := string(bytes.SplitN(bytes.SplitN(r.JSON, []byte(`"CallId":"`), 2)[1], []byte(`"`), 2)[0])
			if _, ok := firstStats[id]; !ok {
				firstStats[id] = r.Time
			}
		case catSummaryUpdates:
			id := parse(t, r).top["correlationId"].(string)
			if _, ok := firstSummary[id]; !ok {
				firstSummary[id] = r.Time
			}
		}
	}
	if len(firstStats) < 50 {
		t.Errorf("media stats of only %d calls", len(firstStats))
	}
	for id, s := range firstSummary {
		if m, ok := firstStats[id]; ok && !m.Before(s) {
			t.Errorf("call %s: first media stats at %v, first summary at %v", id, m, s)
		}
	}

	// Same seed, same clock: same records.
	again := runSteps(t, opts, testStart, time.Second, 25*60)
	if len(again) != len(recs) {
		t.Fatalf("second run: %d records, first %d", len(again), len(recs))
	}
	for i := range recs {
		if !bytes.Equal(recs[i].JSON, again[i].JSON) {
			t.Fatalf("record %d differs between runs", i)
		}
	}
}

func TestRunLiveWithFakeClock(t *testing.T) {
	clock := &fakeClock{now: testStart, step: 10 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	emitted := Counts{}
	var last time.Time
	calls := 0
	counts, err := RunLive(ctx, LiveOptions{Seed: 42, Rate: 10, Now: clock.Now, Tick: time.Millisecond}, func(recs []Record) error {
		now := clock.now // the clock value Step used
		for _, r := range recs {
			if r.Time.After(now) {
				t.Errorf("record at %v emitted at %v", r.Time, now)
			}
			emitted[r.Category]++
		}
		last = now
		calls++
		if calls == 100 {
			cancel()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if counts.Total() == 0 || counts.Total() != emitted.Total() {
		t.Fatalf("RunLive counted %d, emitted %d", counts.Total(), emitted.Total())
	}
	for k, v := range emitted {
		if counts[k] != v {
			t.Errorf("%s: counted %d, emitted %d", k, counts[k], v)
		}
	}
	if last.IsZero() {
		t.Fatal("nothing emitted")
	}
}

func TestLiveOptionsValidated(t *testing.T) {
	if _, err := NewLive(LiveOptions{Rate: 0}); err == nil {
		t.Error("a zero rate was accepted")
	}
}
