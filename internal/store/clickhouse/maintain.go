package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	ch "github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

// timeLiteral writes a time as a literal of the stored columns' type.
func (l Layout) timeLiteral(t time.Time) string {
	if l.Features.DateTime64 {
		return "toDateTime64(" + ch.String(t.UTC().Format("2006-01-02 15:04:05.000000")) + ", 6, 'UTC')"
	}
	return "toDateTime(" + ch.String(t.UTC().Format("2006-01-02 15:04:05")) + ", 'UTC')"
}

// in is IN, made GLOBAL on a cluster (see notIn).
func (l Layout) in() string {
	if l.Cluster != "" {
		return "GLOBAL IN"
	}
	return "IN"
}

// Finalize implements store.Workspace. Final rows derived from updates go
// to the derived table, a ReplacingMergeTree on the final key with the
// version: writing one twice, from two nodes at once or from a run that
// failed half way, shows it once, and a higher version displaces a lower
// one in every read (FINAL). Nothing is deleted, so every callscope node
// of a cluster may finalise at the same time.
func (w *workspace) Finalize(ctx context.Context, now time.Time, grace time.Duration) (store.FinalizeResult, error) {
	return store.FinalizeEach(now, grace, func(final *schema.Table, now, cutoff time.Time) (int, int, error) {
		return w.finalize(ctx, final, now, cutoff)
	})
}

func (w *workspace) finalize(ctx context.Context, final *schema.Table, now, cutoff time.Time) (added, replaced int, err error) {
	l := w.l
	updates := l.dataTable(schema.ByName(final.Updates))
	summaries := l.dataTable(schema.ByName(schema.SummaryUpdatesTable))
	key := strings.Join(l.keyExprs(final, "", final.FinalKey), ", ")
	corr := "ifNull(" + ch.Ident(schema.CorrelationID) + ", '')"
	tg := ch.Ident(schema.TimeGenerated)
	version := "ifNull(" + ch.Ident(schema.CallUpdatesVersion) + ", -1)"
	var cols []string
	for _, c := range storedColumns(final) {
		cols = append(cols, ch.Ident(c.Name))
	}
	colList := strings.Join(cols, ", ")

	// The newest version per participant or stream, kept if nothing came
	// for it since the cutoff and its call has ended (a call without
	// summary updates counts as ended).
	settled := fmt.Sprintf(`SELECT %[1]s, toUInt64(%[2]s + 1) AS %[3]s FROM (
  SELECT * FROM %[4]s
  WHERE (%[5]s) %[16]s (SELECT %[5]s FROM %[4]s WHERE %[7]s > %[8]s)
    AND (%[9]s %[6]s (
          SELECT %[9]s FROM %[10]s
          WHERE %[11]s IS NOT NULL AND %[12]s IS NOT NULL
          GROUP BY %[9]s
          HAVING max(addSeconds(assumeNotNull(%[11]s), assumeNotNull(%[12]s))) <= %[13]s)
      OR %[9]s %[16]s (SELECT %[9]s FROM %[10]s))
  ORDER BY %[5]s, %[2]s DESC, %[7]s DESC
  LIMIT 1 BY %[5]s)
WHERE (%[5]s) %[16]s (SELECT %[5]s FROM %[14]s)
  AND (%[5]s, %[3]s) %[16]s (SELECT %[5]s, %[3]s FROM %[15]s)`,
		colList, version, ch.Ident(finalVersion), updates, key, l.in(), tg, l.timeLiteral(cutoff),
		corr, summaries, ch.Ident(schema.CallStartTime), ch.Ident(schema.CallDuration), l.timeLiteral(now),
		l.dataTable(final), l.derivedTable(final, false), l.notIn())

	count := fmt.Sprintf(`SELECT count(), countIf((%[1]s) %[2]s (SELECT %[1]s FROM %[3]s)) FROM (%[4]s)`,
		key, l.in(), l.derivedTable(final, false), settled)
	r, err := w.s.opts.Conn.Query(ctx, count, nil)
	if err != nil {
		return 0, 0, err
	}
	if len(r.Rows) != 1 || len(r.Rows[0]) != 2 {
		return 0, 0, fmt.Errorf("counting settled rows: %d rows", len(r.Rows))
	}
	n, err := intValue(r.Rows[0][0])
	if err != nil || n == 0 {
		return 0, 0, err
	}
	k, err := intValue(r.Rows[0][1])
	if err != nil {
		return 0, 0, err
	}
	insert := fmt.Sprintf("INSERT INTO %s (%s, %s) %s", l.derivedTable(final, false), colList, ch.Ident(finalVersion), settled)
	if err := w.s.opts.Conn.Exec(ctx, insert, w.insertSettings()); err != nil {
		return 0, 0, err
	}
	return int(n), int(k), nil
}

