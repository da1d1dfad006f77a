// Package sqlgen writes a checked KQL query (package kql) as one SQL
// statement. The statement's shape — subqueries, joins, grouping, unions,
// common table expressions — is standard SQL and written here; everything
// an engine spells its own way (functions, JSON, literals, lists) goes
// through a Dialect, so that adding an engine means writing a Dialect and
// nothing else.
package sqlgen

import (
	"github.com/callscope/callscope/internal/kql"
)

// Dialect writes the engine-specific parts of a statement.
type Dialect interface {
	// Name names the engine ("duckdb").
	Name() string
	// Ident quotes an identifier.
	Ident(name string) string
	// String quotes a string literal. It is the one function through
	// which text from a query reaches SQL.
	String(s string) string
	// Const writes a constant of any KQL type, null included.
	Const(k *kql.Const) string
	// Type is the SQL type that holds values of a KQL type.
	Type(t kql.Type) string

	// Call writes a scalar operation whose arguments are already SQL.
	// The generator itself writes comparisons, logic, conditionals and
	// arithmetic; Call gets every other operation.
	Call(c *kql.Call, args []string) string
	// Aggregate writes an aggregation. args are its arguments' SQL,
	// filter the SQL of its predicate ("" if none), order the ORDER BY
	// list of a serialized input ("" if none). Each output is an
	// expression of the grouping query, or, when Outer is set, Outer[i]
	// is an expression over the grouping query's columns, in which $k
	// stands for the k-th Inner expression.
	Aggregate(ac *kql.AggCall, args []string, filter, order string) (inner, outer []string)
	// Window writes a function over the rows in order (order is an
	// ORDER BY list, or "" for the rows as they come).
	Window(w *kql.Window, args []string, order string) string

	// ExpandElements writes the list that mv-expand turns into rows: the
	// elements of an array, the properties of a bag (each as a one-
	// property bag), a single null for null; at most limit (0: all).
	ExpandElements(x string, limit int64) string
	// Unnest turns a list into rows in a select list; several Unnest
	// calls in one select run side by side, padded with nulls.
	Unnest(list string) string
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
