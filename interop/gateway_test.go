package interop_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// flexgateBin is the flexgate binary TestMain builds for the whole run.
var flexgateBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "flexgate-interop-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		os.Exit(1)
	}
	flexgateBin = filepath.Join(dir, "flexgate")
	build := exec.Command("go", "build", "-o", flexgateBin, "./cmd/flexgate")
	build.Dir = ".." // the main module, which holds cmd/flexgate
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "interop: building flexgate:", err)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// listening finds the address in flexgate's "listening on http://ADDR"
// log line.
var listening = regexp.MustCompile(`listening on (http://[^\s"]+)`)

// startGateway runs `flexgate serve -addr 127.0.0.1:0` for the length of
// the test and returns its base URL, such as "http://127.0.0.1:40123". With
// upstream "" flexgate answers every valid request with its built-in echo;
// otherwise it proxies valid requests to upstream unchanged, streams
// included. extra are more serve flags. It is the only place that knows
// how the gateway is started.
func startGateway(t *testing.T, upstream string, extra ...string) string {
	t.Helper()
	args := []string{"serve", "-addr", "127.0.0.1:0"}
	if upstream != "" {
		args = append(args, "-upstream", upstream)
	}
	args = append(args, extra...)
	cmd := exec.Command(flexgateBin, args...)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt) // graceful shutdown
		if err := cmd.Wait(); err != nil {
			t.Logf("flexgate exited: %v", err)
		}
	})

	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			go func() { // keep reading, so that logging never blocks flexgate
				for lines.Scan() {
				}
			}()
			return m[1]
		}
	}
	t.Fatalf("flexgate ended before it said where it listens (%v)", lines.Err())
	return ""
}

// startChain serves the whole chain of opts in process, in front of the
// echo.
func startChain(t *testing.T, opts middleware.Options) string {
	t.Helper()
	guard, err := middleware.New(opts)
	require.NoError(t, err)
	srv := httptest.NewServer(guard.Handler(http.HandlerFunc(echo)))
	t.Cleanup(srv.Close)
	return srv.URL
}

// echo answers a request that passed validation with what it received, in
// the manner of flexgate's built-in upstream (for startChain).
func echo(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"object":   "flexgate.echo",
		"endpoint": r.URL.Path,
		"bytes":    len(body),
	})
}

// sentBody records the body a client sent; install its middleware on one
// request with the SDK's WithMiddleware option.
type sentBody struct{ bytes []byte }

func (s *sentBody) middleware(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		s.bytes = b
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	return next(req)
}

// expectedRejection is what the gateway must answer for body at ep, asked
// of the validator directly: the SDK's parse is held against it, message
// included, and against the code and param the test case names.
func expectedRejection(t *testing.T, ep validate.Endpoint, body []byte) *apierrors.Error {
	t.Helper()
	v, err := validate.New(validate.Policy{})
	require.NoError(t, err)
	_, err = v.Check(ep, body)
	var rejection *apierrors.Error
	require.ErrorAs(t, err, &rejection, "the validator passes the body the SDK sent: %.300s", body)
	return rejection
}
