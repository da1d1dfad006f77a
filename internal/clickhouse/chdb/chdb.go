//go:build chdb

// Package chdb runs a current ClickHouse release inside the test process,
// through chdb (ClickHouse built as a shared library, libchdb.so), so that
// the ClickHouse store and the SQL it writes can be tested on today's
// releases and not only on the old server Debian ships (18.16). An Engine
// is a Conn of package internal/store/clickhouse, like the HTTP client.
//
// The package builds only with the build tag chdb, because the binding
// (github.com/chdb-io/chdb-go) loads libchdb.so when the program starts
// and panics when it cannot. `make chdb` fetches the library into
// .cache/chdb/; then
//
//	CHDB_LIB_PATH=$PWD/.cache/chdb/libchdb.so go test -tags chdb ./internal/clickhouse/chdb/
//
// What chdb is like, found by trying it (libchdb 26.7, chdb-go 1.11.0):
//
//   - One engine per process. While a connection is open, connecting with
//     another data directory fails; connecting again with the same
//     directory succeeds and gives a new session (its own settings and
//     current database) on the same engine. Once every connection is
//     closed, another directory can be opened. So Open refuses a second
//     Engine until the first is closed, and an Engine keeps one connection
//     open for its lifetime only to keep the engine up.
//
//   - Sessions keep state: SET and USE last until the connection closes.
//     A server's HTTP interface starts each request afresh instead, and the
//     store relies on that (settings such as readonly=2 must not outlive
//     their statement; readonly cannot even be SET back once set). So each
//     statement runs on a new connection that is closed afterwards; the
//     "database" setting becomes USE, the others SET, all before the
//     statement. A connection costs well under a millisecond.
//
//   - After a statement fails part way, what it had written of its output
//     (a JSONCompact header, say) comes back in front of the next result
//     on the same connection. A fresh connection per statement avoids that
//     too.
//
//   - Defaults differ from 18.16's: JSON formats write 64-bit integers as
//     numbers (output_format_json_quote_64bit_integers is 0 by default in
//     current releases; 18.16 quoted them), and chdb turns on
//     implicit_select, which runs "1 + 1" as a SELECT. Each connection
//     sets the first to 1, so that results read like the HTTP client's,
//     and the second to 0, so that SQL a server rejects is rejected here.
//
//   - Without a configuration file, chdb reads config.xml from the working
//     directory if there is one (a test server's, say). Open writes an
//     empty configuration into the data directory and points chdb at it.
//
//   - One query text may hold several statements separated by ';', and
//     chdb runs them all; a server's HTTP interface refuses that, so such
//     text working here does not mean it works on a server.
//
//   - Errors are bare strings, "Code: 62. DB::Exception: …", mostly
//     without the "(version …)" a server appends; they become *ch.Error
//     with that code.
//
//   - INSERT … FORMAT with the rows after it in the same query text works,
//     newlines and semicolons in the rows included; the rows are not
//     subject to max_query_size. The query text crosses into C as a
//     NUL-terminated string, so statements and rows must not hold NUL
//     bytes (binary formats such as RowBinary cannot be inserted).
//
//   - A running statement cannot be interrupted; the context is honoured
//     only while waiting for the Engine.
package chdb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	ch "github.com/callscope/callscope/internal/clickhouse"
	chdbpurego "github.com/chdb-io/chdb-go/chdb-purego"
)

// Engine is a chdb engine whose data lives in a directory. It is safe for
// concurrent use; statements run one at a time.
type Engine struct {
	dir        string
	connString string              // what chdb-go connects with
	lock       chan struct{}       // holds one token while a statement runs
	keep       chdbpurego.ChdbConn // keeps the engine up; nil once closed
}

// opened is the process's one engine, if any.
var opened struct {
	sync.Mutex
	dir string
}

