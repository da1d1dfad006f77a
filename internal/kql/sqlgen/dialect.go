// Package sqlgen writes a checked KQL query (package kql) as one SQL
// statement. The statement's shape — subqueries, joins, grouping, unions,
// common table expressions — is standard SQL and written here; everything
// an engine spells its own way (functions, JSON, literals, lists) goes
// through a Dialect, so that adding an engine means writing a Dialect and
// nothing else.
//
// Where an engine lacks a shape of statement (Features), the generator
// writes one that means the same from what the engine has: a let-bound
// table at each use instead of a common table expression, window
// functions from arrays of the rows in order (RowArrays), joins on key
// columns of one name (Features.KeyColumnJoins).
package sqlgen

import (
	"time"

	"github.com/callscope/callscope/internal/kql"
)

// Dialect writes the engine-specific parts of a statement.
type Dialect interface {
	// Name names the engine ("duckdb").
	Name() string
	// Features says which shapes of statement the engine reads.
	Features() Features
	// Ident quotes an identifier.
	Ident(name string) string
	// String quotes a string literal. It is the one function through
	// which text from a query reaches SQL.
	String(s string) string
	// Const writes a constant of any KQL type, null included.
	Const(k *kql.Const) string
	// Type is the SQL type that holds values of a KQL type.
	Type(t kql.Type) string

	// Table reads a table of the workspace: a SELECT whose columns are
	// cols, under their own names, each holding its KQL type as the
	// dialect represents it. When timeCol is a column's position, from
	// and to (nil for none) bound it, both included.
	Table(table string, cols []kql.Column, timeCol int, from, to *time.Time) string

	// Call writes a scalar operation whose arguments are already SQL.
	// The generator itself writes comparisons, logic, conditionals and
	// arithmetic; Call gets every other operation.
	Call(c *kql.Call, args []string) string
	// Aggregate writes an aggregation. args are its arguments' SQL,
	// filter the SQL of its predicate ("" if none), order the order of
	// a serialized input ("" if none): an ORDER BY list, or, where the
	// engine has no ORDER BY inside aggregations
	// (Features.OrderedAggregates false), one expression whose ascending
	// order is the rows' order. Each output is an expression of the
	// grouping query, or, when Outer is set, Outer[i] is an expression
	// over the grouping query's columns, in which $k stands for the k-th
	// Inner expression.
	Aggregate(ac *kql.AggCall, args []string, filter, order string) (inner, outer []string)
	// Window writes a function over the rows in order (order is an
	// ORDER BY list, or "" for the rows as they come). It is called only
	// when the engine has window functions.
	Window(w *kql.Window, args []string, order string) string

	// ExpandElements writes the list that mv-expand turns into rows: the
	// elements of an array, the properties of a bag (each as a one-
	// property bag), a single null for null; at most limit (0: all).
	ExpandElements(x string, limit int64) string
	// Unnest turns lists into rows: it returns, for each list, the item
	// of a select list that gives its elements, one per row. The lists
	// run side by side, the shorter ones padded with nulls.
	Unnest(lists []string) []string
	// ListIndexes is the list of positions 0…n-1 of a list, for
	// with_itemindex.
	ListIndexes(list string) string
	// FromDynamic converts an expanded element (dynamic) to a type, null
	// where it does not convert.
	FromDynamic(x string, t kql.Type) string

	// Series is a FROM item of one column named col holding from, from
	// + step, … up to to, included or not.
	Series(col, from, to, step string, t kql.Type, inclusive bool) string
	// FirstPerKey keeps one arbitrary row per distinct keys of the query
	// sql (for join kind=innerunique); its columns are cols.
	FirstPerKey(sql string, keys []string, cols []string) string
	// Result writes how a column of the result is returned: dynamic
	// values as their JSON text, other values as they are.
	Result(x string, t kql.Type) string
	// Materialized is the keyword that makes a common table expression
	// computed once ("" if the engine has none).
	Materialized() string
}

// TemporaryTables is what a dialect for an engine without common table
// expressions provides if the engine can compute a query into a
// temporary table that later statements of the same session read. The
// generator then computes a let-bound table used more than once (or
// materialized) first, by a statement of Statement.Prelude, rather than
// writing its query out at each use: nested lets otherwise multiply into
// statements of megabytes that take longer to plan than to run.
type TemporaryTables interface {
	// TemporaryTable is the statement that creates the temporary table
	// name (an identifier as Ident writes it) from a query.
	TemporaryTable(name, query string) string
}

// Features are the shapes of statement an engine reads. Where one is
// false the generator writes the statement another way.
type Features struct {
	// CommonTableExpressions: WITH name AS (SELECT …). Without them a
	// let-bound table used more than once is written out at each use.
	CommonTableExpressions bool
	// WindowFunctions: f(…) OVER (ORDER BY …). Without them the dialect
	// must be a RowArrays, from which the generator computes window
	// functions over arrays of the rows in order.
	WindowFunctions bool
	// OrderedAggregates: ORDER BY inside an aggregation, for make_list
	// after sort. Without it the dialect must be a RowArrays: the
	// generator numbers the rows in order and passes the number to
	// Aggregate as the order.
	OrderedAggregates bool
	// FreshNames: every select names its outputs apart from its input's
	// columns. Engines whose aliases shadow the input's columns inside
	// the same SELECT (ClickHouse) need it: there, in
	// SELECT a * 10 AS a, a + 1 AS b, b reads the new a.
	FreshNames bool
	// KeyColumnJoins: a join is written as an equi-join USING key columns
	// that both sides compute under the same generated names, every other
	// column renamed apart, each side marked so that an outer join's
	// missing side reads as null rather than as the engine's defaults;
	// semi- and anti-joins as IN over the key columns; and a select
	// holds at most one join. ClickHouse needs all of that: its outer
	// joins fill a missing side with default values (join_use_nulls is
	// off), it has no correlated EXISTS, releases before 19 take one join
	// per SELECT and mishandle ON between columns of different names.
	KeyColumnJoins bool
}

// RowArrays is what a dialect for an engine without window functions
// (or without ORDER BY inside aggregations) provides, so that the
// generator can compute them from arrays: it numbers the rows in order,
// collects each column into one array in that order, computes each window
// function over whole arrays, and unnests the arrays back into rows.
type RowArrays interface {
	// NumberRows is a SELECT of every column of the query sql and col,
	// each row's position (from 1) in order (an ORDER BY list; "" for
	// the rows as they come).
	NumberRows(sql, order, col string) string
	// CollectInOrder is an aggregation: the list of x over the rows,
	// nulls included, in the ascending order of number.
	CollectInOrder(x, number string) string
	// WindowOverLists writes, from the lists of a window function's
	// arguments over all rows in order, the list of its values.
	WindowOverLists(w *kql.Window, args []string) string
}

// UnionColumns is what a dialect provides whose engine needs the columns
// of a union's inputs written its own way.
type UnionColumns interface {
	// UnionColumn writes x, a column of one input of a union, as the
	// union's column.
	UnionColumn(x string) string
}
