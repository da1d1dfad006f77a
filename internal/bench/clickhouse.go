package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	ch "github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/clickhouse/chserver"
	chstore "github.com/callscope/callscope/internal/store/clickhouse"
)

// ClickHouseTarget is the ClickHouse server a benchmark runs callscope on:
// one of the user's, or one the benchmark starts for itself.
type ClickHouseTarget struct {
	// URL is clickhouse://host:8123/prefix. The benchmark uses only
	// databases whose names start with the prefix, refuses to start if
	// any exists, and drops them at the end unless asked to keep them.
	URL            string
	User, Password string
	// Start runs Debian's clickhouse-server in the work folder instead,
	// for the length of the run. URL is then ignored.
	Start bool
}

// defaultPrefix is the benchmark's database prefix when the URL has none.
const defaultPrefix = "callscope_bench"

// clickHouseBench is a ClickHouse server open for a benchmark.
type clickHouseBench struct {
	target  ClickHouseTarget
	opts    chstore.Options // the store's connection, as callscope serve makes it
	conn    chstore.Conn
	prefix  string
	version ch.Version
	server  *chserver.Server // when the benchmark started it
	pid     int              // the server's process, when known
}

func openClickHouseBench(ctx context.Context, t ClickHouseTarget, dir string, log io.Writer) (*clickHouseBench, error) {
	b := &clickHouseBench{target: t}
	if t.Start {
		fmt.Fprintf(log, "starting Debian's clickhouse-server in %s\n", filepath.Join(dir, "clickhouse"))
		srv, err := chserver.Start(filepath.Join(dir, "clickhouse"))
		if err != nil {
			return nil, err
		}
		b.server, b.pid = srv, srv.Pid()
		b.target.URL = srv.URL() + "/" + defaultPrefix
	}
	// The benchmark's own prefix when the URL names none, rather than the
	// "callscope" that callscope serve would use.
	if scheme, rest, ok := strings.Cut(b.target.URL, "://"); ok {
		if _, path, _ := strings.Cut(rest, "/"); strings.Trim(path, "/") == "" {
			b.target.URL = scheme + "://" + strings.TrimRight(rest, "/") + "/" + defaultPrefix
		}
	}
	url := b.target.URL
	var err error
	b.opts, err = chstore.Connect(ctx, chstore.ConnectConfig{URL: url, User: t.User, Password: t.Password})
	if err == nil {
		b.conn, b.prefix = b.opts.Conn, b.opts.Database
		b.version, err = b.conn.ServerVersion(ctx)
	}
	if err == nil {
		var taken []string
		if taken, err = b.databases(ctx); err == nil && len(taken) > 0 {
			err = fmt.Errorf("bench: the ClickHouse server already has databases with the prefix %q (%s); drop them or give the benchmark another prefix in the URL",
				b.prefix, strings.Join(taken, ", "))
		}
	}
	if err != nil {
		if b.server != nil {
			b.server.Stop()
		}
		return nil, err
	}
	fmt.Fprintf(log, "ClickHouse %s at %s, databases %s_*\n", b.version, url, b.prefix)
	return b, nil
}

// open opens callscope's ClickHouse store on the server.
func (b *clickHouseBench) open(ctx context.Context) (*chstore.Store, error) {
	opts := b.opts
	opts.Logger = slog.New(slog.DiscardHandler)
	return chstore.Open(ctx, opts)
}

// serveOn is callscope serve on this server. The password goes through
// the environment callscope serve reads, not the command line that ps
// shows.
func (b *clickHouseBench) serveOn() serveOn {
	on := serveOn{args: []string{"--store", b.target.URL}, enginePid: b.pid}
	if b.target.User != "" {
		on.args = append(on.args, "--clickhouse-user", b.target.User)
	}
	if b.target.Password != "" {
		on.env = []string{"CALLSCOPE_CLICKHOUSE_PASSWORD=" + b.target.Password}
	}
	return on
}