// Open starts the engine with its data in dir, which is created if
// missing. chdb runs one engine per process: Open fails while another
// Engine is open, whatever its directory.
func Open(dir string) (*Engine, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("chdb: data directory %q: %v", dir, err)
	}
	// chdb-go reads what follows '?' as engine options, '&' separated.
	if strings.ContainsAny(abs, "?&\x00") {
		return nil, fmt.Errorf("chdb: data directory %q: '?' and '&' are not allowed in the path", dir)
	}
	opened.Lock()
	defer opened.Unlock()
	if opened.dir != "" {
		return nil, fmt.Errorf("chdb: an engine is already open on %s; chdb runs one engine per process, so Close it first", opened.dir)
	}
	// Without a configuration file of its own, chdb reads config.xml from
	// the working directory if there is one.
	config := filepath.Join(abs, configFile)
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("chdb: %v", err)
	}
	if err := os.WriteFile(config, []byte(configText), 0o644); err != nil {
		return nil, fmt.Errorf("chdb: %v", err)
	}
	e := &Engine{dir: abs, connString: abs + "?config-file=" + config, lock: make(chan struct{}, 1)}
	e.keep, err = chdbpurego.NewConnectionFromConnString(e.connString)
	if err != nil {
		return nil, fmt.Errorf("chdb: starting the engine on %s: %v", abs, err)
	}
	opened.dir = abs
	return e, nil
}

// configFile, in the data directory, is the engine's configuration: none
// beyond the defaults.
const (
	configFile = "chdb-config.xml"
	configText = "<clickhouse><!-- written by callscope's chdb package: defaults only --></clickhouse>\n"
)

// Dir is the directory the engine keeps its data in.
func (e *Engine) Dir() string { return e.dir }

// Close stops the engine once statements under way have finished. The
// data stays in the directory; another Engine may then be opened.
func (e *Engine) Close() error {
	e.lock <- struct{}{}
	defer func() { <-e.lock }()
	if e.keep == nil {
		return nil
	}
	e.keep.Close()
	e.keep = nil
	opened.Lock()
	opened.dir = ""
	opened.Unlock()
	return nil
}

// Exec runs a statement and discards whatever it returns.
func (e *Engine) Exec(ctx context.Context, statement string, settings ch.Settings) error {
	_, err := e.run(ctx, statement, "Null", settings)
	return err
}

// Insert runs INSERT INTO table (columns) FORMAT format with the rows,
// read to the end, following the statement in the same query text. The
// table is SQL, as for the HTTP client: a name quoted with ch.Ident, or
// database.table each quoted.
func (e *Engine) Insert(ctx context.Context, table string, columns []string, format string, rows io.Reader, settings ch.Settings) error {
	if !identRE.MatchString(format) {
		return fmt.Errorf("chdb: insert format %q is not a format name", format)
	}
	var stmt bytes.Buffer
	stmt.WriteString("INSERT INTO " + table)
	if len(columns) > 0 {
		quoted := make([]string, len(columns))
		for i, col := range columns {
			quoted[i] = ch.Ident(col)
		}
		stmt.WriteString(" (" + strings.Join(quoted, ", ") + ")")
	}
	stmt.WriteString(" FORMAT " + format + "\n")
	if _, err := stmt.ReadFrom(rows); err != nil {
		return fmt.Errorf("chdb: reading the rows to insert into %s: %w", table, err)
	}
	_, err := e.run(ctx, stmt.String(), "Null", settings)
	return err
}

// Query runs a statement and returns its result as the HTTP client does:
// JSONCompact's meta and data, 64-bit integers as JSON strings.
func (e *Engine) Query(ctx context.Context, statement string, settings ch.Settings) (*ch.Result, error) {
	out, err := e.run(ctx, strings.TrimRight(strings.TrimSpace(statement), ";"), "JSONCompact", settings)
	if err != nil {
		return nil, err
	}
	var r struct {
		Meta []ch.Column         `json:"meta"`
		Data [][]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("chdb: reading the result of %s: %v", abbreviate(statement), err)
	}
	return &ch.Result{Columns: r.Meta, Rows: r.Data}, nil
}

