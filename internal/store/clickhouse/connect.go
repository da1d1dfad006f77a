package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"

	ch "github.com/callscope/callscope/internal/clickhouse"
)

// ConnectConfig says where a store's servers are.
type ConnectConfig struct {
	// URL is clickhouse://[user:password@]host:8123[,host2:8123…]/prefix
	// (http:// and https:// too). The path is the prefix of callscope's
	// databases ("callscope" if empty). Listing several hosts names every
	// node of a cluster; the first is the one this process talks to.
	URL            string
	User, Password string // override those of the URL
	// Cluster names the cluster (remote_servers) to spread over. With
	// one host in the URL, the others are found in system.clusters and
	// reached on the same HTTP port.
	Cluster string
}

// Connect works out the store's options from the configuration: a client
// per node, the first one's used for reads and writes.
func Connect(ctx context.Context, cfg ConnectConfig) (Options, error) {
	scheme, rest, ok := strings.Cut(cfg.URL, "://")
	if !ok {
		return Options{}, fmt.Errorf("clickhouse URL %q: want clickhouse://host:8123/prefix", cfg.URL)
	}
	authority, path, _ := strings.Cut(rest, "/")
	path, _, _ = strings.Cut(path, "?")
	userinfo := ""
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, authority = authority[:i+1], authority[i+1:]
	}
	prefix := strings.Trim(path, "/")
	if prefix == "" {
		prefix = "callscope"
	}
	if !validPrefix(prefix) {
		return Options{}, fmt.Errorf("clickhouse URL %q: the database prefix %q may hold letters, digits and '_'", cfg.URL, prefix)
	}
	client := func(host string) (*ch.Client, error) {
		return ch.New(ch.Config{URL: scheme + "://" + userinfo + host + "/default", User: cfg.User, Password: cfg.Password})
	}
	var nodes []Conn
	hosts := strings.Split(authority, ",")
	for _, h := range hosts {
		c, err := client(h)
		if err != nil {
			return Options{}, err
		}
		nodes = append(nodes, c)
	}
	opts := Options{Conn: nodes[0], Nodes: nodes, Cluster: cfg.Cluster, Database: prefix}
	if cfg.Cluster == "" {
		if len(nodes) > 1 {
			return Options{}, fmt.Errorf("clickhouse URL %q lists %d hosts: name their cluster with --clickhouse-cluster", cfg.URL, len(nodes))
		}
		return opts, nil
	}
	first := nodes[0].(*ch.Client)
	r, err := first.Query(ctx, "SELECT host_name, shard_num, replica_num FROM system.clusters WHERE cluster = "+ch.String(cfg.Cluster)+" ORDER BY shard_num, replica_num", nil)
	if err != nil {
		return Options{}, fmt.Errorf("clickhouse: reading cluster %s at %s: %w", cfg.Cluster, first.Addr(), err)
	}
	if len(r.Rows) == 0 {
		return Options{}, fmt.Errorf("clickhouse: the server at %s knows no cluster %q (see remote_servers in its configuration)", first.Addr(), cfg.Cluster)
	}
	if len(hosts) > 1 {
		if len(hosts) != len(r.Rows) {
			return Options{}, fmt.Errorf("clickhouse: cluster %s has %d nodes, the URL lists %d", cfg.Cluster, len(r.Rows), len(hosts))
		}
		return opts, nil
	}
	// One host given: the others are reached on its HTTP port.
	_, port, err := net.SplitHostPort(first.Addr())
	if err != nil {
		return Options{}, err
	}
	opts.Nodes = []Conn{first}
	for _, row := range r.Rows {
		var host string
		json.Unmarshal(row[0], &host)
		addr := net.JoinHostPort(host, port)
		if addr == first.Addr() {
			continue
		}
		c, err := client(addr)
		if err != nil {
			return Options{}, err
		}
		opts.Nodes = append(opts.Nodes, c)
	}
	return opts, nil
}

func validPrefix(s string) bool {
	for i, c := range s {
		if !(c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || (i > 0 && '0' <= c && c <= '9')) {
			return false
		}
	}
	return s != ""
}
