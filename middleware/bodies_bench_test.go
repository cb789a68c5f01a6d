package middleware_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/flexinference/flexguard/internal/testbodies"
	"github.com/flexinference/flexguard/middleware"
)

// replayBody is a request body that a benchmark rewinds each iteration,
// so the request is built once and the loop measures only the chain.
type replayBody struct{ bytes.Reader }

func (*replayBody) Close() error { return nil }

// statusWriter is a ResponseWriter that keeps only the status, so the benchmark
// measures the chain and not a recorder.
type statusWriter struct {
	header http.Header
	status int
}

func (w *statusWriter) Header() http.Header         { return w.header }
func (w *statusWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *statusWriter) WriteHeader(status int)      { w.status = status }

// drainBody is the handler behind the chain: it reads the whole body, as a
// proxy forwarding it would.
var drainBody = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		panic(err)
	}
})

// BenchmarkBodyChain is Guard.Handler in process on each benchmark body:
// routing, the body read from a reader (sized from ContentLength), the JSON
// checks and every rule, then a handler that drains the buffered body.
func BenchmarkBodyChain(b *testing.B) {
	bodies, err := testbodies.Load()
	require.NoError(b, err)
	h := newGuard(b, middleware.Options{}).Handler(drainBody)
	for _, body := range bodies {
		b.Run(body.Name, func(b *testing.B) { benchChain(b, h, body, nil) })
	}
}

// benchChain sends body through h with header, replaying the same
// request each iteration, and fails on any answer.
func benchChain(b *testing.B, h http.Handler, body testbodies.Body, header http.Header) {
	src := &replayBody{}
	req := httptest.NewRequest(http.MethodPost, body.Endpoint.String(), nil)
	for name, values := range header {
		req.Header[name] = values
	}
	req.ContentLength = int64(len(body.Bytes))
	req.Body = src
	w := &statusWriter{header: http.Header{}}
	b.ReportAllocs()
	b.SetBytes(int64(len(body.Bytes)))
	for b.Loop() {
		src.Reset(body.Bytes)
		w.status = 0
		h.ServeHTTP(w, req)
		if w.status != 0 {
			b.Fatalf("Handler answered %d", w.status)
		}
	}
}

// BenchmarkFloorValidBytes is gjson.ValidBytes alone: the cheapest full
// JSON check, the floor the chain is held to.
func BenchmarkFloorValidBytes(b *testing.B) {
	bodies, err := testbodies.Load()
	require.NoError(b, err)
	for _, body := range bodies {
		b.Run(body.Name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body.Bytes)))
			for b.Loop() {
				if !gjson.ValidBytes(body.Bytes) {
					b.Fatal("invalid")
				}
			}
		})
	}
}

// BenchmarkFloorReadAll is io.ReadAll of the body: what buffering costs
// with no validation at all.
func BenchmarkFloorReadAll(b *testing.B) {
	bodies, err := testbodies.Load()
	require.NoError(b, err)
	for _, body := range bodies {
		b.Run(body.Name, func(b *testing.B) {
			src := &replayBody{}
			b.ReportAllocs()
			b.SetBytes(int64(len(body.Bytes)))
			for b.Loop() {
				src.Reset(body.Bytes)
				if _, err := io.ReadAll(src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
