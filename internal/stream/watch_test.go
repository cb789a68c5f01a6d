package stream

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/streamtest"
)

// fixture is a stream of one endpoint as its API sends it.
type fixture struct {
	ep            Endpoint
	events        []string // what comes before the terminal event
	terminal      string
	upstreamError string
}

var fixtures = []fixture{
	{
		ep: ChatCompletions,
		events: []string{
			`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}` + "\n\n",
			`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hello"}}]}` + "\n\n",
		},
		terminal:      "data: [DONE]\n\n",
		upstreamError: `data: {"error":{"message":"The server had an error.","type":"server_error","param":null,"code":null}}` + "\n\n",
	},
	{
		ep: Responses,
		events: []string{
			"event: response.created\n" + `data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress"}}` + "\n\n",
			"event: response.output_text.delta\n" + `data: {"type":"response.output_text.delta","sequence_number":1,"delta":"Hello"}` + "\n\n",
		},
		terminal:      "event: response.completed\n" + `data: {"type":"response.completed","sequence_number":2,"response":{"id":"resp_1","status":"completed"}}` + "\n\n",
		upstreamError: "event: error\n" + `data: {"type":"error","sequence_number":2,"error":{"type":"too_many_requests","code":"too_many_requests","message":"Too Many Requests","param":null}}` + "\n\n",
	},
	{
		ep: Messages,
		events: []string{
			"event: message_start\n" + `data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[]}}` + "\n\n",
			"event: ping\n" + `data: {"type": "ping"}` + "\n\n",
			"event: content_block_delta\n" + `data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}` + "\n\n",
		},
		terminal:      "event: message_stop\n" + `data: {"type":"message_stop"}` + "\n\n",
		upstreamError: "event: error\n" + `data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}` + "\n\n",
	},
	{
		ep: Interactions,
		events: []string{
			"event: interaction.created\n" + `data: {"interaction":{"id":"v1_1","status":"in_progress"},"event_type":"interaction.created"}` + "\n\n",
			"event: step.delta\n" + `data: {"index":0,"delta":{"type":"text","text":"Hello"},"event_type":"step.delta"}` + "\n\n",
		},
		terminal:      "event: interaction.completed\n" + `data: {"interaction":{"id":"v1_1","status":"completed"},"event_type":"interaction.completed"}` + "\n\nevent: done\ndata: [DONE]\n\n",
		upstreamError: "event: error\n" + `data: {"error":{"code":"unavailable","message":"The model is overloaded."},"event_type":"error"}` + "\n\n",
	},
}

// name is the endpoint's path without "/v1/", for test names.
func (ep Endpoint) name() string { return strings.TrimPrefix(ep.String(), "/v1/") }

var quietLog = log.New(io.Discard, "", 0)

// newProxy forwards to target, letting the watcher answer when the
// upstream cannot be reached.
func newProxy(target *url.URL, transport http.RoundTripper) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(target) },
		Transport: transport,
		ErrorLog:  quietLog,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if !Fail(r, err) {
				http.Error(w, "no watcher", http.StatusTeapot)
			}
		},
	}
}

// rig is a gateway with the watcher in front of either a reverse proxy to
// the upstream handler or the handler itself.
type rig struct {
	front    *httptest.Server
	outcomes chan Outcome
}

// gatewayFront stands for the middlewares in front of the watcher: it
// sets a header of its own and, as flexguard's chain does, hands on the
// body read into memory. A proxy that forwarded the connection's own body
// would lose its upstream connection whenever the response starts before
// the transport has read that body to its end (golang/go#40747).
func gatewayFront(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Gateway", "flexguard")
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		next.ServeHTTP(w, r)
	})
}

func newRig(t *testing.T, viaProxy bool, upstream http.Handler) *rig {
	t.Helper()
	rg, stop := startRig(t, viaProxy, upstream)
	t.Cleanup(stop)
	return rg
}

// startRig starts a rig; stop closes its servers and idle connections.
func startRig(t *testing.T, viaProxy bool, upstream http.Handler) (rg *rig, stop func()) {
	t.Helper()
	rg = &rig{outcomes: make(chan Outcome, 1)}
	watch, err := Watch(Options{OnOutcome: func(_ *http.Request, o Outcome) { rg.outcomes <- o }})
	require.NoError(t, err)
	handler := upstream
	var up *httptest.Server
	transport := &http.Transport{}
	if viaProxy {
		up = httptest.NewServer(upstream)
		up.Config.ErrorLog = quietLog
		target, err := url.Parse(up.URL)
		require.NoError(t, err)
		handler = newProxy(target, transport)
	}
	rg.front = httptest.NewServer(gatewayFront(watch(handler)))
	return rg, func() {
		rg.front.Close()
		if up != nil {
			up.Close()
		}
		transport.CloseIdleConnections()
	}
}

