package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/conformance"
)

// answer is a response read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
	proto  int // the HTTP major version it came in
}

// send sends one request to flexgate and reads the whole answer. With
// chunked, the body goes without a Content-Length.
func send(t *testing.T, client *http.Client, method, url string, header [][2]string, body []byte, chunked bool) answer {
	t.Helper()
	var src io.Reader = bytes.NewReader(body)
	if chunked {
		src = io.MultiReader(src) // hides the length from the client
	}
	req, err := http.NewRequestWithContext(testContext(t), method, url, src)
	require.NoError(t, err)
	for _, h := range header {
		req.Header.Add(h[0], h[1])
	}
	if chunked {
		req.ContentLength = -1
	} else if len(body) == 0 {
		req.Body = http.NoBody
	}
	return do(t, client, req)
}

// do sends req and reads the whole answer.
func do(t *testing.T, client *http.Client, req *http.Request) answer {
	t.Helper()
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{status: resp.StatusCode, header: resp.Header, body: got, proto: resp.ProtoMajor}
}

// sendRaw writes head and body to a fresh connection and reads the answer;
// for declared lengths that differ from the body. The connection has a
// deadline of 5 seconds: the answer must come without the body.
func sendRaw(t *testing.T, addr, head string, body []byte) answer {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = conn.Write(append([]byte(head), body...))
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the answer must arrive before the deadline, without the body")
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{status: resp.StatusCode, header: resp.Header, body: got}
}

// requireError checks the canonical error body on the wire.
func requireError(t *testing.T, a answer, status int, code, param string) {
	t.Helper()
	require.NoError(t, conformance.CheckErrorAnswer(a.status, a.header, a.body, status, code, param))
}

// requireEcho checks the echo's answer to a valid body and returns it.
func requireEcho(t *testing.T, a answer, sent []byte) echoAnswer {
	t.Helper()
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	assert.Equal(t, "application/json", a.header.Get("Content-Type"))
	var echo echoAnswer
	require.NoError(t, json.Unmarshal(a.body, &echo), "%s", a.body)
	assert.Equal(t, "flexgate.echo", echo.Object)
	sum := sha256.Sum256(sent)
	assert.Equal(t, int64(len(sent)), echo.Bytes, "the echo read as many bytes as were sent")
	assert.Equal(t, hex.EncodeToString(sum[:]), echo.SHA256, "the echo read the exact bytes sent")
	return echo
}

// writePolicy writes a policy file into a temporary directory.
func writePolicy(t *testing.T, policy string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.json")
	require.NoError(t, os.WriteFile(path, []byte(policy), 0o600))
	return path
}

// serveArgs turns a case's policy and strictness into serve flags.
func serveArgs(t *testing.T, policy string, strict bool) []string {
	var args []string
	if policy != "" {
		args = append(args, "-policy", writePolicy(t, policy))
	}
	if strict {
		args = append(args, "-strict")
	}
	return args
}

// TestConformanceOverHTTP sends every conformance case that a client can
// send over a wire, and that needs no org hooks, to a real flexgate, over
// HTTP/1.1 and over HTTP/2 with TLS.
func TestConformanceOverHTTP(t *testing.T) {
	t.Parallel()
	cases, err := conformance.Load(conformance.Dir())
	require.NoError(t, err)
	protocols := []struct {
		name  string
		start func(t *testing.T, args ...string) (*process, *http.Client)
		raw   bool // can send a declared length that differs from the body
	}{
		{"HTTP/1.1", func(t *testing.T, args ...string) (*process, *http.Client) {
			return startServe(t, append([]string{"-addr", "127.0.0.1:0"}, args...)...), newClient(t)
		}, true},
		{"HTTP/2 over TLS", func(t *testing.T, args ...string) (*process, *http.Client) {
			p, transport := http2Modes[0].start(t, args...)
			return p, &http.Client{Transport: transport(&conns{})}
		}, false},
	}

	// One server per policy and strictness.
	type setup struct {
		policy string
		strict bool
	}
	groups := map[setup][]*conformance.Case{}
	var order []setup
	for _, c := range cases {
		s := setup{c.Policy, c.Strict}
		if _, seen := groups[s]; !seen {
			order = append(order, s)
		}
		groups[s] = append(groups[s], c)
	}
	for _, proto := range protocols {
		for i, s := range order {
			name := fmt.Sprintf("%s server %d policy=%s strict=%t", proto.name, i, s.policy, s.strict)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				p, client := proto.start(t, serveArgs(t, s.policy, s.strict)...)
				for _, c := range groups[s] {
					t.Run(c.String(), func(t *testing.T) {
						t.Parallel()
						if c.ContentLength >= 0 && !proto.raw {
							t.Skip("a declared length that differs from the body is written raw, over HTTP/1.1")
						}
						sendCase(t, p, client, c)
					})
				}
			})
		}
	}
}

