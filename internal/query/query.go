// Package query runs KQL against a workspace, as the Log Analytics query
// API does: it compiles the query (package kql) against the workspace's
// tables, writes it in the store's SQL dialect (package sqlgen), runs it
// through the store, and types the answer with KQL's types.
package query

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	ch "github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/kql/sqlgen"
	"github.com/callscope/callscope/internal/kql/sqlgen/clickhousesql"
	"github.com/callscope/callscope/internal/kql/sqlgen/duckdbsql"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

// Limits that apply when a Request leaves them at zero.
const (
	DefaultMaxRows = 30_000 // Log Analytics' own default cap of rows per answer
	DefaultTimeout = 3 * time.Minute
)

// Request is one query.
type Request struct {
	Query string
	// From and To bound every table's TimeGenerated (the API's timespan);
	// nil for no bound.
	From, To *time.Time
	// Now is now() for the query; zero means the time the query runs.
	Now time.Time
	// Parameters override the defaults of declare query_parameters.
	Parameters map[string]string
	MaxRows    int           // rows returned at most; 0 for DefaultMaxRows
	Timeout    time.Duration // 0 for DefaultTimeout
}

// Result is a query's answer.
type Result struct {
	store.Result
	Render *kql.Render // the visualization the query asked for, if any
	SQL    string      // the statement that ran

	Compile time.Duration // parsing, checking and SQL generation
	Execute time.Duration // running the statement and reading its rows
}

// Translation is a compiled query: its checked form and its SQL.
type Translation struct {
	Checked   *kql.CheckedQuery
	Statement *sqlgen.Statement
}

// ErrUnsupported wraps a construct that the dialect cannot write.
var ErrUnsupported = errors.New("not supported")

// Dialect returns the SQL dialect of a storage engine: "duckdb", or
// "clickhouse" and the server's release ("clickhouse 18.16.1"), from which
// the dialect knows what SQL the server reads.
func Dialect(engine string) (sqlgen.Dialect, error) {
	if engine == "duckdb" {
		return duckdbsql.Dialect{}, nil
	}
	if release, ok := strings.CutPrefix(engine, "clickhouse "); ok {
		v, err := ch.ParseVersion(release)
		if err != nil {
			return nil, fmt.Errorf("no KQL dialect for the %q engine: %v", engine, err)
		}
		return clickhousesql.New(v), nil
	}
	return nil, fmt.Errorf("no KQL dialect for the %q engine", engine)
}

// Translate compiles a query and writes its SQL. Errors in the query are
// *kql.Error with a position.
func Translate(engine string, req Request) (*Translation, error) {
	d, err := Dialect(engine)
	if err != nil {
		return nil, err
	}
	now := req.Now
	if now.IsZero() {
		now = time.Now()
	}
	checked, err := kql.Compile(req.Query, kql.Options{
		Tables: func(name string) *schema.Table { return schema.ByName(name) },
		Views: func(name string) string {
			if v := schema.ViewByName(name); v != nil {
				return v.Query
			}
			return ""
		},
		Now:        now,
		From:       req.From,
		To:         req.To,
		Parameters: req.Parameters,
	})
	if err != nil {
		return nil, err
	}
	st, err := sqlgen.Generate(checked, d, sqlgen.Options{MaxRows: maxRows(req)})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupported, err)
	}
	return &Translation{Checked: checked, Statement: st}, nil
}

func maxRows(req Request) int {
	if req.MaxRows > 0 {
		return req.MaxRows
	}
	return DefaultMaxRows
}

// Run compiles and runs a query against a workspace of a store whose
// engine is engine.
func Run(ctx context.Context, ws store.Workspace, engine string, req Request) (*Result, error) {
	start := time.Now()
	tr, err := Translate(engine, req)
	if err != nil {
		return nil, err
	}
	compiled := time.Now()
	types := make([]schema.Type, len(tr.Statement.Columns))
	for i, c := range tr.Statement.Columns {
		types[i] = c.Type
	}
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	res, err := ws.Query(ctx, tr.Statement.SQL, store.QueryOptions{MaxRows: maxRows(req), Timeout: timeout, Types: types, Prelude: tr.Statement.Prelude})
	if err != nil {
		return nil, err
	}
	out := &Result{Result: *res, Render: tr.Checked.Render, SQL: tr.Statement.Text(),
		Compile: compiled.Sub(start), Execute: time.Since(compiled)}
	// The result speaks KQL: its columns carry the query's names, and a
	// string is never null.
	for i, c := range tr.Statement.Columns {
		out.Columns[i].Name = c.Name
		if c.Type == schema.String || c.Type == schema.GUID {
			for _, row := range out.Rows {
				if row[i] == nil {
					row[i] = ""
				}
			}
		}
	}
	return out, nil
}
