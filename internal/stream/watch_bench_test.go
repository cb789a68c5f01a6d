package stream

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// benchStream is about size bytes of f's events, of varied lengths as
// tokens come, and its terminal event.
func benchStream(f fixture, size int) (events []string, total int) {
	for i := 0; total < size; i++ {
		e := f.events[i%len(f.events)]
		if i%len(f.events) == len(f.events)-1 { // the delta: grow its text
			e = strings.Replace(e, "Hello", strings.Repeat("tok ", 5+i%60), 1)
		}
		events = append(events, e)
		total += len(e)
	}
	events = append(events, f.terminal)
	return events, total + len(f.terminal)
}

func BenchmarkReader(b *testing.B) {
	for _, f := range fixtures {
		events, total := benchStream(f, 1<<20)
		stream := []byte(strings.Join(events, ""))
		b.Run(f.ep.name(), func(b *testing.B) {
			b.SetBytes(int64(total))
			b.ReportAllocs()
			var r reader
			for b.Loop() {
				r.reset(f.ep)
				for rest := stream; len(rest) > 0; {
					n := min(len(rest), 32<<10) // a proxy's read size
					r.feed(rest[:n])
					rest = rest[n:]
				}
				if r.end != endClean {
					b.Fatal("the stream did not end")
				}
			}
		})
	}
}

// BenchmarkRelay relays a 1 MB stream over loopback, flushed event by
// event, with and without the watcher: from a handler, and through a
// reverse proxy from an upstream server. cpu-ns/op is the whole process's
// CPU time (client, servers and proxy) per stream.
func BenchmarkRelay(b *testing.B) {
	for _, f := range []fixture{fixtures[0], fixtures[2]} {
		events, total := benchStream(f, 1<<20)
		upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "text/event-stream")
			rc := http.NewResponseController(w)
			for _, e := range events {
				_, _ = io.WriteString(w, e)
				_ = rc.Flush()
			}
		})
		for _, via := range viaProxyOrNot {
			for _, watched := range []bool{false, true} {
				name := fmt.Sprintf("%s/%s/watched=%t", f.ep.name(), strings.ReplaceAll(via.name, " ", "_"), watched)
				b.Run(name, func(b *testing.B) {
					benchRelay(b, f.ep, upstream, via.proxy, watched, int64(total), len(events))
				})
			}
		}
	}
}

func benchRelay(b *testing.B, ep Endpoint, upstream http.Handler, viaProxy, watched bool, total int64, events int) {
	handler := upstream
	transport := &http.Transport{}
	defer transport.CloseIdleConnections()
	if viaProxy {
		up := httptest.NewServer(upstream)
		defer up.Close()
		target, err := url.Parse(up.URL)
		if err != nil {
			b.Fatal(err)
		}
		handler = newProxy(target, transport)
	}
	if watched {
		watch, err := Watch(Options{})
		if err != nil {
			b.Fatal(err)
		}
		handler = watch(handler)
	}
	front := httptest.NewServer(gatewayFront(handler))
	defer front.Close()
	client := front.Client()

	b.SetBytes(total)
	b.ReportAllocs()
	cpuBefore, measured := processCPU()
	for b.Loop() {
		res, err := client.Post(front.URL+ep.String(), "application/json", strings.NewReader(`{"stream":true}`))
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err != nil || n != total {
			b.Fatalf("relayed %d bytes of %d: %v", n, total, err)
		}
	}
	if cpuAfter, ok := processCPU(); measured && ok {
		b.ReportMetric(float64(cpuAfter-cpuBefore)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(cpuAfter-cpuBefore)/float64(b.N)/float64(events), "cpu-ns/event")
	}
}

// BenchmarkWatch writes a 1 MB stream to a ResponseWriter that keeps
// nothing, one event per write and a flush after each, as a proxy relays
// an upstream that flushes per event: what the watcher itself costs,
// without the network.
func BenchmarkWatch(b *testing.B) {
	for _, f := range fixtures {
		events, total := benchStream(f, 1<<20)
		chunks := make([][]byte, len(events))
		for i, e := range events {
			chunks[i] = []byte(e)
		}
		relay := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			w.WriteHeader(http.StatusOK)
			flusher := w.(http.Flusher)
			for _, c := range chunks {
				_, _ = w.Write(c)
				flusher.Flush()
			}
		})
		watch, err := Watch(Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, watched := range []bool{false, true} {
			h := http.Handler(relay)
			if watched {
				h = watch(relay)
			}
			b.Run(fmt.Sprintf("%s/watched=%t", f.ep.name(), watched), func(b *testing.B) {
				req := httptest.NewRequest(http.MethodPost, f.ep.String(), nil)
				w := &discardWriter{header: http.Header{}}
				b.SetBytes(int64(total))
				b.ReportAllocs()
				cpuBefore, measured := processCPU()
				for b.Loop() {
					clear(w.header)
					h.ServeHTTP(w, req)
				}
				if cpuAfter, ok := processCPU(); measured && ok {
					b.ReportMetric(float64(cpuAfter-cpuBefore)/float64(b.N)/float64(len(events)), "cpu-ns/event")
				}
			})
		}
	}
}