// databases lists the benchmark's databases: those of its prefix and "_".
func (b *clickHouseBench) databases(ctx context.Context) ([]string, error) {
	r, err := b.conn.Query(ctx, "SELECT name FROM system.databases WHERE "+hasPrefix("name", b.prefix+"_")+" ORDER BY name", nil)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, row := range r.Rows {
		var n string
		if err := json.Unmarshal(row[0], &n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, nil
}

// diskBytes is the size on disk of the active parts of the databases
// whose names start with prefix.
func (b *clickHouseBench) diskBytes(ctx context.Context, prefix string) (int64, error) {
	return b.count(ctx, "SELECT toString(sum(bytes_on_disk)) FROM system.parts WHERE active AND "+hasPrefix("database", prefix))
}

// count runs a query whose answer is one integer, as text (64-bit
// integers come quoted).
func (b *clickHouseBench) count(ctx context.Context, query string) (int64, error) {
	r, err := b.conn.Query(ctx, query, nil)
	if err != nil {
		return 0, err
	}
	if len(r.Rows) != 1 || len(r.Rows[0]) != 1 {
		return 0, fmt.Errorf("%s: %d rows, want one value", query, len(r.Rows))
	}
	var s string
	if err := json.Unmarshal(r.Rows[0][0], &s); err != nil {
		return 0, err
	}
	return strconv.ParseInt(s, 10, 64)
}

// baseline loads the file with ClickHouse's own INSERT … FORMAT
// JSONEachRow into one MergeTree table partitioned by day, as one
// streamed request: what the server does with the file when nothing but
// parsing and storing stands between them.
//
// The records of the mix differ in their properties, nested up to three
// levels deep. Releases that can read a JSON object as text (the
// input_format_json_read_objects_as_strings setting) keep the properties
// as JSON, like the DuckDB baseline; older ones (Debian's 18.16) cannot
// read a nested object into any column, so they skip the properties and
// store only the top-level fields, which makes their baseline lighter.
func (b *clickHouseBench) baseline(ctx context.Context, file string, log io.Writer) (*Baseline, error) {
	base := &Baseline{What: "ClickHouse INSERT FORMAT JSONEachRow"}
	objectsAsText, err := b.hasSetting(ctx, "input_format_json_read_objects_as_strings")
	if err != nil {
		return nil, err
	}
	db := b.prefix + "__baseline"
	columns := "time DateTime, resourceId String, operationName String, category String, operationVersion String, correlationId String"
	settings := ch.Settings{"input_format_skip_unknown_fields": "1", "date_time_input_format": "best_effort"}
	if objectsAsText {
		columns += ", properties String"
		settings["input_format_json_read_objects_as_strings"] = "1"
		base.Note = "properties kept as JSON text, not typed into columns"
	} else {
		base.Note = fmt.Sprintf("properties skipped: ClickHouse %s cannot read a nested JSON object into a column", b.version)
	}
	for _, stmt := range []string{
		"CREATE DATABASE " + ch.Ident(db),
		"CREATE TABLE " + ch.Ident(db) + ".records (" + columns + ") ENGINE = MergeTree() PARTITION BY toDate(time) ORDER BY (category, time)",
	} {
		if err := b.conn.Exec(ctx, stmt, nil); err != nil {
			return nil, fmt.Errorf("baseline: %w", err)
		}
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fmt.Fprintf(log, "baseline: ClickHouse INSERT … FORMAT JSONEachRow of the same file\n")
	start := time.Now()
	if err := b.conn.Insert(ctx, ch.Ident(db)+".records", nil, "JSONEachRow", f, settings); err != nil {
		return nil, fmt.Errorf("baseline load: %w", err)
	}
	base.Seconds = time.Since(start).Seconds()
	if base.Rows, err = b.count(ctx, "SELECT toString(count()) FROM "+ch.Ident(db)+".records"); err != nil {
		return nil, err
	}
	base.RowsPerSec = float64(base.Rows) / base.Seconds
	if base.DiskBytes, err = b.diskBytes(ctx, db); err != nil {
		return nil, err
	}
	return base, nil
}

// hasPrefix is SQL for column starting with prefix, in a form every
// release since 18.16 knows (LIKE would read "_" as a wildcard).
func hasPrefix(column, prefix string) string {
	return fmt.Sprintf("substring(%s, 1, %d) = %s", column, len(prefix), ch.String(prefix))
}

func (b *clickHouseBench) hasSetting(ctx context.Context, name string) (bool, error) {
	n, err := b.count(ctx, "SELECT toString(count()) FROM system.settings WHERE name = "+ch.String(name))
	return n > 0, err
}

// Close drops the benchmark's databases, unless keep, and stops a server
// the benchmark started.
func (b *clickHouseBench) Close(ctx context.Context, keep bool) error {
	var errs []error
	if !keep {
		names, err := b.databases(ctx)
		errs = append(errs, err)
		for _, n := range names {
			errs = append(errs, b.conn.Exec(ctx, "DROP DATABASE IF EXISTS "+ch.Ident(n), nil))
		}
	}
	if b.server != nil {
		b.server.Stop()
	}
	return errors.Join(errs...)
}