func sendCase(t *testing.T, p *process, client *http.Client, c *conformance.Case) {
	switch {
	case c.Disconnect:
		t.Skip("a client that disconnects gets no answer to read")
	case c.Keys || c.UsesOrgHooks():
		t.Skip("TestKeysAndOrgsConformanceOverHTTP runs it, with a keys file")
	case c.ContentLength >= 0 && c.ContentLength < int64(len(c.Body)):
		t.Skip("over HTTP/1.1 the bytes past the declared length are the next request, not this body")
	}
	sendAndCheck(t, p, client, c)
}

// sendAndCheck sends the case's request to p and checks the answer.
func sendAndCheck(t *testing.T, p *process, client *http.Client, c *conformance.Case) {
	t.Helper()
	var a answer
	if c.ContentLength >= 0 {
		var head strings.Builder
		fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", c.Method, c.Target, p.addr, c.ContentLength)
		for _, h := range c.Header {
			fmt.Fprintf(&head, "%s: %s\r\n", h[0], h[1])
		}
		head.WriteString("Connection: close\r\n\r\n")
		a = sendRaw(t, p.addr, head.String(), c.Body)
	} else {
		a = send(t, client, c.Method, p.base+c.Target, c.Header, c.Body, c.Chunked)
	}
	if c.WantStatus != http.StatusOK {
		require.NoError(t, c.CheckErrorAnswer(a.status, a.header, a.body))
		return
	}
	echo := requireEcho(t, a, c.Body)
	assert.Equal(t, c.Path(), echo.Endpoint)
	facts := map[string]string{
		"endpoint":     echo.Endpoint,
		"model":        echo.Model,
		"provider":     echo.Provider,
		"start_within": echo.StartWithin,
		"org":          echo.Org,
		"key_id":       echo.KeyID,
	}
	for k, want := range c.WantFacts {
		if got, ok := facts[k]; ok { // "defaulted" is not in the echo
			assert.Equal(t, want, got, "fact %s", k)
		}
	}
}

// validationCodes is one request for every code that validation emits
// without org hooks, through the real server.
var validationCodes = []struct {
	name   string
	method string
	path   string
	body   string
	status int
	code   apierrors.Code
	param  string
}{
	{"an unknown path is unknown_url", "POST", "/v1/nope", `{}`, 404, apierrors.UnknownURL, ""},
	{"GET on an endpoint is method_not_allowed with Allow: POST", "GET", "/v1/responses", ``, 405, apierrors.MethodNotAllowed, ""},
	{"a body over the limit is request_too_large", "POST", "/v1/responses", `{"model":"gpt-5.5","input":"` + strings.Repeat("x", 1_000_000) + `"}`, 413, apierrors.RequestTooLarge, ""},
	{"a truncated body is invalid_json", "POST", "/v1/responses", `{"model":`, 400, apierrors.InvalidJSON, ""},
	{"a top-level array is invalid_body", "POST", "/v1/responses", `[]`, 400, apierrors.InvalidBody, ""},
	{"a body without a model is missing_model", "POST", "/v1/responses", `{"start_within":"default"}`, 400, apierrors.MissingModel, "model"},
	{"a service_tier is service_tier_not_allowed", "POST", "/v1/responses", `{"model":"gpt-5.5","start_within":"default","service_tier":"flex"}`, 400, apierrors.ServiceTierNotAllowed, "service_tier"},
	{"seed on chat is unsupported_parameter", "POST", "/v1/chat/completions", `{"model":"gpt-5.5","start_within":"default","seed":7,"messages":[]}`, 400, apierrors.UnsupportedParameter, "seed"},
	{"a generation seed on interactions is unsupported_generation_config", "POST", "/v1/interactions", `{"model":"gemini-3-pro","start_within":"default","generation_config":{"seed":7}}`, 400, apierrors.UnsupportedGenerationConfig, "generation_config.seed"},
	{"n of 2 on chat is unsupported_value", "POST", "/v1/chat/completions", `{"model":"gpt-5.5","start_within":"default","n":2,"messages":[]}`, 400, apierrors.UnsupportedValue, "n"},
	{"no start_within is missing_start_within", "POST", "/v1/responses", `{"model":"gpt-5.5"}`, 400, apierrors.MissingStartWithin, "start_within"},
	{"four seconds is invalid_start_within", "POST", "/v1/responses", `{"model":"gpt-5.5","start_within":"00h-00m-04s"}`, 400, apierrors.InvalidStartWithin, "start_within"},
	{"a duration on a model off the list is model_not_flex_capable", "POST", "/v1/responses", `{"model":"gpt-4o","start_within":"00h-00m-30s"}`, 400, apierrors.ModelNotFlexCapable, "model"},
	{"auto on gemini is auto_unsupported_for_gemini", "POST", "/v1/interactions", `{"model":"gemini-3-pro","start_within":"auto"}`, 400, apierrors.AutoUnsupportedForGemini, "start_within"},
	{"a duration on claude is flex_unsupported_for_anthropic", "POST", "/v1/messages", `{"model":"claude-sonnet-4","start_within":"00h-00m-30s","max_tokens":64,"messages":[]}`, 400, apierrors.FlexUnsupportedForAnthropic, "start_within"},
	{"claude without max_tokens is missing_max_tokens", "POST", "/v1/messages", `{"model":"claude-sonnet-4","start_within":"default","messages":[]}`, 400, apierrors.MissingMaxTokens, "max_tokens"},
}

