package clickhouse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	ch "github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

// Query implements store.Workspace. The server runs the statement with
// readonly=2, which refuses anything that writes but lets the request set
// the query's limits; the statement is checked beforehand for what that
// mode allows and a workspace must not (see checkStatement).
func (w *workspace) Query(ctx context.Context, query string, opts store.QueryOptions) (*store.Result, error) {
	if w.s.isClosed() {
		return nil, store.ErrClosed
	}
	foreign, err := w.foreign(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkStatement(query, foreign); err != nil {
		return nil, err
	}
	temporary := make([]string, len(opts.Prelude))
	for i, stmt := range opts.Prelude {
		if temporary[i], err = checkTemporaryTable(stmt, foreign); err != nil {
			return nil, err
		}
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	settings := ch.Settings{"database": unquote(ch.Ident(w.l.Database)), "readonly": "2"}
	if dl, ok := ctx.Deadline(); ok {
		// The server stops the query itself rather than running on after
		// the client has gone.
		settings["max_execution_time"] = strconv.Itoa(max(1, int(math.Ceil(time.Until(dl).Seconds()))))
	}
	if opts.MaxRows > 0 {
		settings["max_result_rows"] = strconv.Itoa(opts.MaxRows + 1)
		settings["result_overflow_mode"] = "break"
	}
	if w.s.opts.MaxMemory > 0 {
		settings["max_memory_usage"] = strconv.FormatInt(w.s.opts.MaxMemory, 10)
	}
	if len(opts.Prelude) > 0 {
		// The temporary tables live in an HTTP session of their own, which
		// the server ends session_timeout seconds after its last statement.
		settings["session_id"] = "callscope-" + newToken()
		settings["session_timeout"] = "60"
		// CREATE TEMPORARY TABLE … AS SELECT reads its tables in the
		// session's database, not the request's (18.16).
		use := append([]string{"USE " + ch.Ident(w.l.Database)}, opts.Prelude...)
		for _, stmt := range use {
			if err := w.s.opts.Conn.Exec(ctx, stmt, settings); err != nil {
				return nil, w.queryError(ctx, err, stmt)
			}
		}
		defer w.dropTemporaryTables(settings["session_id"], temporary)
	}
	r, err := w.s.opts.Conn.Query(ctx, query, settings)
	if err != nil {
		return nil, w.queryError(ctx, err, query)
	}
	return readResult(r, opts)
}

// dropTemporaryTables frees the memory of a prelude's tables at once
// rather than when their session times out.
func (w *workspace) dropTemporaryTables(session string, tables []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	settings := ch.Settings{"session_id": session, "readonly": "2"}
	for _, name := range tables {
		w.s.opts.Conn.Exec(ctx, "DROP TEMPORARY TABLE IF EXISTS "+ch.Ident(name), settings)
	}
}

// foreign reports whether a name (lower case) is a database other than
// the workspace's: system's, another of callscope's (by their prefix,
// without asking the server), or any other the server had when last
// asked (see Store.databases).
func (w *workspace) foreign(ctx context.Context) (func(string) bool, error) {
	others, err := w.s.databases(ctx)
	if err != nil {
		return nil, err
	}
	own := strings.ToLower(unquote(ch.Ident(w.l.Database)))
	ours := strings.ToLower(w.s.opts.Database) + "_"
	return func(name string) bool {
		if name == own {
			return false
		}
		return name == "system" || name == "information_schema" || strings.HasPrefix(name, ours) || others[name]
	}, nil
}

// databaseListAge is how long the server's list of databases is reused.
// callscope's own databases are recognised by their prefix, so only a
// database someone else creates goes unnoticed for that long.
const databaseListAge = 30 * time.Second

// databases lists the server's databases in lower case, asking the server
// at most once per databaseListAge rather than before every query.
func (s *Store) databases(ctx context.Context) (map[string]bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dbList != nil && time.Since(s.dbListAt) < databaseListAge {
		return s.dbList, nil
	}
	r, err := s.opts.Conn.Query(ctx, "SELECT name FROM system.databases", nil)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: listing databases: %w", err)
	}
	list := map[string]bool{}
	for _, row := range r.Rows {
		var n string
		if json.Unmarshal(row[0], &n) == nil {
			list[strings.ToLower(n)] = true
		}
	}
	s.dbList, s.dbListAt = list, time.Now()
	return list, nil
}

// Error codes of the server that the store tells apart.
const (
	codeTimeout              = 159 // TIMEOUT_EXCEEDED
	codeMemoryLimit          = 241 // MEMORY_LIMIT_EXCEEDED
	codeReadonly             = 164 // READONLY
	codeQueryCancelled       = 394 // QUERY_WAS_CANCELLED
	codeTooManyRows          = 158 // TOO_MANY_ROWS
	codeNetwork              = 210 // NETWORK_ERROR: a shard refused the connection
	codeAllConnectionsFailed = 279
	codeReadAfterEOF         = 32 // a shard closed the connection
	codeSocketTimeout        = 209
)

// unreachable picks the node and reason out of a network error's message:
// "Connection refused (127.0.0.1:9000)".
func unreachable(msg string) string {
	const mark = "NetException: "
	if i := strings.LastIndex(msg, mark); i >= 0 {
		msg = msg[i+len(mark):]
	}
	if i := strings.Index(msg, ", e.what()"); i >= 0 {
		msg = msg[:i]
	}
	return strings.TrimSpace(msg)
}

// queryError classifies a failed query: the context's error for a
// timeout, ErrNotReadOnly for a write, ErrMemoryLimit, a QueryError for
// a problem with the statement, and anything else (the server could not
// be reached) as it is.
func (w *workspace) queryError(ctx context.Context, err error, query string) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	var e *ch.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("%w: %v", store.ErrUnavailable, err)
	}
	switch e.Code {
	case codeNetwork, codeAllConnectionsFailed, codeReadAfterEOF, codeSocketTimeout:
		return fmt.Errorf("%w: a ClickHouse node cannot be reached (%s); the query can be run again once it is back", store.ErrUnavailable, unreachable(e.Message))
	case codeTimeout, codeQueryCancelled:
		return context.DeadlineExceeded
	case codeReadonly:
		return store.ErrNotReadOnly
	case codeMemoryLimit:
		return fmt.Errorf("%w (%s): narrow the time range, filter earlier or summarize sooner",
			store.ErrMemoryLimit, serverMessage(e.Message))
	}
	if e.Code == ch.CodeSyntaxError && writesData(query) {
		return store.ErrNotReadOnly
	}
	if e.Status >= 500 && e.Code == 0 {
		return err
	}
	return &store.QueryError{Msg: serverMessage(e.Message)}
}

