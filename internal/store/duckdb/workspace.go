package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

// workspace is one DuckDB database file.
type workspace struct {
	id, name   string
	db         *sql.DB
	w          *writer
	finalizing sync.Mutex // one finalisation at a time
	replacing  sync.Mutex // one replacement at a time: two would conflict on the rows they delete
}

var _ store.Workspace = (*workspace)(nil)

func (w *workspace) ID() string   { return w.id }
func (w *workspace) Name() string { return w.name }

func (w *workspace) Append(ctx context.Context, b *store.Batch) error {
	return w.w.append(ctx, b)
}

// openWorkspace opens or creates the database of a workspace, brings its
// tables up to the schema, then shuts the database off from the file system
// so that queries cannot read or write files.
func openWorkspace(ctx context.Context, path string, ref store.WorkspaceRef, opts Options) (*workspace, error) {
	db, err := openDB(path, opts)
	if err != nil {
		return nil, err
	}
	if err := setUp(ctx, db, ref); err != nil {
		db.Close()
		return nil, fmt.Errorf("duckdb: preparing workspace %s: %w", ref.Name, describeOpenError(err))
	}
	if err := registerFunctions(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("duckdb: preparing workspace %s: %w", ref.Name, err)
	}
	wr, err := newWriter(ctx, db, ref.Name, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	opts.Logger.Debug("workspace open", "workspace", ref.Name, "id", ref.ID, "path", path)
	return &workspace{id: ref.ID, name: ref.Name, db: db, w: wr}, nil
}

// setUp creates what is missing. The workspace's id comes from the
// caller's metadata, which is authoritative; it is kept in the database too
// so that a file found alone still says whose it is.
func setUp(ctx context.Context, db *sql.DB, ref store.WorkspaceRef) error {
	for _, s := range []string{
		`CREATE SCHEMA IF NOT EXISTS callscope`,
		`CREATE TABLE IF NOT EXISTS callscope.workspace (id VARCHAR NOT NULL, name VARCHAR NOT NULL, created TIMESTAMP NOT NULL DEFAULT current_timestamp)`,
		`DELETE FROM callscope.workspace WHERE id <> ` + quoteString(ref.ID),
		`INSERT INTO callscope.workspace (id, name) SELECT ` + quoteString(ref.ID) + `, ` + quoteString(ref.Name) +
			` WHERE NOT EXISTS (SELECT 1 FROM callscope.workspace)`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", firstLine(s), err)
		}
	}
	id := ref.ID

	for _, t := range schema.Tables() {
		ddl := createTable(t)
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("%s: %w", firstLine(ddl), err)
		}
		if err := addMissingColumns(ctx, db, t); err != nil {
			return err
		}
		view := createView(t, id)
		if _, err := db.ExecContext(ctx, view); err != nil {
			return fmt.Errorf("%s: %w", firstLine(view), err)
		}
	}

	// From here on the database cannot touch files other than its own:
	// user SQL runs against it, and read_csv('/etc/passwd') must fail.
	_, err := db.ExecContext(ctx, `SET enable_external_access = false`)
	return err
}

// Each table of the schema is kept in two parts. The stored columns live in
// a base table in the callscope schema, which the appender writes; the
// table users query is a view in the main schema that adds the derived
// columns (the workspace id, the table name, constants) in the schema's
// column order. Derived values are thus never written, copied or checked
// on ingestion (DuckDB re-evaluates generated columns on every append),
// and cost nothing on disk.
const dataSchema = "callscope"

// baseTable names the base table of a schema table.
func baseTable(t *schema.Table) string { return quoteIdent(dataSchema) + "." + quoteIdent(t.Name) }

