package stream

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/streamtest"
)

// readEvent reads one event, up to its blank line.
func readEvent(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	var event strings.Builder
	for !strings.HasSuffix(event.String(), "\n\n") {
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		event.WriteString(line)
	}
	return event.String()
}

// Not parallel: it counts the process's goroutines, and parallel tests
// only start once the sequential ones are done.
func TestWatchCancelsTheUpstreamWhenTheClientGoesAway(t *testing.T) {
	for _, f := range fixtures {
		cases := []struct {
			name     string
			viaProxy bool
			// upstream writes the first event, then waits for its request to
			// be cancelled, and closes stopped.
			upstream func(stopped chan struct{}) http.HandlerFunc
		}{
			{"a reverse proxy's upstream request", true, waitsForCancel(f.events[0])},
			{"a handler that waits on its context", false, waitsForCancel(f.events[0])},
			{"a handler that writes until it is cancelled", false, func(stopped chan struct{}) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					defer close(stopped)
					w.Header().Set("Content-Type", "text/event-stream")
					for r.Context().Err() == nil {
						_, _ = io.WriteString(w, f.events[0])
						http.NewResponseController(w).Flush()
					}
				}
			}},
		}
		for _, tc := range cases {
			t.Run(f.ep.name()+" "+tc.name, func(t *testing.T) {
				baseline := runtime.NumGoroutine()
				stopped := make(chan struct{})
				rg, stop := startRig(t, tc.viaProxy, tc.upstream(stopped))
				res, err := rg.front.Client().Post(rg.front.URL+f.ep.String(), "application/json", strings.NewReader(`{"stream":true}`))
				require.NoError(t, err)
				assert.Equal(t, f.events[0], readEvent(t, bufio.NewReader(res.Body)))
				require.NoError(t, res.Body.Close()) // the client goes away mid-stream

				select {
				case <-stopped:
				case <-time.After(30 * time.Second): // a bound for a hung test, not a timing check
					t.Fatal("the upstream request was not cancelled")
				}
				o := rg.outcome(t)
				assert.Equal(t, ClientGone, o.Kind)
				assert.Error(t, o.Err)
				assert.GreaterOrEqual(t, o.Events, int64(1))
				stop()
				streamtest.WaitForGoroutines(t, baseline)
			})
		}
	}
}

func waitsForCancel(first string) func(chan struct{}) http.HandlerFunc {
	return func(stopped chan struct{}) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			defer close(stopped)
			_, _ = io.Copy(io.Discard, r.Body) // a request read to its end lets the server watch the connection
			w.Header().Set("Content-Type", "text/event-stream")
			_, _ = io.WriteString(w, first)
			http.NewResponseController(w).Flush()
			<-r.Context().Done()
		}
	}
}

// brokenWriter is a client connection that takes nothing.
type brokenWriter struct {
	header http.Header
	err    error
	writes int
}

func (b *brokenWriter) Header() http.Header { return b.header }
func (b *brokenWriter) WriteHeader(int)     {}
func (b *brokenWriter) Write([]byte) (int, error) {
	b.writes++
	return 0, b.err
}

func TestWatchCancelsTheHandlerAtTheFirstWriteTheClientRefuses(t *testing.T) {
	t.Parallel()
	client := &brokenWriter{header: http.Header{}, err: errors.New("connection reset by peer")}
	var got Outcome
	watch, err := Watch(Options{OnOutcome: func(_ *http.Request, o Outcome) { got = o }})
	require.NoError(t, err)
	watch(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, err := io.WriteString(w, "data: {}\n\n")
		assert.ErrorIs(t, err, client.err)
		assert.ErrorIs(t, context.Cause(r.Context()), client.err, "the context is cancelled before Write returns")
		_, err = io.WriteString(w, "data: {}\n\n")
		assert.ErrorIs(t, err, client.err, "and every later write fails")
	})).ServeHTTP(client, httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil))
	assert.Equal(t, ClientGone, got.Kind)
	assert.ErrorIs(t, got.Err, client.err)
	assert.Equal(t, 1, client.writes, "no error frame is written to a client that is gone")
}

// discardWriter takes everything and keeps nothing.
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) Flush()                      {}

// repeatWriter writes total bytes of pattern repeated, in 32 KiB writes,
// as a proxy relays.
func repeatWriter(w io.Writer, pattern string, total int) {
	const size = 32 << 10
	buf := []byte(strings.Repeat(pattern, size/len(pattern)+2))
	for written := 0; written < total; {
		at := written % len(pattern)
		n, _ := w.Write(buf[at : at+min(size, total-written)])
		written += n
	}
}

// Not parallel: it reads the process's allocation counters.
func TestWatchMemoryStaysFlatOnA100MBStream(t *testing.T) {
	const size = 100 << 20
	chunk := `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"` + strings.Repeat("token ", 30) + `"}}]}` + "\n\n"
	cases := []struct {
		name  string
		write func(w io.Writer)
	}{
		{"made of many events", func(w io.Writer) { repeatWriter(w, chunk, size/len(chunk)*len(chunk)) }},
		{"made of one event", func(w io.Writer) {
			_, _ = io.WriteString(w, "data: ")
			repeatWriter(w, "x", size)
			_, _ = io.WriteString(w, "\n\n")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got Outcome
			watch, err := Watch(Options{OnOutcome: func(_ *http.Request, o Outcome) { got = o }})
			require.NoError(t, err)
			h := watch(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				tc.write(w)
				_, _ = io.WriteString(w, "data: [DONE]\n\n")
			}))
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			h.ServeHTTP(&discardWriter{header: http.Header{}}, httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil))
			runtime.ReadMemStats(&after)
			assert.Equal(t, Clean, got.Kind)
			assert.Greater(t, got.Bytes, int64(size-len(chunk)))
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(8<<20), "allocated while relaying 100 MB")
		})
	}
}
