package main

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/streamtest"
)

// proxyTo runs flexgate in process, proxying to upstream.
func proxyTo(t *testing.T, upstream string) *process {
	t.Helper()
	cfg := testConfig()
	var err error
	cfg.upstream, err = url.Parse(upstream)
	require.NoError(t, err)
	return startInProcess(t, cfg)
}

// streamGateway starts upstream and flexgate in front of it.
func streamGateway(t *testing.T, upstream http.Handler) *process {
	t.Helper()
	up := httptest.NewServer(upstream)
	up.Config.ErrorLog = log.New(io.Discard, "", 0)
	t.Cleanup(up.Close)
	return proxyTo(t, up.URL)
}

// streamFailureLine returns flexgate's one log line about a stream
// failure of the kind msg names, decoded.
func streamFailureLine(t *testing.T, p *process, msg string) map[string]any {
	t.Helper()
	line := p.waitLog(t, func(l string) bool { return strings.Contains(l, `"msg":"`+msg+`"`) })
	var entry map[string]any
	require.NoError(t, json.Unmarshal([]byte(line), &entry), line)
	return entry
}

// requireNoStreamFailureLine checks that flexgate logged no stream
// failure. The line would be written before the answer's last byte.
func requireNoStreamFailureLine(t *testing.T, p *process) {
	t.Helper()
	for _, msg := range []string{`"upstream failed"`, `"client closed the request"`} {
		assert.NotContains(t, p.log.String(), msg)
	}
}

// requireStreamFailureFields checks a failure line's fields: where, how
// far the answer got, and no body text.
func requireStreamFailureFields(t *testing.T, entry map[string]any, f streamtest.Fixture, status float64, code, end string, bytes int) {
	t.Helper()
	assert.Equal(t, status, entry["status"])
	assert.Equal(t, code, entry["code"])
	assert.Equal(t, end, entry["end"])
	assert.Equal(t, f.Path, entry["endpoint"])
	var body struct{ Model string }
	require.NoError(t, json.Unmarshal([]byte(f.Body), &body))
	assert.Equal(t, body.Model, entry["model"])
	assert.Equal(t, float64(bytes), entry["bytes"])
	assert.Contains(t, entry["remote"], "127.0.0.1:")
	for k, v := range entry {
		if text, ok := v.(string); ok {
			assert.NotContains(t, text, "Hi there", "the log line holds nothing of the stream (%s)", k)
		}
	}
}

// Each way a stream can end, per endpoint, through flexgate's proxy from
// an upstream of our own: what the client reads and what flexgate logs.
func TestProxyEndsEachStreamAsItsEndpointExpects(t *testing.T) {
	t.Parallel()
	for _, f := range streamtest.Fixtures {
		for _, tc := range f.Cases() {
			t.Run(f.Name()+": "+tc.Name, func(t *testing.T) {
				t.Parallel()
				p := streamGateway(t, tc.Upstream)
				a := send(t, newClient(t), "POST", p.base+f.Path, nil, []byte(f.Body), false)
				require.NoError(t, tc.CheckAnswer(f, a.status, a.header, a.body))
				if !tc.Failed() {
					requireNoStreamFailureLine(t, p)
					return
				}
				entry := streamFailureLine(t, p, "upstream failed")
				requireStreamFailureFields(t, entry, f, 502, "upstream_stream_failed", tc.End, len(tc.Body))
				assert.Equal(t, float64(strings.Count(tc.Body, "\n\n")), entry["events"])
				assert.Equal(t, 1, strings.Count(p.log.String(), `"msg":"upstream failed"`), "one line per failure")
			})
		}
	}
}

// A non-2xx answer goes to the client as the upstream sent it: status,
// headers and body, even one that says it is an event stream.
func TestProxyPassesErrorAnswersThroughByteForByte(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		status      int
		contentType string
		body        string
	}{
		{"a 429 in JSON", http.StatusTooManyRequests, "application/json", `{"error":{"message":"Slow down.","type":"rate_limit_error","code":"rate_limit_exceeded","param":null}}`},
		{"a 503 that calls itself an event stream", http.StatusServiceUnavailable, "text/event-stream", "data: {\"half\":"},
	}
	for _, f := range streamtest.Fixtures {
		for _, tc := range cases {
			t.Run(f.Name()+": "+tc.name, func(t *testing.T) {
				t.Parallel()
				p := streamGateway(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", tc.contentType)
					w.Header().Set("Retry-After", "7")
					w.Header().Set("X-Upstream", "yes")
					w.WriteHeader(tc.status)
					_, _ = io.WriteString(w, tc.body)
				}))
				a := send(t, newClient(t), "POST", p.base+f.Path, nil, []byte(f.Body), false)
				assert.Equal(t, tc.status, a.status)
				assert.Equal(t, tc.body, string(a.body))
				for _, h := range []string{"Content-Type", "Retry-After", "X-Upstream"} {
					assert.Equal(t, []string{map[string]string{"Content-Type": tc.contentType, "Retry-After": "7", "X-Upstream": "yes"}[h]}, a.header.Values(h), h)
				}
				requireNoStreamFailureLine(t, p)
			})
		}
	}
}

