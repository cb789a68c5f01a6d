package middleware_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/errors/dialect"
	"github.com/flexinference/flexguard/internal/conformance"
	"github.com/flexinference/flexguard/internal/streamtest"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// heard is what OnReject was told about one request, with what
// StreamResultFrom said at that moment.
type heard struct {
	code   apierrors.Code
	msg    string
	stream middleware.StreamResult
	ok     bool
}

// streamRecorder collects OnReject's calls.
type streamRecorder struct {
	mu    sync.Mutex
	calls []heard
}

func (sr *streamRecorder) onReject(r *http.Request, err *apierrors.Error) {
	s, ok := middleware.StreamResultFrom(r.Context())
	sr.mu.Lock()
	defer sr.mu.Unlock()
	sr.calls = append(sr.calls, heard{code: err.Code(), msg: err.Message(), stream: s, ok: ok})
}

func (sr *streamRecorder) heard() []heard {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	return append([]heard(nil), sr.calls...)
}

// Each way a stream can end, per endpoint: what the client reads, what
// OnReject hears and what StreamResultFrom says.
func TestStreamAnswersEveryWayAStreamCanEnd(t *testing.T) {
	t.Parallel()
	for _, f := range streamtest.Fixtures {
		for _, tc := range f.Cases() {
			t.Run(f.Name()+": "+tc.Name, func(t *testing.T) {
				t.Parallel()
				var sr streamRecorder
				var after middleware.StreamResult
				g := newGuard(t, middleware.Options{OnReject: sr.onReject})
				// A middleware of the embedder's between Handler and Stream
				// reads the result once the handler has returned.
				h := g.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					g.Stream(tc.Upstream).ServeHTTP(w, r)
					var ok bool
					after, ok = middleware.StreamResultFrom(r.Context())
					assert.True(t, ok, "StreamResultFrom after the handler")
				}))
				rec := serve(h, post(f.Path, f.Body))

				require.NoError(t, tc.CheckAnswer(f, rec.Code, rec.Header(), rec.Body.Bytes()))
				assert.Equal(t, tc.End, after.End.String())
				assert.Equal(t, int64(len(tc.Body)), after.Bytes, "bytes from the handler that reached the client")
				calls := sr.heard()
				if !tc.Failed() {
					assert.Empty(t, calls)
					assert.NoError(t, after.Err)
					return
				}
				require.Len(t, calls, 1, "OnReject hears the failure once")
				assert.Equal(t, apierrors.UpstreamStreamFailed, calls[0].code)
				assert.True(t, calls[0].ok, "StreamResultFrom in OnReject")
				assert.Equal(t, after, calls[0].stream)
				assert.Error(t, after.Err)
			})
		}
	}
}

// Every answer that is not a 2xx event stream goes through as the
// handler wrote it: status, headers and body.
func TestStreamPassesOtherAnswersThroughByteForByte(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		status      int
		contentType string
		body        string
	}{
		{"a provider's 429", http.StatusTooManyRequests, "application/json", `{"error":{"message":"Slow down.","type":"rate_limit_error"}}`},
		{"a provider's 500 on an event stream", http.StatusInternalServerError, "text/event-stream", "data: half an ev"},
		{"a JSON answer to a request that did not stream", http.StatusOK, "application/json", `{"id":"chatcmpl-1","choices":[]}`},
	}
	for _, f := range streamtest.Fixtures {
		for _, tc := range cases {
			t.Run(f.Name()+": "+tc.name, func(t *testing.T) {
				t.Parallel()
				handler := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", tc.contentType)
					w.Header().Set("Retry-After", "7")
					w.WriteHeader(tc.status)
					_, _ = io.WriteString(w, tc.body)
				})
				var sr streamRecorder
				g := newGuard(t, middleware.Options{OnReject: sr.onReject})
				want := serve(g.Handler(handler), post(f.Path, f.Body))
				got := serve(g.Stream(handler), post(f.Path, f.Body))
				assert.Equal(t, tc.status, got.Code)
				assert.Equal(t, want.Header(), got.Header())
				assert.Equal(t, tc.body, got.Body.String())
				assert.Empty(t, sr.heard())
			})
		}
	}
}

// A handler that reports that the upstream gave no answer (a reverse
// proxy's ErrorHandler calling FailStream) gets the 502, in the Guard's
// error shape, with a message that says so.
func TestFailStreamIsAnsweredInTheGuardsErrorShape(t *testing.T) {
	t.Parallel()
	failing := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Upstream", "yes")
		require.True(t, middleware.FailStream(r, errors.New("dial tcp 127.0.0.1:9: connect: connection refused")))
	})
	for _, tc := range []struct {
		name   string
		writer dialect.Writer
		code   string
	}{
		{"the canonical shape", nil, "upstream_stream_failed"},
		{"gip's shape", dialect.GIP, "stream_terminated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var sr streamRecorder
			g := newGuard(t, middleware.Options{ErrorWriter: tc.writer, OnReject: sr.onReject})
			rec := serve(g.Stream(failing), post("/v1/responses", streamtest.Fixtures[1].Body))
			assert.Equal(t, http.StatusBadGateway, rec.Code)
			assert.Empty(t, rec.Header().Get("X-Upstream"))
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
			assert.Equal(t, tc.code, body.Error.Code)
			assert.Contains(t, body.Error.Message, "no answer from the provider")
			calls := sr.heard()
			require.Len(t, calls, 1)
			assert.Equal(t, apierrors.UpstreamStreamFailed, calls[0].code)
			assert.Equal(t, body.Error.Message, calls[0].msg, "OnReject hears the error that was written")
			assert.Equal(t, middleware.StreamFailedBeforeBody, calls[0].stream.End)
			assert.ErrorContains(t, calls[0].stream.Err, "connection refused")
		})
	}
}

