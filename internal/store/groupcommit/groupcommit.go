// Package groupcommit gathers the appends that reach a workspace at the
// same time into groups, each written by one commit.
//
// A commit has a fixed cost whatever its size: an fsync for DuckDB, a new
// part of every table for ClickHouse. Under load many requests arrive while
// one commit runs; committing them together as the next group pays that
// cost once for all of them, and a single request still commits at once.
package groupcommit

import (
	"context"
	"sync"
	"time"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

// Options configure a Queue.
type Options struct {
	// Workers is how many groups are committed at once, each by its own
	// worker (its own connection, say).
	Workers int
	// MaxRows caps the rows of a group: it stops gathering once it holds
	// this many.
	MaxRows int
	// Name (the workspace's) and Observer, if set, learn the size, latency
	// and outcome of every commit.
	Name     string
	Observer store.CommitObserver
}

// Commit writes the rows of a group, by table, all or nothing. worker
// (0 to Workers-1) tells which worker commits, so that each may own a
// connection.
type Commit func(worker int, tables []store.TableRows) error

// Queue hands appends to its workers. Requests wait on an unbuffered
// channel; a free worker takes one, then every other request already
// waiting (up to MaxRows), and commits them as a group. While it commits,
// new requests wait and become the next group.
type Queue struct {
	opts    Options
	commit  Commit
	queue   chan *request
	closing chan struct{}
	done    sync.WaitGroup
	once    sync.Once
}

type request struct {
	batch *store.Batch
	rows  int
	err   chan error
}

// Start starts the workers of a queue.
func Start(opts Options, commit Commit) *Queue {
	q := &Queue{
		opts:    opts,
		commit:  commit,
		queue:   make(chan *request),
		closing: make(chan struct{}),
	}
	for i := range max(opts.Workers, 1) {
		q.done.Go(func() { q.run(i) })
	}
	return q
}

// Append hands a batch to the queue and waits for its commit. Once a
// worker has taken the batch the wait is not cut short by ctx: the caller
// must learn whether its rows were stored.
func (q *Queue) Append(ctx context.Context, b *store.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	req := &request{batch: b, rows: b.Len(), err: make(chan error, 1)}
	select {
	case q.queue <- req:
	case <-q.closing:
		return store.ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-req.err
}

// Close stops taking appends and waits for the commits under way.
func (q *Queue) Close() {
	q.once.Do(func() { close(q.closing) })
	q.done.Wait()
}

func (q *Queue) run(worker int) {
	for {
		var first *request
		select {
		case first = <-q.queue:
		case <-q.closing:
			return
		}
		group, rows := []*request{first}, first.rows
	gather:
		for rows < q.opts.MaxRows {
			select {
			case r := <-q.queue:
				group = append(group, r)
				rows += r.rows
			default:
				break gather
			}
		}
		q.commitGroup(worker, group)
	}
}

// commitGroup commits a group. If that fails, each request is tried again
// on its own, so that one bad batch cannot fail the requests that happened
// to share its commit.
func (q *Queue) commitGroup(worker int, group []*request) {
	err := q.commitRequests(worker, group)
	if err != nil && len(group) > 1 {
		for _, r := range group {
			r.err <- q.commitRequests(worker, []*request{r})
		}
		return
	}
	for _, r := range group {
		r.err <- err
	}
}

func (q *Queue) commitRequests(worker int, group []*request) error {
	start := time.Now()
	rows := 0
	batches := make([]*store.Batch, len(group))
	for i, r := range group {
		rows += r.rows
		batches[i] = r.batch
	}
	err := q.commit(worker, Merge(batches))
	if q.opts.Observer != nil {
		q.opts.Observer.Committed(q.opts.Name, rows, time.Since(start), err)
	}
	return err
}

// Merge puts the rows of several batches together by table, the tables in
// the order they first appear.
func Merge(batches []*store.Batch) []store.TableRows {
	if len(batches) == 1 {
		return batches[0].Tables
	}
	var tables []store.TableRows
	index := map[*schema.Table]int{}
	for _, b := range batches {
		for _, tr := range b.Tables {
			i, ok := index[tr.Table]
			if !ok {
				i = len(tables)
				index[tr.Table] = i
				tables = append(tables, store.TableRows{Table: tr.Table})
			}
			tables[i].Rows = append(tables[i].Rows, tr.Rows...)
		}
	}
	return tables
}