func (rg *rig) post(t *testing.T, ep Endpoint) (*http.Response, []byte) {
	t.Helper()
	res, err := rg.front.Client().Post(rg.front.URL+ep.String(), "application/json", strings.NewReader(`{"stream":true}`))
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err, "the response ends cleanly")
	return res, body
}

func (rg *rig) outcome(t *testing.T) Outcome {
	t.Helper()
	select {
	case o := <-rg.outcomes:
		return o
	case <-time.After(30 * time.Second): // a bound for a hung test, not a timing check
		t.Fatal("the watcher reported no outcome")
		return Outcome{}
	}
}

var viaProxyOrNot = []struct {
	name  string
	proxy bool
}{{"through a reverse proxy", true}, {"from the handler itself", false}}

// requireErrorFrame checks that rest is exactly one error frame of ep
// carrying the catalog's upstream_stream_failed.
func requireErrorFrame(t *testing.T, ep Endpoint, rest []byte) {
	t.Helper()
	name, data := frameParts(t, rest)
	if ep != ChatCompletions {
		require.Equal(t, "error", name)
	}
	obj, ok := data["error"].(map[string]any)
	require.True(t, ok, "the frame carries the error object: %s", rest)
	require.Equal(t, "upstream_stream_failed", obj["code"])
	require.Equal(t, "api_error", obj["type"])
	require.Contains(t, obj, "param")
	require.Nil(t, obj["param"])
	require.NotEmpty(t, obj["message"])
}

// require502 checks the JSON answer to a stream that failed before its
// first byte: the catalog's error, the front's headers, none of the
// upstream's.
func require502(t *testing.T, res *http.Response, body []byte) {
	t.Helper()
	require.Equal(t, http.StatusBadGateway, res.StatusCode)
	require.Equal(t, "application/json", res.Header.Get("Content-Type"))
	require.Equal(t, "flexguard", res.Header.Get("X-Gateway"))
	require.Empty(t, res.Header.Get("X-Upstream"))
	var answer struct {
		Error map[string]any `json:"error"`
	}
	require.NoError(t, json.Unmarshal(body, &answer), "%s", body)
	require.Equal(t, "upstream_stream_failed", answer.Error["code"])
	require.Equal(t, "api_error", answer.Error["type"])
	require.Contains(t, answer.Error, "param")
	require.Nil(t, answer.Error["param"])
}

func TestWatchRelaysAStreamThatEndsWellByteForByte(t *testing.T) {
	t.Parallel()
	for _, f := range fixtures {
		for _, via := range viaProxyOrNot {
			t.Run(f.ep.name()+" "+via.name, func(t *testing.T) {
				t.Parallel()
				for _, last := range []struct {
					kind  Kind
					event string
				}{{Clean, f.terminal}, {UpstreamError, f.upstreamError}} {
					sent := strings.Join(f.events, "") + last.event
					rg := newRig(t, via.proxy, streamtest.Upstream(append(append([]string(nil), f.events...), last.event), false))
					res, body := rg.post(t, f.ep)
					assert.Equal(t, http.StatusOK, res.StatusCode)
					assert.Equal(t, "yes", res.Header.Get("X-Upstream"))
					assert.Equal(t, sent, string(body))
					o := rg.outcome(t)
					assert.Equal(t, last.kind, o.Kind)
					assert.Equal(t, f.ep, o.Endpoint)
					assert.Equal(t, int64(len(sent)), o.Bytes)
					assert.NoError(t, o.Err)
				}
			})
		}
	}
}

func TestWatchEndsAStreamThatStopsShortWithOneErrorFrame(t *testing.T) {
	t.Parallel()
	for _, f := range fixtures {
		half := f.terminal[:len(f.terminal)/2]
		cases := []struct {
			name  string
			parts []string
			abort bool
			err   error
		}{
			{"when the upstream ends without its terminal event", f.events, false, ErrNoTerminalEvent},
			{"when the upstream is cut between events", f.events, true, http.ErrAbortHandler},
			{"when the upstream is cut inside an event", append(append([]string(nil), f.events...), half), true, http.ErrAbortHandler},
			{"when the upstream ends inside an event", append(append([]string(nil), f.events...), half), false, ErrNoTerminalEvent},
		}
		for _, tc := range cases {
			for _, via := range viaProxyOrNot {
				t.Run(f.ep.name()+" "+tc.name+" "+via.name, func(t *testing.T) {
					t.Parallel()
					rg := newRig(t, via.proxy, streamtest.Upstream(tc.parts, tc.abort))
					res, body := rg.post(t, f.ep)
					whole := strings.Join(f.events, "")
					assert.Equal(t, http.StatusOK, res.StatusCode)
					require.True(t, strings.HasPrefix(string(body), whole), "the whole events reach the client: %q", body)
					requireErrorFrame(t, f.ep, body[len(whole):])
					o := rg.outcome(t)
					assert.Equal(t, FailedMidStream, o.Kind)
					assert.Equal(t, int64(len(whole)), o.Bytes)
					assert.Equal(t, int64(len(f.events)), o.Events)
					assert.ErrorIs(t, o.Err, tc.err)
				})
			}
		}
	}
}

