package clickhouse

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	ch "github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/store/groupcommit"
)

// workspace is one workspace's database.
type workspace struct {
	s     *Store
	ref   store.WorkspaceRef
	l     Layout
	queue *groupcommit.Queue
}

func newWorkspace(s *Store, ref store.WorkspaceRef, l Layout) *workspace {
	w := &workspace{s: s, ref: ref, l: l}
	w.queue = groupcommit.Start(groupcommit.Options{
		Workers:  s.opts.Writers,
		MaxRows:  s.opts.MaxGroupRows,
		Name:     ref.Name,
		Observer: s.opts.Observer,
	}, w.commit)
	return w
}

var _ store.Workspace = (*workspace)(nil)

func (w *workspace) ID() string   { return w.ref.ID }
func (w *workspace) Name() string { return w.ref.Name }

// Append implements store.Workspace. Appends that arrive together are
// gathered into one insert per table (package groupcommit): every insert
// makes a new part of its table on the server, a cost that does not depend
// on its size. The queue refuses appends once the store or the workspace
// is closed.
func (w *workspace) Append(ctx context.Context, b *store.Batch) error {
	return w.queue.Append(ctx, b)
}

// commit writes a group of appends. ClickHouse has no transaction over
// several inserts, so a group is made all-or-nothing by its token: every
// row carries it, and when a table's insert fails for good the rows of the
// tables already written are deleted by token before the error is
// returned. A failure that may be passing (the connection dropped, the
// server was busy) leaves the outcome unknown: the rows of the token are
// counted, taken back if only some arrived, and the insert is tried again,
// so that a retry never stores a row twice.
func (w *workspace) commit(_ int, tables []store.TableRows) error {
	// The insert goes on if the request that brought some of its rows
	// gives up: the others wait for it.
	ctx := context.Background()
	token := newToken()
	// The tables are written at once: a group's latency is its largest
	// table's insert rather than the sum of all of them.
	errs := make([]error, len(tables))
	var wg sync.WaitGroup
	for i, tr := range tables {
		wg.Go(func() { errs[i] = w.insert(ctx, tr.Table, tr.Rows, token, nil) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		// Whatever arrived must go.
		undo, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		written := make([]*schema.Table, len(tables))
		for i, tr := range tables {
			written[i] = tr.Table
		}
		return errors.Join(err, w.deleteToken(undo, written, token))
	}
	return nil
}

// newToken is a batch's token: the time, so that tokens sort by age, and
// randomness, so that two nodes never pick the same.
func newToken() string {
	var r [8]byte
	rand.Read(r[:])
	return time.Now().UTC().Format("20060102T150405.000000") + "-" + hex.EncodeToString(r[:])
}

// insert writes rows of one table with their token (and, for a replaced
// table, the time of the write), retrying passing failures.
func (w *workspace) insert(ctx context.Context, t *schema.Table, rows [][]any, token string, extra []field) error {
	var body bytes.Buffer
	fields := append([]field{{batchColumn, token}}, extra...)
	format, err := encodeInsert(&body, t, rows, w.l.Features, fields...)
	if err != nil {
		return err
	}
	settings := w.insertSettings()
	table, columns := w.l.dataTable(t), insertColumns(t, fields)
	for attempt := 0; ; attempt++ {
		err := w.s.opts.Conn.Insert(ctx, table, columns, format, bytes.NewReader(body.Bytes()), settings)
		if err == nil {
			return nil
		}
		if !passing(err) || attempt == len(retryDelays) || ctx.Err() != nil {
			return fmt.Errorf("clickhouse: inserting %d rows into %s: %w", len(rows), t.Name, err)
		}
		w.s.opts.Logger.Warn("clickhouse insert failed, retrying", "table", t.Name, "rows", len(rows), "attempt", attempt+1, "err", err)
		select {
		case <-time.After(retryDelays[attempt]):
		case <-ctx.Done():
			return ctx.Err()
		}
		n, cerr := w.countToken(ctx, t, token)
		switch {
		case cerr != nil:
			// Unknown whether the rows arrived: take them back to be sure.
			if derr := w.deleteToken(ctx, []*schema.Table{t}, token); derr != nil {
				return fmt.Errorf("clickhouse: inserting into %s: %w (and the batch could not be checked: %v)", t.Name, err, derr)
			}
		case n == int64(len(rows)):
			return nil // the first attempt arrived after all
		case n > 0:
			if derr := w.deleteToken(ctx, []*schema.Table{t}, token); derr != nil {
				return fmt.Errorf("clickhouse: inserting into %s: %w (and %d rows that arrived could not be removed: %v)", t.Name, err, n, derr)
			}
		}
	}
}

// passing reports an error after which the same write may succeed: the
// connection failed, or the server said it was overloaded or timed out.
func passing(err error) bool {
	var e *ch.Error
	if !errors.As(err, &e) {
		return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	}
	switch e.Code {
	case 159, 160, 202, 209, 210, 252, 279, 319, 394, 425:
		// timeouts, too many queries or parts, network errors, all
		// connection tries failed, unknown status of an insert, killed
		return true
	}
	return e.Status == 503 || e.Status == 502
}

// countToken counts the rows of a table written with a token.
func (w *workspace) countToken(ctx context.Context, t *schema.Table, token string) (int64, error) {
	r, err := w.s.opts.Conn.Query(ctx, fmt.Sprintf("SELECT count() FROM %s WHERE %s = %s",
		w.l.dataTable(t), ch.Ident(batchColumn), ch.String(token)), nil)
	if err != nil {
		return 0, err
	}
	return scalarInt(r)
}

// deleteToken deletes the rows written with a token from tables, on every
// node, and waits until they are gone.
func (w *workspace) deleteToken(ctx context.Context, tables []*schema.Table, token string) error {
	var errs []error
	for _, t := range tables {
		errs = append(errs, w.mutate(ctx, w.l.localTable(t), "DELETE WHERE "+ch.Ident(batchColumn)+" = "+ch.String(token)))
	}
	return errors.Join(errs...)
}

// mutate runs ALTER TABLE … on a local table of every node and waits for
// the mutation to finish: 18.16 has no mutations_sync, and a delete that
// has not finished still shows its rows.
func (w *workspace) mutate(ctx context.Context, table, alter string) error {
	db, name, _ := strings.Cut(table, ".")
	for i, n := range w.s.opts.Nodes {
		if err := n.Exec(ctx, "ALTER TABLE "+table+" "+alter, nil); err != nil {
			return fmt.Errorf("clickhouse: %s on node %d: %w", alter, i+1, err)
		}
		pending := fmt.Sprintf("SELECT count() FROM system.mutations WHERE database = %s AND table = %s AND is_done = 0",
			ch.String(unquote(db)), ch.String(unquote(name)))
		for delay := 5 * time.Millisecond; ; delay = min(delay*2, 500*time.Millisecond) {
			r, err := n.Query(ctx, pending, nil)
			if err != nil {
				return fmt.Errorf("clickhouse: waiting for %s on node %d: %w", alter, i+1, err)
			}
			if k, err := scalarInt(r); err != nil || k == 0 {
				break
			}
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return fmt.Errorf("clickhouse: waiting for %s on node %d: %w", alter, i+1, ctx.Err())
			}
		}
	}
	return nil
}

// unquote takes the backquotes off an identifier written by ch.Ident.
func unquote(ident string) string {
	s := strings.TrimSuffix(strings.TrimPrefix(ident, "`"), "`")
	return strings.NewReplacer("\\`", "`", "\\\\", "\\").Replace(s)
}

// scalarInt reads the one integer of a one-row, one-column result.
func scalarInt(r *ch.Result) (int64, error) {
	if len(r.Rows) != 1 || len(r.Rows[0]) != 1 {
		return 0, fmt.Errorf("clickhouse: expected one value, got %d rows", len(r.Rows))
	}
	return intValue(r.Rows[0][0])
}

// intValue reads an integer of a JSONCompact result, quoted or not.
func intValue(v json.RawMessage) (int64, error) {
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return strconv.ParseInt(s, 10, 64)
	}
	return strconv.ParseInt(string(v), 10, 64)
}
