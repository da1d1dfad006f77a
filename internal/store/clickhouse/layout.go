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

// Create returns the statements that create the workspace on one node, in
// order. They may run again: every statement is IF NOT EXISTS. On a
// cluster the caller runs them on every node: ON CLUSTER needs a
// coordinator (ZooKeeper) that a cluster may not have.
func (l Layout) Create() []string {
	stmts := []string{"CREATE DATABASE IF NOT EXISTS " + ch.Ident(l.Database)}
	for _, t := range schema.Tables() {
		stmts = append(stmts, l.createLocal(t))
		if l.Cluster != "" {
			stmts = append(stmts, fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s AS %s ENGINE = Distributed(%s, %s, %s, rand())",
				l.dataTable(t), l.localTable(t), ch.Ident(l.Cluster), ch.Ident(l.Database), ch.Ident("_"+t.Name+"_local")))
		}
		stmts = append(stmts, l.createView(t))
	}
	return stmts
}

func (l Layout) createLocal(t *schema.Table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (", l.localTable(t))
	for i, c := range storedColumns(t) {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %s", ch.Ident(c.Name), l.columnType(c))
	}
	order := []string{}
	if k := callKey(t); k != "" {
		order = append(order, "ifNull("+ch.Ident(k)+", '')")
	}
	order = append(order, ch.Ident(schema.TimeGenerated))
	fmt.Fprintf(&b, ") ENGINE = MergeTree() PARTITION BY toYYYYMMDD(%s) ORDER BY (%s)", ch.Ident(schema.TimeGenerated), strings.Join(order, ", "))
	return b.String()
}

// createView adds the derived columns to the stored ones, in the schema's
// column order.
func (l Layout) createView(t *schema.Table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE VIEW IF NOT EXISTS %s AS SELECT ", l.view(t))
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
	fmt.Fprintf(&b, " FROM %s", l.dataTable(t))
	return b.String()
}

func (l Layout) derivation(t *schema.Table, c schema.Column) string {
	switch c.Derived {
	case schema.DerivedWorkspaceID:
		return ch.String(l.WorkspaceID)
	case schema.DerivedTableName:
		return ch.String(t.Name)
	case schema.DerivedCategory:
		return ch.String(t.Category)
	case schema.DerivedConstant:
		return ch.String(c.Value)
	case schema.DerivedSubscription:
		rid := ch.Ident(schema.ResourceID)
		return fmt.Sprintf("if(startsWith(ifNull(%s, ''), '/subscriptions/') AND splitByChar('/', ifNull(%s, ''))[3] != '', splitByChar('/', ifNull(%s, ''))[3], NULL)", rid, rid, rid)
	}
	return ""
}
