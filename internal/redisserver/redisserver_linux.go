//go:build linux

package redisserver

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is a redis-server of one test's own. Its methods are for the
// test's goroutine; Kill may also run from a cleanup.
type Server struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	cmd  *exec.Cmd
	exit chan struct{} // closed when the running process has exited
}

// Start starts a redis-server for t and stops it when t ends. Without the
// binary t is skipped, or fails when FLEXGUARD_REQUIRE_REDIS=1.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("FLEXGUARD_REQUIRE_REDIS") == "1" {
			t.Fatalf("redis-server is not installed and FLEXGUARD_REQUIRE_REDIS=1: %v", err)
		}
		t.Skip("redis-server is not installed (apt-get install redis-server); set FLEXGUARD_REQUIRE_REDIS=1 to fail instead")
	}
	s := &Server{t: t, bin: bin, dir: t.TempDir()}
	t.Cleanup(s.Kill)
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
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// start runs redis-server on s.port and waits until it says it is ready.
func (s *Server) start() error {
	cmd, exit, err := launch(s.bin, s.dir, s.port)
	if err != nil {
		return err
	}
	s.cmd, s.exit = cmd, exit
	return nil
}

// Launch starts a redis-server for a program rather than a test (a load
// driver): on port, without persistence, its working directory dir. It
// returns once the server is ready, with a stop that kills it by its PID
// and waits for it.
func Launch(dir string, port int) (stop func(), err error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, err
	}
	cmd, exit, err := launch(bin, dir, port)
	if err != nil {
		return nil, err
	}
	return func() {
		_ = cmd.Process.Kill()
		<-exit
	}, nil
}

// launch runs redis-server and waits until it says it is ready; exit is
// closed when the process has exited.
func launch(bin, dir string, port int) (cmd *exec.Cmd, exit chan struct{}, err error) {
	cmd = exec.Command(bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir,
		"--daemonize", "no", "--logfile", "")
	// Should the parent die without cleaning up, the server dies too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
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
	exit = make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exit)
	}()
	select {
	case <-ready:
		return cmd, exit, nil
	case <-exit:
		<-drained
		return nil, nil, fmt.Errorf("redis-server exited at start:\n%s", log.String())
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-exit
		return nil, nil, fmt.Errorf("redis-server was not ready within 10 s")
	}
}

// Restart starts the server again on the same port, with empty data.
func (s *Server) Restart() {
	s.t.Helper()
	if err := s.start(); err != nil {
		s.t.Fatalf("redis-server did not start again on port %d: %v", s.port, err)
	}
}

// Kill stops the server with SIGKILL, by its PID, and waits for it. A
// server already stopped is left alone.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGCONT) // a paused server dies as well, but let it go at once
	_ = s.cmd.Process.Kill()
	<-s.exit
	s.cmd = nil
}

// Pause stops the server's process without closing its socket: calls
// hang until it resumes, as with an overloaded or stalled Redis.
func (s *Server) Pause() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		s.t.Fatal(err)
	}
}

// Resume lets a paused server run again.
func (s *Server) Resume() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		s.t.Fatal(err)
	}
}

// Addr is the server's host:port on loopback.
func (s *Server) Addr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
}

// URL is the server's redis:// URL, database 0.
func (s *Server) URL() string {
	return "redis://" + s.Addr() + "/0"
}
