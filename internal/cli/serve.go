package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"strings"
	"time"

	"github.com/callscope/callscope/internal/decode"
	"github.com/callscope/callscope/internal/derive"
	"github.com/callscope/callscope/internal/server"
	"github.com/callscope/callscope/internal/store"
	chstore "github.com/callscope/callscope/internal/store/clickhouse"
	"github.com/callscope/callscope/internal/store/duckdb"
	"github.com/callscope/callscope/internal/workspace"
)

// storeFlags choose and size the storage engine.
type storeFlags struct {
	data                string
	memoryLimit         string
	threads             int
	writers             int
	checkpointThreshold string

	// A ClickHouse store instead of DuckDB files.
	url                string
	clickhouseUser     string
	clickhousePassword string
	clickhouseCluster  string
}

func (s *storeFlags) register(fs *flag.FlagSet, dataUsage string) {
	fs.StringVar(&s.data, "data", "./callscope-data", dataUsage)
	fs.StringVar(&s.memoryLimit, "memory-limit", "512MB", "DuckDB memory limit per workspace (e.g. 512MB, 2GB)")
	fs.IntVar(&s.threads, "threads", 2, "DuckDB worker threads per workspace")
	fs.IntVar(&s.writers, "writers", 2, "connections appending and committing at once per workspace")
	fs.StringVar(&s.checkpointThreshold, "checkpoint-threshold", "256MB", "write-ahead log size at which DuckDB checkpoints")
	fs.StringVar(&s.url, "store", "", "keep data and metadata in ClickHouse instead of --data: clickhouse://host:8123[,host2:8123…]/prefix")
	fs.StringVar(&s.clickhouseUser, "clickhouse-user", "", "ClickHouse user (default: the URL's, else \"default\")")
	fs.StringVar(&s.clickhousePassword, "clickhouse-password", "", "ClickHouse password (better set in CALLSCOPE_CLICKHOUSE_PASSWORD)")
	fs.StringVar(&s.clickhouseCluster, "clickhouse-cluster", "", "ClickHouse cluster `name` (remote_servers) to create local tables on every node of and Distributed tables over")
}

// clickhouse reports whether the store is ClickHouse.
func (s *storeFlags) clickhouse() bool { return s.url != "" }

// checkStoreURL refuses a --store that is not a ClickHouse address.
func checkStoreURL(url string) error {
	for _, scheme := range []string{"clickhouse://", "http://", "https://"} {
		if strings.HasPrefix(url, scheme) {
			return nil
		}
	}
	return usagef("--store %q: want clickhouse://host:8123/prefix", url)
}

// openAll opens the metadata and the store: a data directory's, or a
// ClickHouse deployment's, shared by every callscope node in front of it.
func (s *storeFlags) openAll(ctx context.Context, log *slog.Logger, observer *server.Metrics) (*workspace.Registry, store.Store, error) {
	if !s.clickhouse() {
		reg, err := openRegistry(s.data)
		if err != nil {
			return nil, nil, err
		}
		st, err := s.openDuckDB(log, observer)
		if err != nil {
			reg.Close()
			return nil, nil, err
		}
		return reg, st, nil
	}
	st, opts, err := s.openClickHouse(ctx, log, observer)
	if err != nil {
		return nil, nil, err
	}
	meta, err := chstore.OpenMetadata(ctx, opts)
	if err != nil {
		return nil, nil, errors.Join(err, st.Close())
	}
	reg, err := workspace.Open(meta)
	if err != nil {
		return nil, nil, errors.Join(err, st.Close())
	}
	return reg, st, nil
}

// openClickHouse connects to the ClickHouse deployment of --store; it
// creates nothing there.
func (s *storeFlags) openClickHouse(ctx context.Context, log *slog.Logger, observer *server.Metrics) (*chstore.Store, chstore.Options, error) {
	if err := checkStoreURL(s.url); err != nil {
		return nil, chstore.Options{}, err
	}
	opts, err := chstore.Connect(ctx, chstore.ConnectConfig{URL: s.url, User: s.clickhouseUser, Password: s.clickhousePassword, Cluster: s.clickhouseCluster})
	if err != nil {
		return nil, opts, err
	}
	opts.Logger = log
	if observer != nil {
		opts.Observer = observer
	}
	st, err := chstore.Open(ctx, opts)
	return st, opts, err
}

// openExisting is openAll for a command run once: a data folder must
// already exist, as a command that reads it would otherwise find nothing
// in an empty one it just made.
func (s *storeFlags) openExisting(ctx context.Context, log *slog.Logger) (*workspace.Registry, store.Store, error) {
	if !s.clickhouse() {
		if _, err := os.Stat(s.data); err != nil {
			return nil, nil, fmt.Errorf("no data folder %s", s.data)
		}
	}
	return s.openAll(ctx, log, nil)
}

