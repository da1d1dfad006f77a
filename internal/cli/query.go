package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/query"
	"github.com/callscope/callscope/internal/store"
)

// queryCmd runs KQL, against a server (--url) or a data folder.
type queryCmd struct {
	store     storeFlags
	url       string
	key       string
	workspace string
	file      string
	timespan  string
	format    string
	maxRows   int
	timeout   time.Duration
	explain   bool
	params    paramFlags
}

// paramFlags collects --param name=value for declare query_parameters.
type paramFlags map[string]string

func (p paramFlags) String() string {
	var parts []string
	for k, v := range p {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func (p paramFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("write --param name=value")
	}
	p[k] = v
	return nil
}

func (c *queryCmd) flags(fs *flag.FlagSet) {
	c.store.register(fs, "data `directory` (one DuckDB file per workspace)")
	fs.StringVar(&c.url, "url", "", "query a running server at this `URL` instead of opening --data")
	fs.StringVar(&c.key, "key", "", "API key (a read key) sent as a Bearer token with --url")
	fs.StringVar(&c.workspace, "workspace", "default", "workspace to query")
	fs.StringVar(&c.file, "f", "", "read the query from this `file`")
	fs.StringVar(&c.timespan, "timespan", "", "bound every table's TimeGenerated: an ISO 8601 `duration` ending now (PT24H, P7D) or start/end")
	fs.StringVar(&c.format, "format", "table", "output format: table, json or csv")
	fs.IntVar(&c.maxRows, "max-rows", query.DefaultMaxRows, "most rows to return")
	fs.DurationVar(&c.timeout, "timeout", time.Minute, "longest the query may run")
	fs.BoolVar(&c.explain, "explain", false, "print the SQL the query becomes instead of running it")
	c.params = paramFlags{}
	fs.Var(c.params, "param", "value for a declare query_parameters `name=value` (repeatable)")
}

func (c *queryCmd) run(ctx context.Context, args []string) error {
	text, err := queryText(args, c.file)
	if err != nil {
		return err
	}
	if c.format != "table" && c.format != "json" && c.format != "csv" {
		return usagef("--format %q: use table, json or csv", c.format)
	}
	now := time.Now().UTC()
	req := query.Request{Query: text, Now: now, Parameters: c.params, MaxRows: c.maxRows, Timeout: c.timeout}
	if c.timespan != "" {
		from, to, err := query.ParseTimespan(c.timespan, now)
		if err != nil {
			return usagef("--timespan: %v", err)
		}
		req.From, req.To = &from, &to
	}
	if c.explain {
		// The SQL is the dialect of the store's engine; DuckDB's files
		// need not be opened for it (a server may hold them).
		engine := "duckdb"
		if c.store.clickhouse() {
			log, _ := newLogger(io.Discard, "error", "text")
			st, _, err := c.store.openClickHouse(ctx, log, nil)
			if err != nil {
				return err
			}
			engine = st.Engine()
			st.Close()
		}
		tr, err := query.Translate(engine, req)
		if err != nil {
			return describeQueryError(text, err)
		}
		fmt.Println(tr.Statement.Text())
		return nil
	}
	var res *queryResult
	if c.url != "" {
		res, err = c.remote(ctx, text)
	} else {
		res, err = c.local(ctx, req)
	}
	if err != nil {
		return describeQueryError(text, err)
	}
	return printResult(os.Stdout, res, c.format)
}

func (c *queryCmd) local(ctx context.Context, req query.Request) (*queryResult, error) {
	var out *queryResult
	err := withLocalWorkspace(ctx, c.store, c.workspace, func(st store.Store, ws store.Workspace) error {
		r, err := query.Run(ctx, ws, st.Engine(), req)
		if err != nil {
			return err
		}
		out = &queryResult{Columns: r.Columns, Rows: r.Rows}
		if r.Truncated {
			out.Note = fmt.Sprintf("result cut to its first %d rows (--max-rows)", len(r.Rows))
		}
		if r.Render != nil {
			out.Note = strings.TrimSpace(out.Note + "\nrender: " + renderText(r.Render))
		}
		return nil
	})
	return out, err
}

// renderText describes a render request in one line.
func renderText(r *kql.Render) string {
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

// remote runs the query through a server's query endpoint.
func (c *queryCmd) remote(ctx context.Context, text string) (*queryResult, error) {
	body, _ := json.Marshal(map[string]any{"query": text, "timespan": c.timespan, "parameters": map[string]string(c.params)})
	u := strings.TrimRight(c.url, "/") + "/v1/workspaces/" + url.PathEscape(c.workspace) + "/query"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	return doQuery(req)
}

// describeQueryError shows where in the query an error is: the line and a
// caret under the column.
func describeQueryError(text string, err error) error {
	var ke *kql.Error
	if !errors.As(err, &ke) || ke.Position.Line == 0 {
		return err
	}
	lines := strings.Split(text, "\n")
	if ke.Position.Line > len(lines) {
		return err
	}
	line := strings.TrimRight(lines[ke.Position.Line-1], "\r")
	// The caret's indent copies the line's tabs so that it lines up.
	var caret strings.Builder
	for i, r := range []rune(line) {
		if i >= ke.Position.Column-1 {
			break
		}
		if r == '\t' {
			caret.WriteRune('\t')
		} else {
			caret.WriteRune(' ')
		}
	}
	return fmt.Errorf("%v\n  %s\n  %s^", err, line, caret.String())
}
