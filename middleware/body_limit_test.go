package middleware_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// failingReader fails the test if anything reads it.
type failingReader struct{ t *testing.T }

func (f failingReader) Read([]byte) (int, error) {
	f.t.Error("the body was read")
	return 0, io.EOF
}

func TestBodyLimitAlone(t *testing.T) {
	t.Parallel()
	const limit = 16
	g := newGuard(t, middleware.Options{Policy: validate.Policy{MaxBodyBytes: limit}})

	t.Run("a declared length over the limit is refused before a byte is read", func(t *testing.T) {
		t.Parallel()
		next := &okHandler{}
		r := httptest.NewRequest(http.MethodPost, "/v1/responses", failingReader{t})
		r.ContentLength = limit + 1
		rec := serve(g.BodyLimit(next), r)
		assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
		code, _ := errorCode(t, rec)
		assert.Equal(t, "request_too_large", code)
		assert.Zero(t, next.calls.Load())
	})

	t.Run("a body of exactly the limit reaches the handler whole", func(t *testing.T) {
		t.Parallel()
		body := strings.Repeat("a", limit)
		var got []byte
		var readErr error
		h := g.BodyLimit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got, readErr = io.ReadAll(r.Body)
		}))
		serve(h, post("/v1/responses", body))
		require.NoError(t, readErr)
		assert.Equal(t, body, string(got))
	})

	t.Run("a streamed body over the limit fails the handler's read with MaxBytesError", func(t *testing.T) {
		t.Parallel()
		var readErr error
		h := g.BodyLimit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, readErr = io.ReadAll(r.Body)
		}))
		r := post("/v1/responses", strings.Repeat("a", limit+1))
		r.ContentLength = -1 // chunked: the limit is only seen while reading
		rec := serve(h, r)
		var tooLarge *http.MaxBytesError
		require.ErrorAs(t, readErr, &tooLarge)
		assert.Equal(t, int64(limit), tooLarge.Limit)
		assert.Equal(t, http.StatusOK, rec.Code, "the handler decides what to answer")
	})

	t.Run("BodyLimit routes first: an unknown path is unknown_url", func(t *testing.T) {
		t.Parallel()
		next := &okHandler{}
		rec := serve(g.BodyLimit(next), post("/not/an/endpoint", "{}"))
		code, _ := errorCode(t, rec)
		assert.Equal(t, "unknown_url", code)
		assert.Zero(t, next.calls.Load())
	})

	t.Run("BodyLimit judges no JSON: the handler gets what was sent", func(t *testing.T) {
		t.Parallel()
		next := &okHandler{}
		assert.Equal(t, http.StatusOK, serve(g.BodyLimit(next), post("/v1/responses", "not json")).Code)
		assert.Equal(t, int32(1), next.calls.Load())
	})

	t.Run("behind JSONBody the buffered body passes on as it is", func(t *testing.T) {
		t.Parallel()
		body := `{"model":"x"}`
		var got []byte
		var replayable bool
		h := g.JSONBody(g.BodyLimit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got, _ = io.ReadAll(r.Body)
			replayable = r.GetBody != nil
		})))
		r := post("/v1/responses", body)
		r.ContentLength = -1
		require.Equal(t, http.StatusOK, serve(h, r).Code)
		assert.Equal(t, body, string(got))
		assert.True(t, replayable, "the handler gets JSONBody's buffered body, not a limited reader")
	})

	t.Run("OnReject hears of the refusal", func(t *testing.T) {
		t.Parallel()
		var rj rejections
		g := newGuard(t, middleware.Options{Policy: validate.Policy{MaxBodyBytes: limit}, OnReject: rj.record})
		r := post("/v1/responses", strings.Repeat("a", limit+1))
		serve(g.BodyLimit(&okHandler{}), r)
		require.Equal(t, int32(1), rj.n.Load())
		assert.Equal(t, apierrors.RequestTooLarge, rj.last.Load().Code())
	})
}

// unwrapWriter is a logging-style ResponseWriter wrapper that, as
// http.ResponseController expects, exposes the writer it wraps.
type unwrapWriter struct{ http.ResponseWriter }

func (u unwrapWriter) Unwrap() http.ResponseWriter { return u.ResponseWriter }

// wrapWriter puts an unwrapWriter between the server and h.
func wrapWriter(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(unwrapWriter{w}, r)
	})
}

// sendChunked writes a raw HTTP/1.1 request with a chunked body of n bytes
// to addr and returns the whole raw response: the server closes the
// connection after it, or the read would not end.
func sendChunked(t *testing.T, addr, path string, n int) string {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	// A safety net against a hang, not a timing assertion.
	require.NoError(t, conn.SetDeadline(time.Now().Add(30*time.Second)))
	var req strings.Builder
	fmt.Fprintf(&req, "POST %s HTTP/1.1\r\nHost: flexguard.test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", path)
	body := `{"model":"gpt-5.5","start_within":"default","input":"` + strings.Repeat("x", n) + `"}`
	for len(body) > 0 {
		c := min(len(body), 64)
		fmt.Fprintf(&req, "%x\r\n%s\r\n", c, body[:c])
		body = body[c:]
	}
	req.WriteString("0\r\n\r\n")
	_, err = io.WriteString(conn, req.String())
	require.NoError(t, err)
	raw, err := io.ReadAll(bufio.NewReader(conn))
	if err != nil && !errors.Is(err, net.ErrClosed) {
		require.NotEmpty(t, raw, "reading the response: %v", err)
	}
	return string(raw)
}

// After a body overflows, the server must close the connection rather than
// read the rest of the body as the next request; a ResponseWriter wrapper
// in between must not stop http.MaxBytesReader from telling it so.
func TestOverflowClosesTheConnectionThroughAWrapper(t *testing.T) {
	t.Parallel()
	const limit = 100
	g := newGuard(t, middleware.Options{Policy: validate.Policy{MaxBodyBytes: limit}})
	bodyLimitAnswer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			apierrors.Write(w, apierrors.New(apierrors.RequestTooLarge, "", ""))
		}
	})
	handlers := map[string]http.Handler{
		"Handler":   g.Handler(&okHandler{}),
		"JSONBody":  g.JSONBody(&okHandler{}),
		"BodyLimit": g.BodyLimit(bodyLimitAnswer),
	}
	for name, h := range handlers {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(wrapWriter(h))
			defer srv.Close()
			raw := sendChunked(t, srv.Listener.Addr().String(), "/v1/responses", 4*limit)
			head, body, _ := strings.Cut(raw, "\r\n\r\n")
			assert.True(t, strings.HasPrefix(head, "HTTP/1.1 413 "), head)
			assert.Contains(t, head+"\r\n", "\r\nConnection: close\r\n")
			assert.Contains(t, body, `"code":"request_too_large"`)
		})
	}
}

// The control: a body within the limit keeps the connection open.
func TestBodyWithinTheLimitKeepsTheConnection(t *testing.T) {
	t.Parallel()
	g := newGuard(t, middleware.Options{Policy: validate.Policy{MaxBodyBytes: 1000}})
	srv := httptest.NewServer(wrapWriter(g.Handler(&okHandler{})))
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL+"/v1/responses", "application/json",
		io.MultiReader(strings.NewReader(`{"model":"gpt-5.5","start_within":"default"}`))) // chunked
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.False(t, resp.Close)
}