func TestFailStreamOutsideStreamReportsFalse(t *testing.T) {
	t.Parallel()
	g := newGuard(t, middleware.Options{})
	called := false
	serve(g.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		called = true
		assert.False(t, middleware.FailStream(r, errors.New("refused")))
		_, ok := middleware.StreamResultFrom(r.Context())
		assert.False(t, ok)
	})), post("/v1/responses", streamtest.Fixtures[1].Body))
	assert.True(t, called)
}

// Stream is the last piece: on its own it answers every conformance case
// exactly as Handler does, and behind Handler it runs no check twice.
func TestStreamChecksLikeHandler(t *testing.T) {
	t.Parallel()
	cases, err := conformance.Load(conformance.Dir())
	require.NoError(t, err)
	mountStream := func(g *middleware.Guard, _ middleware.Options, h http.Handler) http.Handler {
		return g.Stream(h)
	}
	mountBehindHandler := func(g *middleware.Guard, _ middleware.Options, h http.Handler) http.Handler {
		return g.Handler(g.Stream(h))
	}
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			want := answerOf(t, c, mountHandler)
			assert.Equal(t, want, answerOf(t, c, mountStream), "Stream alone")
			assert.Equal(t, want, answerOf(t, c, mountBehindHandler), "Stream behind Handler")
		})
	}
}

// With Options.Endpoint, the router has matched the path: the watcher
// judges the stream as that endpoint's, whatever the path.
func TestStreamOfAGuardForOneEndpointJudgesThatEndpointsStream(t *testing.T) {
	t.Parallel()
	f := streamtest.Fixtures[2]
	g := newGuard(t, middleware.Options{Endpoint: validate.Messages})
	rec := serve(g.Stream(streamtest.Upstream(f.Events, false)), post("/anthropic/v1/messages", f.Body))
	assert.Equal(t, http.StatusOK, rec.Code)
	got := rec.Body.String()
	require.True(t, strings.HasPrefix(got, f.Whole()), got)
	require.NoError(t, streamtest.CheckErrorFrame(f.Path, []byte(got[len(f.Whole()):]), len(f.Events)))
}

func TestStreamPanicsOnANilHandler(t *testing.T) {
	t.Parallel()
	g := newGuard(t, middleware.Options{})
	assert.PanicsWithValue(t, "flexguard/middleware: nil handler", func() { g.Stream(nil) })
}

func TestStreamEndsAreNamedForLogs(t *testing.T) {
	t.Parallel()
	for end, name := range map[middleware.StreamEnd]string{
		middleware.StreamPassedThrough:    "passthrough",
		middleware.StreamClean:            "clean",
		middleware.StreamUpstreamError:    "upstream_error",
		middleware.StreamFailedBeforeBody: "failed_before_body",
		middleware.StreamFailedMidStream:  "failed_mid_stream",
		middleware.StreamClientGone:       "client_gone",
	} {
		assert.Equal(t, name, end.String())
	}
}

// A client that goes away mid-stream: the handler's context is cancelled
// at once, OnReject hears client_closed_request, and every goroutine the
// request started ends.
func TestStreamCancelsTheHandlerWhenTheClientGoesAway(t *testing.T) {
	// Not parallel: it counts the process's goroutines.
	for _, f := range streamtest.Fixtures {
		t.Run(f.Name(), func(t *testing.T) {
			var sr streamRecorder
			stopped := make(chan struct{})
			g := newGuard(t, middleware.Options{OnReject: sr.onReject})
			srv := httptest.NewServer(g.Stream(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				defer close(stopped)
				w.Header().Set("Content-Type", "text/event-stream")
				_, _ = io.WriteString(w, f.Events[0])
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			})))
			baseline := runtime.NumGoroutine()
			first, err := streamtest.LeaveAfterFirstLine(t.Context(), srv.URL+f.Path, f.Body)
			require.NoError(t, err)
			assert.Equal(t, strings.SplitAfter(f.Events[0], "\n")[0], first)

			select {
			case <-stopped:
			case <-time.After(30 * time.Second): // a bound for a hung test, not a timing check
				t.Fatal("the handler's context was not cancelled")
			}
			srv.Close() // waits for the request to finish
			calls := sr.heard()
			require.Len(t, calls, 1)
			assert.Equal(t, apierrors.ClientClosedRequest, calls[0].code)
			assert.Equal(t, middleware.StreamClientGone, calls[0].stream.End)
			assert.Equal(t, int64(len(f.Events[0])), calls[0].stream.Bytes)
			streamtest.WaitForGoroutines(t, baseline)
		})
	}
}
