// Package server is callscope's HTTP API: ingestion compatible with what
// Azure diagnostic settings export, queries answered in the Log Analytics
// result shape, health and readiness, and Prometheus metrics.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/callscope/callscope/internal/decode"
	"github.com/callscope/callscope/internal/ingest"
	"github.com/callscope/callscope/internal/store"
)

// DefaultWorkspace receives every record until workspaces and diagnostic
// settings route them elsewhere.
const DefaultWorkspace = "default"

// Config holds the server's settings.
type Config struct {
	Limits decode.Limits
	// MaxConcurrentIngest bounds the ingest requests decoded at once; more
	// wait for a slot. It bounds memory: a request's rows are held until
	// they are committed.
	MaxConcurrentIngest int
	// QueryTimeout and MaxResultRows bound every query.
	QueryTimeout  time.Duration
	MaxResultRows int
	// ShutdownTimeout bounds how long a graceful stop waits for requests
	// in flight.
	ShutdownTimeout time.Duration
	Metrics         *Metrics
	Logger          *slog.Logger
}

// Server serves the HTTP API over a store.
type Server struct {
	cfg      Config
	log      *slog.Logger
	store    store.Store
	defaultW store.Workspace
	ingester *ingest.Ingester
	metrics  *Metrics
	slots    chan struct{}
	ready    atomic.Bool
	mux      *http.ServeMux
}

// New prepares a server over st and opens the default workspace.
func New(ctx context.Context, cfg Config, st store.Store) (*Server, error) {
	cfg.Limits = cfg.Limits.WithDefaults()
	if cfg.MaxConcurrentIngest <= 0 {
		cfg.MaxConcurrentIngest = 4
	}
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = time.Minute
	}
	if cfg.MaxResultRows <= 0 {
		cfg.MaxResultRows = 100_000
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	ws, err := st.Workspace(ctx, DefaultWorkspace)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger,
		store:    st,
		defaultW: ws,
		ingester: ingest.New(ws, cfg.Limits),
		metrics:  cfg.Metrics,
		slots:    make(chan struct{}, cfg.MaxConcurrentIngest),
		mux:      http.NewServeMux(),
	}
	s.routes()
	s.ready.Store(true)
	return s, nil
}

func (s *Server) routes() {
	s.mux.HandleFunc("POST /v1/ingest", s.handleIngest)
	s.mux.HandleFunc("POST /v1/workspaces/{workspace}/sql", s.handleSQL)
	s.mux.HandleFunc("GET /v1/workspaces/{workspace}/sql", s.handleSQL)
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.mux.HandleFunc("GET /readyz", s.handleReady)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	s.mux.HandleFunc("GET /{$}", s.handleIndex)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NotFound", fmt.Sprintf("no such endpoint: %s %s", r.Method, r.URL.Path), nil)
	})
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Serve answers requests on ln with h (nil: the server's own handler) until
// ctx is done, then stops gracefully: it refuses new connections, lets
// requests in flight finish (their records are committed before they are
// answered), and returns. The caller closes the store afterwards.
func (s *Server) Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	if h == nil {
		h = s.mux
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.ready.Store(false)
	s.log.Info("shutting down: finishing requests in flight", "timeout", s.cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		writeError(w, http.StatusServiceUnavailable, "NotReady", "shutting down", nil)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// workspace resolves the workspace a request names.
func (s *Server) workspace(w http.ResponseWriter, r *http.Request) (store.Workspace, bool) {
	name := r.PathValue("workspace")
	if name != s.defaultW.Name() && name != s.defaultW.ID() {
		writeError(w, http.StatusNotFound, "WorkspaceNotFoundError", fmt.Sprintf("workspace %q does not exist", name), nil)
		return nil, false
	}
	return s.defaultW, true
}
