// Package server is callscope's HTTP API: ingestion compatible with what
// Azure diagnostic settings export, routed by diagnostic settings; queries
// answered in the Log Analytics result shape; the administration of
// workspaces, resources, settings, keys and retention; health, readiness
// and Prometheus metrics.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/callscope/callscope/internal/decode"
	"github.com/callscope/callscope/internal/ingest"
	"github.com/callscope/callscope/internal/schema"
	"github.com/callscope/callscope/internal/store"
	"github.com/callscope/callscope/internal/web"
	"github.com/callscope/callscope/internal/workspace"
)

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
	// Open serves without keys: every request may do everything. Only for
	// a loopback address; the caller decides and says so in the log.
	Open    bool
	Metrics *Metrics
	Logger  *slog.Logger
}

// Server serves the HTTP API over a store and a registry.
type Server struct {
	cfg      Config
	log      *slog.Logger
	store    store.Store
	registry *workspace.Registry
	ingester *ingest.Ingester
	metrics  *Metrics
	slots    chan struct{}
	ready    atomic.Bool
	mux      *http.ServeMux

	mu   sync.Mutex
	open map[string]store.Workspace // workspace id → opened store workspace
}

// New prepares a server over a store and a registry.
func New(ctx context.Context, cfg Config, st store.Store, reg *workspace.Registry) (*Server, error) {
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
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger,
		store:    st,
		registry: reg,
		ingester: ingest.New(cfg.Limits, reg.TenantOf),
		metrics:  cfg.Metrics,
		slots:    make(chan struct{}, cfg.MaxConcurrentIngest),
		mux:      http.NewServeMux(),
		open:     map[string]store.Workspace{},
	}
	// Open the default workspace now, so that a store that cannot open
	// fails the start rather than the first request.
	def, err := reg.Workspace(workspace.DefaultName)
	if err != nil {
		return nil, err
	}
	if _, err := s.storeWorkspace(ctx, def); err != nil {
		return nil, err
	}
	s.routes()
	s.ready.Store(true)
	return s, nil
}

func (s *Server) routes() {
	s.mux.HandleFunc("POST /v1/ingest", s.handleIngest)
	s.mux.HandleFunc("POST /v1/workspaces/{workspace}/sql", s.handleSQL)
	s.mux.HandleFunc("GET /v1/workspaces/{workspace}/sql", s.handleSQL)
	s.mux.HandleFunc("POST /v1/workspaces/{workspace}/query", s.handleQuery)
	s.mux.HandleFunc("GET /v1/workspaces/{workspace}/query", s.handleQuery)
	s.mux.HandleFunc("GET /v1/workspaces/{workspace}/calls/{call}", s.handleCallOverview)
	s.mux.HandleFunc("GET /v1/workspaces/{workspace}/calls/{call}/issues", s.handleCallIssues)
	s.mux.HandleFunc("GET /v1/workspaces/{workspace}/calls/{call}/timeline", s.handleCallTimeline)
	s.mux.HandleFunc("GET /v1/workspaces/{workspace}/calls/{call}/series", s.handleCallSeries)
	s.mux.HandleFunc("GET /v1/workspaces/{workspace}/calls", s.handleCallSearch)
	s.mux.HandleFunc("GET /v1/workspaces/{workspace}/sources", s.handleSources)
	s.mux.HandleFunc("GET /v1/quality", s.handleQualityModel)
	s.adminRoutes()
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	s.mux.HandleFunc("GET /readyz", s.handleReady)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	ui := web.Handler() // the browser UI: the page at / and its files under /ui/
	s.mux.Handle("GET /{$}", ui)
	s.mux.Handle("GET /ui/", ui)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "NotFound", fmt.Sprintf("no such endpoint: %s %s", r.Method, r.URL.Path), nil)
	})
}

// Handler returns the server's HTTP handler. Resource ids contain slashes
// and may come URL-encoded, so /v1/resources/… is dispatched before the
// mux, which would otherwise clean double slashes into a redirect.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/resources" || strings.HasPrefix(r.URL.Path, "/v1/resources/") {
			s.handleResources(w, r)
			return
		}
		s.mux.ServeHTTP(w, r)
	})
}

// Serve answers requests on ln with h (nil: the server's own handler) until
// ctx is done, then stops gracefully: it refuses new connections, lets
// requests in flight finish (their records are committed before they are
// answered), and returns. The caller closes the store afterwards.
func (s *Server) Serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	if h == nil {
		h = s.Handler()
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

// storeWorkspace opens (once) the store side of a registry workspace.
func (s *Server) storeWorkspace(ctx context.Context, w workspace.Workspace) (store.Workspace, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ws, ok := s.open[w.ID]; ok {
		return ws, nil
	}
	ws, err := s.store.Workspace(ctx, store.WorkspaceRef{Name: w.Name, ID: w.ID})
	if err != nil {
		return nil, err
	}
	s.open[w.ID] = ws
	return ws, nil
}

// forget drops a deleted workspace from the cache.
func (s *Server) forget(id string) {
	s.mu.Lock()
	delete(s.open, id)
	s.mu.Unlock()
}

// route returns the store workspaces a record of a table from a resource
// goes to, following the diagnostic settings.
func (s *Server) route(ctx context.Context) func(t *schema.Table, resourceID string) []store.Workspace {
	return func(t *schema.Table, resourceID string) []store.Workspace {
		var out []store.Workspace
		for _, w := range s.registry.Route(resourceID, t.Category) {
			ws, err := s.storeWorkspace(ctx, *w)
			if err != nil {
				s.log.Error("opening workspace", "workspace", w.Name, "err", err)
				continue
			}
			out = append(out, ws)
		}
		return out
	}
}

// workspace resolves the workspace a request names and checks that the
// caller may read it.
func (s *Server) workspace(w http.ResponseWriter, r *http.Request) (store.Workspace, bool) {
	reg, ok := s.readableWorkspace(w, r)
	if !ok {
		return nil, false
	}
	ws, err := s.storeWorkspace(r.Context(), reg)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "StoreUnavailable", err.Error(), nil)
		return nil, false
	}
	return ws, true
}

// readableWorkspace is the registry's entry of the workspace a request
// names, when the caller may read it.
func (s *Server) readableWorkspace(w http.ResponseWriter, r *http.Request) (workspace.Workspace, bool) {
	key, ok := s.authenticate(w, r)
	if !ok {
		return workspace.Workspace{}, false
	}
	name := r.PathValue("workspace")
	reg, err := s.registry.Workspace(name)
	if err != nil {
		writeError(w, http.StatusNotFound, "WorkspaceNotFoundError", fmt.Sprintf("workspace %q does not exist", name), nil)
		return workspace.Workspace{}, false
	}
	if key != nil && !key.CanRead(reg.ID) {
		writeError(w, http.StatusForbidden, "Forbidden", fmt.Sprintf("the key may not read workspace %s", reg.Name), nil)
		return workspace.Workspace{}, false
	}
	return reg, true
}
