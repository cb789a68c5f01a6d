package prommetrics_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/flexinference/flexguard/contrib/prommetrics"
	"github.com/flexinference/flexguard/middleware"
)

// discardWriter is a ResponseWriter that keeps nothing.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

// BenchmarkHandler is what the metrics add to a request: the Guard's
// whole chain in front of a handler that reads the body, without them
// and with them (Handler's timing and status, and, for the rejection,
// the OnReject counter).
func BenchmarkHandler(b *testing.B) {
	messages := `"messages":[{"role":"user","content":"` + strings.Repeat("Say hi. ", 200) + `"}]}`
	passes := []byte(`{"model":"gpt-5.5","start_within":"00h-00m-30s",` + messages)
	noCap := []byte(`{"model":"claude-sonnet-4-5","start_within":"default",` + messages) // missing_max_tokens
	drain := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) })
	for _, bc := range []struct {
		name       string
		metrics    bool
		body       []byte
		wantStatus int
	}{
		{"passes without metrics", false, passes, 200},
		{"passes with metrics", true, passes, 200},
		{"rejected without metrics", false, noCap, 400},
		{"rejected with metrics", true, noCap, 400},
	} {
		b.Run(bc.name, func(b *testing.B) {
			opts := middleware.Options{}
			var metrics *prommetrics.Metrics
			if bc.metrics {
				metrics = prommetrics.New()
				prometheus.NewRegistry().MustRegister(metrics)
				opts = metrics.Instrument(opts)
			}
			g, err := middleware.New(opts)
			if err != nil {
				b.Fatal(err)
			}
			h := g.Handler(drain)
			if bc.metrics {
				h = metrics.Handler(h)
			}
			src := bytes.NewReader(bc.body)
			r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil)
			r.Body = io.NopCloser(src)
			r.ContentLength = int64(len(bc.body))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != bc.wantStatus {
				b.Fatalf("status %d, want %d: %s", rec.Code, bc.wantStatus, rec.Body)
			}
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				src.Reset(bc.body)
				h.ServeHTTP(w, r)
			}
		})
	}
}