// TestEveryValidationCodeOverHTTP answers one real request per code.
func TestEveryValidationCodeOverHTTP(t *testing.T) {
	t.Parallel()
	// Codes that need org hooks, authentication, a gone client or a
	// failure: not validation's to emit here.
	notValidation := map[apierrors.Code]bool{
		apierrors.MissingAPIKey: true, apierrors.InvalidAPIKey: true, apierrors.RateLimitExceeded: true,
		apierrors.PaymentRequired: true, apierrors.NoBYOKKey: true, apierrors.NoGeminiKey: true,
		apierrors.NoAnthropicKey: true, apierrors.ClientClosedRequest: true,
		apierrors.InternalError: true, apierrors.UpstreamStreamFailed: true,
	}
	covered := map[apierrors.Code]bool{}
	for _, tc := range validationCodes {
		covered[tc.code] = true
	}
	for _, c := range apierrors.Codes() {
		if !notValidation[c] {
			assert.True(t, covered[c], "no request answers %s", c)
		}
	}

	p := startServe(t, "-addr", "127.0.0.1:0")
	client := newClient(t)
	for _, tc := range validationCodes {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := send(t, client, tc.method, p.base+tc.path, nil, []byte(tc.body), false)
			requireError(t, a, tc.status, tc.code.String(), tc.param)
		})
	}
}

// TestBodyLimitOverHTTP holds bodies to the default limit of 1,000,000
// bytes, however they arrive.
func TestBodyLimitOverHTTP(t *testing.T) {
	t.Parallel()
	p := startServe(t, "-addr", "127.0.0.1:0")
	client := newClient(t)
	bodyOf := func(size int) []byte {
		head := `{"model":"gpt-5.5","start_within":"default","input":"`
		return []byte(head + strings.Repeat("y", size-len(head)-2) + `"}`)
	}

	t.Run("a body of exactly the limit reaches the echo whole", func(t *testing.T) {
		t.Parallel()
		body := bodyOf(1_000_000)
		echo := requireEcho(t, send(t, client, "POST", p.base+"/v1/responses", nil, body, false), body)
		assert.Equal(t, int64(1_000_000), echo.Bytes)
	})
	t.Run("a chunked body of exactly the limit reaches the echo whole", func(t *testing.T) {
		t.Parallel()
		body := bodyOf(1_000_000)
		requireEcho(t, send(t, client, "POST", p.base+"/v1/responses", nil, body, true), body)
	})
	t.Run("a body one byte over the limit is 413", func(t *testing.T) {
		t.Parallel()
		a := send(t, client, "POST", p.base+"/v1/responses", nil, bodyOf(1_000_001), false)
		requireError(t, a, 413, "request_too_large", "")
	})
	t.Run("a chunked body of 1.3 MB is 413", func(t *testing.T) {
		t.Parallel()
		a := send(t, client, "POST", p.base+"/v1/responses", nil, bodyOf(1_300_000), true)
		requireError(t, a, 413, "request_too_large", "")
	})
	t.Run("a declared length of 5 MB is 413 before any body is sent", func(t *testing.T) {
		t.Parallel()
		head := "POST /v1/responses HTTP/1.1\r\nHost: flexgate\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n\r\n"
		requireError(t, sendRaw(t, p.addr, head, nil), 413, "request_too_large", "")
	})
}

