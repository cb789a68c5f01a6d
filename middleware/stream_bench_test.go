package middleware_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flexinference/flexguard/internal/streamtest"
	"github.com/flexinference/flexguard/middleware"
)

// benchStream is about size bytes of f's stream: its events, the text of
// the last one grown and shrunk as tokens come, over and over, then its
// terminal event.
func benchStream(f streamtest.Fixture, size int) (events [][]byte, total int) {
	for i := 0; total < size; i++ {
		e := f.Events[i%len(f.Events)]
		if i%len(f.Events) == len(f.Events)-1 {
			e = strings.Replace(e, "Hi there.", strings.Repeat("tok ", 5+i%60), 1)
		}
		events = append(events, []byte(e))
		total += len(e)
	}
	events = append(events, []byte(f.Terminal))
	return events, total + len(f.Terminal)
}

// relay writes events one at a time with a flush after each, as a
// reverse proxy relays an upstream that flushes per event.
func relay(events [][]byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		flusher := w.(http.Flusher)
		for _, e := range events {
			_, _ = w.Write(e)
			flusher.Flush()
		}
	}
}

// flushDiscard is a ResponseWriter that keeps nothing and can flush.
type flushDiscard struct{ discardWriter }

func (*flushDiscard) Flush() {}

// BenchmarkStream relays a 1 MB stream of each endpoint through
// Guard.Handler (plain copying) and through Guard.Stream (copying
// watched), over loopback to a client that reads it all, and into a
// ResponseWriter that keeps nothing (what the watcher itself costs).
// cpu-ns/op is the process's CPU time per stream (getrusage): on loopback
// the server's writes and the client's reads, as a gateway reads from its
// upstream and writes to its client.
func BenchmarkStream(b *testing.B) {
	g := newGuard(b, middleware.Options{})
	for _, f := range streamtest.Fixtures {
		events, total := benchStream(f, 1<<20)
		for _, watched := range []bool{false, true} {
			mount, name := g.Handler, "plain"
			if watched {
				mount, name = g.Stream, "watched"
			}
			h := mount(relay(events))
			b.Run(fmt.Sprintf("%s/loopback/%s", f.Name(), name), func(b *testing.B) {
				srv := httptest.NewServer(h)
				defer srv.Close()
				client := srv.Client()
				benchCPU(b, total, len(events), func() {
					res, err := client.Post(srv.URL+f.Path, "application/json", strings.NewReader(f.Body))
					if err != nil {
						b.Fatal(err)
					}
					n, err := io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if err != nil || n != int64(total) {
						b.Fatalf("relayed %d bytes of %d: %v", n, total, err)
					}
				})
			})
			b.Run(fmt.Sprintf("%s/memory/%s", f.Name(), name), func(b *testing.B) {
				body := strings.NewReader(f.Body)
				r := httptest.NewRequest(http.MethodPost, f.Path, body)
				w := &flushDiscard{discardWriter{h: http.Header{}}}
				benchCPU(b, total, len(events), func() {
					body.Reset(f.Body)
					clear(w.h)
					h.ServeHTTP(w, r)
				})
			})
		}
	}
}

// benchCPU runs op b.N times and reports, beside the usual figures, the
// process's CPU time per op and per event.
func benchCPU(b *testing.B, total, events int, op func()) {
	b.SetBytes(int64(total))
	b.ReportAllocs()
	before := processCPU(b)
	for b.Loop() {
		op()
	}
	cpu := float64(processCPU(b)-before) / float64(b.N)
	b.ReportMetric(cpu, "cpu-ns/op")
	b.ReportMetric(cpu/float64(events), "cpu-ns/event")
}
