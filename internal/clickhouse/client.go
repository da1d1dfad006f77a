// Package clickhouse is a small client of ClickHouse's HTTP interface: run
// a statement, read a result, stream an insert, know the server's version.
//
// It is our own rather than the Go driver's because the driver refuses the
// HTTP interface of older servers (Debian ships 18.16), and because what
// callscope needs is small: statements in, JSON out, rows in as
// JSONEachRow. Everything goes over plain HTTP with basic authentication,
// which every server version accepts.
package clickhouse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Client talks to one server.
type Client struct {
	base     *url.URL // http://host:port/
	database string
	user     string
	password string
	http     *http.Client
}

// Config says how to reach a server.
type Config struct {
	// URL is clickhouse://host:8123/db, or http:// or https:// with the
	// same shape; the database may also be given as ?database=db.
	URL      string
	User     string // default "default"
	Password string
	// Timeout bounds one request (0: 5 minutes).
	Timeout time.Duration
}

// New parses the configuration; it does not connect.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("clickhouse URL %q: %v", cfg.URL, err)
	}
	switch u.Scheme {
	case "clickhouse", "http":
		u.Scheme = "http"
	case "https":
	default:
		return nil, fmt.Errorf("clickhouse URL %q: the scheme is clickhouse, http or https", cfg.URL)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("clickhouse URL %q names no host", cfg.URL)
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "8123")
	}
	db := strings.Trim(u.Path, "/")
	if q := u.Query().Get("database"); q != "" {
		db = q
	}
	if db == "" {
		db = "default"
	}
	if !validIdent(db) {
		return nil, fmt.Errorf("clickhouse database %q: use letters, digits and '_'", db)
	}
	user, password := cfg.User, cfg.Password
	if u.User != nil {
		if user == "" {
			user = u.User.Username()
		}
		if p, ok := u.User.Password(); ok && password == "" {
			password = p
		}
	}
	if user == "" {
		user = "default"
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 5 * time.Minute
	}
	base := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/"}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	// The server closes a connection idle for keep_alive_timeout (3 s by
	// default in older releases). A request written on a connection the
	// server is closing fails with a broken pipe, and an insert is not
	// retried by net/http; letting connections go after 2 s avoids that.
	transport.IdleConnTimeout = 2 * time.Second
	// A batch writes its tables at once, and several batches run at once.
	transport.MaxIdleConnsPerHost = 64
	return &Client{base: base, database: db, user: user, password: password, http: &http.Client{Timeout: timeout, Transport: transport}}, nil
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func validIdent(s string) bool { return identRE.MatchString(s) }

// Database is the database statements run in.
func (c *Client) Database() string { return c.database }

// Addr is the server's host:port.
func (c *Client) Addr() string { return c.base.Host }

// Settings are query-level settings, sent as URL parameters.
type Settings map[string]string

// Error is an error the server answered with.
type Error struct {
	Code    int    // ClickHouse's error code (60 unknown table, 62 syntax error, …); 0 if unknown
	Status  int    // the HTTP status
	Message string // the server's text
}

func (e *Error) Error() string {
	return fmt.Sprintf("clickhouse %s: code %d: %s", http.StatusText(e.Status), e.Code, e.Message)
}

// Error codes callscope reacts to.
const (
	CodeUnknownTable = 60
	CodeSyntaxError  = 62
)

// IsCode reports whether err is a server error with this code.
func IsCode(err error, code int) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

var codeRE = regexp.MustCompile(`Code: (\d+)`)

// do sends one request: the statement in the URL or the body, and reads
// the whole answer.
func (c *Client) do(ctx context.Context, statement string, body io.Reader, settings Settings) ([]byte, error) {
	q := url.Values{}
	q.Set("database", c.database)
	for k, v := range settings {
		q.Set(k, v)
	}
	if body == nil {
		body = strings.NewReader(statement)
	} else {
		q.Set("query", statement)
	}
	u := *c.base
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), body)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(c.user, c.password)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("clickhouse at %s: %w", c.base.Host, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("clickhouse at %s: reading the answer: %w", c.base.Host, err)
	}
	if resp.StatusCode != http.StatusOK {
		e := &Error{Status: resp.StatusCode, Message: strings.TrimSpace(string(out))}
		if h := resp.Header.Get("X-ClickHouse-Exception-Code"); h != "" {
			e.Code, _ = strconv.Atoi(h)
		} else if m := codeRE.FindSubmatch(out); m != nil {
			e.Code, _ = strconv.Atoi(string(m[1]))
		}
		return nil, e
	}
	return out, nil
}

// Exec runs a statement that returns nothing (DDL, ALTER, INSERT … SELECT).
func (c *Client) Exec(ctx context.Context, statement string, settings Settings) error {
	_, err := c.do(ctx, statement, nil, settings)
	return err
}

// Insert streams rows in a format (JSONEachRow, TabSeparated, …) into a
// table's columns. The table is SQL: a name quoted with Ident, or
// database.table each quoted.
func (c *Client) Insert(ctx context.Context, table string, columns []string, format string, rows io.Reader, settings Settings) error {
	stmt := "INSERT INTO " + table
	if len(columns) > 0 {
		quoted := make([]string, len(columns))
		for i, col := range columns {
			quoted[i] = Ident(col)
		}
		stmt += " (" + strings.Join(quoted, ", ") + ")"
	}
	_, err := c.do(ctx, stmt+" FORMAT "+format, rows, settings)
	return err
}

// Column is a result column: its name and ClickHouse type.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Result is a query's answer as JSONCompact gives it: 64-bit integers
// arrive as JSON strings, other values as JSON values.
type Result struct {
	Columns []Column
	Rows    [][]json.RawMessage
}

// Query runs a SELECT and returns its rows. The server buffers the whole
// answer before sending it (wait_end_of_query), so an error found late
// still comes back as an error status rather than inside a 200.
func (c *Client) Query(ctx context.Context, statement string, settings Settings) (*Result, error) {
	// Current releases write 64-bit integers as JSON numbers unless told
	// otherwise; as strings they stay exact.
	s := Settings{"wait_end_of_query": "1", "output_format_json_quote_64bit_integers": "1"}
	for k, v := range settings {
		s[k] = v
	}
	out, err := c.do(ctx, strings.TrimRight(strings.TrimSpace(statement), ";")+"\nFORMAT JSONCompact", nil, s)
	if err != nil {
		return nil, err
	}
	var r struct {
		Meta []Column            `json:"meta"`
		Data [][]json.RawMessage `json:"data"`
	}
	d := json.NewDecoder(bytes.NewReader(out))
	if err := d.Decode(&r); err != nil {
		return nil, fmt.Errorf("clickhouse at %s: reading the result: %v", c.base.Host, err)
	}
	return &Result{Columns: r.Meta, Rows: r.Data}, nil
}

// Ping checks that the server answers.
func (c *Client) Ping(ctx context.Context) error {
	_, err := c.Query(ctx, "SELECT 1", nil)
	return err
}

// Ident quotes an identifier with backquotes, which every version reads.
func Ident(name string) string {
	return "`" + strings.NewReplacer("\\", "\\\\", "`", "\\`").Replace(name) + "`"
}

// String quotes a string literal: backslash and quote escaped, as the
// server's parser reads them.
func String(s string) string {
	return "'" + strings.NewReplacer("\\", "\\\\", "'", "\\'").Replace(s) + "'"
}
