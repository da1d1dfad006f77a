package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/kql"
	"github.com/callscope/callscope/internal/report"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

type sqlCmd struct {
	store     storeFlags
	url       string
	workspace string
	file      string
	format    string
	maxRows   int
	timeout   time.Duration
}

func (c *sqlCmd) flags(fs *flag.FlagSet) {
	c.store.register(fs, "data `directory` (one DuckDB file per workspace)")
	fs.StringVar(&c.url, "url", "", "query a running server at this `URL` instead of opening --data")
	fs.StringVar(&c.workspace, "workspace", "default", "workspace to query")
	fs.StringVar(&c.file, "f", "", "read the query from this `file`")
	fs.StringVar(&c.format, "format", "table", "output format: table, json or csv")
	fs.IntVar(&c.maxRows, "max-rows", 100_000, "most rows to return")
	fs.DurationVar(&c.timeout, "timeout", time.Minute, "longest the query may run")
}

// queryResult is a result as the CLI prints it, whether it came from the
// store directly or from a server's JSON.
type queryResult struct {
	Columns []store.ResultColumn
	Rows    [][]any
	Note    string
}

func (c *sqlCmd) run(ctx context.Context, args []string) error {
	query, err := queryText(args, c.file)
	if err != nil {
		return err
	}
	if c.format != "table" && c.format != "json" && c.format != "csv" {
		return usagef("--format %q: use table, json or csv", c.format)
	}
	var res *queryResult
	if c.url != "" {
		res, err = remoteSQL(ctx, c.url, c.workspace, query)
	} else {
		res, err = c.localSQL(ctx, query)
	}
	if err != nil {
		return err
	}
	return printResult(os.Stdout, res, c.format)
}

func queryText(args []string, file string) (string, error) {
	switch {
	case file != "" && len(args) > 0:
		return "", usagef("give the query as an argument or with -f, not both")
	case file != "":
		b, err := os.ReadFile(file)
		return string(b), err
	case len(args) == 1:
		return args[0], nil
	case len(args) == 0:
		return "", usagef("no query given")
	}
	return "", usagef("give the query as one argument (quote it)")
}

func (c *sqlCmd) localSQL(ctx context.Context, query string) (*queryResult, error) {
	var out *queryResult
	err := withLocalWorkspace(ctx, c.store, c.workspace, func(_ store.Store, ws store.Workspace) error {
		r, err := ws.Query(ctx, query, store.QueryOptions{MaxRows: c.maxRows, Timeout: c.timeout})
		if err != nil {
			return err
		}
		out = &queryResult{Columns: r.Columns, Rows: r.Rows}
		if r.Truncated {
			out.Note = fmt.Sprintf("result cut to its first %d rows (--max-rows)", len(r.Rows))
		}
		return nil
	})
	return out, err
}

// withLocalWorkspace opens a workspace directly (no server) for the
// duration of fn: a data folder's, or a ClickHouse deployment's with
// --store.
func withLocalWorkspace(ctx context.Context, sf storeFlags, name string, fn func(store.Store, store.Workspace) error) error {
	log, _ := newLogger(io.Discard, "error", "text")
	reg, st, err := sf.openExisting(ctx, log)
	if err != nil {
		return err
	}
	defer reg.Close()
	defer st.Close()
	w, err := reg.Workspace(name)
	if err != nil {
		return err
	}
	ws, err := st.Workspace(ctx, store.WorkspaceRef{Name: w.Name, ID: w.ID})
	if err != nil {
		return err
	}
	return fn(st, ws)
}

// remoteSQL runs a query through a server's SQL endpoint.
func remoteSQL(ctx context.Context, baseURL, workspace, query string) (*queryResult, error) {
	body, _ := json.Marshal(map[string]string{"query": query})
	u := strings.TrimRight(baseURL, "/") + "/v1/workspaces/" + workspace + "/sql"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return doQuery(req)
}

