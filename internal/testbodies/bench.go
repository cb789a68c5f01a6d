package testbodies

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// ReplayBody is a request body that a benchmark rewinds each iteration,
// so that the request is built once and the loop measures what reads it.
type ReplayBody struct{ bytes.Reader }

// Close does nothing: the body is rewound, never closed.
func (*ReplayBody) Close() error { return nil }

// StatusWriter is a ResponseWriter that keeps only the status, so that a
// benchmark measures the handler rather than a recorder. Status is zero
// until the handler writes a header.
type StatusWriter struct {
	header http.Header
	Status int
}

// NewStatusWriter returns an empty StatusWriter.
func NewStatusWriter() *StatusWriter { return &StatusWriter{header: http.Header{}} }

func (w *StatusWriter) Header() http.Header         { return w.header }
func (w *StatusWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *StatusWriter) WriteHeader(status int)      { w.Status = status }

// Serve measures h on body with header: one POST to the body's endpoint,
// declared length, the body replayed each iteration. An answer with any
// status fails the benchmark: h must pass the body on without writing.
func Serve(b *testing.B, h http.Handler, body Body, header http.Header) {
	src := &ReplayBody{}
	req := httptest.NewRequest(http.MethodPost, body.Endpoint.String(), nil)
	for name, values := range header {
		req.Header[name] = values
	}
	req.ContentLength = int64(len(body.Bytes))
	req.Body = src
	w := NewStatusWriter()
	b.ReportAllocs()
	b.SetBytes(int64(len(body.Bytes)))
	for b.Loop() {
		src.Reset(body.Bytes)
		w.Status = 0
		h.ServeHTTP(w, req)
		if w.Status != 0 {
			b.Fatalf("the handler answered %d on %s", w.Status, body.Name)
		}
	}
}

// Each runs f as a sub-benchmark per body, with the body's size set.
func Each(b *testing.B, f func(b *testing.B, body Body)) {
	bodies, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	for _, body := range bodies {
		b.Run(body.Name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body.Bytes)))
			f(b, body)
		})
	}
}
