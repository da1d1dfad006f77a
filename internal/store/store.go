// Package store defines how callscope keeps its data, independent of the
// engine that keeps it. An engine (DuckDB embedded in the process, or a
// ClickHouse server) implements Store; nothing above this package names an
// engine's types or writes its SQL by hand.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/callscope/callscope/internal/schema"
)

// Store holds the workspaces of one callscope deployment.
type Store interface {
	// Workspace opens a workspace, creating it and its tables if it does
	// not exist yet. The id is the one every row reports in TenantId.
	Workspace(ctx context.Context, ref WorkspaceRef) (Workspace, error)
	// DropWorkspace closes a workspace and deletes its data.
	DropWorkspace(ctx context.Context, name string) error
	// Engine names the storage engine ("duckdb", or "clickhouse" and the
	// server's release: "clickhouse 18.16.1"); query languages use it to
	// pick their SQL dialect.
	Engine() string
	// Close commits what is pending and releases the engine.
	Close() error
}

// WorkspaceRef names a workspace to open.
type WorkspaceRef struct {
	Name string // file and database name; see ValidWorkspaceName
	ID   string // a GUID
}

// Workspace is one workspace: the set of tables of internal/schema.
type Workspace interface {
	// ID is the workspace id stored in every row's TenantId column.
	ID() string
	Name() string

	// Append adds rows to their tables as one transaction: either all rows
	// of the batch are stored or none are. It returns only once the rows
	// are durable, so a caller may acknowledge them to a client.
	// Concurrent calls are committed together where the engine allows it.
	Append(ctx context.Context, b *Batch) error

	// Query runs one read-only statement in the engine's SQL dialect.
	// Statements that could change data or reach outside the workspace are
	// refused with ErrNotReadOnly.
	Query(ctx context.Context, sql string, opts QueryOptions) (*Result, error)

	// The operations below serve the jobs that derive data (finalisation,
	// daily metrics, usage, retention).

	// Finalize turns settled updates into final rows (DESIGN §6): for each
	// participant (ACSCallSummary) and stream (ACSCallDiagnostics), the
	// newest version of its updates becomes its final row once its call
	// has ended (by its summary updates, or without any, by the updates'
	// own time) and no update came for grace. A final row derived earlier
	// is replaced when a higher version settles; rows that arrived as
	// finals are kept as sent and never duplicated, and displace a derived
	// row for the same participant or stream.
	Finalize(ctx context.Context, now time.Time, grace time.Duration) (FinalizeResult, error)
	// Scan calls fn with the given columns of a table's rows whose
	// TimeGenerated is in [from, to). The row is only valid during the call.
	Scan(ctx context.Context, t *schema.Table, columns []string, from, to time.Time, fn func(row []any) error) error
	// Replace deletes a table's rows with TimeGenerated in [from, to) and
	// appends rows in their place, in one transaction.
	Replace(ctx context.Context, t *schema.Table, from, to time.Time, rows [][]any) error
	// Retain tells an engine that expires rows itself (ClickHouse's TTL)
	// how many days a table keeps; it then drops old rows as it merges,
	// without being asked. Engines without such a thing do nothing; on
	// every engine the retention job calls DeleteBefore as well, which
	// removes old rows at once.
	Retain(ctx context.Context, t *schema.Table, days int) error
	// DeleteBefore deletes a table's rows with TimeGenerated before a time
	// and returns how many it deleted.
	DeleteBefore(ctx context.Context, t *schema.Table, before time.Time) (int64, error)
	// Volume counts a table's rows and sums their _BilledSize per hour of
	// TimeGenerated in [from, to).
	Volume(ctx context.Context, t *schema.Table, from, to time.Time) ([]HourVolume, error)
}

// FinalizeResult counts what a finalisation wrote.
type FinalizeResult struct {
	Summaries   int // final ACSCallSummary rows written
	Diagnostics int // final ACSCallDiagnostics rows written
	Replaced    int // derived final rows removed for a higher version or a row sent as final
}

// FinalizeEach runs an engine's finalisation of each final table, in
// order (summaries, then diagnostics), with the cutoff grace before now,
// and adds up what they wrote. fn returns the final rows it added and the
// derived rows it replaced.
func FinalizeEach(now time.Time, grace time.Duration, fn func(final *schema.Table, now, cutoff time.Time) (added, replaced int, err error)) (FinalizeResult, error) {
	var res FinalizeResult
	now = now.UTC()
	for _, final := range []*schema.Table{schema.ByName(schema.SummaryTable), schema.ByName(schema.DiagnosticsTable)} {
		added, replaced, err := fn(final, now, now.Add(-grace))
		if err != nil {
			return res, fmt.Errorf("finalising %s: %w", final.Name, err)
		}
		if final.Name == schema.SummaryTable {
			res.Summaries = added
		} else {
			res.Diagnostics = added
		}
		res.Replaced += replaced
	}
	return res, nil
}