// An upstream that cannot be reached is a 502 that says so, logged once
// with where the request was going.
func TestProxyAnswersAnUnreachableUpstreamWithOne502Line(t *testing.T) {
	t.Parallel()
	closed := refusedUpstream(t)
	for _, f := range streamtest.Fixtures {
		t.Run(f.Name(), func(t *testing.T) {
			t.Parallel()
			p := proxyTo(t, closed)
			a := send(t, newClient(t), "POST", p.base+f.Path, nil, []byte(f.Body), false)
			requireError(t, a, 502, "upstream_stream_failed", "")
			assert.Contains(t, string(a.body), "no answer from the provider")
			entry := streamFailureLine(t, p, "upstream failed")
			requireStreamFailureFields(t, entry, f, 502, "upstream_stream_failed", "failed_before_body", 0)
			assert.Contains(t, entry["err"], "connect")
		})
	}
}

// The client's Accept-Encoding is not forwarded: Go's transport asks for
// gzip itself and decompresses, so a stream the upstream compresses is
// still watched, and reaches the client uncompressed.
func TestProxyWatchesAStreamTheUpstreamCompresses(t *testing.T) {
	t.Parallel()
	for _, f := range streamtest.Fixtures {
		t.Run(f.Name(), func(t *testing.T) {
			t.Parallel()
			asked := make(chan string, 1)
			p := streamGateway(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				asked <- r.Header.Get("Accept-Encoding")
				w.Header().Set("Content-Type", "text/event-stream")
				w.Header().Set("Content-Encoding", "gzip")
				zw := gzip.NewWriter(w)
				for _, e := range f.Events {
					_, _ = io.WriteString(zw, e)
					_ = zw.Flush()
					w.(http.Flusher).Flush()
				}
				_ = zw.Close()
			}))
			a := send(t, newClient(t), "POST", p.base+f.Path, [][2]string{{"Accept-Encoding", "br"}}, []byte(f.Body), false)
			assert.Equal(t, "gzip", <-asked, "the transport's own Accept-Encoding, not the client's")
			require.Equal(t, http.StatusOK, a.status)
			assert.Empty(t, a.header.Get("Content-Encoding"))
			require.True(t, strings.HasPrefix(string(a.body), f.Whole()), "%q", a.body)
			require.NoError(t, streamtest.CheckErrorFrame(f.Path, a.body[len(f.Whole()):], len(f.Events)))
		})
	}
}

// A client that goes away mid-stream: the upstream request is cancelled
// at once, flexgate logs client_closed_request once, and every goroutine
// the request started ends.
func TestProxyCancelsTheUpstreamWhenTheClientGoesAway(t *testing.T) {
	// Not parallel: it counts the process's goroutines.
	for _, f := range streamtest.Fixtures {
		t.Run(f.Name(), func(t *testing.T) {
			cancelled := make(chan struct{})
			p := streamGateway(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				_, _ = io.WriteString(w, f.Events[0])
				w.(http.Flusher).Flush()
				<-r.Context().Done()
				close(cancelled)
			}))
			baseline := runtime.NumGoroutine()
			first, err := streamtest.LeaveAfterFirstLine(testContext(t), p.base+f.Path, f.Body)
			require.NoError(t, err)
			assert.Equal(t, strings.SplitAfter(f.Events[0], "\n")[0], first)

			select {
			case <-cancelled:
			case <-time.After(patience): // a bound for a hung test, not a timing check
				t.Fatal("the upstream request was not cancelled")
			}
			entry := streamFailureLine(t, p, "client closed the request")
			requireStreamFailureFields(t, entry, f, 499, "client_closed_request", "client_gone", len(f.Events[0]))
			streamtest.WaitForGoroutines(t, baseline)
		})
	}
}
