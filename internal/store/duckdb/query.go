package duckdb

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
)

// Query runs one read-only statement. Three things keep it read-only: the
// statement must parse as exactly one statement (a second one would be
// refused, not run), DuckDB must classify it as a SELECT, and the database
// has no access to the file system, so table functions such as read_csv
// cannot reach outside the workspace.
func (w *workspace) Query(ctx context.Context, query string, opts store.QueryOptions) (*store.Result, error) {
	if len(opts.Prelude) > 0 {
		// DuckDB's dialect writes let-bound tables as CTEs.
		return nil, fmt.Errorf("%w: DuckDB takes no prelude statements", store.ErrNotReadOnly)
	}
	if opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opts.Timeout)
		defer cancel()
	}
	conn, err := w.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()

	var res *store.Result
	err = conn.Raw(func(dc any) error {
		// Prepare, unlike PrepareContext, refuses a string of several
		// statements instead of executing all but the last.
		stmt, err := dc.(driver.Conn).Prepare(query)
		if err != nil {
			if writesData(query) || strings.Contains(err.Error(), "multi-statement") {
				// "Can only delete from base table" would only confuse.
				return store.ErrNotReadOnly
			}
			return &store.QueryError{Msg: cleanError(err)}
		}
		defer stmt.Close()
		ds := stmt.(*duckdb.Stmt)
		if kind, err := ds.StatementType(); err != nil || kind != duckdb.STATEMENT_TYPE_SELECT {
			return store.ErrNotReadOnly
		}
		rows, err := ds.QueryContext(ctx, nil)
		if err != nil {
			return queryError(ctx, err)
		}
		defer rows.Close()
		res, err = readResult(ctx, rows, opts.MaxRows, opts.Types)
		return err
	})
	return res, err
}

// writesData reports a statement that starts with a keyword of a statement
// that changes data or settings. It only chooses the error message for a
// statement that did not prepare; what runs is decided by the statement
// type DuckDB reports.
func writesData(query string) bool {
	f := strings.Fields(strings.TrimLeft(query, " \t\r\n("))
	if len(f) == 0 {
		return false
	}
	switch strings.ToUpper(f[0]) {
	case "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "DROP", "ALTER", "COPY", "ATTACH", "DETACH",
		"SET", "RESET", "PRAGMA", "INSTALL", "LOAD", "CHECKPOINT", "VACUUM", "TRUNCATE", "EXPORT", "IMPORT", "USE", "CALL":
		return true
	}
	return false
}

// readResult reads rows into a result typed with Log Analytics types:
// the given ones, or those that match the engine's column types.
func readResult(ctx context.Context, rows driver.Rows, maxRows int, types []schema.Type) (*store.Result, error) {
	names := rows.Columns()
	typed, _ := rows.(driver.RowsColumnTypeDatabaseTypeName)
	res := &store.Result{Columns: make([]store.ResultColumn, len(names))}
	for i, n := range names {
		dbType := ""
		if typed != nil {
			dbType = typed.ColumnTypeDatabaseTypeName(i)
		}
		t := laType(dbType)
		if len(types) == len(names) {
			t = types[i]
		}
		res.Columns[i] = store.ResultColumn{Name: n, Type: t}
	}
	dest := make([]driver.Value, len(names))
	for {
		if err := rows.Next(dest); err != nil {
			if err == io.EOF {
				return res, nil
			}
			return nil, queryError(ctx, err)
		}
		if maxRows > 0 && len(res.Rows) == maxRows {
			res.Truncated = true
			return res, nil
		}
		row := make([]any, len(dest))
		for i, v := range dest {
			row[i] = normalise(v, res.Columns[i].Type)
		}
		res.Rows = append(res.Rows, row)
	}
}

