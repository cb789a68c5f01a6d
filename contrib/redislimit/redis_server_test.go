//go:build linux

package redislimit_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/flexinference/flexguard/contrib/redislimit"
)

// redisServer is a redis-server of the test's own, on a free loopback
// port, without persistence, stopped by its PID when the test ends.
type redisServer struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
	exit chan struct{} // closed when the running process has exited
}

// startRedis starts a redis-server for t (Linux only: the server is tied
// to the test process's life). Without the binary the test is
// skipped, or fails when FLEXGUARD_REQUIRE_REDIS=1 (as in CI).
func startRedis(t testing.TB) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("FLEXGUARD_REQUIRE_REDIS") == "1" {
			t.Fatalf("redis-server is not installed and FLEXGUARD_REQUIRE_REDIS=1: %v", err)
		}
		t.Skip("redis-server is not installed (apt-get install redis-server); set FLEXGUARD_REQUIRE_REDIS=1 to fail instead")
	}
	s := &redisServer{t: t, bin: bin, dir: t.TempDir()}
	t.Cleanup(s.kill)
	// Another process may take a free port between our look and the
	// server's bind; a few tries make that harmless.
	for try := 0; ; try++ {
		s.port = freePort(t)
		err := s.start()
		if err == nil {
			return s
		}
		if try == 2 {
			t.Fatalf("redis-server did not start: %v", err)
		}
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// start runs redis-server on s.port and waits until it says it is ready.
func (s *redisServer) start() error {
	cmd := exec.Command(s.bin,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", s.dir,
		"--daemonize", "no", "--logfile", "")
	// Should the test binary die without its cleanups, the server dies too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	ready, drained := make(chan struct{}), make(chan struct{})
	var log strings.Builder
	go func() {
		defer close(drained)
		sc := bufio.NewScanner(stdout)
		signalled := false
		for sc.Scan() {
			if !signalled {
				log.WriteString(sc.Text() + "\n")
			}
			if !signalled && strings.Contains(sc.Text(), "Ready to accept connections") {
				close(ready)
				signalled = true
			}
		}
	}()
	exit := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exit)
	}()
	select {
	case <-ready:
		s.cmd, s.exit = cmd, exit
		return nil
	case <-exit:
		<-drained
		return fmt.Errorf("redis-server exited at start:\n%s", log.String())
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-exit
		return fmt.Errorf("redis-server was not ready within 10 s")
	}
}

// restart starts the server again on the same port, with empty data.
func (s *redisServer) restart() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatalf("redis-server did not start again on port %d: %v", s.port, err)
	}
}

// kill stops the server with SIGKILL, by its PID, and waits for it.
func (s *redisServer) kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGCONT) // a paused server dies as well, but let it go at once
	_ = s.cmd.Process.Kill()
	<-s.exit
	s.cmd = nil
}

// pause stops the server's process without closing its socket: calls
// hang until it resumes, as with an overloaded or stalled Redis.
func (s *redisServer) pause() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		s.t.Fatal(err)
	}
}

func (s *redisServer) resume() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		s.t.Fatal(err)
	}
}

func (s *redisServer) addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// client is a go-redis client for the server as a gateway would build
// it, closed when the test ends.
func (s *redisServer) client() *redis.Client {
	s.t.Helper()
	opts, err := redislimit.ParseURL("redis://" + s.addr() + "/0")
	if err != nil {
		s.t.Fatal(err)
	}
	c := redis.NewClient(opts)
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

// keys lists the key names the server holds.
func (s *redisServer) keys(ctx context.Context) []string {
	s.t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.addr()})
	defer c.Close()
	keys, err := c.Keys(ctx, "*").Result()
	if err != nil {
		s.t.Fatal(err)
	}
	return keys
}