// serverMessage keeps the part of a server's message a user needs: 18.16
// wraps it in "Code: N, e.displayText() = DB::Exception: …, e.what() = …".
func serverMessage(msg string) string {
	if _, rest, ok := strings.Cut(msg, "DB::Exception: "); ok {
		msg = rest
	}
	if i := strings.LastIndex(msg, ", e.what() = "); i >= 0 {
		msg = msg[:i]
	}
	if i := strings.Index(msg, " (version "); i >= 0 {
		msg = msg[:i]
	}
	return strings.TrimSpace(msg)
}

// writesData reports a statement that starts with the keyword of one that
// changes data or settings.
func writesData(query string) bool {
	f := strings.Fields(strings.TrimLeft(query, " \t\r\n("))
	if len(f) == 0 {
		return false
	}
	switch strings.ToUpper(f[0]) {
	case "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "ALTER", "ATTACH", "DETACH", "RENAME",
		"SET", "OPTIMIZE", "TRUNCATE", "KILL", "SYSTEM", "USE", "GRANT", "REVOKE":
		return true
	}
	return false
}

// readResult converts a result to Log Analytics types: the caller's, or
// those matching the server's column types.
func readResult(r *ch.Result, opts store.QueryOptions) (*store.Result, error) {
	res := &store.Result{Columns: make([]store.ResultColumn, len(r.Columns))}
	for i, c := range r.Columns {
		t := laType(c.Type)
		if len(opts.Types) == len(r.Columns) {
			t = opts.Types[i]
		}
		res.Columns[i] = store.ResultColumn{Name: c.Name, Type: t}
	}
	rows := r.Rows
	if opts.MaxRows > 0 && len(rows) > opts.MaxRows {
		rows, res.Truncated = rows[:opts.MaxRows], true
	}
	res.Rows = make([][]any, len(rows))
	for n, raw := range rows {
		row := make([]any, len(raw))
		for i, v := range raw {
			x, err := value(v, r.Columns[i].Type, res.Columns[i].Type)
			if err != nil {
				return nil, fmt.Errorf("clickhouse: row %d column %s: %v", n, r.Columns[i].Name, err)
			}
			row[i] = x
		}
		res.Rows[n] = row
	}
	return res, nil
}

