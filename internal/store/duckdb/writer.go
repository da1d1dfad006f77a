package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

// writer owns the connections that write to a workspace database.
// Requests queue on an unbuffered channel. Each connection takes one, then
// every other request already waiting, and commits them in one transaction;
// while it commits, new requests wait and become the next group, taken by
// whichever connection is free. Several connections let DuckDB's work of
// appending and committing run on several cores at once; appends to the
// same table from different transactions do not conflict.
type writer struct {
	name     string
	conns    []*sql.Conn
	maxRows  int
	observer store.CommitObserver

	queue   chan *appendRequest
	closing chan struct{}
	done    sync.WaitGroup
	once    sync.Once
}

type appendRequest struct {
	batch *store.Batch
	rows  int
	err   chan error
}

func newWriter(ctx context.Context, db *sql.DB, name string, opts Options) (*writer, error) {
	w := &writer{
		name:     name,
		maxRows:  opts.MaxGroupRows,
		observer: opts.Observer,
		queue:    make(chan *appendRequest),
		closing:  make(chan struct{}),
	}
	for range max(opts.Writers, 1) {
		conn, err := db.Conn(ctx)
		if err != nil {
			for _, c := range w.conns {
				c.Close()
			}
			return nil, fmt.Errorf("duckdb: writer connection: %w", err)
		}
		w.conns = append(w.conns, conn)
	}
	for _, c := range w.conns {
		w.done.Go(func() { w.run(c) })
	}
	return w, nil
}

// append hands a batch to the writer and waits for its commit. Once the
// writer has taken the batch the wait is not cut short by ctx: the caller
// must learn whether its rows were stored.
func (w *writer) append(ctx context.Context, b *store.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	req := &appendRequest{batch: b, rows: b.Len(), err: make(chan error, 1)}
	select {
	case w.queue <- req:
	case <-w.closing:
		return store.ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-req.err
}

func (w *writer) run(conn *sql.Conn) {
	for {
		var first *appendRequest
		select {
		case first = <-w.queue:
		case <-w.closing:
			return
		}
		group, rows := []*appendRequest{first}, first.rows
	gather:
		for rows < w.maxRows {
			select {
			case r := <-w.queue:
				group = append(group, r)
				rows += r.rows
			default:
				break gather
			}
		}
		w.commitGroup(conn, group)
	}
}

// commitGroup commits a group in one transaction. If that fails, each
// request is retried on its own, so that one bad batch cannot fail the
// requests that happened to share its commit.
func (w *writer) commitGroup(conn *sql.Conn, group []*appendRequest) {
	err := w.commit(conn, group)
	if err != nil && len(group) > 1 {
		for _, r := range group {
			r.err <- w.commit(conn, []*appendRequest{r})
		}
		return
	}
	for _, r := range group {
		r.err <- err
	}
}

func (w *writer) commit(conn *sql.Conn, group []*appendRequest) (err error) {
	start := time.Now()
	rows := 0
	for _, r := range group {
		rows += r.rows
	}
	defer func() {
		if w.observer != nil {
			w.observer.Committed(w.name, rows, time.Since(start), err)
		}
	}()

	ctx := context.Background()
	return conn.Raw(func(dc any) error {
		conn := dc.(driver.Conn)
		exec := dc.(driver.ExecerContext)
		if _, err := exec.ExecContext(ctx, "BEGIN TRANSACTION", nil); err != nil {
			return fmt.Errorf("duckdb: begin: %w", err)
		}
		if err := appendGroup(conn, group); err != nil {
			if _, rbErr := exec.ExecContext(ctx, "ROLLBACK", nil); rbErr != nil {
				err = errors.Join(err, fmt.Errorf("duckdb: rollback: %w", rbErr))
			}
			return err
		}
		if _, err := exec.ExecContext(ctx, "COMMIT", nil); err != nil {
			return fmt.Errorf("duckdb: commit: %w", err)
		}
		return nil
	})
}

// appendGroup writes the rows of every request, one appender per table.
func appendGroup(conn driver.Conn, group []*appendRequest) error {
	var tables []store.TableRows
	index := map[*schema.Table]int{}
	for _, r := range group {
		for _, tr := range r.batch.Tables {
			i, ok := index[tr.Table]
			if !ok {
				i = len(tables)
				index[tr.Table] = i
				tables = append(tables, store.TableRows{Table: tr.Table})
			}
			tables[i].Rows = append(tables[i].Rows, tr.Rows...)
		}
	}
	return appendRows(conn, tables)
}

// appendRows writes rows to their base tables through the Appender, in
// whatever transaction the connection has open.
func appendRows(conn driver.Conn, tables []store.TableRows) error {
	for _, tr := range tables {
		t := tr.Table
		app, err := duckdb.NewAppenderFromConn(conn, dataSchema, t.Name)
		if err != nil {
			return fmt.Errorf("duckdb: appender for %s: %w", t.Name, err)
		}
		// The base table holds the stored columns, then the store's own
		// bookkeeping columns, which rows from outside leave NULL.
		stored := t.StoredColumns()
		dynamic := make([]bool, len(stored))
		for j, i := range stored {
			dynamic[j] = t.Columns[i].Type == schema.Dynamic
		}
		vals := make([]driver.Value, len(baseColumns(t)))
		for _, row := range tr.Rows {
			for j, i := range stored {
				vals[j] = row[i]
				if s, ok := row[i].(string); ok && dynamic[j] {
					// JSON columns take raw JSON, not text to quote.
					vals[j] = json.RawMessage(s)
				}
			}
			if err := app.AppendRow(vals...); err != nil {
				app.Close()
				return fmt.Errorf("duckdb: appending to %s: %w", t.Name, err)
			}
		}
		if err := app.Close(); err != nil {
			return fmt.Errorf("duckdb: flushing %s: %w", t.Name, err)
		}
	}
	return nil
}

func (w *writer) close() error {
	w.once.Do(func() { close(w.closing) })
	w.done.Wait()
	var errs []error
	for _, c := range w.conns {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
