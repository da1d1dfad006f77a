// Package duckdb stores workspaces in embedded DuckDB databases, one file
// per workspace under the data directory.
//
// Writes go through DuckDB's Appender inside one transaction per group of
// concurrent requests (group commit): a commit costs an fsync of the
// write-ahead log, and sharing it among every request that arrived meanwhile
// is what lets durable ingestion keep up with many small requests.
package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/callscope/callscope/internal/store"
)

// Options configure the DuckDB engine.
type Options struct {
	// Dir is the data directory; workspaces live in Dir/workspaces/<name>.duckdb.
	Dir string
	// MemoryLimit caps DuckDB's buffer memory per workspace database, in
	// DuckDB's notation ("512MB", "2GB").
	MemoryLimit string
	// Threads is the number of DuckDB worker threads per database.
	Threads int
	// Writers is the number of connections that append and commit at once.
	Writers int
	// MaxGroupRows caps how many rows one group commit gathers.
	MaxGroupRows int
	// CheckpointThreshold is the write-ahead log size at which DuckDB
	// folds the log into the database file, compressing the new rows
	// ("256MB"). Larger means fewer, cheaper-per-row checkpoints and a
	// longer replay after a crash.
	CheckpointThreshold string
	// Observer, if set, learns the size and latency of every commit.
	Observer store.CommitObserver
	Logger   *slog.Logger
}

// DefaultOptions leave room for the Go process next to DuckDB within the
// 1 GiB the design allows while ingesting.
func DefaultOptions(dir string) Options {
	return Options{Dir: dir, MemoryLimit: "512MB", Threads: 2, Writers: 2, MaxGroupRows: 200_000, CheckpointThreshold: "256MB"}
}

// Store is the DuckDB engine. It opens workspace databases on first use and
// keeps them open until Close.
type Store struct {
	opts Options
	log  *slog.Logger

	mu     sync.Mutex
	ws     map[string]*workspace
	closed bool
}

var _ store.Store = (*Store)(nil)

// Open prepares the data directory. Workspaces are opened by Workspace.
func Open(opts Options) (*Store, error) {
	if opts.Dir == "" {
		return nil, errors.New("duckdb: no data directory")
	}
	def := DefaultOptions(opts.Dir)
	if opts.MemoryLimit == "" {
		opts.MemoryLimit = def.MemoryLimit
	}
	if opts.Threads <= 0 {
		opts.Threads = def.Threads
	}
	if opts.MaxGroupRows <= 0 {
		opts.MaxGroupRows = def.MaxGroupRows
	}
	if opts.Writers <= 0 {
		opts.Writers = def.Writers
	}
	if opts.CheckpointThreshold == "" {
		opts.CheckpointThreshold = def.CheckpointThreshold
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if err := os.MkdirAll(filepath.Join(opts.Dir, "workspaces"), 0o755); err != nil {
		return nil, fmt.Errorf("duckdb: creating data directory: %w", err)
	}
	return &Store{opts: opts, log: opts.Logger, ws: map[string]*workspace{}}, nil
}

// Engine implements store.Store.
func (s *Store) Engine() string { return "duckdb" }

// Path is the database file of a workspace.
func (s *Store) Path(name string) string {
	return filepath.Join(s.opts.Dir, "workspaces", name+".duckdb")
}

// Workspace implements store.Store.
func (s *Store) Workspace(ctx context.Context, ref store.WorkspaceRef) (store.Workspace, error) {
	if err := store.ValidWorkspaceName(ref.Name); err != nil {
		return nil, err
	}
	if ref.ID == "" {
		return nil, errors.New("duckdb: a workspace needs an id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	if w, ok := s.ws[ref.Name]; ok {
		if w.id != ref.ID {
			return nil, fmt.Errorf("duckdb: workspace %s is open with id %s, not %s", ref.Name, w.id, ref.ID)
		}
		return w, nil
	}
	w, err := openWorkspace(ctx, s.Path(ref.Name), ref, s.opts)
	if err != nil {
		return nil, err
	}
	s.ws[ref.Name] = w
	return w, nil
}

// DropWorkspace implements store.Store: it closes the workspace and deletes
// its database file, write-ahead log and spill folder.
func (s *Store) DropWorkspace(ctx context.Context, name string) error {
	if err := store.ValidWorkspaceName(name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.ws[name]; ok {
		if err := w.close(); err != nil {
			return err
		}
		delete(s.ws, name)
	}
	path := s.Path(name)
	var errs []error
	for _, p := range []string{path, path + ".wal", path + ".tmp"} {
		if err := os.RemoveAll(p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Close commits pending writes, checkpoints and closes every workspace.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	for _, w := range s.ws {
		errs = append(errs, w.close())
	}
	return errors.Join(errs...)
}

// openDB opens one database file with explicit resource limits.
func openDB(path string, opts Options) (*sql.DB, error) {
	dsn := fmt.Sprintf("%s?threads=%d&memory_limit=%s&checkpoint_threshold=%s", path, opts.Threads,
		url.QueryEscape(opts.MemoryLimit), url.QueryEscape(opts.CheckpointThreshold))
	connector, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, fmt.Errorf("duckdb: opening %s: %w", path, describeOpenError(err))
	}
	return sql.OpenDB(connector), nil
}

// describeOpenError explains the most common failure: another process (a
// running callscope serve) holds the file.
func describeOpenError(err error) error {
	if err != nil && containsAny(err.Error(), "Could not set lock", "Conflicting lock") {
		return fmt.Errorf("%w (is another callscope process using this data directory? stop it, or query it over HTTP with --url)", err)
	}
	return err
}
