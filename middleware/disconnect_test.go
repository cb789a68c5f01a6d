package middleware_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/conformance"
	"github.com/flexinference/flexguard/middleware"
)

// TestClientThatLeavesMidBodyLeavesNothingBehind: over a real connection, a
// client declares a body, sends half of it and hangs up. OnReject must
// hear client_closed_request, the handler must not run, and every
// goroutine the request started must end.
func TestClientThatLeavesMidBodyLeavesNothingBehind(t *testing.T) {
	// Not parallel: it counts the process's goroutines.
	const wait = 10 * time.Second
	cases := []struct {
		name string
		head string // the request up to the body
		half string // the part of the body sent before hanging up
	}{
		{
			name: "a declared Content-Length",
			head: "POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n",
			half: `{"model":"gpt-5.5","input":"` + strings.Repeat("a", 1000),
		},
		{
			name: "a chunked body",
			head: "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
			half: fmt.Sprintf("%x\r\n%s\r\n", 1000, `{"model":"gpt-5.5","messages":"`+strings.Repeat("a", 1000-31)),
		},
		{
			name: "the headers alone",
			head: "POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name+" cut short is client_closed_request", func(t *testing.T) {
			rejected := make(chan *apierrors.Error, 1)
			opts := middleware.Options{OnReject: func(_ *http.Request, err *apierrors.Error) { rejected <- err }}
			srv := httptest.NewServer(newGuard(t, opts).Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				t.Error("the handler ran for a body that never arrived")
			})))
			defer srv.Close()
			baseline := runtime.NumGoroutine()

			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			require.NoError(t, err)
			_, err = conn.Write([]byte(c.head + c.half))
			require.NoError(t, err)
			require.NoError(t, conn.Close())

			assert.Equal(t, apierrors.ClientClosedRequest, awaitRejection(t, rejected, wait).Code())

			deadline := time.Now().Add(wait)
			for runtime.NumGoroutine() > baseline && time.Now().Before(deadline) {
				runtime.Gosched()
				time.Sleep(time.Millisecond) // a poll interval, not an assertion
			}
			assert.LessOrEqual(t, runtime.NumGoroutine(), baseline,
				"goroutines still running %v after the client left", wait)
		})
	}
}

// TestAnUnreadableBodyIsNeverASuccess plays, over real connections, the
// conformance cases whose bodies cannot be read to their end. None may
// reach the handler or be answered 200: broken framing on a connection
// that still works is invalid_json, with Connection: close, and the server
// then closes the connection; a client that half-closes, resets or stalls
// past the server's read timeout (cut to a second here) is reported as
// client_closed_request and its connection is closed without a byte
// written.
func TestAnUnreadableBodyIsNeverASuccess(t *testing.T) {
	t.Parallel()
	const wait = 30 * time.Second // for what the server does promptly
	for _, c := range conformance.Unreadables() {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			rejected := make(chan *apierrors.Error, 1)
			opts := middleware.Options{OnReject: func(_ *http.Request, err *apierrors.Error) { rejected <- err }}
			srv := httptest.NewUnstartedServer(newGuard(t, opts).Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				t.Error("the handler ran for a body that could not be read")
			})))
			if c.Stalls {
				srv.Config.ReadTimeout = time.Second
			}
			srv.Start()
			defer srv.Close()

			_, written, err := c.Play(srv.Listener.Addr().String(), wait)
			require.NoError(t, err)
			assert.Equal(t, c.WantCode, awaitRejection(t, rejected, wait).Code().String())
			require.NoError(t, c.CheckWritten(written))
		})
	}
}

// awaitRejection returns what OnReject is told next, failing the test when
// it hears nothing within wait.
func awaitRejection(t *testing.T, rejected <-chan *apierrors.Error, wait time.Duration) *apierrors.Error {
	t.Helper()
	select {
	case got := <-rejected:
		return got
	case <-time.After(wait):
		t.Fatalf("OnReject heard nothing within %v", wait)
		return nil
	}
}