// insertSettings are the settings of every write.
func (w *workspace) insertSettings() ch.Settings {
	if w.l.Cluster != "" {
		// Written to the shards before the statement returns, not queued
		// on this node: callers rely on a write being there once it
		// returns.
		return ch.Settings{"insert_distributed_sync": "1"}
	}
	return nil
}

// Scan implements store.Workspace.
func (w *workspace) Scan(ctx context.Context, t *schema.Table, columns []string, from, to time.Time, fn func(row []any) error) error {
	types := make([]schema.Type, len(columns))
	quoted := make([]string, len(columns))
	for i, c := range columns {
		j := t.ColumnIndex(c)
		if j < 0 {
			return fmt.Errorf("clickhouse: %s has no column %s", t.Name, c)
		}
		types[i], quoted[i] = t.Columns[j].Type, ch.Ident(c)
	}
	tg := ch.Ident(schema.TimeGenerated)
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s >= %s AND %s < %s", strings.Join(quoted, ", "), w.l.view(t),
		tg, w.l.timeLiteral(from), tg, w.l.timeLiteral(to))
	r, err := w.s.opts.Conn.Query(ctx, q, nil)
	if err != nil {
		return err
	}
	row := make([]any, len(columns))
	for n, raw := range r.Rows {
		for i, v := range raw {
			x, err := value(v, r.Columns[i].Type, types[i])
			if err != nil {
				return fmt.Errorf("clickhouse: %s row %d column %s: %v", t.Name, n, columns[i], err)
			}
			row[i] = x
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	return nil
}

// Replace implements store.Workspace. A table whose rows have a key (the
// Usage table: an hour and a table) is a ReplacingMergeTree on it: the
// new rows are written with the time of the write, then the older rows of
// the range are deleted. Readers see the newest write of each key
// throughout, and two nodes replacing the same range at once leave the
// newer write. Other tables lose the range's rows, then get the new ones.
func (w *workspace) Replace(ctx context.Context, t *schema.Table, from, to time.Time, rows [][]any) error {
	tg := ch.Ident(schema.TimeGenerated)
	inRange := fmt.Sprintf("%s >= %s AND %s < %s", tg, w.l.timeLiteral(from), tg, w.l.timeLiteral(to))
	if rowKey(t) == nil {
		if err := w.mutate(ctx, w.l.localTable(t), "DELETE WHERE "+inRange); err != nil {
			return err
		}
		return w.insert(ctx, t, rows, newToken(), nil)
	}
	written := uint64(time.Now().UnixNano())
	if len(rows) > 0 {
		if err := w.insert(ctx, t, rows, newToken(), []field{{writtenColumn, written}}); err != nil {
			return err
		}
	}
	return w.mutate(ctx, w.l.localTable(t), fmt.Sprintf("DELETE WHERE %s AND %s < %d", inRange, ch.Ident(writtenColumn), written))
}

// Retain implements store.Workspace. From 19.6 a table's rows expire by
// a TTL on TimeGenerated, which the server applies as it merges parts, so
// that old data goes even when no callscope node runs; the table's TTL is
// changed only when the retention differs from it. Before 19.6 there is
// no TTL: DeleteBefore drops the old days.
func (w *workspace) Retain(ctx context.Context, t *schema.Table, days int) error {
	if !w.l.Features.TTL || days <= 0 {
		return nil
	}
	ttl := ttlExpr(days)
	tables := []string{w.l.localTable(t)}
	if t.Updates != "" {
		tables = append(tables, w.l.derivedTable(t, true))
	}
	for i, node := range w.s.opts.Nodes {
		for _, table := range tables {
			db, name, _ := strings.Cut(table, ".")
			r, err := node.Query(ctx, fmt.Sprintf("SELECT engine_full FROM system.tables WHERE database = %s AND name = %s",
				ch.String(unquote(db)), ch.String(unquote(name))), nil)
			if err != nil {
				return fmt.Errorf("clickhouse: reading the TTL of %s on node %d: %w", t.Name, i+1, err)
			}
			var engine string
			if len(r.Rows) == 1 {
				json.Unmarshal(r.Rows[0][0], &engine)
			}
			if strings.Contains(engine, "TTL "+ttl+" ") || strings.HasSuffix(engine, "TTL "+ttl) {
				continue
			}
			// Rows already past the new TTL go by DeleteBefore, at once;
			// the server need not rewrite every part to find them.
			settings, err := w.skipMaterializeTTL(ctx, node)
			if err != nil {
				return err
			}
			if err := node.Exec(ctx, fmt.Sprintf("ALTER TABLE %s MODIFY TTL %s", table, ttl), settings); err != nil {
				return fmt.Errorf("clickhouse: setting the TTL of %s on node %d: %w", t.Name, i+1, err)
			}
		}
	}
	return nil
}

// skipMaterializeTTL is the setting that keeps ALTER … MODIFY TTL from
// rewriting every part at once, on releases that have it (from 20.x).
func (w *workspace) skipMaterializeTTL(ctx context.Context, node Conn) (ch.Settings, error) {
	r, err := node.Query(ctx, "SELECT count() FROM system.settings WHERE name = 'materialize_ttl_after_modify'", nil)
	if err != nil {
		return nil, err
	}
	if n, err := scalarInt(r); err != nil || n == 0 {
		return nil, err
	}
	return ch.Settings{"materialize_ttl_after_modify": "0"}, nil
}

// DeleteBefore implements store.Workspace. Whole days go by dropping
// their partitions, which is immediate; the rest of the boundary day, and
// derived final rows (kept without partitions), by a delete mutation.
func (w *workspace) DeleteBefore(ctx context.Context, t *schema.Table, before time.Time) (int64, error) {
	before = before.UTC()
	tg := ch.Ident(schema.TimeGenerated)
	old := fmt.Sprintf("%s < %s", tg, w.l.timeLiteral(before))
	r, err := w.s.opts.Conn.Query(ctx, fmt.Sprintf("SELECT count() FROM %s WHERE %s", w.l.view(t), old), nil)
	if err != nil {
		return 0, err
	}
	n, err := scalarInt(r)
	if err != nil || n == 0 {
		return 0, err
	}
	day := before.Format("20060102")
	for i, node := range w.s.opts.Nodes {
		db, name, _ := strings.Cut(w.l.localTable(t), ".")
		parts, err := node.Query(ctx, fmt.Sprintf("SELECT DISTINCT partition FROM system.parts WHERE database = %s AND table = %s AND active AND partition < %s",
			ch.String(unquote(db)), ch.String(unquote(name)), ch.String(day)), nil)
		if err != nil {
			return 0, fmt.Errorf("clickhouse: listing the days of %s on node %d: %w", t.Name, i+1, err)
		}
		for _, p := range parts.Rows {
			var id string
			if v, err := value(p[0], "String", schema.String); err == nil {
				id, _ = v.(string)
			}
			if err := node.Exec(ctx, fmt.Sprintf("ALTER TABLE %s DROP PARTITION %s", w.l.localTable(t), id), nil); err != nil {
				return 0, fmt.Errorf("clickhouse: dropping day %s of %s on node %d: %w", id, t.Name, i+1, err)
			}
		}
	}
	rest, err := w.s.opts.Conn.Query(ctx, fmt.Sprintf("SELECT count() FROM %s WHERE %s", w.l.dataTable(t), old), nil)
	if err != nil {
		return 0, err
	}
	if k, err := scalarInt(rest); err != nil {
		return 0, err
	} else if k > 0 {
		if err := w.mutate(ctx, w.l.localTable(t), "DELETE WHERE "+old); err != nil {
			return 0, err
		}
	}
	if t.Updates != "" {
		if err := w.mutate(ctx, w.l.derivedTable(t, true), "DELETE WHERE "+old); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// Volume implements store.Workspace: what users see of a table, per hour.
func (w *workspace) Volume(ctx context.Context, t *schema.Table, from, to time.Time) ([]store.HourVolume, error) {
	bytes := "0"
	if t.ColumnIndex(schema.BilledSize) >= 0 {
		bytes = "sum(ifNull(" + ch.Ident(schema.BilledSize) + ", 0))"
	}
	tg := ch.Ident(schema.TimeGenerated)
	q := fmt.Sprintf("SELECT toStartOfHour(%[1]s) AS h, count(), toFloat64(%[2]s) FROM %[3]s WHERE %[1]s >= %[4]s AND %[1]s < %[5]s GROUP BY h ORDER BY h",
		tg, bytes, w.l.view(t), w.l.timeLiteral(from), w.l.timeLiteral(to))
	r, err := w.s.opts.Conn.Query(ctx, q, nil)
	if err != nil {
		return nil, err
	}
	var out []store.HourVolume
	for _, raw := range r.Rows {
		h, err1 := value(raw[0], r.Columns[0].Type, schema.DateTime)
		n, err2 := value(raw[1], r.Columns[1].Type, schema.Long)
		b, err3 := value(raw[2], r.Columns[2].Type, schema.Real)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("clickhouse: volume of %s: %v", t.Name, raw)
		}
		out = append(out, store.HourVolume{Hour: h.(time.Time), Records: n.(int64), Bytes: b.(float64)})
	}
	return out, nil
}
