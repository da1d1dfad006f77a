// Package clickhouse stores workspaces in ClickHouse, behind the Store
// interface of package store.
//
// Each workspace is a database. Each table of the schema is kept in a
// MergeTree table of its stored columns, partitioned by the day of
// TimeGenerated and ordered by call id then time, so one call's rows sit
// together and a day is dropped as a whole. Users query a view of the same
// name that adds the derived columns (TenantId, Type, …), exactly as the
// DuckDB store does. On a cluster the MergeTree tables are local to every
// node and a Distributed table over them sits between the view and the
// data, so any node reads and writes all shards.
package clickhouse

import (
	"fmt"
	"strings"

	ch "github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/schema"
)

// Layout names and creates the tables of one workspace on one server
// release, alone or in a cluster.
type Layout struct {
	Database    string // the workspace's database
	Cluster     string // "" on a single server
	WorkspaceID string
	Features    ch.Features
}

// DatabaseName is the database of a workspace: the configured database's
// name, an underscore, the workspace's name.
func DatabaseName(base, workspace string) string { return base + "_" + workspace }

// localTable holds the rows; on a single server it is also what the view
// reads.
func (l Layout) localTable(t *schema.Table) string {
	return ch.Ident(l.Database) + "." + ch.Ident("_"+t.Name+"_local")
}

// dataTable is what reads and writes go to: the Distributed table on a
// cluster, the local table otherwise.
func (l Layout) dataTable(t *schema.Table) string {
	if l.Cluster == "" {
		return l.localTable(t)
	}
	return ch.Ident(l.Database) + "." + ch.Ident("_"+t.Name)
}

// view is the table users query.
func (l Layout) view(t *schema.Table) string { return ch.Ident(l.Database) + "." + ch.Ident(t.Name) }

// callKey is the column a table's rows are grouped by: the call id.
func callKey(t *schema.Table) string {
	for _, name := range []string{"CorrelationId", "CallId"} {
		if t.ColumnIndex(name) >= 0 {
			return name
		}
	}
	return ""
}

// columnType is the ClickHouse type of a stored column. Values may be
// missing, so every column but TimeGenerated is Nullable. Times are
// DateTime64(6) where the server has it (microseconds, as DuckDB keeps
// them); older servers keep whole seconds in DateTime.
func (l Layout) columnType(c schema.Column) string {
	var t string
	switch c.Type {
	case schema.String, schema.GUID, schema.Dynamic:
		t = "String"
	case schema.DateTime:
		t = "DateTime('UTC')"
		if l.Features.DateTime64 {
			t = "DateTime64(6, 'UTC')"
		}
	case schema.Long:
		t = "Int64"
	case schema.Int:
		t = "Int32"
	case schema.Real:
		t = "Float64"
	case schema.Bool:
		t = "UInt8"
	default:
		panic(fmt.Sprintf("clickhouse: no column type for %v", c.Type))
	}
	if c.Name == schema.TimeGenerated {
		return t
	}
	return "Nullable(" + t + ")"
}

// storedColumns are the columns a table keeps: the schema's stored ones.
func storedColumns(t *schema.Table) []schema.Column {
	var cols []schema.Column
	for _, i := range t.StoredColumns() {
		cols = append(cols, t.Columns[i])
	}
	return cols
}

// The store's own bookkeeping columns, which no view shows.
const (
	// batchColumn holds the token of the Append that wrote a row, so that
	// a batch that failed half way, or whose outcome is unknown, can be
	// counted and taken back before it is tried again.
	batchColumn = "_Batch"
	// finalVersion is, in a derived final row, the update version it was
	// derived from plus one (0 for an update without a version): the
	// version a ReplacingMergeTree keeps the highest of.
	finalVersion = "_FinalVersion"
	// writtenColumn is when a replaced row was written (Unix nanoseconds):
	// the newest write of a key is the one a view shows.
	writtenColumn = "_Written"
)

