package clickhouse

import (
	"context"
	"io"

	ch "github.com/callscope/callscope/internal/clickhouse"
)

// Conn is what the store needs of a ClickHouse engine. The HTTP client of
// package clickhouse is one; an engine running in-process (chdb, a current
// ClickHouse release as a library) is another, used to test the store and
// its SQL on today's releases as well as on the old server Debian ships.
//
// Settings are the server's query-level settings; the "database" setting
// names the database that unqualified table names refer to. Errors the
// engine reports are *ch.Error with the engine's code.
type Conn interface {
	Exec(ctx context.Context, statement string, settings ch.Settings) error
	Query(ctx context.Context, statement string, settings ch.Settings) (*ch.Result, error)
	Insert(ctx context.Context, table string, columns []string, format string, rows io.Reader, settings ch.Settings) error
	ServerVersion(ctx context.Context) (ch.Version, error)
}

var _ Conn = (*ch.Client)(nil)
