package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/callscope/callscope/internal/kql/sqlgen/duckdbsql"
	"github.com/callscope/callscope/internal/useragent"
)

// registerFunctions adds the scalar functions the KQL dialect needs and
// DuckDB lacks, written in Go. Functions registered on one connection are
// in the database's catalog, so every connection sees them.
func registerFunctions(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := duckdb.RegisterScalarUDF(conn, duckdbsql.ParseUserAgentFunction, parseUserAgent{}); err != nil {
		return fmt.Errorf("registering %s: %w", duckdbsql.ParseUserAgentFunction, err)
	}
	return nil
}

// parseUserAgent is parse_user_agent(user agent, kinds) → JSON text.
type parseUserAgent struct{}

func (parseUserAgent) Config() duckdb.ScalarFuncConfig {
	varchar, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{varchar, varchar}, ResultTypeInfo: varchar}
}

func (parseUserAgent) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: func(values []driver.Value) (any, error) {
		ua, _ := values[0].(string)
		kinds, _ := values[1].(string)
		return useragent.Describe(ua, kinds), nil
	}}
}
