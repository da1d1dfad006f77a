// Package chtest runs real ClickHouse servers for tests: Debian's
// clickhouse-server, started with a configuration in a temporary folder,
// listening on free ports of 127.0.0.1, stopped when the test ends. A
// cluster is several such servers that know each other as shards.
package chtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/loopback"
)

// Binary is where Debian's clickhouse-server package puts the server.
const Binary = "/usr/sbin/clickhouse-server"

// Server is one running server.
type Server struct {
	t                 testing.TB
	dir               string
	HTTPPort, TCPPort int
	cmd               *exec.Cmd
	exited            chan struct{}
}

// URL is the server's address for callscope: clickhouse://127.0.0.1:port.
func (s *Server) URL() string { return fmt.Sprintf("clickhouse://127.0.0.1:%d", s.HTTPPort) }

// Client is a client of the server's default database.
func (s *Server) Client(db string) *clickhouse.Client {
	c, err := clickhouse.New(clickhouse.Config{URL: s.URL() + "/" + db})
	if err != nil {
		s.t.Fatal(err)
	}
	return c
}

func freePort(t testing.TB) int {
	port, err := loopback.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// Start runs one server.
func Start(t testing.TB) *Server {
	return StartCluster(t, "", 1)[0]
}

// StartCluster runs n servers; when name is not empty, each knows all of
// them as the shards (one replica each) of a cluster of that name.
func StartCluster(t testing.TB, name string, n int) []*Server {
	t.Helper()
	if _, err := os.Stat(Binary); err != nil {
		t.Fatalf("no %s: make test installs Debian's clickhouse-server package", Binary)
	}
	const attempts = 5
	for attempt := 1; ; attempt++ {
		servers := make([]*Server, n)
		for i := range servers {
			servers[i] = &Server{t: t, dir: t.TempDir(), HTTPPort: freePort(t), TCPPort: freePort(t)}
		}
		var remote string
		if name != "" {
			var shards strings.Builder
			for _, s := range servers {
				fmt.Fprintf(&shards, "<shard><replica><host>127.0.0.1</host><port>%d</port></replica></shard>", s.TCPPort)
			}
			remote = fmt.Sprintf("<remote_servers><%s>%s</%s></remote_servers>", name, shards.String(), name)
		}
		var err error
		for _, s := range servers {
			s.writeConfig(remote)
			if err = s.start(); err != nil {
				break
			}
		}
		if err == nil {
			return servers
		}
		for _, s := range servers {
			s.Stop()
		}
		if !errors.Is(err, errPortTaken) || attempt == attempts {
			t.Fatal(err)
		}
		t.Logf("%v; starting again on other ports", err)
	}
}

// errPortTaken is a server's start failing because another process bound
// one of its ports after loopback.FreePort chose it.
var errPortTaken = errors.New("a port was taken before clickhouse-server could bind it")

func (s *Server) writeConfig(remote string) {
	config := fmt.Sprintf(`<yandex>
  <logger><level>warning</level><log>%[1]s/server.log</log><errorlog>%[1]s/error.log</errorlog></logger>
  <http_port>%[2]d</http_port>
  <tcp_port>%[3]d</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>%[1]s/data/</path>
  <tmp_path>%[1]s/tmp/</tmp_path>
  <user_files_path>%[1]s/user_files/</user_files_path>
  <format_schema_path>%[1]s/format_schemas/</format_schema_path>
  <users_config>%[1]s/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <keep_alive_timeout>1</keep_alive_timeout>
  %[4]s
</yandex>
`, s.dir, s.HTTPPort, s.TCPPort, remote)
	users := `<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`
	for name, text := range map[string]string{"config.xml": config, "users.xml": users} {
		if err := os.WriteFile(filepath.Join(s.dir, name), []byte(text), 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
}

// Start starts a stopped server again on its data and ports, and waits
// until it answers.
func (s *Server) Start() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatal(err)
	}
}

func (s *Server) start() error {
	s.cmd = exec.Command(Binary, "--config-file="+filepath.Join(s.dir, "config.xml"))
	s.cmd.Dir = s.dir
	out, err := os.OpenFile(filepath.Join(s.dir, "stdout.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	s.cmd.Stdout, s.cmd.Stderr = out, out
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("starting clickhouse-server: %w", err)
	}
	s.exited = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); out.Close(); close(done) }(s.cmd, s.exited)
	s.t.Cleanup(s.Stop)
	c := s.Client("default")
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.Ping(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-s.exited:
			log, _ := os.ReadFile(filepath.Join(s.dir, "error.log"))
			if strings.Contains(string(log), "Address already in use") {
				return fmt.Errorf("%w: %s", errPortTaken, bytes.TrimSpace(log))
			}
			return fmt.Errorf("clickhouse-server exited at start: %s", log)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("clickhouse-server on port %d did not answer in 30 s: %v", s.HTTPPort, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop stops the server (SIGTERM, then SIGKILL after 20 s); it may be
// started again.
func (s *Server) Stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
}
