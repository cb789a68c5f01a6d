package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// flexgateBin is the binary under test, built once by TestMain.
var flexgateBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "flexgate-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	flexgateBin = filepath.Join(dir, "flexgate")
	args := []string{"build", "-o", flexgateBin}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building flexgate: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// How long a test waits for anything the process should do promptly.
const patience = 30 * time.Second

// lineLog collects a process's standard error line by line and wakes
// whoever waits for a line.
type lineLog struct {
	mu      sync.Mutex
	partial []byte
	lines   []string
	changed chan struct{}
}

func newLineLog() *lineLog { return &lineLog{changed: make(chan struct{})} }

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.lines = append(l.lines, string(l.partial[:i]))
		l.partial = l.partial[i+1:]
	}
	close(l.changed)
	l.changed = make(chan struct{})
	return len(p), nil
}

func (l *lineLog) snapshot() ([]string, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lines, l.changed
}

func (l *lineLog) String() string {
	lines, _ := l.snapshot()
	return strings.Join(lines, "\n")
}

// process is a running flexgate: a child process, or (cmd nil) a server
// run in the test's own process by startInProcess.
type process struct {
	cmd    *exec.Cmd
	log    *lineLog
	exited chan struct{}
	base   string // http://ADDR (https:// with TLS), for serve
	addr   string
}

// startInProcess runs cfg's gateway in this process, as serve would, for
// tests that need shorter timeouts or its goroutine count. It stops with
// the test.
func startInProcess(t *testing.T, cfg serveConfig) *process {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &process{log: newLineLog(), exited: make(chan struct{})}
	go func() {
		defer close(p.exited)
		runServer(ctx, cfg, p.log)
	}()
	t.Cleanup(func() {
		cancel()
		<-p.exited
	})
	p.awaitListening(t)
	return p
}

// testConfig is serve's configuration with its defaults, on a free port.
func testConfig() serveConfig {
	return serveConfig{addr: "127.0.0.1:0", timeouts: productionTimeouts}
}

// startServe runs "flexgate serve args..." and waits for its listening line.
func startServe(t *testing.T, args ...string) *process {
	t.Helper()
	p := &process{
		cmd:    exec.Command(flexgateBin, append([]string{"serve"}, args...)...),
		log:    newLineLog(),
		exited: make(chan struct{}),
	}
	p.cmd.Stderr = p.log
	require.NoError(t, p.cmd.Start())
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if strings.Contains(p.log.String(), "WARNING: DATA RACE") {
			t.Errorf("flexgate reported a data race:\n%s", p.log)
		}
	})
	p.awaitListening(t)
	return p
}

// awaitListening waits for the listening line and notes the address.
func (p *process) awaitListening(t *testing.T) {
	t.Helper()
	line := p.waitLog(t, func(l string) bool { return strings.Contains(l, "listening on http") })
	m := regexp.MustCompile(`listening on (https?)://([^\s"]+)`).FindStringSubmatch(line)
	require.NotNil(t, m, line)
	p.addr, p.base = m[2], m[1]+"://"+m[2]
}

// waitLog waits for a log line that match accepts and returns it; it fails
// the test when the process exits first or patience runs out.
func (p *process) waitLog(t *testing.T, match func(string) bool) string {
	t.Helper()
	timeout := time.NewTimer(patience)
	defer timeout.Stop()
	for seen := 0; ; {
		lines, changed := p.log.snapshot()
		for ; seen < len(lines); seen++ {
			if match(lines[seen]) {
				return lines[seen]
			}
		}
		select {
		case <-changed:
		case <-p.exited:
			lines, _ = p.log.snapshot()
			for ; seen < len(lines); seen++ {
				if match(lines[seen]) {
					return lines[seen]
				}
			}
			t.Fatalf("flexgate exited before the awaited log line:\n%s", p.log)
		case <-timeout.C:
			t.Fatalf("no awaited log line within %s:\n%s", patience, p.log)
		}
	}
}

// exitCode waits for the process to exit and returns its status.
func (p *process) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(patience):
		t.Fatalf("flexgate did not exit within %s:\n%s", patience, p.log)
		return -1
	}
}

// newClient returns an HTTP client of its own, never proxied.
func newClient(t *testing.T) *http.Client {
	tr := &http.Transport{Proxy: nil, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// testContext is bounded by patience and ends with the test.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	t.Cleanup(cancel)
	return ctx
}

// runCheck runs "flexgate check args..." with stdin and returns what it
// printed and its exit status.
func runCheck(t *testing.T, stdin []byte, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runFlexgate(t, stdin, append([]string{"check"}, args...)...)
}

// runFlexgate runs "flexgate args..." to its end.
func runFlexgate(t *testing.T, stdin []byte, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.CommandContext(testContext(t), flexgateBin, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
		require.NoError(t, err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}
