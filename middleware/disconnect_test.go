package middleware_test

import (
	"bufio"
	"fmt"
	"io"
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

// TestAnUnreadableBodyIsNeverASuccess sends, over real connections, bodies
// that cannot be read to their end. None may reach the handler or be
// answered 200. Broken framing on a connection that still works is
// invalid_json, with Connection: close, and the server then closes the
// connection; a client that half-closes, resets or stalls past the
// server's read timeout is reported as client_closed_request and its
// connection is closed without a byte written.
func TestAnUnreadableBodyIsNeverASuccess(t *testing.T) {
	t.Parallel()
	const (
		chunked = "POST /v1/responses HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
		length  = "POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Length: 57\r\n\r\n"
		partial = `{"model":"gpt-5.5",`
		wait    = 30 * time.Second // for what the server does promptly
	)
	type then int
	const (
		stay      then = iota // keep the connection open and read
		halfClose             // close the writing side, then read
		reset                 // drop the connection with a reset
	)
	cases := []struct {
		name        string
		request     string
		then        then
		readTimeout time.Duration
		wantCode    apierrors.Code
	}{
		{"a chunk size that is not hex is invalid_json", chunked + "zz\r\n{}\r\n0\r\n\r\n", stay, 0, apierrors.InvalidJSON},
		{"chunk data without its CRLF is invalid_json", chunked + "2\r\n{}xx\r\n0\r\n\r\n", stay, 0, apierrors.InvalidJSON},
		{"a chunk size past 64 bits is invalid_json", chunked + "fffffffffffffffff\r\n", stay, 0, apierrors.InvalidJSON},
		{"a malformed trailer is invalid_json", chunked + "2\r\n{}\r\n0\r\nno colon here\r\n\r\n", stay, 0, apierrors.InvalidJSON},
		{"a body cut short by a half-close is client_closed_request", length + partial, halfClose, 0, apierrors.ClientClosedRequest},
		{"a chunked body cut short by a half-close is client_closed_request", chunked + "13\r\n" + partial, halfClose, 0, apierrors.ClientClosedRequest},
		{"a body cut short by a reset is client_closed_request", length + partial, reset, 0, apierrors.ClientClosedRequest},
		{"a body that stalls past the read timeout is client_closed_request", length + partial, stay, time.Second, apierrors.ClientClosedRequest},
		{"a chunked body that stalls past the read timeout is client_closed_request", chunked + "13\r\n" + partial, stay, time.Second, apierrors.ClientClosedRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rejected := make(chan *apierrors.Error, 1)
			opts := middleware.Options{OnReject: func(_ *http.Request, err *apierrors.Error) { rejected <- err }}
			srv := httptest.NewUnstartedServer(newGuard(t, opts).Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				t.Error("the handler ran for a body that could not be read")
			})))
			srv.Config.ReadTimeout = c.readTimeout
			srv.Start()
			defer srv.Close()

			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(wait)))
			_, err = io.WriteString(conn, c.request)
			require.NoError(t, err)
			switch c.then {
			case halfClose:
				require.NoError(t, conn.(*net.TCPConn).CloseWrite())
			case reset:
				require.NoError(t, conn.(*net.TCPConn).SetLinger(0))
				require.NoError(t, conn.Close())
			}

			assert.Equal(t, c.wantCode, awaitRejection(t, rejected, wait).Code())
			if c.then == reset {
				return // nothing left to read on
			}
			answer, err := io.ReadAll(conn) // to the server's close
			require.NoError(t, err, "the server closes the connection")
			if c.wantCode == apierrors.ClientClosedRequest {
				assert.Empty(t, string(answer), "nothing is written to a client that has gone")
				return
			}
			resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(answer))), nil)
			require.NoError(t, err, "%q", answer)
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			require.NoError(t, conformance.CheckErrorAnswer(resp.StatusCode, resp.Header, body, http.StatusBadRequest, c.wantCode.String(), ""))
			assert.True(t, resp.Close, "the answer says Connection: close")
			assert.Contains(t, string(body), "chunked", "the message names the framing")
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
