package simulate

import (
	"container/heap"
	"context"
	"errors"
	"time"
)

// LiveOptions configure live mode.
type LiveOptions struct {
	Seed      uint64
	Rate      float64 // calls started per minute
	Resources []Resource
	Finals    bool

	// Now is the clock; nil means time.Now. Tests pass a fake clock.
	Now func() time.Time
	// FinalsDelay is how long after a call its final rows come; the late
	// update versions are scaled to it. Zero means 3 minutes, so that a demo
	// shows them (ACS takes hours).
	FinalsDelay time.Duration
	// Tick is how often RunLive emits what became due; zero means 1 s.
	Tick time.Duration
}

// Live generates calls that happen now. Calls start at the configured rate;
// each record is released once its time has come: client operations and
// media stats while the call goes on, updates, surveys and finals after it.
// Step drives it; RunLive drives Step from a ticker.
type Live struct {
	opts    LiveOptions
	p       *planner
	arrival rng
	next    time.Time // start of the next call
	n       int       // calls started
	pending recordHeap
	active  []*liveCall
}

// liveCall is a call whose media stats are still being written.
type liveCall struct {
	b       *builder
	cursors []*mediaCursor
}

// NewLive prepares live mode.
func NewLive(opts LiveOptions) (*Live, error) {
	if opts.Rate <= 0 {
		return nil, errors.New("simulate: live mode needs a positive call rate")
	}
	if opts.FinalsDelay <= 0 {
		opts.FinalsDelay = 3 * time.Minute
	}
	if opts.Tick <= 0 {
		opts.Tick = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p, err := newPlanner(opts.Seed, opts.Resources, liveLatency(opts.FinalsDelay))
	if err != nil {
		return nil, err
	}
	return &Live{opts: opts, p: p, arrival: newRNG(opts.Seed, 3)}, nil
}

// Step advances live mode to now and returns the records that became due,
// ordered by time. No returned record has a time after now.
func (lv *Live) Step(now time.Time) []Record {
	now = ms(now.UTC())
	if lv.next.IsZero() || now.Sub(lv.next) > time.Minute {
		// The first call starts right away. After a long pause (the machine
		// slept) the calls that would have started meanwhile are skipped
		// rather than started all at once.
		lv.next = now
	}
	var out []Record
	// Start the calls whose time has come. Each is planned in full; its
	// records other than media stats wait in the heap until due.
	for !lv.next.After(now) {
		c := lv.p.plan(lv.n, lv.next)
		lv.n++
		b := newBuilder(c, lv.opts.Finals)
		b.eager()
		for _, rec := range b.out {
			heap.Push(&lv.pending, rec)
		}
		b.out = nil
		lc := &liveCall{b: b}
		for _, s := range mediaSeries(c) {
			lc.cursors = append(lc.cursors, &mediaCursor{s: s})
		}
		lv.active = append(lv.active, lc)
		lv.next = lv.next.Add(secs(lv.arrival.exp(60 / lv.opts.Rate)))
	}
	for lv.pending.Len() > 0 && !lv.pending[0].Time.After(now) {
		out = append(out, heap.Pop(&lv.pending).(Record))
	}
	// Media stats are written as they fall due, so a long call never holds
	// more than a few seconds of them.
	kept := lv.active[:0]
	for _, lc := range lv.active {
		lc.b.out = lc.b.out[:0]
		open := false
		for _, cur := range lc.cursors {
			lc.b.mediaUntil(cur, now)
			open = open || !cur.done()
		}
		out = append(out, lc.b.out...)
		if open {
			kept = append(kept, lc)
		}
	}
	clear(lv.active[len(kept):])
	lv.active = kept
	sortRecords(out)
	return out
}

// Pending is the number of records planned but not yet due, media stats of
// running calls not included.
func (lv *Live) Pending() int { return lv.pending.Len() }

// RunLive runs live mode until ctx is done, passing each tick's records to
// emit. It returns the records emitted per category.
func RunLive(ctx context.Context, opts LiveOptions, emit func([]Record) error) (Counts, error) {
	lv, err := NewLive(opts)
	if err != nil {
		return nil, err
	}
	counts := Counts{}
	tick := time.NewTicker(lv.opts.Tick)
	defer tick.Stop()
	for {
		if recs := lv.Step(lv.opts.Now()); len(recs) > 0 {
			if err := emit(recs); err != nil {
				return counts, err
			}
			for _, r := range recs {
				counts[r.Category]++
			}
		}
		select {
		case <-ctx.Done():
			return counts, nil
		case <-tick.C:
		}
	}
}

// recordHeap orders pending records by time.
type recordHeap []Record

func (h recordHeap) Len() int           { return len(h) }
func (h recordHeap) Less(i, j int) bool { return h[i].Time.Before(h[j].Time) }
func (h recordHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *recordHeap) Push(x any)        { *h = append(*h, x.(Record)) }
func (h *recordHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = Record{}
	*h = old[:len(old)-1]
	return x
}