// laType maps a DuckDB type name onto the Log Analytics type a result
// column reports.
func laType(dbType string) schema.Type {
	t := strings.ToUpper(dbType)
	switch {
	case t == "VARCHAR" || t == "BLOB" || t == "BIT" || strings.HasPrefix(t, "ENUM"):
		return schema.String
	case t == "JSON" || strings.HasSuffix(t, "[]") || strings.HasPrefix(t, "STRUCT") ||
		strings.HasPrefix(t, "MAP") || strings.HasPrefix(t, "UNION") || strings.HasPrefix(t, "LIST") || strings.HasSuffix(t, "]"):
		return schema.Dynamic
	case t == "BIGINT" || t == "HUGEINT" || t == "UBIGINT" || t == "UHUGEINT" || t == "UINTEGER" || t == "BIGNUM":
		return schema.Long
	case t == "INTEGER" || t == "SMALLINT" || t == "TINYINT" || t == "USMALLINT" || t == "UTINYINT":
		return schema.Int
	case t == "DOUBLE" || t == "FLOAT":
		return schema.Real
	case strings.HasPrefix(t, "DECIMAL"):
		return schema.Decimal
	case t == "BOOLEAN":
		return schema.Bool
	case strings.HasPrefix(t, "TIMESTAMP") || t == "DATE":
		return schema.DateTime
	case t == "INTERVAL" || strings.HasPrefix(t, "TIME"):
		return schema.Timespan
	case t == "UUID":
		return schema.GUID
	}
	return schema.String
}

// normalise converts a value scanned from DuckDB into the Go types of
// store.Result.
func normalise(v driver.Value, t schema.Type) any {
	switch x := v.(type) {
	case nil:
		return nil
	case time.Time:
		if t == schema.Timespan { // a TIME of day
			return time.Duration(x.Hour())*time.Hour + time.Duration(x.Minute())*time.Minute +
				time.Duration(x.Second())*time.Second + time.Duration(x.Nanosecond())
		}
		return x.UTC()
	case int64:
		if t == schema.Timespan { // ticks of 100 ns
			return time.Duration(x) * 100
		}
		if t == schema.Real || t == schema.Decimal {
			return float64(x)
		}
		return x
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case float32:
		return float64(x)
	case *big.Int:
		if x.IsInt64() {
			return x.Int64()
		}
		f, _ := new(big.Float).SetInt(x).Float64()
		return f
	case duckdb.Decimal:
		return x.Float64()
	case duckdb.Interval:
		return time.Duration(x.Months)*30*24*time.Hour + time.Duration(x.Days)*24*time.Hour + time.Duration(x.Micros)*time.Microsecond
	case duckdb.UUID:
		return x.String()
	case []byte:
		if t == schema.GUID && len(x) == 16 {
			var u duckdb.UUID
			copy(u[:], x)
			return u.String()
		}
		return string(x)
	case float64:
		if t == schema.Long || t == schema.Int {
			return int64(x)
		}
		return x
	case string, bool:
		if t == schema.Dynamic {
			if s, ok := x.(string); ok && json.Valid([]byte(s)) {
				return s
			}
			return marshalDynamic(x)
		}
		return x
	default:
		if t == schema.Dynamic {
			return marshalDynamic(x)
		}
		return fmt.Sprint(x)
	}
}

// marshalDynamic renders a nested value (a DuckDB list, struct or parsed
// JSON) as JSON text, which is how dynamic values travel in results.
func marshalDynamic(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// queryError classifies an execution error: a timeout or cancellation is
// reported as the context's error, anything else as a problem with the
// query.
func queryError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := cleanError(err)
	if detail, ok := strings.CutPrefix(msg, "Out of Memory Error: "); ok {
		// DuckDB goes on with advice about settings a user cannot change
		// here; its first line says what failed.
		detail, _, _ = strings.Cut(detail, "\n")
		return fmt.Errorf("%w (%s): narrow the time range, filter earlier or summarize sooner; "+
			"the limit is the memory_limit of serve (--memory-limit)", store.ErrMemoryLimit, strings.TrimSpace(detail))
	}
	return &store.QueryError{Msg: msg}
}

// cleanError drops the Go driver's prefixes so that users see DuckDB's own
// message, which names the problem and points at its position.
func cleanError(err error) string {
	msg := err.Error()
	for _, p := range []string{"could not prepare query: ", "could not execute query: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return strings.TrimSpace(msg)
}
