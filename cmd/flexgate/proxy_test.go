package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/validate"
)

// recorder is an upstream that answers 200 and keeps what each request
// brought, by the value of its X-Case header.
type recorder struct {
	mu   sync.Mutex
	seen map[string]upstreamSeen
	hits atomic.Int32
}

func newRecorder() *recorder { return &recorder{seen: map[string]upstreamSeen{}} }

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.hits.Add(1)
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.seen[r.Header.Get("X-Case")] = upstreamSeen{body: body, contentLength: r.ContentLength,
		transferEncoding: r.TransferEncoding, header: r.Header.Clone(), requestURI: r.RequestURI}
	rc.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"upstream":true}`)
}

func (rc *recorder) of(id string) (upstreamSeen, bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	s, ok := rc.seen[id]
	return s, ok
}

const validResponses = `{"model":"gpt-5.5","start_within":"default","input":"hi"}`

// TestProxyKeepsItsUpstreamConnections sends 640 requests from 16
// keep-alive clients through the proxy: the upstream must accept at most
// 32 connections, however the requests interleave.
func TestProxyKeepsItsUpstreamConnections(t *testing.T) {
	t.Parallel()
	const (
		clients   = 16
		perClient = 40
		bound     = 32
	)
	var accepted atomic.Int32
	upstream := httptest.NewUnstartedServer(newRecorder())
	upstream.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			accepted.Add(1)
		}
	}
	upstream.Start()
	t.Cleanup(upstream.Close)
	p := startServe(t, "-addr", "127.0.0.1:0", "-upstream", upstream.URL)

	var wg sync.WaitGroup
	for range clients {
		client := newClient(t) // a transport, and so keep-alive connections, of its own
		wg.Go(func() {
			for range perClient {
				a := send(t, client, "POST", p.base+"/v1/responses", nil, []byte(validResponses), false)
				assert.Equal(t, http.StatusOK, a.status, "%s", a.body)
			}
		})
	}
	wg.Wait()
	t.Logf("%d requests from %d keep-alive clients opened %d upstream connections", clients*perClient, clients, accepted.Load())
	assert.LessOrEqual(t, accepted.Load(), int32(bound))
}

// neverContinuing is an upstream that never sends 100 Continue: it reads
// each request whole, notes whether it asked for a 100, and answers 200.
func neverContinuing(t *testing.T) (addr string, askedToContinue *atomic.Int32, bodies chan string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	askedToContinue, bodies = new(atomic.Int32), make(chan string, 8)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				br := bufio.NewReader(conn)
				for {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					if req.Header.Get("Expect") != "" {
						askedToContinue.Add(1)
					}
					body, err := io.ReadAll(req.Body)
					if err != nil {
						return
					}
					bodies <- string(body)
					if _, err := io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), askedToContinue, bodies
}

// TestProxyAnswersExpectItself: a client that sends Expect: 100-continue
// gets one 100 Continue, from flexgate, and then the upstream's answer.
// The upstream is never asked for a 100: neither a Go upstream, which
// would send one that the proxy would pass on as a second, nor one that
// never sends it, which would hold the body back until the transport gave
// up waiting.
func TestProxyAnswersExpectItself(t *testing.T) {
	t.Parallel()
	goUpstream := newRecorder()
	goServer := httptest.NewServer(goUpstream)
	t.Cleanup(goServer.Close)
	rawAddr, rawAsked, rawBodies := neverContinuing(t)

	cases := []struct {
		name     string
		upstream string
		asked    func() bool
		body     func() string
	}{
		{"behind a Go upstream", goServer.URL,
			func() bool { s, _ := goUpstream.of("expect"); return s.header.Get("Expect") != "" },
			func() string { s, _ := goUpstream.of("expect"); return string(s.body) }},
		{"behind an upstream that never sends 100", "http://" + rawAddr,
			func() bool { return rawAsked.Load() > 0 },
			func() string { return <-rawBodies }},
	}
	for _, c := range cases {
		t.Run(c.name+" the client sees one 100 and the upstream none", func(t *testing.T) {
			t.Parallel()
			p := startServe(t, "-addr", "127.0.0.1:0", "-upstream", c.upstream)
			conn, err := net.Dial("tcp", p.addr)
			require.NoError(t, err)
			defer conn.Close()
			require.NoError(t, conn.SetDeadline(time.Now().Add(patience)))
			_, err = fmt.Fprintf(conn, "POST /v1/responses HTTP/1.1\r\nHost: x\r\nX-Case: expect\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n", len(validResponses))
			require.NoError(t, err)

			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			require.NoError(t, err)
			require.Equal(t, http.StatusContinue, resp.StatusCode, "flexgate asks for the body")
			_, err = io.WriteString(conn, validResponses)
			require.NoError(t, err)
			continues := 1
			for {
				resp, err = http.ReadResponse(br, nil)
				require.NoError(t, err)
				if resp.StatusCode != http.StatusContinue {
					break
				}
				continues++
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, 1, continues, "100 Continue responses the client saw")
			assert.Equal(t, validResponses, c.body(), "the upstream got the body")
			assert.False(t, c.asked(), "the upstream was asked for a 100")
		})
	}
}

// TestProxyForwardsTheValidatedPath: the upstream gets the path that was
// judged, under the -upstream URL's own path, with the query; a path
// spelled with escapes is refused before it could be forwarded.
func TestProxyForwardsTheValidatedPath(t *testing.T) {
	t.Parallel()
	upstream := newRecorder()
	server := httptest.NewServer(upstream)
	t.Cleanup(server.Close)
	p := startServe(t, "-addr", "127.0.0.1:0", "-upstream", server.URL+"/gateway")

	cases := []struct {
		name       string
		target     string
		wantStatus int
		wantURI    string // what the upstream receives; "" when it must receive nothing
	}{
		{"an endpoint is forwarded under the upstream's path, with its query", "/v1/responses?trace=1", 200, "/gateway/v1/responses?trace=1"},
		{"an escaped slash is refused, not forwarded", "/v1%2Fresponses", 404, ""},
		{"an escaped letter is refused, not forwarded", "/v1/respons%65s", 404, ""},
	}
	client := newClient(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a := send(t, client, "POST", p.base+c.target, [][2]string{{"X-Case", c.target}}, []byte(validResponses), false)
			seen, forwarded := upstream.of(c.target)
			if c.wantURI == "" {
				requireError(t, a, c.wantStatus, "unknown_url", "")
				assert.False(t, forwarded, "the upstream got %q", seen.requestURI)
				return
			}
			require.Equal(t, c.wantStatus, a.status, "%s", a.body)
			require.True(t, forwarded)
			assert.Equal(t, c.wantURI, seen.requestURI)
		})
	}
}

// TestProxyNamesTheClientItResolves: X-Forwarded-For and X-Real-IP reach
// the upstream as the trusted proxies resolve them, never as the client
// wrote them.
func TestProxyNamesTheClientItResolves(t *testing.T) {
	t.Parallel()
	upstream := newRecorder()
	server := httptest.NewServer(upstream)
	t.Cleanup(server.Close)
	untrusting := startServe(t, "-addr", "127.0.0.1:0", "-upstream", server.URL)
	trusting := startServe(t, "-addr", "127.0.0.1:0", "-upstream", server.URL, "-trusted-proxies", "127.0.0.0/8, 10.0.0.0/8")

	cases := []struct {
		name             string
		gateway          *process
		forwardedFor     string
		realIP           string
		wantForwardedFor string
		wantRealIP       string
	}{
		{"without trusted proxies the peer replaces what the client wrote", untrusting, "198.51.100.7", "203.0.113.9", "127.0.0.1", "127.0.0.1"},
		{"without trusted proxies a client with no headers is the peer", untrusting, "", "", "127.0.0.1", "127.0.0.1"},
		{"a trusted peer's client leads the list and is the real IP", trusting, "198.51.100.7", "203.0.113.9", "198.51.100.7, 127.0.0.1", "198.51.100.7"},
		{"trusted hops stay in the list, made-up ones left of the client go", trusting, "10.9.9.9, 198.51.100.7, 10.1.1.1", "", "198.51.100.7, 10.1.1.1, 127.0.0.1", "198.51.100.7"},
		{"a trusted peer that names no client is the client", trusting, "", "203.0.113.9", "127.0.0.1", "127.0.0.1"},
	}
	client := newClient(t)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			id := fmt.Sprint("forwarded ", i)
			header := [][2]string{{"X-Case", id}}
			if c.forwardedFor != "" {
				header = append(header, [2]string{"X-Forwarded-For", c.forwardedFor})
			}
			if c.realIP != "" {
				header = append(header, [2]string{"X-Real-IP", c.realIP})
			}
			a := send(t, client, "POST", c.gateway.base+"/v1/responses", header, []byte(validResponses), false)
			require.Equal(t, http.StatusOK, a.status, "%s", a.body)
			seen, ok := upstream.of(id)
			require.True(t, ok)
			assert.Equal(t, c.wantForwardedFor, strings.Join(seen.header.Values("X-Forwarded-For"), ", "))
			assert.Equal(t, c.wantRealIP, seen.header.Get("X-Real-IP"))
		})
	}
}

// The proxy's transport speaks HTTP/2 to an https upstream, and gives a
// flex request longer than the longest start_within to start answering,
// with nothing to cut a stream once it has.
func TestUpstreamTransportSuitsFlexTraffic(t *testing.T) {
	t.Parallel()
	upstream := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Proto)
	}))
	upstream.EnableHTTP2 = true
	upstream.StartTLS()
	t.Cleanup(upstream.Close)

	transport := newUpstreamTransport()
	t.Cleanup(transport.CloseIdleConnections)
	transport.TLSClientConfig = upstream.Client().Transport.(*http.Transport).TLSClientConfig.Clone() // trusts the test certificate
	req, err := http.NewRequestWithContext(testContext(t), http.MethodPost, upstream.URL+"/v1/responses", strings.NewReader(validResponses))
	require.NoError(t, err)
	resp, err := transport.RoundTrip(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	proto, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "HTTP/2.0", string(proto), "the upstream saw")

	assert.Greater(t, transport.ResponseHeaderTimeout, validate.MaxStartWithin, "time to start answering")
	assert.GreaterOrEqual(t, transport.MaxIdleConnsPerHost, 32, "idle connections kept per upstream")
}