// doQuery sends a query request and decodes a Log Analytics shaped answer.
func doQuery(req *http.Request) (*queryResult, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Tables []struct {
			Columns []struct{ Name, Type string } `json:"columns"`
			Rows    [][]any                       `json:"rows"`
		} `json:"tables"`
		Render map[string]any `json:"render"`
		Error  *struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError *struct {
				Code    string `json:"code"`
				Message string `json:"message"`
				Line    int    `json:"line"`
				Pos     int    `json:"pos"`
			} `json:"innererror"`
		} `json:"error"`
	}
	dec := json.NewDecoder(resp.Body)
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("%s answered %s with an unreadable body: %v", req.URL.Host, resp.Status, err)
	}
	if resp.StatusCode != http.StatusOK {
		if out.Error == nil {
			return nil, fmt.Errorf("%s answered %s", req.URL.Host, resp.Status)
		}
		msg := out.Error.Message
		if in := out.Error.InnerError; in != nil {
			if in.Line > 0 && (in.Code == "SyntaxError" || in.Code == "SemanticError") {
				// A KQL error: keep its position so that it can be shown.
				kind := kql.SemanticError
				if in.Code == "SyntaxError" {
					kind = kql.SyntaxError
				}
				return nil, &kql.Error{Kind: kind, Position: kql.Position{Line: in.Line, Column: in.Pos}, Msg: in.Message}
			}
			if in.Message != "" && !strings.Contains(msg, in.Message) {
				msg += ": " + in.Message
			}
		}
		return nil, errors.New(msg)
	}
	if len(out.Tables) == 0 {
		return nil, errors.New("the answer holds no table")
	}
	t := out.Tables[0]
	res := &queryResult{Rows: t.Rows}
	for _, c := range t.Columns {
		res.Columns = append(res.Columns, store.ResultColumn{Name: c.Name, Type: parseTypeOrString(c.Type)})
	}
	if out.Error != nil {
		res.Note = out.Error.Message
	}
	if out.Render != nil {
		r := &kql.Render{Props: map[string]any{}}
		for k, v := range out.Render {
			if k == "visualization" {
				r.Visualization = fmt.Sprint(v)
				continue
			}
			r.Props[k] = v
		}
		res.Note = strings.TrimSpace(res.Note + "\nrender: " + renderText(r))
	}
	return res, nil
}

func printResult(w io.Writer, res *queryResult, format string) error {
	switch format {
	case "json":
		rows := make([]map[string]any, len(res.Rows))
		for i, r := range res.Rows {
			m := map[string]any{}
			for j, c := range res.Columns {
				m[c.Name] = jsonValue(r[j], c.Type)
			}
			rows[i] = m
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "csv":
		cw := csv.NewWriter(w)
		head := make([]string, len(res.Columns))
		for i, c := range res.Columns {
			head[i] = c.Name
		}
		cw.Write(head)
		for _, r := range res.Rows {
			rec := make([]string, len(r))
			for i, v := range r {
				rec[i] = cellText(v)
			}
			cw.Write(rec)
		}
		cw.Flush()
		return cw.Error()
	}
	t := &report.Table{}
	for _, c := range res.Columns {
		t.Header = append(t.Header, c.Name)
	}
	for _, r := range res.Rows {
		cells := make([]any, len(r))
		for i, v := range r {
			cells[i] = cellText(v)
		}
		t.Add(cells...)
	}
	t.Write(w)
	if len(res.Rows) == 1 {
		fmt.Fprintln(w, "(1 row)")
	} else {
		fmt.Fprintf(w, "(%s rows)\n", report.Thousands(int64(len(res.Rows))))
	}
	if res.Note != "" {
		fmt.Fprintln(w, "note: "+res.Note)
	}
	return nil
}

func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		return kql.FormatDatetime(x)
	case time.Duration:
		return kql.FormatTimespan(int64(x / 100))
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

// jsonValue is a value as JSON output shows it: times as text, dynamic
// values as the JSON they are rather than a string holding it.
func jsonValue(v any, t schema.Type) any {
	switch x := v.(type) {
	case time.Time, time.Duration:
		return cellText(x)
	case string:
		if t == schema.Dynamic && json.Valid([]byte(x)) {
			return json.RawMessage(x)
		}
	}
	return v
}

func parseTypeOrString(name string) schema.Type {
	if t, ok := schema.ParseType(name); ok {
		return t
	}
	return schema.String
}
