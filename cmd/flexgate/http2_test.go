package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// selfSigned writes a new self-signed certificate for 127.0.0.1 and its
// key as PEM files, and returns their paths and a pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, roots *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	require.NoError(t, err)
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "flexgate test"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)

	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
	roots = x509.NewCertPool()
	roots.AddCert(cert)
	return certFile, keyFile, roots
}

// conns remembers the connections a transport dials, so that a test can
// cut them.
type conns struct {
	mu  sync.Mutex
	all []net.Conn
}

func (c *conns) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err == nil {
		c.mu.Lock()
		c.all = append(c.all, conn)
		c.mu.Unlock()
	}
	return conn, err
}

func (c *conns) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.all)
}

func (c *conns) closeAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.all {
		_ = conn.Close()
	}
}

// http2Mode is one way flexgate serves HTTP/2: start runs flexgate with
// its flags and returns a maker of client transports that speak HTTP/2,
// and nothing else, to it (a request that cannot use HTTP/2 fails). A
// transport waits for a free stream rather than open another connection.
type http2Mode struct {
	name  string
	start func(t *testing.T, args ...string) (p *process, transport func(dialed *conns) *http.Transport)
}

var http2Modes = []http2Mode{
	{"over TLS", func(t *testing.T, args ...string) (*process, func(*conns) *http.Transport) {
		certFile, keyFile, roots := selfSigned(t)
		p := startServe(t, append([]string{"-addr", "127.0.0.1:0", "-tls-cert", certFile, "-tls-key", keyFile}, args...)...)
		require.True(t, strings.HasPrefix(p.base, "https://"), p.base)
		return p, func(dialed *conns) *http.Transport {
			tr := http2Transport(t, dialed)
			tr.TLSClientConfig = &tls.Config{RootCAs: roots}
			tr.Protocols.SetHTTP2(true)
			return tr
		}
	}},
	{"without TLS (h2c)", func(t *testing.T, args ...string) (*process, func(*conns) *http.Transport) {
		p := startServe(t, append([]string{"-addr", "127.0.0.1:0", "-h2c"}, args...)...)
		return p, func(dialed *conns) *http.Transport {
			tr := http2Transport(t, dialed)
			tr.Protocols.SetUnencryptedHTTP2(true)
			return tr
		}
	}},
}

// http2Transport is what both modes' transports share; the mode sets the
// protocol.
func http2Transport(t *testing.T, dialed *conns) *http.Transport {
	tr := &http.Transport{Proxy: nil, DisableCompression: true, DialContext: dialed.dial,
		Protocols: new(http.Protocols), HTTP2: &http.HTTP2Config{StrictMaxConcurrentRequests: true}}
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// TestHTTP2BodiesAreJudgedAsOverHTTP1 sends, over HTTP/2, the body cases
// that matter most: a declared length over the limit is refused while the
// client has not sent a byte of its body, a streamed one when it passes
// the limit, and bodies of up to exactly the limit, declared or not,
// reach the echo byte for byte.
func TestHTTP2BodiesAreJudgedAsOverHTTP1(t *testing.T) {
	t.Parallel()
	bodyOf := func(size int) []byte {
		head := `{"model":"gpt-5.5","start_within":"default","input":"`
		return []byte(head + strings.Repeat("é", (size-len(head)-2)/2) + strings.Repeat("y", (size-len(head)-2)%2) + `"}`)
	}
	cases := []struct {
		name       string
		body       []byte
		declared   int64 // -1: streamed without a length; else the body's length, or what is declared for a body never sent
		neverSent  bool  // the body is never sent: the answer must not wait for it
		wantStatus int
		wantCode   string
		wantParam  string
	}{
		{"a declared length over the limit is 413 before a byte of the body is sent", nil, 5_000_000, true, 413, "request_too_large", ""},
		{"a streamed body past the limit is 413", bodyOf(1_300_000), -1, false, 413, "request_too_large", ""},
		{"a declared body of exactly the limit reaches the echo whole", bodyOf(1_000_000), 1_000_000, false, 200, "", ""},
		{"a streamed body of exactly the limit reaches the echo whole", bodyOf(1_000_000), -1, false, 200, "", ""},
		{"a small streamed body reaches the echo whole", bodyOf(200), -1, false, 200, "", ""},
		{"a body without a model is missing_model", []byte(`{"start_within":"auto"}`), 23, false, 400, "missing_model", "model"},
	}
	for _, mode := range http2Modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			p, transport := mode.start(t)
			client := &http.Client{Transport: transport(&conns{})}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					var a answer
					if c.neverSent {
						a = sendUnsent(t, client, p.base+"/v1/responses", c.declared)
					} else {
						a = send(t, client, http.MethodPost, p.base+"/v1/responses", nil, c.body, c.declared < 0)
					}
					require.Equal(t, 2, a.proto, "answered over HTTP/2")
					if c.wantStatus == http.StatusOK {
						requireEcho(t, a, c.body)
						return
					}
					requireError(t, a, c.wantStatus, c.wantCode, c.wantParam)
				})
			}
		})
	}
}

// sendUnsent declares a body of declared bytes and sends none of it, and
// returns the answer, which must not wait for the body.
func sendUnsent(t *testing.T, client *http.Client, url string, declared int64) answer {
	t.Helper()
	pr, pw := io.Pipe()
	defer pw.Close()
	req, err := http.NewRequestWithContext(testContext(t), http.MethodPost, url, pr)
	require.NoError(t, err)
	req.ContentLength = declared
	return do(t, client, req)
}

