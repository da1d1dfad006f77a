package cli

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"

	_ "github.com/duckdb/duckdb-go/v2" // for the DuckDB version
)

// Version is set at build time: -ldflags "-X github.com/callscope/callscope/internal/cli.Version=v1.2.3".
var Version = "dev"

type versionCmd struct{}

func (c *versionCmd) flags(fs *flag.FlagSet) {}

func (c *versionCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected arguments: %v", args)
	}
	commit := "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				commit = s.Value
			}
		}
	}
	duck := "unknown"
	if db, err := sql.Open("duckdb", ""); err == nil {
		_ = db.QueryRowContext(ctx, "SELECT version()").Scan(&duck)
		db.Close()
	}
	fmt.Printf("callscope %s (commit %s)\n%s %s/%s, DuckDB %s\n", Version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH, duck)
	return nil
}