func TestWatchAnswers502WhenNothingReachedTheClient(t *testing.T) {
	t.Parallel()
	for _, f := range fixtures {
		cases := []struct {
			name     string
			upstream http.HandlerFunc
		}{
			{"when the stream ends before its first event", streamtest.Upstream(nil, false)},
			{"when the stream is cut before its first event", streamtest.Upstream(nil, true)},
			{"when the stream is cut inside its first event", streamtest.Upstream([]string{f.events[0][:10]}, true)},
			{"when the upstream fails before its status line", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }},
			{"when the handler returns with a stream's header and nothing else", func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
			}},
		}
		for _, tc := range cases {
			for _, via := range viaProxyOrNot {
				t.Run(f.ep.name()+" "+tc.name+" "+via.name, func(t *testing.T) {
					t.Parallel()
					rg := newRig(t, via.proxy, tc.upstream)
					res, body := rg.post(t, f.ep)
					require502(t, res, body)
					o := rg.outcome(t)
					assert.Equal(t, FailedBeforeBody, o.Kind)
					assert.Zero(t, o.Bytes)
					assert.Error(t, o.Err)
				})
			}
		}
	}
}

func TestWatchAnswers502ForAProxyThatCannotReachItsUpstream(t *testing.T) {
	t.Parallel()
	up := httptest.NewServer(http.NotFoundHandler())
	target, err := url.Parse(up.URL)
	require.NoError(t, err)
	up.Close() // nothing listens there any more
	outcomes := make(chan Outcome, 1)
	watch, err := Watch(Options{OnOutcome: func(_ *http.Request, o Outcome) { outcomes <- o }})
	require.NoError(t, err)
	front := httptest.NewServer(gatewayFront(watch(newProxy(target, nil))))
	defer front.Close()
	rg := &rig{front: front, outcomes: outcomes}

	res, body := rg.post(t, Messages)
	require502(t, res, body)
	o := rg.outcome(t)
	assert.Equal(t, FailedBeforeBody, o.Kind)
	var opErr interface{ Timeout() bool }
	assert.ErrorAs(t, o.Err, &opErr, "the cause is the proxy's dial error: %v", o.Err)
}

func TestWatchPassesAnythingButA2xxStreamThroughUntouched(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		status      int
		contentType string
		encoding    string
		body        string
	}{
		{"a rate-limited answer", http.StatusTooManyRequests, "application/json", "", `{"error":{"message":"slow down","type":"rate_limit_error","code":"rate_limit_exceeded","param":null}}`},
		{"an upstream error answered as an event stream", http.StatusInternalServerError, "text/event-stream", "", "data: {\"partial\n"},
		{"a JSON completion", http.StatusOK, "application/json", "", `{"id":"chatcmpl-1","choices":[]}`},
		{"a compressed event stream", http.StatusOK, "text/event-stream", "gzip", gzipped("data: {\"choices\":[]}\n\n")},
	}
	for _, tc := range cases {
		for _, via := range viaProxyOrNot {
			t.Run(tc.name+" "+via.name, func(t *testing.T) {
				t.Parallel()
				rg := newRig(t, via.proxy, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Type", tc.contentType)
					w.Header().Set("Retry-After", "7")
					if tc.encoding != "" {
						w.Header().Set("Content-Encoding", tc.encoding)
					}
					w.WriteHeader(tc.status)
					_, _ = io.WriteString(w, tc.body)
				}))
				req, err := http.NewRequest(http.MethodPost, rg.front.URL+ChatCompletions.String(), strings.NewReader("{}"))
				require.NoError(t, err)
				req.Header.Set("Accept-Encoding", "gzip") // the client's own: its transport leaves the body encoded
				res, err := rg.front.Client().Do(req)
				require.NoError(t, err)
				defer res.Body.Close()
				raw, err := io.ReadAll(res.Body)
				require.NoError(t, err)
				assert.Equal(t, tc.status, res.StatusCode)
				assert.Equal(t, "7", res.Header.Get("Retry-After"))
				assert.Equal(t, tc.body, string(raw))
				o := rg.outcome(t)
				assert.Equal(t, Passthrough, o.Kind)
				assert.Equal(t, int64(len(tc.body)), o.Bytes)
			})
		}
	}
}

