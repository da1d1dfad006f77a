package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

// Finalize implements store.Workspace. Each final table is handled in its
// own transaction: the settled updates are collected, superseded derived
// rows deleted and missing final rows inserted, so readers see the old
// final rows or the new ones, never both or neither.
func (w *workspace) Finalize(ctx context.Context, now time.Time, grace time.Duration) (store.FinalizeResult, error) {
	w.finalizing.Lock()
	defer w.finalizing.Unlock()
	return store.FinalizeEach(now, grace, func(final *schema.Table, now, cutoff time.Time) (int, int, error) {
		return w.finalize(ctx, final, now, cutoff)
	})
}

func (w *workspace) finalize(ctx context.Context, final *schema.Table, now, cutoff time.Time) (inserted, deleted int, err error) {
	updates := schema.ByName(final.Updates)
	summaries := baseTable(schema.ByName(schema.SummaryUpdatesTable))
	version := quoteIdent(schema.CallUpdatesVersion)
	corr := quoteIdent(schema.CorrelationID)
	tg := quoteIdent(schema.TimeGenerated)

	var partition []string
	for _, k := range final.FinalKey {
		partition = append(partition, keyExpr(final, "", k))
	}
	match := func(a, b string) string {
		var parts []string
		for _, k := range final.FinalKey {
			parts = append(parts, keyExpr(final, a, k)+" = "+keyExpr(final, b, k))
		}
		return strings.Join(parts, " AND ")
	}
	var cols []string
	for _, i := range final.StoredColumns() {
		cols = append(cols, quoteIdent(final.Columns[i].Name))
	}
	colList := strings.Join(cols, ", ")

	// The newest version per participant or stream, kept if its call has
	// ended (a call without summary updates counts as ended) and nothing
	// came for it since the cutoff.
	settle := fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE cs_settled AS
WITH versions AS (
  SELECT u.*,
    row_number() OVER (PARTITION BY %[1]s ORDER BY %[2]s DESC NULLS LAST, %[3]s DESC) AS cs_rank,
    max(%[3]s) OVER (PARTITION BY %[1]s) AS cs_last
  FROM %[4]s u
),
ended AS (
  SELECT %[5]s FROM %[6]s
  WHERE %[7]s IS NOT NULL AND %[8]s IS NOT NULL
  GROUP BY %[5]s
  HAVING max(%[7]s + to_seconds(%[8]s)) <= $1
),
reported AS (SELECT DISTINCT %[5]s FROM %[6]s WHERE %[5]s IS NOT NULL)
SELECT * EXCLUDE (cs_rank, cs_last) FROM versions
WHERE cs_rank = 1 AND cs_last <= $2
  AND (%[5]s IN (SELECT %[5]s FROM ended) OR %[5]s NOT IN (SELECT %[5]s FROM reported))`,
		strings.Join(partition, ", "), version, tg, baseTable(updates), corr, summaries,
		quoteIdent(schema.CallStartTime), quoteIdent(schema.CallDuration))

	// Derived rows give way to a higher settled version, and to a row that
	// arrived as a final.
	drop := fmt.Sprintf(`DELETE FROM %[1]s f WHERE f.%[2]s IS NOT NULL AND (
  EXISTS (SELECT 1 FROM cs_settled s WHERE %[3]s AND s.%[4]s > f.%[2]s)
  OR EXISTS (SELECT 1 FROM %[1]s d WHERE d.%[2]s IS NULL AND %[5]s))`,
		baseTable(final), quoteIdent(finalVersion), match("s", "f"), version, match("d", "f"))

	add := fmt.Sprintf(`INSERT INTO %[1]s (%[2]s, %[3]s)
SELECT %[2]s, %[4]s FROM cs_settled s
WHERE NOT EXISTS (SELECT 1 FROM %[1]s f WHERE %[5]s)`,
		baseTable(final), colList, quoteIdent(finalVersion), version, match("s", "f"))

	conn, err := w.db.Conn(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, settle, now, cutoff); err != nil {
		return 0, 0, err
	}
	r, err := tx.ExecContext(ctx, drop)
	if err != nil {
		return 0, 0, err
	}
	d, _ := r.RowsAffected()
	r, err = tx.ExecContext(ctx, add)
	if err != nil {
		return 0, 0, err
	}
	n, _ := r.RowsAffected()
	if _, err := tx.ExecContext(ctx, `DROP TABLE cs_settled`); err != nil {
		return 0, 0, err
	}
	return int(n), int(d), tx.Commit()
}

// keyExpr renders a key column of an optional table alias so that missing
// values compare equal.
func keyExpr(t *schema.Table, alias, col string) string {
	ref := quoteIdent(col)
	if alias != "" {
		ref = alias + "." + ref
	}
	if c := t.ColumnIndex(col); c >= 0 && (t.Columns[c].Type == schema.Long || t.Columns[c].Type == schema.Int) {
		return "coalesce(" + ref + ", -1)"
	}
	return "coalesce(" + ref + ", '')"
}

// Scan implements store.Workspace.
func (w *workspace) Scan(ctx context.Context, t *schema.Table, columns []string, from, to time.Time, fn func(row []any) error) error {
	types := make([]schema.Type, len(columns))
	quoted := make([]string, len(columns))
	for i, c := range columns {
		j := t.ColumnIndex(c)
		if j < 0 {
			return fmt.Errorf("duckdb: %s has no column %s", t.Name, c)
		}
		types[i], quoted[i] = t.Columns[j].Type, quoteIdent(c)
	}
	q := fmt.Sprintf(`SELECT %s FROM main.%s WHERE %s >= $1 AND %s < $2`, strings.Join(quoted, ", "),
		quoteIdent(t.Name), quoteIdent(schema.TimeGenerated), quoteIdent(schema.TimeGenerated))
	rows, err := w.db.QueryContext(ctx, q, from.UTC(), to.UTC())
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]any, len(columns))
	ptrs := make([]any, len(columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			vals[i] = normalise(v, types[i])
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Replace implements store.Workspace.
func (w *workspace) Replace(ctx context.Context, t *schema.Table, from, to time.Time, rows [][]any) error {
	w.replacing.Lock()
	defer w.replacing.Unlock()
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		exec := dc.(driver.ExecerContext)
		if _, err := exec.ExecContext(ctx, "BEGIN TRANSACTION", nil); err != nil {
			return err
		}
		err := func() error {
			del := fmt.Sprintf(`DELETE FROM %s WHERE %s >= $1 AND %s < $2`, baseTable(t), quoteIdent(schema.TimeGenerated), quoteIdent(schema.TimeGenerated))
			if _, err := exec.ExecContext(ctx, del, []driver.NamedValue{{Ordinal: 1, Value: from.UTC()}, {Ordinal: 2, Value: to.UTC()}}); err != nil {
				return err
			}
			return appendRows(dc.(driver.Conn), []store.TableRows{{Table: t, Rows: rows}})
		}()
		if err != nil {
			_, rbErr := exec.ExecContext(ctx, "ROLLBACK", nil)
			return errors.Join(err, rbErr)
		}
		_, err = exec.ExecContext(ctx, "COMMIT", nil)
		return err
	})
}

// Retain implements store.Workspace. DuckDB has nothing that expires
// rows; DeleteBefore does it all.
func (w *workspace) Retain(context.Context, *schema.Table, int) error { return nil }

// DeleteBefore implements store.Workspace.
func (w *workspace) DeleteBefore(ctx context.Context, t *schema.Table, before time.Time) (int64, error) {
	q := fmt.Sprintf(`DELETE FROM %s WHERE %s < $1`, baseTable(t), quoteIdent(schema.TimeGenerated))
	r, err := w.db.ExecContext(ctx, q, before.UTC())
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// Volume implements store.Workspace.
func (w *workspace) Volume(ctx context.Context, t *schema.Table, from, to time.Time) ([]store.HourVolume, error) {
	bytes := "0"
	if t.ColumnIndex(schema.BilledSize) >= 0 {
		bytes = "coalesce(sum(" + quoteIdent(schema.BilledSize) + "), 0)"
	}
	tg := quoteIdent(schema.TimeGenerated)
	q := fmt.Sprintf(`SELECT date_trunc('hour', %[1]s) AS h, count(*), %[2]s FROM %[3]s WHERE %[1]s >= $1 AND %[1]s < $2 GROUP BY h ORDER BY h`,
		tg, bytes, baseTable(t))
	rows, err := w.db.QueryContext(ctx, q, from.UTC(), to.UTC())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.HourVolume
	for rows.Next() {
		var v store.HourVolume
		var b sql.NullFloat64
		if err := rows.Scan(&v.Hour, &v.Records, &b); err != nil {
			return nil, err
		}
		v.Hour, v.Bytes = v.Hour.UTC(), b.Float64
		out = append(out, v)
	}
	return out, rows.Err()
}
