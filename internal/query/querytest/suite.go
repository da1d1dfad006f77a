package querytest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/query"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

// Case is one query of the suite and its answer, worked out by hand from
// the fixture.
type Case struct {
	Name  string
	Query string
	// Columns are the result's columns as "name:type" (Log Analytics type
	// names); nil to skip the check.
	Columns []string
	// Rows are the expected rows, each value written as Format writes it.
	Rows [][]string
	// Ordered says the rows must come in this order; otherwise both sides
	// are sorted before comparing.
	Ordered bool
	// Error, when set, is a part of the expected error message, and Line
	// and Column its expected position (0: not checked).
	Error        string
	Line, Column int
	// Render is the expected visualization, when the query renders.
	Render string
	// Timespan, when set, is the query's timespan (as the API takes it),
	// relative to Now.
	Timespan string
	// Params are values for declare query_parameters, as the API takes them.
	Params map[string]string
}

// Run loads the fixture into ws and runs every case of cases through the
// query layer with the store's engine.
func Run(t *testing.T, ws store.Workspace, engine string, cases []Case) {
	t.Helper()
	ctx := context.Background()
	if err := ws.Append(ctx, Batch()); err != nil {
		t.Fatalf("loading the fixture: %v", err)
	}
	names := map[string]bool{}
	for _, c := range cases {
		if names[c.Name] {
			t.Fatalf("two cases are named %q", c.Name)
		}
		names[c.Name] = true
		t.Run(c.Name, func(t *testing.T) { runCase(t, ctx, ws, engine, c) })
	}
}

func runCase(t *testing.T, ctx context.Context, ws store.Workspace, engine string, c Case) {
	req := query.Request{Query: c.Query, Now: Now, Timeout: time.Minute, Parameters: c.Params}
	if c.Timespan != "" {
		from, to, err := query.ParseTimespan(c.Timespan, Now)
		if err != nil {
			t.Fatalf("timespan: %v", err)
		}
		req.From, req.To = &from, &to
	}
	res, err := query.Run(ctx, ws, engine, req)
	if c.Error != "" {
		if err == nil {
			t.Fatalf("query succeeded; want an error containing %q", c.Error)
		}
		if !strings.Contains(err.Error(), c.Error) {
			t.Fatalf("error %q does not contain %q", err, c.Error)
		}
		var ke *kql.Error
		if c.Line > 0 {
			if !errors.As(err, &ke) {
				t.Fatalf("error %v has no position; want line %d column %d", err, c.Line, c.Column)
			}
			if ke.Position.Line != c.Line || ke.Position.Column != c.Column {
				t.Fatalf("error at line %d column %d; want line %d column %d (%v)", ke.Position.Line, ke.Position.Column, c.Line, c.Column, err)
			}
		}
		return
	}
	if err != nil {
		tr, terr := query.Translate(engine, query.Request{Query: c.Query, Now: Now, Parameters: c.Params})
		if terr == nil {
			t.Logf("SQL:\n%s", tr.Statement.Text())
		}
		t.Fatalf("query failed: %v", err)
	}
	if c.Columns != nil {
		var got []string
		for _, col := range res.Columns {
			got = append(got, col.Name+":"+col.Type.String())
		}
		if strings.Join(got, ", ") != strings.Join(c.Columns, ", ") {
			t.Errorf("columns\n got: %s\nwant: %s", strings.Join(got, ", "), strings.Join(c.Columns, ", "))
		}
	}
	got := make([][]string, len(res.Rows))
	for i, r := range res.Rows {
		got[i] = make([]string, len(r))
		for j, v := range r {
			got[i][j] = Format(v, res.Columns[j].Type)
		}
	}
	want := c.Rows
	if want == nil {
		want = [][]string{}
	}
	if !c.Ordered {
		got, want = sortedRows(got), sortedRows(want)
	}
	if rowsText(got) != rowsText(want) {
		t.Errorf("rows\n got:\n%s\nwant:\n%s", rowsText(got), rowsText(want))
		if tr, err := query.Translate(engine, query.Request{Query: c.Query, Now: Now, Parameters: c.Params}); err == nil {
			t.Logf("SQL:\n%s", tr.Statement.Text())
		}
	}
	if c.Render != "" {
		if res.Render == nil {
			t.Errorf("no render; want %s", c.Render)
		} else if r := renderString(res.Render); r != c.Render {
			t.Errorf("render %s; want %s", r, c.Render)
		}
	}
}

// renderString writes a render as "visualization k=v …" with sorted keys.
func renderString(r *kql.Render) string {
	var keys []string
	for k := range r.Props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := r.Visualization
	for _, k := range keys {
		s += fmt.Sprintf(" %s=%v", k, r.Props[k])
	}
	return s
}

func sortedRows(rows [][]string) [][]string {
	out := append([][]string(nil), rows...)
	sort.Slice(out, func(i, j int) bool { return strings.Join(out[i], "\x00") < strings.Join(out[j], "\x00") })
	return out
}

func rowsText(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("  " + strings.Join(r, " | ") + "\n")
	}
	return b.String()
}

// Format writes a result value for comparison: datetimes as ISO 8601 UTC,
// timespans as [d.]hh:mm:ss[.fffffff], reals to ten significant digits,
// dynamic values as compact JSON with sorted keys, null as "null" (a
// string is never null: it reads "").
func Format(v any, t schema.Type) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case time.Time:
		return kql.FormatDatetime(x)
	case time.Duration:
		return kql.FormatTimespan(int64(x / 100))
	case float64:
		return strconv.FormatFloat(x, 'g', 10, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case string:
		if t == schema.Dynamic {
			var d any
			if err := json.Unmarshal([]byte(x), &d); err == nil {
				b, _ := json.Marshal(d)
				return string(b)
			}
		}
		return x
	}
	return fmt.Sprint(v)
}