func (s *storeFlags) openDuckDB(log *slog.Logger, observer *server.Metrics) (*duckdb.Store, error) {
	opts := duckdb.DefaultOptions(s.data)
	opts.MemoryLimit = s.memoryLimit
	opts.Threads = s.threads
	opts.Writers = s.writers
	opts.CheckpointThreshold = s.checkpointThreshold
	opts.Logger = log
	if observer != nil {
		opts.Observer = observer
	}
	return duckdb.Open(opts)
}

// limitFlags set the limits on what one body or record may hold.
type limitFlags struct{ lim decode.Limits }

func (l *limitFlags) register(fs *flag.FlagSet) {
	d := decode.DefaultLimits()
	fs.Int64Var(&l.lim.MaxBodyBytes, "max-body-bytes", d.MaxBodyBytes, "largest request body as received, in bytes")
	fs.Int64Var(&l.lim.MaxDecompressedBytes, "max-decompressed-bytes", d.MaxDecompressedBytes, "largest body after gzip decompression, in bytes")
	fs.IntVar(&l.lim.MaxRecords, "max-records", d.MaxRecords, "most records in one request")
	fs.IntVar(&l.lim.MaxRecordBytes, "max-record-bytes", d.MaxRecordBytes, "largest single record, in bytes")
	fs.IntVar(&l.lim.MaxStringBytes, "max-string-bytes", d.MaxStringBytes, "longest string value in a record, in bytes")
	fs.IntVar(&l.lim.MaxDepth, "max-depth", d.MaxDepth, "deepest nesting of objects and arrays in a record")
}

// logFlags configure structured logging.
type logFlags struct{ level, format string }

func (l *logFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.level, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&l.format, "log-format", "text", "log format: text or json")
}

func (l *logFlags) logger() (*slog.Logger, error) { return newLogger(os.Stderr, l.level, l.format) }

// serverFlags configure the HTTP server.
type serverFlags struct {
	listen              string
	maxConcurrentIngest int
	queryTimeout        time.Duration
	maxResultRows       int
	pprof               bool
	open                bool
}

func (s *serverFlags) register(fs *flag.FlagSet, defaultListen string) {
	fs.StringVar(&s.listen, "listen", defaultListen, "`address` to listen on")
	fs.IntVar(&s.maxConcurrentIngest, "max-concurrent-ingest", 4, "ingest requests decoded at once (bounds memory)")
	fs.DurationVar(&s.queryTimeout, "query-timeout", time.Minute, "longest a query may run")
	fs.IntVar(&s.maxResultRows, "max-result-rows", 100_000, "most rows a query returns")
	fs.BoolVar(&s.pprof, "pprof", false, "serve Go profiles under /debug/pprof/")
	fs.BoolVar(&s.open, "open", false, "serve without checking API keys even if some exist (loopback addresses only)")
}

// jobFlags set how the derived-data jobs run.
type jobFlags struct {
	finalizeAfter  time.Duration
	finalizeEvery  time.Duration
	rollupEvery    time.Duration
	usageEvery     time.Duration
	retentionEvery time.Duration
}

// register adds the job flags; every sets the default interval of the
// daily-metrics and usage jobs (the demo wants them sooner than a server).
func (j *jobFlags) register(fs *flag.FlagSet, every time.Duration) {
	fs.DurationVar(&j.finalizeAfter, "finalize-after", 2*time.Minute, "grace after a call's last update before its final summary and diagnostics rows are written")
	fs.DurationVar(&j.finalizeEvery, "finalize-every", 5*time.Second, "how often finalisation runs")
	fs.DurationVar(&j.rollupEvery, "rollup-every", every, "how often the daily ACSCallingMetrics rows are recomputed")
	fs.DurationVar(&j.usageEvery, "usage-every", every, "how often the Usage table is recomputed")
	fs.DurationVar(&j.retentionEvery, "retention-every", time.Hour, "how often rows past their retention are deleted")
}

func (j *jobFlags) config(st store.Store, reg *workspace.Registry, observer derive.Observer, log *slog.Logger) derive.Config {
	return derive.Config{
		Store: st, Registry: reg, Observer: observer, Logger: log,
		FinalizeAfter: j.finalizeAfter, FinalizeEvery: j.finalizeEvery, RollupEvery: j.rollupEvery,
		UsageEvery: j.usageEvery, RetentionEvery: j.retentionEvery,
	}
}

type serveCmd struct {
	store  storeFlags
	limits limitFlags
	srv    serverFlags
	jobs   jobFlags
	log    logFlags
}