// baseType strips Nullable(…) and LowCardinality(…).
func baseType(t string) string {
	for {
		switch {
		case strings.HasPrefix(t, "Nullable(") && strings.HasSuffix(t, ")"):
			t = t[len("Nullable(") : len(t)-1]
		case strings.HasPrefix(t, "LowCardinality(") && strings.HasSuffix(t, ")"):
			t = t[len("LowCardinality(") : len(t)-1]
		default:
			return t
		}
	}
}

// laType maps a ClickHouse type onto the Log Analytics type a result
// column reports.
func laType(chType string) schema.Type {
	t := baseType(chType)
	switch {
	case t == "String" || strings.HasPrefix(t, "FixedString") || strings.HasPrefix(t, "Enum") || t == "IPv4" || t == "IPv6":
		return schema.String
	case t == "UUID":
		return schema.GUID
	case t == "Int64" || t == "UInt64" || t == "UInt32" || strings.HasSuffix(t, "Int128") || strings.HasSuffix(t, "Int256"):
		return schema.Long
	case t == "Int32" || t == "Int16" || t == "Int8" || t == "UInt16" || t == "UInt8":
		return schema.Int
	case t == "Float64" || t == "Float32" || t == "BFloat16":
		return schema.Real
	case strings.HasPrefix(t, "Decimal"):
		return schema.Decimal
	case t == "Bool":
		return schema.Bool
	case strings.HasPrefix(t, "DateTime") || t == "Date" || t == "Date32":
		return schema.DateTime
	case t == "Nothing":
		return schema.String
	}
	return schema.Dynamic // arrays, tuples, maps, JSON
}

// timeLayouts are how JSON formats write Date, DateTime and DateTime64.
var timeLayouts = []string{"2006-01-02 15:04:05.999999999", "2006-01-02"}

// value converts one JSONCompact value of a column of server type chType
// to the Go type of Log Analytics type t.
func value(raw json.RawMessage, chType string, t schema.Type) (any, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	base := baseType(chType)
	var s string
	quoted := len(raw) > 0 && raw[0] == '"'
	if quoted {
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
	}
	if strings.HasPrefix(base, "DateTime") || base == "Date" || base == "Date32" {
		for _, layout := range timeLayouts {
			if tm, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
				return tm, nil
			}
		}
		return nil, fmt.Errorf("time %q", s)
	}
	switch t {
	case schema.String, schema.GUID:
		if quoted {
			return s, nil
		}
		return string(raw), nil
	case schema.Dynamic:
		if quoted && laType(chType) == schema.String {
			// Dynamic values are kept as their JSON text.
			if json.Valid([]byte(s)) {
				return s, nil
			}
			return string(raw), nil
		}
		return string(raw), nil
	case schema.Bool:
		switch {
		case string(raw) == "true" || string(raw) == "1" || s == "1" || s == "true":
			return true, nil
		case string(raw) == "false" || string(raw) == "0" || s == "0" || s == "false":
			return false, nil
		}
		return nil, fmt.Errorf("bool %s", raw)
	case schema.Long, schema.Int, schema.Timespan:
		text := string(raw)
		if quoted {
			text = s
		}
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(text, 64)
			if ferr != nil {
				return nil, fmt.Errorf("integer %s", raw)
			}
			n = int64(f)
		}
		if t == schema.Timespan { // ticks of 100 ns
			return time.Duration(n) * 100, nil
		}
		return n, nil
	case schema.Real, schema.Decimal:
		text := string(raw)
		if quoted {
			text = s
		}
		switch strings.ToLower(text) {
		case "inf", "+inf":
			return math.Inf(1), nil
		case "-inf":
			return math.Inf(-1), nil
		case "nan", "-nan":
			return math.NaN(), nil
		}
		return strconv.ParseFloat(text, 64)
	case schema.DateTime:
		for _, layout := range timeLayouts {
			if tm, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
				return tm, nil
			}
		}
		return nil, fmt.Errorf("time %s", raw)
	}
	return string(raw), nil
}
