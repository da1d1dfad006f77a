package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	ch "github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/store"
)

// Options configure a ClickHouse store.
type Options struct {
	// Conn is the engine reads and writes go to.
	Conn Conn
	// Nodes are every node of the cluster, Conn's own included, on which
	// the tables are created; nil on a single server.
	Nodes []Conn
	// Cluster names the cluster of remote_servers the Distributed tables
	// spread over; "" on a single server.
	Cluster string
	// Database is the prefix of the workspaces' databases ("callscope").
	Database string
	// MaxMemory bounds one query's memory in bytes (0: the server's own).
	MaxMemory int64
	// Writers is how many inserts of gathered appends run at once, and
	// MaxGroupRows how many rows one of them gathers (see Append).
	Writers      int
	MaxGroupRows int
	// Observer, if set, learns the size and latency of every commit.
	Observer store.CommitObserver
	Logger   *slog.Logger
}

// Store keeps workspaces as databases of one ClickHouse server or cluster.
type Store struct {
	opts     Options
	version  ch.Version
	features ch.Features

	mu       sync.Mutex
	open     map[string]*workspace
	closed   bool
	dbList   map[string]bool // the server's databases, for the statement check
	dbListAt time.Time
}

var _ store.Store = (*Store)(nil)

// Oldest is the oldest release the store is tested on: the one Debian
// ships.
var Oldest = ch.Version{Major: 18, Minor: 16}

// Open asks the server for its version and chooses what to use from it.
// Tables are created when a workspace is first opened.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Conn == nil {
		return nil, errors.New("clickhouse: no connection")
	}
	if opts.Database == "" {
		opts.Database = "callscope"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if len(opts.Nodes) == 0 {
		opts.Nodes = []Conn{opts.Conn}
	}
	if opts.Writers <= 0 {
		opts.Writers = 2
	}
	if opts.MaxGroupRows <= 0 {
		opts.MaxGroupRows = 100_000
	}
	if opts.Cluster == "" && len(opts.Nodes) > 1 {
		return nil, errors.New("clickhouse: several nodes need the name of their cluster")
	}
	v, err := opts.Conn.ServerVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: asking the server's version: %w", err)
	}
	if !v.AtLeast(Oldest.Major, Oldest.Minor) {
		return nil, fmt.Errorf("clickhouse: the server runs %s; callscope needs %d.%d or later", v, Oldest.Major, Oldest.Minor)
	}
	for i, n := range opts.Nodes[1:] {
		nv, err := n.ServerVersion(ctx)
		if err != nil {
			return nil, fmt.Errorf("clickhouse: node %d of the cluster: %w", i+2, err)
		}
		if !nv.AtLeast(v.Major, v.Minor) {
			v = nv // use only what every node can do
		}
	}
	opts.Logger.Info("clickhouse store", "version", v.String(), "cluster", opts.Cluster, "nodes", len(opts.Nodes))
	return &Store{opts: opts, version: v, features: ch.FeaturesOf(v), open: map[string]*workspace{}}, nil
}

// Engine implements store.Store: "clickhouse" and the server's release
// ("clickhouse 18.16.1"), from which the KQL dialect learns what SQL the
// server reads.
func (s *Store) Engine() string { return "clickhouse " + s.version.String() }

// Version is the server release the store works with (the oldest of a
// cluster's nodes).
func (s *Store) Version() ch.Version { return s.version }

func (s *Store) layout(ref store.WorkspaceRef) Layout {
	return Layout{Database: DatabaseName(s.opts.Database, ref.Name), Cluster: s.opts.Cluster, WorkspaceID: ref.ID, Features: s.features}
}

// Workspace implements store.Store: the workspace's tables are created on
// every node if they are missing.
func (s *Store) Workspace(ctx context.Context, ref store.WorkspaceRef) (store.Workspace, error) {
	if err := store.ValidWorkspaceName(ref.Name); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	if w, ok := s.open[ref.Name]; ok {
		return w, nil
	}
	l := s.layout(ref)
	for i, n := range s.opts.Nodes {
		for _, stmt := range l.Create() {
			if err := n.Exec(ctx, stmt, nil); err != nil {
				return nil, fmt.Errorf("clickhouse: creating workspace %s on node %d: %w", ref.Name, i+1, err)
			}
		}
	}
	w := newWorkspace(s, ref, l)
	s.open[ref.Name] = w
	return w, nil
}

// DropWorkspace implements store.Store.
func (s *Store) DropWorkspace(ctx context.Context, name string) error {
	if err := store.ValidWorkspaceName(name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if w, ok := s.open[name]; ok {
		w.queue.Close()
		delete(s.open, name)
	}
	l := s.layout(store.WorkspaceRef{Name: name})
	for i, n := range s.opts.Nodes {
		if err := n.Exec(ctx, l.Drop(), nil); err != nil {
			return fmt.Errorf("clickhouse: dropping workspace %s on node %d: %w", name, i+1, err)
		}
	}
	return nil
}

// Close implements store.Store: it waits for the inserts under way.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for _, w := range s.open {
		w.queue.Close()
	}
	return nil
}

func (s *Store) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// retryDelays are the pauses between attempts of a write whose failure
// may be passing (a lost connection, a busy server).
var retryDelays = []time.Duration{100 * time.Millisecond, 500 * time.Millisecond, 2 * time.Second}