// TestHTTP2ClientsThatLeaveMidBodyAreAborted: a client that resets its
// stream, or drops its connection, halfway through a body is logged as
// client_closed_request (499) and the echo never answers; after a reset
// stream the same connection serves the next request. The client leaves
// only after sending more than HTTP/2's flow control lets through unread
// (the server's window, and the transport's own buffer): by then the
// gateway is reading the body.
func TestHTTP2ClientsThatLeaveMidBodyAreAborted(t *testing.T) {
	t.Parallel()
	const (
		limit    = 8 << 20
		declared = 6 << 20
		sent     = 4 << 20 // over the 1 MiB window and the 512 KiB buffer
	)
	cases := []struct {
		name  string
		leave func(cancel context.CancelFunc, dialed *conns)
	}{
		{"a stream reset", func(cancel context.CancelFunc, _ *conns) { cancel() }},
		{"a dropped connection", func(_ context.CancelFunc, dialed *conns) { dialed.closeAll() }},
	}
	for _, mode := range http2Modes {
		for _, c := range cases {
			t.Run(c.name+" "+mode.name+" is client_closed_request", func(t *testing.T) {
				t.Parallel()
				p, transport := mode.start(t, "-policy", writePolicy(t, fmt.Sprintf(`{"max_body_bytes": %d}`, limit)))
				dialed := &conns{}
				client := &http.Client{Transport: transport(dialed)}

				ctx, cancel := context.WithCancel(testContext(t))
				pr, pw := io.Pipe()
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+"/v1/responses", pr)
				require.NoError(t, err)
				req.ContentLength = declared
				failed := make(chan error, 1)
				go func() {
					resp, err := client.Do(req)
					if err == nil {
						got, _ := io.ReadAll(resp.Body)
						_ = resp.Body.Close()
						err = fmt.Errorf("answered %d %s", resp.StatusCode, got)
					}
					failed <- err
				}()
				_, err = io.WriteString(pw, `{"model":"gpt-5.5","start_within":"auto","input":"`)
				require.NoError(t, err)
				piece := bytes.Repeat([]byte{'x'}, 64<<10)
				for range sent / len(piece) {
					_, err = pw.Write(piece)
					require.NoError(t, err, "the gateway reads the body")
				}
				c.leave(cancel, dialed)
				_ = pw.CloseWithError(context.Canceled)

				line := p.waitLog(t, func(l string) bool { return strings.Contains(l, `"request rejected"`) })
				assert.Contains(t, line, `"code":"client_closed_request"`)
				assert.Contains(t, line, `"status":499`)
				assert.Error(t, <-failed, "the client that left got no answer")

				a := send(t, client, http.MethodPost, p.base+"/v1/responses", nil, []byte(validResponses), true)
				requireEcho(t, a, []byte(validResponses))
				assert.Equal(t, map[string]int{"a stream reset": 1, "a dropped connection": 2}[c.name], dialed.count(),
					"connections dialled: a reset stream leaves its connection serving")
			})
		}
	}
}

// TestHTTP2ServesConcurrentMixedRequests has 1,920 requests of the soak's
// mix in flight at once over HTTP/2: 240 streams on each of 8
// connections, to a gateway whose body limit is 64 KiB so that the mix
// stays small (valid bodies declared and streamed, oversized ones declared
// and streamed, invalid, misrouted and hostile ones). Every answer must be
// the expected one, and every valid body must reach the echo byte for
// byte.
func TestHTTP2ServesConcurrentMixedRequests(t *testing.T) {
	t.Parallel()
	const (
		connections = 8
		perConn     = 240 // under the server's default of 250 streams
		limit       = 64 << 10
	)
	for _, mode := range http2Modes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			p, transport := mode.start(t, "-policy", writePolicy(t, fmt.Sprintf(`{"max_body_bytes": %d}`, limit)))
			mix := soakMix(limit)
			rng := mathrand.New(mathrand.NewPCG(1920, 2))
			ctx, cancel := context.WithTimeout(context.Background(), 4*patience)
			defer cancel()

			dialed := &conns{}
			start := make(chan struct{})
			errs := make([]error, connections*perConn)
			var wg sync.WaitGroup
			for c := range connections {
				client := &http.Client{Transport: transport(dialed)}
				// One request first, so that the connection exists before
				// the burst and its streams carry every request after it.
				require.NoError(t, soakRequest{kind: "warm-up", method: http.MethodGet, path: "/v1/responses",
					wantStatus: 405, wantCode: "method_not_allowed"}.run(ctx, client, p.base))
				for i := range perConn {
					req := mix[rng.IntN(len(mix))](rng)
					wg.Go(func() {
						<-start
						errs[c*perConn+i] = req.run(ctx, client, p.base)
					})
				}
			}
			close(start)
			wg.Wait()

			wrong := 0
			for _, err := range errs {
				if err != nil {
					if wrong < 10 {
						t.Error(err)
					}
					wrong++
				}
			}
			t.Logf("%d requests at once over HTTP/2 %s on %d connections: %d wrong", len(errs), mode.name, dialed.count(), wrong)
			assert.Zero(t, wrong)
			assert.Equal(t, connections, dialed.count(), "connections dialled")
		})
	}
}
