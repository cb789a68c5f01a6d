package flexguardcaddy_test

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
	"sync"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2/caddytest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/flexinference/flexguard/contrib/caddy"
	"github.com/flexinference/flexguard/internal/conformance"
	"github.com/flexinference/flexguard/internal/conformance/guardcase"
)

// site is one Caddy site of the test configuration: a host name, the
// flexguard directive's settings, and the cases sent to it.
type site struct {
	host   string
	policy string // raw JSON, "" for the built-in policy
	strict bool
	cases  []*conformance.Case
}

// caddyUnderTest is the one Caddy of this test binary: caddytest runs a
// single Caddy per process, so every test shares one configuration.
type caddyUnderTest struct {
	httpPort int
	client   *http.Client
	sites    []*site
}

var (
	caddyOnce sync.Once
	caddyRun  *caddyUnderTest
	caddyErr  error
	// caddyData is Caddy's data and config directory; TestMain removes it,
	// since Caddy outlives every single test.
	caddyData string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if caddyData != "" {
		_ = os.RemoveAll(caddyData)
	}
	os.Exit(code)
}

// freePort asks the kernel for a loopback port that is free now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// upstream is what reverse_proxy forwards to: it answers 200 with what
// it received, the flexguard headers included.
type upstreamAnswer struct {
	Bytes       int               `json:"bytes"`
	SHA256      string            `json:"sha256"`
	Facts       map[string]string `json:"facts"`
	ContentType string            `json:"content_type"`
}

// factHeaders are the request headers the Caddyfile's header_up sets
// from the placeholders, by fact.
var factHeaders = map[string]string{
	"endpoint":     "X-Flexguard-Endpoint",
	"model":        "X-Flexguard-Model",
	"provider":     "X-Flexguard-Provider",
	"start_within": "X-Flexguard-Start-Within",
}

func upstream(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	sum := sha256.Sum256(body)
	a := upstreamAnswer{Bytes: len(body), SHA256: hex.EncodeToString(sum[:]), Facts: map[string]string{}}
	for fact, header := range factHeaders {
		if vs := r.Header.Values(header); len(vs) > 0 {
			a.Facts[fact] = strings.Join(vs, ",")
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(a)
}

// startCaddy loads the conformance cases, groups them by policy and
// strictness into sites, writes a Caddyfile with one site per group in
// front of an httptest upstream, and loads it into caddytest's Caddy.
func startCaddy(t *testing.T) *caddyUnderTest {
	t.Helper()
	caddyOnce.Do(func() { caddyRun, caddyErr = setUpCaddy(t) })
	require.NoError(t, caddyErr)
	return caddyRun
}

func setUpCaddy(t *testing.T) (*caddyUnderTest, error) {
	cases, err := conformance.Load(conformance.Dir())
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "flexguard-caddytest-")
	if err != nil {
		return nil, err
	}
	caddyData = dir
	// Caddy keeps its data and autosaved config under these.
	os.Setenv("XDG_DATA_HOME", dir)
	os.Setenv("XDG_CONFIG_HOME", dir)

	up := httptest.NewServer(http.HandlerFunc(upstream)) // lives as long as the test binary, like Caddy
	ports := make([]int, 4)
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return nil, err
		}
	}
	adminPort, httpPort, httpsPort, closedPort := ports[0], ports[1], ports[2], ports[3]

	type key struct {
		policy string
		strict bool
	}
	index := map[key]*site{}
	u := &caddyUnderTest{httpPort: httpPort}
	for _, c := range cases {
		k := key{c.Policy, c.Strict}
		s, ok := index[k]
		if !ok {
			s = &site{host: fmt.Sprintf("g%d.localhost", len(u.sites)), policy: c.Policy, strict: c.Strict}
			index[k] = s
			u.sites = append(u.sites, s)
		}
		s.cases = append(s.cases, c)
	}

	var cf strings.Builder
	fmt.Fprintf(&cf, `{
	admin localhost:%d
	http_port %d
	https_port %d
	grace_period 1ns
	persist_config off
	auto_https off
	skip_install_trust
}
`, adminPort, httpPort, httpsPort)
	for i, s := range u.sites {
		fmt.Fprintf(&cf, "\nhttp://%s:%d {\n\tflexguard {\n", s.host, httpPort)
		if s.policy != "" {
			path := filepath.Join(dir, fmt.Sprintf("policy%d.json", i))
			if err := os.WriteFile(path, []byte(s.policy), 0o600); err != nil {
				return nil, err
			}
			fmt.Fprintf(&cf, "\t\tpolicy %s\n", path)
		}
		if s.strict {
			cf.WriteString("\t\tstrict\n")
		}
		fmt.Fprintf(&cf, `	}
	reverse_proxy %s {
		header_up X-Flexguard-Endpoint {flexguard.endpoint}
		header_up X-Flexguard-Model {flexguard.model}
		header_up X-Flexguard-Provider {flexguard.provider}
		header_up X-Flexguard-Start-Within {flexguard.start_within}
	}
}
`, up.Listener.Addr())
	}

	// A site whose upstream is down, with Caddy's own error handling.
	fmt.Fprintf(&cf, `
http://%s:%d {
	flexguard
	reverse_proxy 127.0.0.1:%d
	handle_errors {
		respond "caddy error page {err.status_code}" {err.status_code}
	}
}
`, errorsHost, httpPort, closedPort)

	tester := caddytest.NewTester(t).WithDefaultOverrides(caddytest.Config{AdminPort: adminPort, LoadRequestTimeout: 30 * time.Second})
	tester.InitServer(cf.String(), "caddyfile")
	if t.Failed() {
		return nil, fmt.Errorf("caddytest could not load the Caddyfile:\n%s", cf.String())
	}
	u.client = tester.Client
	return u, nil
}