// rowKey lists the columns that identify a row of a table that the
// derived jobs write, where every callscope node of a cluster may write
// the same row: the Usage table (an hour and a table, rewritten by
// Replace) and the daily ACSCallingMetrics (a dimension set and the
// newest call it counts). The table is a ReplacingMergeTree on the key,
// read with FINAL, so a row written twice shows once and the newest write
// of a key wins. Other tables have no key (nil): their rows are as sent.
func rowKey(t *schema.Table) []string {
	switch t.Name {
	case schema.UsageTable:
		return []string{schema.TimeGenerated, schema.UsageDataType}
	case schema.CallingMetricsTable:
		return []string{schema.CorrelationID, "TimestampMax"}
	}
	return nil
}

// derivedTable is where Finalize writes the final rows it derives from
// updates: apart from the rows sent as finals, so that several callscope
// nodes may finalise at once. It is a ReplacingMergeTree on the final key,
// read with FINAL, so a row derived twice is shown once and a higher
// version displaces a lower one.
func (l Layout) derivedTable(t *schema.Table, local bool) string {
	name := "_" + t.Name + "_derived"
	if local || l.Cluster == "" {
		name += "_local"
	}
	return ch.Ident(l.Database) + "." + ch.Ident(name)
}

// ttlExpr is the TTL expression that keeps a table's rows for days after
// their TimeGenerated, written as system.tables shows it again (without
// quotes), so that a table's current TTL can be recognised.
func ttlExpr(days int) string {
	return fmt.Sprintf("toDateTime(%s) + toIntervalDay(%d)", schema.TimeGenerated, days)
}

// keyExprs renders key columns so that missing values compare equal: the
// sorting key of a MergeTree may not be Nullable on older servers.
func (l Layout) keyExprs(t *schema.Table, alias string, cols []string) []string {
	var out []string
	for _, name := range cols {
		ref := ch.Ident(name)
		if alias != "" {
			ref = alias + "." + ref
		}
		c := t.Columns[t.ColumnIndex(name)]
		switch {
		case name == schema.TimeGenerated:
			out = append(out, ref)
		case c.Type == schema.Long || c.Type == schema.Int:
			out = append(out, "ifNull("+ref+", -1)")
		case c.Type == schema.DateTime:
			zero := "toDateTime(0, 'UTC')"
			if l.Features.DateTime64 {
				zero = "toDateTime64(0, 6, 'UTC')"
			}
			out = append(out, "ifNull("+ref+", "+zero+")")
		default:
			out = append(out, "ifNull("+ref+", '')")
		}
	}
	return out
}

// Create returns the statements that create the workspace on one node, in
// order. They may run again: every statement is IF NOT EXISTS. On a
// cluster the caller runs them on every node: ON CLUSTER needs a
// coordinator (ZooKeeper) that a cluster may not have.
func (l Layout) Create() []string {
	stmts := []string{"CREATE DATABASE IF NOT EXISTS " + ch.Ident(l.Database)}
	for _, t := range schema.Tables() {
		stmts = append(stmts, l.createLocal(t))
		if l.Cluster != "" {
			// Rows with a key go to the shard of their key, so that FINAL
			// sees every write of it.
			shardBy := "rand()"
			if key := rowKey(t); key != nil {
				shardBy = "cityHash64(" + strings.Join(l.keyExprs(t, "", key), ", ") + ")"
			}
			stmts = append(stmts, l.createDistributed(l.dataTable(t), l.localTable(t), shardBy))
		}
		if t.Updates != "" {
			stmts = append(stmts, l.createDerived(t))
			if l.Cluster != "" {
				// One call's rows on one shard, so FINAL sees all versions.
				stmts = append(stmts, l.createDistributed(l.derivedTable(t, false), l.derivedTable(t, true),
					"cityHash64("+l.keyExprs(t, "", t.FinalKey[:1])[0]+")"))
			}
		}
		stmts = append(stmts, l.createView(t))
	}
	return stmts
}

// Drop returns the statement that deletes the workspace on one node.
func (l Layout) Drop() string { return "DROP DATABASE IF EXISTS " + ch.Ident(l.Database) }

func (l Layout) createDistributed(table, local, shardBy string) string {
	db, name, _ := strings.Cut(local, ".")
	return fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s AS %s ENGINE = Distributed(%s, %s, %s, %s)",
		table, local, ch.Ident(l.Cluster), db, name, shardBy)
}

// columnList renders column definitions.
func (l Layout) columnList(b *strings.Builder, cols []schema.Column, extra ...string) {
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "%s %s", ch.Ident(c.Name), l.columnType(c))
	}
	for _, e := range extra {
		b.WriteString(", ")
		b.WriteString(e)
	}
}