// TestRejectionIsLogged expects one JSON log line for a rejected request.
func TestRejectionIsLogged(t *testing.T) {
	t.Parallel()
	p := startServe(t, "-addr", "127.0.0.1:0")
	client := newClient(t)
	a := send(t, client, "POST", p.base+"/v1/responses", nil, []byte(`{"start_within":"default"}`), false)
	requireError(t, a, 400, "missing_model", "model")

	line := p.waitLog(t, func(l string) bool { return strings.Contains(l, `"request rejected"`) })
	var entry map[string]any
	require.NoError(t, json.Unmarshal([]byte(line), &entry), line)
	assert.Equal(t, "missing_model", entry["code"])
	assert.Equal(t, float64(400), entry["status"])
	assert.Equal(t, "model", entry["param"])
	assert.Equal(t, "POST", entry["method"])
	assert.Equal(t, "/v1/responses", entry["path"])
	assert.Contains(t, entry["remote"], "127.0.0.1:")

	a = send(t, client, "GET", p.base+"/v1/messages", nil, nil, false)
	requireError(t, a, 405, "method_not_allowed", "")
	line = p.waitLog(t, func(l string) bool { return strings.Contains(l, `"method_not_allowed"`) })
	require.NoError(t, json.Unmarshal([]byte(line), &entry), line)
	assert.Equal(t, float64(405), entry["status"])
	assert.Nil(t, entry["param"], "a null param is logged as null")

	a = send(t, client, "POST", p.base+"/v1/respons%65s", nil, []byte(`{}`), false)
	requireError(t, a, 404, "unknown_url", "")
	line = p.waitLog(t, func(l string) bool { return strings.Contains(l, `"unknown_url"`) })
	require.NoError(t, json.Unmarshal([]byte(line), &entry), line)
	assert.Equal(t, "/v1/respons%65s", entry["path"], "the path is logged as sent, escapes and all")
}

// upstreamSeen is what a test upstream received.
type upstreamSeen struct {
	body             []byte
	contentLength    int64
	transferEncoding []string
	header           http.Header
	requestURI       string
}

// TestProxyStreamsAndForwardsExactBytes proxies a chunked request to an
// SSE upstream, and reads the first event before the upstream finishes.
func TestProxyStreamsAndForwardsExactBytes(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	seen := make(chan upstreamSeen, 1)
	var hits atomic.Int32
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		seen <- upstreamSeen{body: body, contentLength: r.ContentLength, transferEncoding: r.TransferEncoding, header: r.Header.Clone()}
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: 1\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "event: response.completed\ndata: 2\n\n")
	}))
	t.Cleanup(upstream.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})

	p := startServe(t, "-addr", "127.0.0.1:0", "-upstream", upstream.URL)
	body := []byte(`{"model":"gpt-5.5","start_within":"00h-00m-30s","stream":true,"input":"tell me"}`)
	req, err := http.NewRequestWithContext(testContext(t), "POST", p.base+"/v1/responses?trace=1", io.MultiReader(bytes.NewReader(body)))
	require.NoError(t, err)
	req.ContentLength = -1 // sent chunked
	req.Header.Set("Authorization", "Bearer fk-test")
	req.Header.Set("X-Request-Id", "abc-123")
	resp, err := newClient(t).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))

	events := bufio.NewReader(resp.Body)
	first, err := events.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "data: 1\n", first, "the first event arrives while the upstream still holds the stream open")
	close(release)
	rest, err := io.ReadAll(events)
	require.NoError(t, err)
	assert.Equal(t, "\nevent: response.completed\ndata: 2\n\n", string(rest))

	got := <-seen
	assert.Equal(t, body, got.body, "the upstream gets the exact bytes")
	assert.Equal(t, int64(len(body)), got.contentLength, "with a Content-Length")
	assert.Empty(t, got.transferEncoding, "and not chunked")
	assert.Equal(t, "Bearer fk-test", got.header.Get("Authorization"))
	assert.Equal(t, "abc-123", got.header.Get("X-Request-Id"))
	assert.NotEmpty(t, got.header.Get("X-Forwarded-For"))

	a := send(t, newClient(t), "POST", p.base+"/v1/responses", nil, []byte(`{"model":""}`), false)
	requireError(t, a, 400, "missing_model", "model")
	assert.Equal(t, int32(1), hits.Load(), "a rejected request never reaches the upstream")
}