// ServerVersion is the ClickHouse release chdb is built from.
func (e *Engine) ServerVersion(ctx context.Context) (ch.Version, error) {
	r, err := e.Query(ctx, "SELECT version()", nil)
	if err != nil {
		return ch.Version{}, err
	}
	if len(r.Rows) != 1 || len(r.Rows[0]) != 1 {
		return ch.Version{}, fmt.Errorf("chdb: SELECT version() gave %d rows", len(r.Rows))
	}
	var s string
	if err := json.Unmarshal(r.Rows[0][0], &s); err != nil {
		return ch.Version{}, fmt.Errorf("chdb: version %s: %v", r.Rows[0][0], err)
	}
	return ch.ParseVersion(s)
}

var (
	identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	codeRE  = regexp.MustCompile(`Code: (\d+)`)
)

// connDefaults starts every connection: 64-bit integers quoted in JSON,
// as the HTTP client's results have them, and no implicit SELECT, which
// no server allows by default.
const connDefaults = "SET output_format_json_quote_64bit_integers = 1, implicit_select = 0"

// run runs one statement on a connection of its own, with the settings
// applied to that connection only, and returns the output in format.
func (e *Engine) run(ctx context.Context, statement, format string, settings ch.Settings) ([]byte, error) {
	if strings.IndexByte(statement, 0) >= 0 {
		return nil, errors.New("chdb: the statement holds a NUL byte, which cannot be passed to chdb")
	}
	prelude, err := preludeOf(settings)
	if err != nil {
		return nil, err
	}
	select {
	case e.lock <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-e.lock }()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if e.keep == nil {
		return nil, errors.New("chdb: the engine is closed")
	}
	conn, err := chdbpurego.NewConnectionFromConnString(e.connString)
	if err != nil {
		return nil, fmt.Errorf("chdb: connecting to the engine on %s: %v", e.dir, err)
	}
	defer conn.Close()
	for _, p := range prelude {
		if _, err := query(conn, p, "Null"); err != nil {
			return nil, err
		}
	}
	return query(conn, statement, format)
}

// preludeOf turns settings into the statements that apply them to a new
// connection. readonly comes last: once it is 1, nothing more may be SET.
func preludeOf(settings ch.Settings) ([]string, error) {
	names := make([]string, 0, len(settings))
	for name := range settings {
		names = append(names, name)
	}
	sort.Strings(names)
	var set []string
	var use, readonly string
	for _, name := range names {
		v := settings[name]
		if strings.IndexByte(v, 0) >= 0 {
			return nil, fmt.Errorf("chdb: setting %s holds a NUL byte", name)
		}
		switch {
		case name == "database":
			if v != "" {
				use = "USE " + ch.Ident(v)
			}
		case !identRE.MatchString(name):
			return nil, fmt.Errorf("chdb: %q is not a setting name", name)
		case name == "readonly":
			readonly = "SET readonly = " + ch.String(v)
		default:
			// A string literal suits every setting: the engine parses
			// it as the HTTP interface parses a URL parameter.
			set = append(set, name+" = "+ch.String(v))
		}
	}
	p := []string{connDefaults}
	if len(set) > 0 {
		p = append(p, "SET "+strings.Join(set, ", "))
	}
	if use != "" {
		p = append(p, use)
	}
	if readonly != "" {
		p = append(p, readonly)
	}
	return p, nil
}

// query runs one statement on a connection and copies the output out of
// the memory chdb owns.
func query(conn chdbpurego.ChdbConn, statement, format string) ([]byte, error) {
	res, err := conn.Query(statement, format)
	if err != nil {
		return nil, engineError(err)
	}
	if res == nil {
		return nil, nil
	}
	defer res.Free()
	if err := res.Error(); err != nil {
		return nil, engineError(err)
	}
	return bytes.Clone(res.Buf()), nil
}

// engineError makes an error chdb reported into the error a server would
// have answered with. Status is 500, the HTTP status of most of a
// server's errors; there is no HTTP here.
func engineError(err error) error {
	msg := strings.TrimSpace(err.Error())
	e := &ch.Error{Status: http.StatusInternalServerError, Message: msg}
	if m := codeRE.FindStringSubmatch(msg); m != nil {
		e.Code, _ = strconv.Atoi(m[1])
	}
	return e
}

// abbreviate shortens a statement for an error message.
func abbreviate(s string) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) > 80 {
		return string(r[:77]) + "..."
	}
	return string(r)
}
