package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/store/groupcommit"
)

// writer owns the connections that write to a workspace database, one per
// worker of a group-commit queue: each worker appends a group and commits
// it in one transaction on its own connection. Several connections let
// DuckDB's work of appending and committing run on several cores at once;
// appends to the same table from different transactions do not conflict.
type writer struct {
	conns []*sql.Conn
	queue *groupcommit.Queue
}

func newWriter(ctx context.Context, db *sql.DB, name string, opts Options) (*writer, error) {
	w := &writer{}
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
	w.queue = groupcommit.Start(groupcommit.Options{
		Workers:  len(w.conns),
		MaxRows:  opts.MaxGroupRows,
		Name:     name,
		Observer: opts.Observer,
	}, w.commit)
	return w, nil
}

// append hands a batch to the queue and waits for its commit.
func (w *writer) append(ctx context.Context, b *store.Batch) error {
	return w.queue.Append(ctx, b)
}

// commit writes a group in one transaction on the worker's connection.
func (w *writer) commit(worker int, tables []store.TableRows) error {
	ctx := context.Background()
	return w.conns[worker].Raw(func(dc any) error {
		conn := dc.(driver.Conn)
		exec := dc.(driver.ExecerContext)
		if _, err := exec.ExecContext(ctx, "BEGIN TRANSACTION", nil); err != nil {
			return fmt.Errorf("duckdb: begin: %w", err)
		}
		if err := appendRows(conn, tables); err != nil {
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
	w.queue.Close()
	var errs []error
	for _, c := range w.conns {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}
