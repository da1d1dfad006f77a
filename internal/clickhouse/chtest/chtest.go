// Package chtest runs real ClickHouse servers for tests (see chserver),
// each in a temporary folder of the test and stopped when the test ends.
package chtest

import (
	"testing"

	"github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/clickhouse/chserver"
)

// Server is one running server of a test.
type Server struct {
	*chserver.Server
	t testing.TB
}

// Client is a client of one of the server's databases.
func (s *Server) Client(db string) *clickhouse.Client {
	c, err := clickhouse.New(clickhouse.Config{URL: s.URL() + "/" + db})
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

// Start starts a stopped server again on its data and ports, and waits
// until it answers.
func (s *Server) Start() {
	s.t.Helper()
	if err := s.Server.Start(); err != nil {
		s.t.Fatal(err)
	}
}

// Start runs one server.
func Start(t testing.TB) *Server {
	return StartCluster(t, "", 1)[0]
}

// StartCluster runs n servers; when name is not empty, each knows all of
// them as the shards (one replica each) of a cluster of that name.
func StartCluster(t testing.TB, name string, n int) []*Server {
	t.Helper()
	servers, err := chserver.StartCluster(t.TempDir(), name, n)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*Server, n)
	for i, s := range servers {
		out[i] = &Server{Server: s, t: t}
		t.Cleanup(s.Stop)
	}
	return out
}