// errorsHost is the site with handle_errors and an upstream that is down.
const errorsHost = "errors.localhost"

// TestConformanceThroughCaddy sends every conformance case that Caddy's
// configuration can carry through a real Caddy: the flexguard directive
// in front of reverse_proxy, loaded from a Caddyfile.
func TestConformanceThroughCaddy(t *testing.T) {
	u := startCaddy(t)
	for _, s := range u.sites {
		t.Run(s.host, func(t *testing.T) {
			t.Parallel()
			for _, c := range s.cases {
				t.Run(c.String(), func(t *testing.T) {
					t.Parallel()
					sendCase(t, u, s, c)
				})
			}
		})
	}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func sendCase(t *testing.T, u *caddyUnderTest, s *site, c *conformance.Case) {
	switch {
	case c.Keys:
		t.Skip("keys and limits need a key store, which the Caddy module's configuration does not have yet")
	case c.UsesOrgHooks():
		t.Skip("org lookups are Go hooks (middleware.Options); the Caddy module is configured with a policy file and a dialect, which cannot carry them")
	case c.Disconnect:
		t.Skip("a client that goes away reads no answer to compare")
	case c.ContentLength >= 0 && c.ContentLength < int64(len(c.Body)):
		t.Skip("over HTTP/1.1 the bytes past the declared length are the next request, not this body")
	}
	authority := fmt.Sprintf("%s:%d", s.host, u.httpPort)
	var a answer
	if c.ContentLength >= 0 {
		a = sendRaw(t, u.httpPort, authority, c)
	} else {
		a = send(t, u.client, "http://"+authority, c)
	}
	if c.WantStatus != http.StatusOK {
		require.NoError(t, conformance.CheckErrorAnswer(a.status, a.header, a.body, c.WantStatus, c.WantCode, c.WantParam))
		opts, err := guardcase.Options(c)
		require.NoError(t, err)
		direct, err := guardcase.Answer(c, opts)
		require.NoError(t, err)
		assert.Equal(t, direct.Code, a.status, "the same status as Guard.Handler")
		assert.Equal(t, direct.Body.String(), string(a.body), "the same body as Guard.Handler")
		return
	}
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	var got upstreamAnswer
	require.NoError(t, json.Unmarshal(a.body, &got), "%s", a.body)
	sum := sha256.Sum256(c.Body)
	assert.Equal(t, len(c.Body), got.Bytes, "the upstream read as many bytes as were sent")
	assert.Equal(t, hex.EncodeToString(sum[:]), got.SHA256, "the upstream read the exact bytes sent")
	assert.Equal(t, c.Path(), got.Facts["endpoint"])
	for k, want := range c.WantFacts {
		if k == "defaulted" { // not a placeholder
			continue
		}
		assert.Equal(t, want, got.Facts[k], "fact %s", k)
	}
}

func send(t *testing.T, client *http.Client, base string, c *conformance.Case) answer {
	t.Helper()
	var body io.Reader = bytes.NewReader(c.Body)
	if c.Chunked {
		body = io.MultiReader(body) // hides the length from the client
	}
	req, err := http.NewRequestWithContext(t.Context(), c.Method, base+c.Target, body)
	require.NoError(t, err)
	for _, h := range c.Header {
		req.Header.Add(h[0], h[1])
	}
	switch {
	case c.Chunked:
		req.ContentLength = -1
	case len(c.Body) == 0:
		req.Body = http.NoBody
	}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{resp.StatusCode, resp.Header, got}
}

// sendRaw writes the request by hand, for a declared length that is not
// the body's; the answer must come within the deadline, without the rest.
func sendRaw(t *testing.T, port int, authority string, c *conformance.Case) answer {
	t.Helper()
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	var head strings.Builder
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", c.Method, c.Target, authority, c.ContentLength)
	for _, h := range c.Header {
		fmt.Fprintf(&head, "%s: %s\r\n", h[0], h[1])
	}
	head.WriteString("Connection: close\r\n\r\n")
	_, err = conn.Write(append([]byte(head.String()), c.Body...))
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{resp.StatusCode, resp.Header, got}
}

// TestRejectionIsNotACaddyError: with handle_errors configured, a
// rejection still reaches the client as flexguard wrote it, while an
// upstream that cannot be reached goes through Caddy's error handling.
func TestRejectionIsNotACaddyError(t *testing.T) {
	u := startCaddy(t)
	base := fmt.Sprintf("http://%s:%d", errorsHost, u.httpPort)
	tests := []struct {
		name       string
		body       string
		wantStatus int
		wantBody   string
	}{
		{"a rejection is flexguard's answer, not an error page", `{"start_within":"auto"}`, 400, `"code":"missing_model"`},
		{"a valid request to a dead upstream is Caddy's error", `{"model":"gpt-5.5","start_within":"auto"}`, 502, "caddy error page 502"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &conformance.Case{Method: "POST", Target: "/v1/responses", ContentLength: -1, Body: []byte(tt.body)}
			a := send(t, u.client, base, c)
			assert.Equal(t, tt.wantStatus, a.status)
			assert.Contains(t, string(a.body), tt.wantBody)
		})
	}
}

// TestPlaceholdersReplaceClientCopies: header_up sets the header, so a
// client cannot smuggle its own X-Flexguard-Model past the proxy.
func TestPlaceholdersReplaceClientCopies(t *testing.T) {
	u := startCaddy(t)
	site := u.sites[0]
	c := &conformance.Case{
		Method: "POST", Target: "/v1/responses", ContentLength: -1,
		Header: [][2]string{{"X-Flexguard-Model", "gpt-4o"}, {"X-Flexguard-Provider", "gemini"}},
		Body:   []byte(`{"model":"gpt-5.5","start_within":"auto"}`),
	}
	require.Empty(t, site.policy, "the first site has the built-in policy")
	a := send(t, u.client, fmt.Sprintf("http://%s:%d", site.host, u.httpPort), c)
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	var got upstreamAnswer
	require.NoError(t, json.Unmarshal(a.body, &got))
	assert.Equal(t, "gpt-5.5", got.Facts["model"])
	assert.Equal(t, "openai", got.Facts["provider"])
}
