package dialect_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/errors/dialect"
)

// discard is a ResponseWriter that keeps nothing, so the benchmark
// measures the writer and not a recorder's buffer.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

func BenchmarkWriter(b *testing.B) {
	err := apierrors.New(apierrors.UnsupportedParameter, "messages[0].content[1].cache_control", "")
	r := httptest.NewRequest(http.MethodPost, "/v1/messages", nil)
	for _, name := range dialect.Names() {
		w, _ := dialect.ByName(name)
		b.Run(name, func(b *testing.B) {
			rec := httptest.NewRecorder()
			w(rec, r, err)
			b.SetBytes(int64(rec.Body.Len()))
			b.ReportAllocs()
			d := &discard{h: http.Header{}}
			for b.Loop() {
				clear(d.h)
				w(d, r, err)
			}
		})
	}
}