// TestProxyAnswersUnreachableUpstream502 points flexgate at a closed port.
func TestProxyAnswersUnreachableUpstream502(t *testing.T) {
	t.Parallel()
	closed := refusedUpstream(t)

	p := startServe(t, "-addr", "127.0.0.1:0", "-upstream", closed)
	a := send(t, newClient(t), "POST", p.base+"/v1/responses", nil, []byte(`{"model":"gpt-5.5","start_within":"default"}`), false)
	requireError(t, a, http.StatusBadGateway, "upstream_stream_failed", "")
	p.waitLog(t, func(l string) bool { return strings.Contains(l, `"upstream failed"`) })
}

// TestDialectRendersRejectionsInAnotherGatewaysShape serves with -dialect
// gip: rejections, and the proxy's own 502, take that gateway's statuses
// and codes.
func TestDialectRendersRejectionsInAnotherGatewaysShape(t *testing.T) {
	t.Parallel()
	closed := refusedUpstream(t)

	p := startServe(t, "-addr", "127.0.0.1:0", "-dialect", "gip", "-upstream", closed)
	client := newClient(t)
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		typ, code                string
	}{
		{"a missing model is invalid_argument", "POST", "/v1/responses", `{"start_within":"default"}`, 400, "bad_request", "invalid_argument"},
		{"a wrong method is not_found, as the gateway has no 405", "GET", "/v1/responses", "", 404, "not_found", "not_found"},
		{"an unreachable upstream is stream_terminated", "POST", "/v1/responses", `{"model":"gpt-5.5","start_within":"default"}`, 502, "bad_gateway", "stream_terminated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := send(t, client, tc.method, p.base+tc.path, nil, []byte(tc.body), false)
			require.Equal(t, tc.status, a.status, "%s", a.body)
			var body struct {
				Error struct{ Type, Code, Message string } `json:"error"`
			}
			require.NoError(t, json.Unmarshal(a.body, &body), "%s", a.body)
			assert.Equal(t, tc.typ, body.Error.Type)
			assert.Equal(t, tc.code, body.Error.Code)
			assert.NotEmpty(t, body.Error.Message)
		})
	}
}

// TestInterruptLetsInFlightRequestFinish sends SIGINT while a slow
// upstream holds a request open: the request completes, then flexgate
// exits 0.
func TestInterruptLetsInFlightRequestFinish(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		_, _ = io.WriteString(w, "finished")
	}))
	t.Cleanup(upstream.Close)
	var once atomic.Bool
	releaseOnce := func() {
		if once.CompareAndSwap(false, true) {
			close(release)
		}
	}
	t.Cleanup(releaseOnce)

	p := startServe(t, "-addr", "127.0.0.1:0", "-upstream", upstream.URL)
	done := make(chan answer, 1)
	failed := make(chan error, 1)
	ctx, client := testContext(t), newClient(t)
	go func() {
		req, err := http.NewRequestWithContext(ctx, "POST", p.base+"/v1/chat/completions",
			strings.NewReader(`{"model":"gpt-5.5","start_within":"default","messages":[]}`))
		if err != nil {
			failed <- err
			return
		}
		resp, err := client.Do(req)
		if err != nil {
			failed <- err
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			failed <- err
			return
		}
		done <- answer{status: resp.StatusCode, body: body}
	}()

	select {
	case <-arrived:
	case err := <-failed:
		t.Fatal(err)
	case <-time.After(patience):
		t.Fatal("the request never reached the upstream")
	}
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	p.waitLog(t, func(l string) bool { return strings.Contains(l, "shutting down") })
	releaseOnce()

	select {
	case a := <-done:
		assert.Equal(t, http.StatusOK, a.status)
		assert.Equal(t, "finished", string(a.body))
	case err := <-failed:
		t.Fatalf("the in-flight request failed: %v", err)
	case <-time.After(patience):
		t.Fatal("the in-flight request never finished")
	}
	assert.Equal(t, 0, p.exitCode(t), "a clean shutdown exits 0:\n%s", p.log)
	assert.Contains(t, p.log.String(), "shut down cleanly")
}

// TestTerminateExitsZero stops an idle echo server with SIGTERM.
func TestTerminateExitsZero(t *testing.T) {
	t.Parallel()
	p := startServe(t, "-addr", "127.0.0.1:0")
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 0, p.exitCode(t), "%s", p.log)
}
