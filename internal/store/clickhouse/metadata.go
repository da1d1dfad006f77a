package clickhouse

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	ch "github.com/callscope/callscope/internal/clickhouse"
	registry "github.com/callscope/callscope/internal/workspace"
)

// Metadata keeps the registry's state (workspaces, resources, diagnostic
// settings, keys) in ClickHouse, so that every callscope node in front of
// a cluster sees the same. Each state is a row of a small table on every
// node: a save writes the new version to all of them, a load reads the
// newest version any reachable node has. A node that was down when a
// change was made catches up with the next save.
//
// ClickHouse has no compare-and-set: two nodes changing the metadata in
// the same moment both write the same version, and the one written last
// wins. Changes to metadata are rare and made by people; the registry
// reads the newest state before each change, which keeps that window to
// the time of one save.
type Metadata struct {
	nodes   []Conn
	table   string
	timeout time.Duration
	log     *slog.Logger
}

var _ registry.SharedBackend = (*Metadata)(nil)

// MetadataDatabase is the database of the metadata: the prefix and two
// underscores, which no workspace's database can be (a workspace name
// starts with a letter or digit).
func MetadataDatabase(base string) string { return base + "__meta" }

// OpenMetadata creates the metadata table on every node if it is missing.
func OpenMetadata(ctx context.Context, opts Options) (*Metadata, error) {
	if opts.Database == "" {
		opts.Database = "callscope"
	}
	if len(opts.Nodes) == 0 {
		opts.Nodes = []Conn{opts.Conn}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	db := ch.Ident(MetadataDatabase(opts.Database))
	m := &Metadata{nodes: opts.Nodes, table: db + "." + ch.Ident("state"), timeout: 30 * time.Second, log: opts.Logger}
	for i, n := range m.nodes {
		for _, stmt := range []string{
			"CREATE DATABASE IF NOT EXISTS " + db,
			"CREATE TABLE IF NOT EXISTS " + m.table + " (version UInt64, written UInt64, state String) ENGINE = MergeTree() ORDER BY (version, written)",
		} {
			if err := n.Exec(ctx, stmt, nil); err != nil {
				return nil, fmt.Errorf("clickhouse: creating the metadata on node %d: %w", i+1, err)
			}
		}
	}
	return m, nil
}

// Shared implements registry.SharedBackend.
func (m *Metadata) Shared() {}

// Load implements registry.Backend: the newest state of any node that
// answers; an error only if none does.
func (m *Metadata) Load() (*registry.State, error) {
	ctx, cancel := context.WithTimeout(context.Background(), m.timeout)
	defer cancel()
	var best *registry.State
	var errs []error
	for i, n := range m.nodes {
		r, err := n.Query(ctx, "SELECT state FROM "+m.table+" ORDER BY version DESC, written DESC LIMIT 1", nil)
		if err != nil {
			errs = append(errs, fmt.Errorf("node %d: %w", i+1, err))
			continue
		}
		if len(r.Rows) == 0 {
			if best == nil {
				best = &registry.State{}
			}
			continue
		}
		var text string
		if err := json.Unmarshal(r.Rows[0][0], &text); err != nil {
			return nil, fmt.Errorf("clickhouse: metadata on node %d: %w", i+1, err)
		}
		var st registry.State
		if err := json.Unmarshal([]byte(text), &st); err != nil {
			return nil, fmt.Errorf("clickhouse: metadata on node %d is not readable: %w", i+1, err)
		}
		if best == nil || st.Version > best.Version {
			best = &st
		}
	}
	if best == nil {
		return nil, fmt.Errorf("clickhouse: no node has the metadata: %w", errors.Join(errs...))
	}
	if len(errs) > 0 {
		m.log.Warn("metadata read without some nodes", "err", errors.Join(errs...))
	}
	return best, nil
}

// Save implements registry.Backend: the state is written to every node,
// and the save fails if a node cannot take it, so that a change is only
// made while the whole cluster can see it.
func (m *Metadata) Save(st *registry.State) error {
	ctx, cancel := context.WithTimeout(context.Background(), m.timeout)
	defer cancel()
	doc, err := json.Marshal(st)
	if err != nil {
		return err
	}
	row, err := json.Marshal(map[string]any{"version": st.Version, "written": time.Now().UnixNano(), "state": string(doc)})
	if err != nil {
		return err
	}
	for i, n := range m.nodes {
		if err := n.Insert(ctx, m.table, nil, "JSONEachRow", bytes.NewReader(row), nil); err != nil {
			return fmt.Errorf("clickhouse: saving the metadata on node %d: %w", i+1, err)
		}
	}
	return nil
}

// Close implements registry.Backend.
func (m *Metadata) Close() error { return nil }
