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
	"time"

	"github.com/callscope/callscope/internal/decode"
	"github.com/callscope/callscope/internal/server"
	"github.com/callscope/callscope/internal/store/duckdb"
)

// storeFlags choose and size the storage engine.
type storeFlags struct {
	data                string
	memoryLimit         string
	threads             int
	writers             int
	checkpointThreshold string
}

func (s *storeFlags) register(fs *flag.FlagSet, dataUsage string) {
	fs.StringVar(&s.data, "data", "./callscope-data", dataUsage)
	fs.StringVar(&s.memoryLimit, "memory-limit", "512MB", "DuckDB memory limit per workspace (e.g. 512MB, 2GB)")
	fs.IntVar(&s.threads, "threads", 2, "DuckDB worker threads per workspace")
	fs.IntVar(&s.writers, "writers", 2, "connections appending and committing at once per workspace")
	fs.StringVar(&s.checkpointThreshold, "checkpoint-threshold", "256MB", "write-ahead log size at which DuckDB checkpoints")
}

func (s *storeFlags) open(log *slog.Logger, observer *server.Metrics) (*duckdb.Store, error) {
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
}

func (s *serverFlags) register(fs *flag.FlagSet, defaultListen string) {
	fs.StringVar(&s.listen, "listen", defaultListen, "`address` to listen on")
	fs.IntVar(&s.maxConcurrentIngest, "max-concurrent-ingest", 4, "ingest requests decoded at once (bounds memory)")
	fs.DurationVar(&s.queryTimeout, "query-timeout", time.Minute, "longest a query may run")
	fs.IntVar(&s.maxResultRows, "max-result-rows", 100_000, "most rows a query returns")
	fs.BoolVar(&s.pprof, "pprof", false, "serve Go profiles under /debug/pprof/")
}

type serveCmd struct {
	store  storeFlags
	limits limitFlags
	srv    serverFlags
	log    logFlags
}

func (c *serveCmd) flags(fs *flag.FlagSet) {
	c.srv.register(fs, "127.0.0.1:8080")
	c.store.register(fs, "data `directory` (one DuckDB file per workspace)")
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
	return runServer(ctx, log, &c.store, &c.srv, c.limits.lim, nil)
}

// runServer opens the store, serves until ctx is done and closes the store,
// so that every acknowledged record is checkpointed. ready, if set, is
// called with the server's URL once it accepts requests.
func runServer(ctx context.Context, log *slog.Logger, sf *storeFlags, srvf *serverFlags, lim decode.Limits, ready func(url string)) error {
	if err := checkOpenListen(srvf.listen); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", srvf.listen)
	if err != nil {
		return err
	}
	metrics := server.NewMetrics()
	st, err := sf.open(log, metrics)
	if err != nil {
		ln.Close()
		return err
	}
	srv, err := server.New(ctx, server.Config{
		Limits:              lim,
		MaxConcurrentIngest: srvf.maxConcurrentIngest,
		QueryTimeout:        srvf.queryTimeout,
		MaxResultRows:       srvf.maxResultRows,
		Metrics:             metrics,
		Logger:              log,
	}, st)
	if err != nil {
		ln.Close()
		return errors.Join(err, st.Close())
	}
	var handler http.Handler = srv.Handler()
	if srvf.pprof {
		handler = withPprof(handler)
	}
	url := "http://" + ln.Addr().String()
	log.Warn("no API keys: anyone who can reach this address may ingest and query; it listens on loopback only", "url", url)
	log.Info("callscope is serving", "url", url, "data", sf.data)
	if ready != nil {
		ready(url)
	}
	serveErr := srv.Serve(ctx, ln, handler)
	closeErr := st.Close()
	if closeErr == nil {
		log.Info("store closed cleanly")
	}
	return errors.Join(serveErr, closeErr)
}

// checkOpenListen refuses addresses other than loopback: until API keys
// exist, an open server must not be reachable from other machines.
func checkOpenListen(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("--listen %q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--listen %s: without API keys callscope only listens on loopback (127.0.0.1 or ::1)", addr)
	}
	return nil
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