// HourVolume is the volume of one table in one hour.
type HourVolume struct {
	Hour    time.Time
	Records int64
	Bytes   float64
}

// ErrNotReadOnly is returned for a statement that is not a single query.
var ErrNotReadOnly = errors.New("only a single read-only query (SELECT) is allowed")

// ErrUnavailable wraps a failure to reach the engine or a part of it (a
// ClickHouse shard that is down): the request may succeed later.
var ErrUnavailable = errors.New("the store is unavailable")

// ErrClosed is returned by a workspace whose store has been closed.
var ErrClosed = errors.New("store is closed")

// Batch is a set of rows to append, grouped by table. A row holds one value
// per column of its table, in column order, with these Go types: string,
// time.Time, int64, float64, bool, or nil for a missing value; Dynamic
// columns hold JSON text as a string.
type Batch struct {
	Tables []TableRows
	index  map[*schema.Table]int
}

// TableRows is the part of a batch for one table.
type TableRows struct {
	Table *schema.Table
	Rows  [][]any
}

// Add appends a row for table t.
func (b *Batch) Add(t *schema.Table, row []any) {
	if b.index == nil {
		b.index = map[*schema.Table]int{}
	}
	i, ok := b.index[t]
	if !ok {
		i = len(b.Tables)
		b.index[t] = i
		b.Tables = append(b.Tables, TableRows{Table: t})
	}
	b.Tables[i].Rows = append(b.Tables[i].Rows, row)
}

// Len is the number of rows in the batch.
func (b *Batch) Len() int {
	n := 0
	for _, t := range b.Tables {
		n += len(t.Rows)
	}
	return n
}

// QueryOptions bounds one query.
type QueryOptions struct {
	MaxRows int           // rows returned at most; more set Result.Truncated (0: no limit)
	Timeout time.Duration // 0: only the context bounds it
	// Types, when set, are the Log Analytics types of the result's
	// columns, known to a caller that generated the statement (KQL): the
	// engine's values are converted to them (timespans arrive as ticks,
	// dynamic values as JSON text) instead of typed by the engine.
	Types []schema.Type
	// Prelude are statements a KQL translation runs first, in the same
	// session, each creating a temporary table the query reads (see
	// sqlgen.TemporaryTables). Only engines without common table
	// expressions get any; an engine that has no use for them refuses
	// them.
	Prelude []string
}

// Result is the answer to a query, typed with Log Analytics types.
// Values have the Go types listed for Batch, plus time.Duration for
// Timespan; Dynamic values are JSON text.
type Result struct {
	Columns   []ResultColumn
	Rows      [][]any
	Truncated bool // more rows matched than QueryOptions.MaxRows
}

// ResultColumn names and types one column of a result.
type ResultColumn struct {
	Name string
	Type schema.Type
}

// CommitObserver learns about every commit, for metrics.
type CommitObserver interface {
	Committed(workspace string, rows int, took time.Duration, err error)
}

// ValidWorkspaceName checks a workspace name: 1 to 63 characters of lower
// case letters, digits, '-' and '_', starting with a letter or digit. Names
// become file and database names, so nothing else is allowed.
func ValidWorkspaceName(name string) error {
	if len(name) == 0 || len(name) > 63 {
		return fmt.Errorf("workspace name %q must be 1 to 63 characters long", name)
	}
	for i, c := range name {
		ok := ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || (i > 0 && (c == '-' || c == '_'))
		if !ok {
			return fmt.Errorf("workspace name %q may only hold lower-case letters, digits, '-' and '_', and must start with a letter or digit", name)
		}
	}
	return nil
}

// ErrMemoryLimit is returned for a query that needed more memory than the
// store may use; the error wrapping it says how much.
var ErrMemoryLimit = errors.New("the query needs more memory than the store's memory limit")

// QueryError is an error in a query the caller wrote (syntax, unknown name,
// a failed conversion), as opposed to a failure of the engine.
type QueryError struct{ Msg string }

func (e *QueryError) Error() string { return e.Msg }