// baseColumns are the columns of a table's base table: the stored columns
// of the schema, then the store's own bookkeeping, which no view shows.
// Final tables (ACSCallSummary, ACSCallDiagnostics) record in _FinalVersion
// the update version a final row was derived from; rows sent as finals
// leave it NULL.
func baseColumns(t *schema.Table) []schema.Column {
	var cols []schema.Column
	for _, i := range t.StoredColumns() {
		cols = append(cols, t.Columns[i])
	}
	if t.Updates != "" {
		cols = append(cols, schema.Column{Name: finalVersion, Type: schema.Int})
	}
	return cols
}

const finalVersion = "_FinalVersion"

// createTable renders the DDL of a table's base table.
func createTable(t *schema.Table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (", baseTable(t))
	for n, c := range baseColumns(t) {
		if n > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %s", quoteIdent(c.Name), sqlType(c.Type))
	}
	b.WriteString(")")
	return b.String()
}

// createView renders the view users query: every column of the schema
// table, in order, derived ones computed.
func createView(t *schema.Table, workspaceID string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE OR REPLACE VIEW main.%s AS SELECT ", quoteIdent(t.Name))
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		if expr := derivation(t, c, workspaceID); expr != "" {
			fmt.Fprintf(&b, "CAST(%s AS %s) AS %s", expr, sqlType(c.Type), quoteIdent(c.Name))
		} else {
			b.WriteString(quoteIdent(c.Name))
		}
	}
	fmt.Fprintf(&b, " FROM %s", baseTable(t))
	return b.String()
}

// derivation is the SQL expression of a derived column ("" for a stored
// one).
func derivation(t *schema.Table, c schema.Column, workspaceID string) string {
	switch c.Derived {
	case schema.DerivedWorkspaceID:
		return quoteString(workspaceID)
	case schema.DerivedTableName:
		return quoteString(t.Name)
	case schema.DerivedCategory:
		return quoteString(t.Category)
	case schema.DerivedConstant:
		return quoteString(c.Value)
	case schema.DerivedSubscription:
		rid := quoteIdent(schema.ResourceID)
		return fmt.Sprintf("CASE WHEN starts_with(%s, '/subscriptions/') THEN nullif(split_part(%s, '/', 3), '') END", rid, rid)
	}
	return ""
}

// quoteString quotes a string literal for DuckDB. Only values callscope
// owns (names from the schema, generated ids) are written into DDL this
// way; user values are bound as parameters.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// addMissingColumns brings a base table created by an older callscope up
// to the current schema. Columns are only ever added, never dropped or
// changed.
func addMissingColumns(ctx context.Context, db *sql.DB, t *schema.Table) error {
	rows, err := db.QueryContext(ctx, `SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?`, dataSchema, t.Name)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		have[n] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range baseColumns(t) {
		if have[c.Name] {
			continue
		}
		q := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", baseTable(t), quoteIdent(c.Name), sqlType(c.Type))
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// sqlType maps a Log Analytics type onto DuckDB's. Times keep microseconds;
// dynamic values use DuckDB's JSON type so its JSON functions apply.
func sqlType(t schema.Type) string {
	switch t {
	case schema.String, schema.GUID:
		return "VARCHAR"
	case schema.DateTime:
		return "TIMESTAMP"
	case schema.Long:
		return "BIGINT"
	case schema.Int:
		return "INTEGER"
	case schema.Real:
		return "DOUBLE"
	case schema.Bool:
		return "BOOLEAN"
	case schema.Dynamic:
		return "JSON"
	case schema.Timespan:
		return "INTERVAL"
	case schema.Decimal:
		return "DECIMAL(38,10)"
	}
	panic(fmt.Sprintf("duckdb: no SQL type for %v", t))
}

// quoteIdent quotes an identifier for DuckDB. Every identifier callscope
// writes into SQL comes from the schema; quoting keeps names such as
// "Type" and "Count" from clashing with keywords.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func (w *workspace) close() error {
	err := w.w.close()
	if _, cerr := w.db.Exec(`CHECKPOINT`); cerr != nil && err == nil {
		err = cerr
	}
	return errors.Join(err, w.db.Close())
}