func (c *serveCmd) flags(fs *flag.FlagSet) {
	c.srv.register(fs, "127.0.0.1:8080")
	c.store.register(fs, "data `directory` (metadata and one DuckDB file per workspace)")
	c.jobs.register(fs, 5*time.Minute)
	c.limits.register(fs)
	c.log.register(fs)
}

func (c *serveCmd) run(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected arguments: %v", args)
	}
	log, err := c.log.logger()
	if err != nil {
		return err
	}
	return runServer(ctx, serveOptions{log: log, store: &c.store, srv: &c.srv, jobs: &c.jobs, limits: c.limits.lim})
}

// serveOptions gather what runServer needs.
type serveOptions struct {
	log    *slog.Logger
	store  *storeFlags
	srv    *serverFlags
	jobs   *jobFlags
	limits decode.Limits
	// open serves without keys (the demo); still loopback only.
	open bool
	// setup, if set, runs on the registry before serving (the demo
	// registers its resources and settings).
	setup func(*workspace.Registry) error
	// ready, if set, is called with the server's URL once it accepts
	// requests.
	ready func(url string)
}

// runServer opens the metadata and the store, runs the derived-data jobs
// and serves until ctx is done, then closes the store, so that every
// acknowledged record is checkpointed.
func runServer(ctx context.Context, o serveOptions) error {
	metrics := server.NewMetrics()
	reg, st, err := o.store.openAll(ctx, o.log, metrics)
	if err != nil {
		return err
	}
	defer reg.Close()
	if o.setup != nil {
		if err := o.setup(reg); err != nil {
			return errors.Join(err, st.Close())
		}
	}
	where := o.store.data
	if o.store.clickhouse() {
		where = o.store.url
	}
	open, err := decideOpen(o.srv.listen, o.open || o.srv.open, reg.HasKeys(), where)
	if err != nil {
		return errors.Join(err, st.Close())
	}
	ln, err := net.Listen("tcp", o.srv.listen)
	if err != nil {
		return errors.Join(err, st.Close())
	}
	srv, err := server.New(ctx, server.Config{
		Limits:              o.limits,
		MaxConcurrentIngest: o.srv.maxConcurrentIngest,
		QueryTimeout:        o.srv.queryTimeout,
		MaxResultRows:       o.srv.maxResultRows,
		Open:                open,
		Metrics:             metrics,
		Logger:              o.log,
	}, st, reg)
	if err != nil {
		ln.Close()
		return errors.Join(err, st.Close())
	}
	var handler http.Handler = srv.Handler()
	if o.srv.pprof {
		handler = withPprof(handler)
	}
	url := "http://" + ln.Addr().String()
	if open {
		o.log.Warn("OPEN: API keys are not checked. Anyone who can reach this address may send records, query and change settings. It listens on loopback only.", "url", url)
	}
	o.log.Info("callscope is serving", "url", url, "data", where, "keys", !open)
	if o.store.clickhouse() {
		// Other nodes change the metadata too.
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-time.After(2 * time.Second):
					if err := reg.Refresh(); err != nil {
						o.log.Warn("metadata refresh", "err", err)
					}
				}
			}
		}()
	}

	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		jobs := derive.New(o.jobs.config(st, reg, metrics, o.log))
		if err := jobs.RunOnce(jobsCtx); err != nil && jobsCtx.Err() == nil {
			o.log.Warn("derived-data jobs", "err", err)
		}
		jobs.Run(jobsCtx)
	}()
	if o.ready != nil {
		o.ready(url)
	}
	serveErr := srv.Serve(ctx, ln, handler)
	stopJobs()
	<-jobsDone
	closeErr := st.Close()
	if closeErr == nil {
		o.log.Info("store closed cleanly")
	}
	return errors.Join(serveErr, closeErr)
}

// decideOpen says whether a server runs without checking keys. It may only
// on a loopback address: when asked to (--open, the demo), or while no key
// exists. Anywhere else it needs keys, and an admin key to manage them.
func decideOpen(listen string, asked, haveKeys bool, data string) (bool, error) {
	loopback, err := isLoopback(listen)
	if err != nil {
		return false, err
	}
	switch {
	case asked && !loopback:
		return false, fmt.Errorf("--listen %s: serving without keys (--open) is only allowed on loopback addresses", listen)
	case asked:
		return true, nil
	case !haveKeys && !loopback:
		return false, fmt.Errorf("--listen %s: no API key exists, and a server reachable from other machines needs them. Create an admin key first:\n\n  callscope key create --kind admin --data %s\n\nthen ingest and read keys with it (callscope key create --url … --key <admin key>)", listen, data)
	default:
		return !haveKeys, nil
	}
}

// isLoopback reports whether a listen address is on loopback only.
func isLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, usagef("--listen %q: %v", addr, err)
	}
	if host == "localhost" {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

func withPprof(next http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/", next)
	return mux
}
