// Package chserver runs throwaway ClickHouse servers: Debian's
// clickhouse-server, started with a configuration written into a folder of
// the caller's, listening on free ports of 127.0.0.1. Tests run them
// through chtest; the benchmarks run one when asked to measure ClickHouse
// without a server of the user's. A cluster is several such servers that
// know each other as the shards of one cluster.
package chserver

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
	"time"

	"github.com/callscope/callscope/internal/clickhouse"
	"github.com/callscope/callscope/internal/loopback"
)

// Binary is where Debian's clickhouse-server package puts the server.
const Binary = "/usr/sbin/clickhouse-server"

// Server is one server, running or stopped.
type Server struct {
	Dir               string // configuration, data and logs
	HTTPPort, TCPPort int
	cmd               *exec.Cmd
	exited            chan struct{}
}

// URL is the server's address for callscope: clickhouse://127.0.0.1:port.
func (s *Server) URL() string { return fmt.Sprintf("clickhouse://127.0.0.1:%d", s.HTTPPort) }

// Pid is the server process's id, 0 when it is not running.
func (s *Server) Pid() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// StartCluster runs n servers, each in a folder of its own under dir; when
// name is not empty, each knows all of them as the shards (one replica
// each) of a cluster of that name. On an error no server is left running.
func StartCluster(dir, name string, n int) ([]*Server, error) {
	if _, err := os.Stat(Binary); err != nil {
		return nil, fmt.Errorf("no %s: install Debian's clickhouse-server package", Binary)
	}
	// A port chosen free may be taken by another process before the
	// server binds it; the servers are then started again on new ports.
	const attempts = 5
	for attempt := 1; ; attempt++ {
		servers, err := startOnce(dir, name, n, attempt)
		if err == nil {
			return servers, nil
		}
		if !errors.Is(err, ErrPortTaken) || attempt == attempts {
			return nil, err
		}
	}
}

// Start runs one server in dir.
func Start(dir string) (*Server, error) {
	servers, err := StartCluster(dir, "", 1)
	if err != nil {
		return nil, err
	}
	return servers[0], nil
}

func startOnce(dir, name string, n, attempt int) ([]*Server, error) {
	servers := make([]*Server, n)
	for i := range servers {
		s := &Server{Dir: filepath.Join(dir, fmt.Sprintf("server%d-try%d", i+1, attempt))}
		var err error
		if s.HTTPPort, err = loopback.FreePort(); err == nil {
			s.TCPPort, err = loopback.FreePort()
		}
		if err == nil {
			err = os.MkdirAll(s.Dir, 0o755)
		}
		if err != nil {
			return nil, err
		}
		servers[i] = s
	}
	var remote string
	if name != "" {
		var shards strings.Builder
		for _, s := range servers {
			fmt.Fprintf(&shards, "<shard><replica><host>127.0.0.1</host><port>%d</port></replica></shard>", s.TCPPort)
		}
		remote = fmt.Sprintf("<remote_servers><%s>%s</%s></remote_servers>", name, shards.String(), name)
	}
	for _, s := range servers {
		err := s.writeConfig(remote)
		if err == nil {
			err = s.Start()
		}
		if err != nil {
			for _, s := range servers {
				s.Stop()
			}
			return nil, err
		}
	}
	return servers, nil
}

// ErrPortTaken is a server's start failing because another process bound
// one of its ports after it was chosen.
var ErrPortTaken = errors.New("a port was taken before clickhouse-server could bind it")

func (s *Server) writeConfig(remote string) error {
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
  <keep_alive_timeout>3</keep_alive_timeout>
  %[4]s
</yandex>
`, s.Dir, s.HTTPPort, s.TCPPort, remote)
	users := `<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`
	for name, text := range map[string]string{"config.xml": config, "users.xml": users} {
		if err := os.WriteFile(filepath.Join(s.Dir, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Start starts a stopped server again on its data and ports, and waits
// until it answers (30 s at most).
func (s *Server) Start() error {
	s.cmd = exec.Command(Binary, "--config-file="+filepath.Join(s.Dir, "config.xml"))
	s.cmd.Dir = s.Dir
	out, err := os.OpenFile(filepath.Join(s.Dir, "stdout.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	s.cmd.Stdout, s.cmd.Stderr = out, out
	if err := s.cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("starting clickhouse-server: %w", err)
	}
	s.exited = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); out.Close(); close(done) }(s.cmd, s.exited)
	c, err := clickhouse.New(clickhouse.Config{URL: s.URL() + "/default"})
	if err != nil {
		s.Stop()
		return err
	}
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
			log, _ := os.ReadFile(filepath.Join(s.Dir, "error.log"))
			if bytes.Contains(log, []byte("Address already in use")) {
				return fmt.Errorf("%w: %s", ErrPortTaken, bytes.TrimSpace(log))
			}
			return fmt.Errorf("clickhouse-server exited at start: %s", log)
		default:
		}
		if time.Now().After(deadline) {
			s.Stop()
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