func gzipped(s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = io.WriteString(zw, s)
	_ = zw.Close()
	return b.String()
}

func TestWatchLeavesOtherPathsAlone(t *testing.T) {
	t.Parallel()
	watch, err := Watch(Options{OnOutcome: func(*http.Request, Outcome) { t.Error("no outcome for a path that is not an endpoint") }})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	watch(streamtest.Upstream([]string{"data: x\n\n"}, false)).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/models", nil))
	assert.Equal(t, "data: x\n\n", rec.Body.String())
}

func TestWatchSendsEachEventWhileTheStreamIsOpen(t *testing.T) {
	t.Parallel()
	f := fixtures[2]
	next := make(chan struct{})
	rg := newRig(t, true, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for i, e := range f.events {
			// Half an event first: the client gets it once it is whole.
			_, _ = io.WriteString(w, e[:len(e)/2])
			http.NewResponseController(w).Flush()
			_, _ = io.WriteString(w, e[len(e)/2:])
			http.NewResponseController(w).Flush()
			if i == 0 {
				<-next // held until the client has read the first event
			}
		}
		_, _ = io.WriteString(w, f.terminal)
	}))
	res, err := rg.front.Client().Post(rg.front.URL+f.ep.String(), "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	var first strings.Builder
	for !strings.HasSuffix(first.String(), "\n\n") {
		line, err := br.ReadString('\n')
		require.NoError(t, err)
		first.WriteString(line)
	}
	assert.Equal(t, f.events[0], first.String())
	close(next)
	rest, err := io.ReadAll(br)
	require.NoError(t, err)
	assert.Equal(t, strings.Join(f.events[1:], "")+f.terminal, string(rest))
	assert.Equal(t, Clean, rg.outcome(t).Kind)
}

func TestWatchKeepsTheResponseControllerWorking(t *testing.T) {
	t.Parallel()
	rg := newRig(t, false, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		w.Header().Set("Content-Type", "text/event-stream")
		assert.NoError(t, rc.SetWriteDeadline(time.Now().Add(time.Minute)), "reached through Unwrap")
		assert.NoError(t, rc.Flush())
		_, _ = io.WriteString(w, "data: [DONE]\n\n")
		assert.NoError(t, rc.Flush())
		_, ok := w.(http.Flusher)
		assert.True(t, ok, "the watcher is an http.Flusher")
	}))
	_, body := rg.post(t, ChatCompletions)
	assert.Equal(t, "data: [DONE]\n\n", string(body))
	assert.Equal(t, Clean, rg.outcome(t).Kind)
}

func TestWatchLetsAHandlersOwnPanicThrough(t *testing.T) {
	t.Parallel()
	watch, err := Watch(Options{})
	require.NoError(t, err)
	h := watch(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("a bug") }))
	assert.PanicsWithValue(t, "a bug", func() {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/v1/messages", nil))
	})
}

func TestFailReportsWhetherAWatcherWillAnswer(t *testing.T) {
	t.Parallel()
	cause := errors.New("upstream down")
	assert.False(t, Fail(httptest.NewRequest(http.MethodPost, "/v1/messages", nil), cause), "no watcher")

	var got Outcome
	watch, err := Watch(Options{
		WriteError: func(w http.ResponseWriter, _ *http.Request, err error) {
			assert.Equal(t, cause, err)
			w.WriteHeader(http.StatusServiceUnavailable)
		},
		OnOutcome: func(_ *http.Request, o Outcome) { got = o },
	})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	watch(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.True(t, Fail(r, cause))
	})).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/messages", nil))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Equal(t, FailedBeforeBody, got.Kind)
	assert.Equal(t, cause, got.Err)
}

func TestWatchTakesWriteStringLikeWrite(t *testing.T) {
	t.Parallel()
	big := "data: \"" + strings.Repeat("y", 3*maxScratch) + "\"\n\n"
	for _, tc := range []struct {
		name        string
		contentType string
		kind        Kind
	}{{"on a stream", "text/event-stream", Clean}, {"on any other answer", "text/plain", Passthrough}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rg := newRig(t, false, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				n, err := io.WriteString(w, big)
				assert.NoError(t, err)
				assert.Equal(t, len(big), n)
				_, _ = io.WriteString(w, "data: [DONE]\n\n")
			}))
			_, body := rg.post(t, ChatCompletions)
			assert.Equal(t, big+"data: [DONE]\n\n", string(body))
			assert.Equal(t, tc.kind, rg.outcome(t).Kind)
		})
	}
}