func (l Layout) createLocal(t *schema.Table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (", l.localTable(t))
	extra := []string{ch.Ident(batchColumn) + " String"}
	engine := "MergeTree()"
	order := []string{}
	if key := rowKey(t); key != nil {
		extra = append(extra, ch.Ident(writtenColumn)+" UInt64")
		engine = "ReplacingMergeTree(" + ch.Ident(writtenColumn) + ")"
		order = l.keyExprs(t, "", key)
	} else {
		if k := callKey(t); k != "" {
			order = append(order, "ifNull("+ch.Ident(k)+", '')")
		}
		order = append(order, ch.Ident(schema.TimeGenerated))
	}
	l.columnList(&b, storedColumns(t), extra...)
	fmt.Fprintf(&b, ") ENGINE = %s PARTITION BY toYYYYMMDD(%s) ORDER BY (%s)", engine, ch.Ident(schema.TimeGenerated), strings.Join(order, ", "))
	return b.String()
}

// createDerived creates the table of derived final rows. It has no
// partitions: versions of one participant may be days apart, and a
// ReplacingMergeTree only replaces rows within a partition.
func (l Layout) createDerived(t *schema.Table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (", l.derivedTable(t, true))
	l.columnList(&b, storedColumns(t), ch.Ident(finalVersion)+" UInt64")
	fmt.Fprintf(&b, ") ENGINE = ReplacingMergeTree(%s) ORDER BY (%s)", ch.Ident(finalVersion), strings.Join(l.keyExprs(t, "", t.FinalKey), ", "))
	return b.String()
}

// createView adds the derived columns to the stored ones, in the schema's
// column order. A final table's view adds the derived final rows of every
// participant or stream that has no row sent as final; a replaced table's
// view shows the newest write of each key.
func (l Layout) createView(t *schema.Table) string {
	cols := l.viewColumns(t)
	q := fmt.Sprintf("SELECT %s FROM %s", cols, l.dataTable(t))
	switch {
	case t.Updates != "":
		key := strings.Join(l.keyExprs(t, "", t.FinalKey), ", ")
		q += fmt.Sprintf(" UNION ALL SELECT %s FROM %s FINAL WHERE (%s) %s (SELECT %s FROM %s)",
			cols, l.derivedTable(t, false), key, l.notIn(), key, l.dataTable(t))
	case rowKey(t) != nil:
		q += " FINAL"
	}
	return fmt.Sprintf("CREATE VIEW IF NOT EXISTS %s AS %s", l.view(t), q)
}

// notIn is NOT IN, made GLOBAL on a cluster: the set is read once from all
// shards rather than by each shard from its own rows.
func (l Layout) notIn() string {
	if l.Cluster != "" {
		return "GLOBAL NOT IN"
	}
	return "NOT IN"
}

func (l Layout) viewColumns(t *schema.Table) string {
	var b strings.Builder
	for i, c := range t.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		if expr := l.derivation(t, c); expr != "" {
			fmt.Fprintf(&b, "%s AS %s", expr, ch.Ident(c.Name))
		} else {
			b.WriteString(ch.Ident(c.Name))
		}
	}
	return b.String()
}
func (l Layout) derivation(t *schema.Table, c schema.Column) string {
	switch c.Derived {
	// Constants are materialised: through a Distributed table a shard
	// returns them as ordinary columns, and a view over a UNION ALL must
	// give each column one kind in every branch.
	case schema.DerivedWorkspaceID:
		return "materialize(" + ch.String(l.WorkspaceID) + ")"
	case schema.DerivedTableName:
		return "materialize(" + ch.String(t.Name) + ")"
	case schema.DerivedCategory:
		return "materialize(" + ch.String(t.Category) + ")"
	case schema.DerivedConstant:
		return "materialize(" + ch.String(c.Value) + ")"
	case schema.DerivedSubscription:
		rid := ch.Ident(schema.ResourceID)
		return fmt.Sprintf("if(startsWith(ifNull(%s, ''), '/subscriptions/') AND splitByChar('/', ifNull(%s, ''))[3] != '', splitByChar('/', ifNull(%s, ''))[3], NULL)", rid, rid, rid)
	}
	return ""
}
