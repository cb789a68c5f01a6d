package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/apikey"
)

// testKey is SPEC's first test vector that belongs to an organisation.
const testKey = "flex_live_0123456789abcdef01234567618734"

// writeKeys writes a keys file that gives testKey to org_a, with every
// provider key and the limit given (0: none), and returns its path.
func writeKeys(t *testing.T, requestsPerHour int) string {
	t.Helper()
	limit := ""
	if requestsPerHour > 0 {
		limit = `,"rate_limit":{"requests":` + strconv.Itoa(requestsPerHour) + `,"window_seconds":3600}`
	}
	src := `{"keys":[{"sha256":"` + apikey.Digest(testKey) + `","org":"org_a"}],` +
		`"orgs":{"org_a":{"provider_keys":["openai","gemini","anthropic"]` + limit + `}}}`
	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
	return path
}

func TestServeRefusesKeyFlagsThatCannotWork(t *testing.T) {
	t.Parallel()
	keys := writeKeys(t, 0)
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"keys":[{"sha256":"abc","org":"x"}],"orgs":{}}`), 0o600))
	tests := []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"-accept-x-api-key without -keys", []string{"-accept-x-api-key"}, "-accept-x-api-key needs -keys"},
		{"-redis without -keys", []string{"-redis", "redis://127.0.0.1:6379/0"}, "-redis needs -keys"},
		{"-auth-flood without -keys", []string{"-auth-flood", "5"}, "-auth-flood needs -keys"},
		{"a negative -auth-flood", []string{"-keys", keys, "-auth-flood", "-1"}, "-auth-flood must not be negative"},
		{"a keys file that is not there", []string{"-keys", filepath.Join(t.TempDir(), "none.json")}, "keys file: open"},
		{"a keys file with a malformed digest", []string{"-keys", bad}, "keys[0].sha256 must be 64 lowercase hex"},
		{"a trusted range that is not one", []string{"-keys", keys, "-trusted-proxies", "10.0.0.0/33"}, `-trusted-proxies: flexguard/clientaddr: trusted proxy "10.0.0.0/33"`},
		{"a Redis URL that is not one", []string{"-keys", keys, "-redis", "http://127.0.0.1:6379"}, "-redis: flexguard/redislimit"},
		{"a negative Redis timeout", []string{"-keys", keys, "-redis", "redis://127.0.0.1:6379/0", "-redis-timeout", "-1s"}, "-redis-timeout must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			status := run(append([]string{"serve", "-addr", "127.0.0.1:0"}, tt.args...), nil, &stdout, &stderr)
			assert.Equal(t, exitUsage, status)
			assert.Contains(t, stderr.String(), tt.wantStderr)
			assert.Contains(t, stderr.String(), "Usage: flexgate serve")
		})
	}
}

func TestKeygenPrintsAKeyAndItsLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantStatus int
		wantStderr string
	}{
		{"an organisation", []string{"-org", "org_a"}, exitOK, `"org_a" needs an entry under "orgs"`},
		{"an organisation with a quote", []string{"-org", `org "b"`}, exitOK, "needs an entry"},
		{"no organisation", nil, exitUsage, "-org is required"},
		{"an extra argument", []string{"-org", "a", "b"}, exitUsage, `unexpected argument "b"`},
		{"a control character", []string{"-org", "a\nb"}, exitUsage, "without control characters"},
		{"an unknown flag", []string{"-n", "3"}, exitUsage, "Usage: flexgate keygen"},
		{"help", []string{"-h"}, exitOK, "Usage: flexgate keygen -org ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			status := run(append([]string{"keygen"}, tt.args...), nil, &stdout, &stderr)
			require.Equal(t, tt.wantStatus, status, stderr.String())
			assert.Contains(t, stderr.String(), tt.wantStderr)
			if status != exitOK || len(tt.args) == 0 || tt.args[0] != "-org" {
				assert.Empty(t, stdout.String())
				return
			}
			lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			require.Len(t, lines, 2, stdout.String())
			key := lines[0]
			require.NoError(t, apikey.Check(key), "the key is well formed")
			var entry map[string]string
			require.NoError(t, json.Unmarshal([]byte(lines[1]), &entry))
			assert.Equal(t, map[string]string{"sha256": apikey.Digest(key), "org": tt.args[1]}, entry)
			assert.NotContains(t, stderr.String(), key, "the key is printed once, on standard output")
		})
	}
}

func TestKeygenMakesADifferentKeyEachTime(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 20 {
		var stdout bytes.Buffer
		require.Equal(t, exitOK, run([]string{"keygen", "-org", "a"}, nil, &stdout, &bytes.Buffer{}))
		key, _, _ := strings.Cut(stdout.String(), "\n")
		assert.False(t, seen[key], "key %s came twice", key)
		seen[key] = true
	}
}

// The whole path a new customer takes: keygen, the keys file, a request
// with the key to a real flexgate.
func TestAKeyFromKeygenPassesAFlexgateWithItsLine(t *testing.T) {
	t.Parallel()
	stdout, _, code := runFlexgate(t, nil, "keygen", "-org", "org_new")
	require.Equal(t, exitOK, code)
	key, line, _ := strings.Cut(strings.TrimSpace(stdout), "\n")
	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"keys":[`+line+`],"orgs":{"org_new":{"provider_keys":["openai"]}}}`), 0o600))

	p := startServe(t, "-addr", "127.0.0.1:0", "-keys", path)
	client := newClient(t)
	body := []byte(`{"model":"gpt-5.5","start_within":"default"}`)
	a := send(t, client, "POST", p.base+"/v1/responses", [][2]string{{"Authorization", "Bearer " + key}}, body, false)
	echo := requireEcho(t, a, body)
	assert.Equal(t, "org_new", echo.Org)
	assert.Equal(t, apikey.ID(apikey.Digest(key)), echo.KeyID)

	a = send(t, client, "POST", p.base+"/v1/responses", nil, body, false)
	requireError(t, a, http.StatusUnauthorized, "missing_api_key", "")
	assert.NotContains(t, p.log.String(), key, "no log line holds the key")
}

// upstreamHeaders is an upstream that records the headers of what it
// gets and answers 200.
type upstreamHeaders struct {
	mu   sync.Mutex
	last http.Header
}

func (u *upstreamHeaders) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	u.last = r.Header.Clone()
	u.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"ok":true}`))
}

func (u *upstreamHeaders) got() http.Header {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.last
}

func TestTheProxyNeverForwardsTheGatewayKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		keys     bool
		header   [][2]string
		wantAuth string // Authorization upstream
		wantXAPI string // x-api-key upstream
	}{
		{"with keys, Authorization and x-api-key stay behind", true,
			[][2]string{{"Authorization", "Bearer " + testKey}, {"X-Api-Key", testKey}}, "", ""},
		{"with keys and x-api-key accepted, a Bearer key stays behind too", true,
			[][2]string{{"X-Api-Key", testKey}, {"Authorization", "Basic Zm9vOmJhcg=="}}, "", ""},
		{"without keys, headers pass as sent", false,
			[][2]string{{"Authorization", "Bearer sk-provider"}, {"X-Api-Key", "sk-ant"}}, "Bearer sk-provider", "sk-ant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			up := &upstreamHeaders{}
			upstream := httptest.NewServer(up)
			t.Cleanup(upstream.Close)
			cfg := testConfig()
			var err error
			cfg.upstream, err = url.Parse(upstream.URL)
			require.NoError(t, err)
			if tt.keys {
				cfg.keys, err = keyFlags{keys: writeKeys(t, 0), acceptXAPIKey: true}.load()
				require.NoError(t, err)
			}
			p := startInProcess(t, cfg)
			body := []byte(`{"model":"gpt-5.5","start_within":"default"}`)
			a := send(t, newClient(t), "POST", p.base+"/v1/responses", tt.header, body, false)
			require.Equal(t, http.StatusOK, a.status, "%s", a.body)
			got := up.got()
			assert.Equal(t, tt.wantAuth, got.Get("Authorization"))
			assert.Equal(t, tt.wantXAPI, got.Get("X-Api-Key"))
		})
	}
}

func TestNoLogLineHoldsTheKey(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	var err error
	cfg.keys, err = keyFlags{keys: writeKeys(t, 2)}.load()
	require.NoError(t, err)
	cfg.trustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	p := startInProcess(t, cfg)
	client := newClient(t)
	good := []byte(`{"model":"gpt-5.5","start_within":"default"}`)
	auth := [2]string{"Authorization", "Bearer " + testKey}
	type request struct {
		path   string
		header [][2]string
		body   []byte
	}
	requests := []request{
		{"/v1/responses", [][2]string{auth}, good},
		{"/v1/responses", [][2]string{auth}, []byte(`{"model":`)},
		{"/v1/responses", [][2]string{auth}, good}, // over the limit of 2
		{"/v1/nowhere", [][2]string{auth}, good},
		{"/v1/responses", [][2]string{{"Authorization", "Bearer " + testKey[:39] + "x"}}, good},
	}
	unknown := request{"/v1/responses", [][2]string{{"Authorization", "Bearer flex_live_ffffffffffffffffffffffff4bf911"}, {"X-Forwarded-For", "203.0.113.77"}}, good}
	for range 21 { // until the client is blocked
		requests = append(requests, unknown)
	}
	for _, r := range requests {
		send(t, client, "POST", p.base+r.path, r.header, r.body, false)
	}
	log := p.log.String()
	for _, want := range []string{`"code":"invalid_json"`, `"code":"rate_limit_exceeded"`, `"code":"unknown_url"`, `"code":"invalid_api_key"`} {
		assert.Contains(t, log, want, "the rejections are logged")
	}
	for _, secret := range []string{testKey[10:34], "ffffffffffffffffffffffff", "Bearer"} {
		assert.NotContains(t, log, secret)
	}
	assert.Contains(t, log, `"code":"invalid_json","param":null,"method":"POST","path":"/v1/responses","remote":"127.0.0.1:`,
		"a rejection logs its path and peer")
	assert.Regexp(t, `"code":"invalid_json"[^\n]*"org":"org_a","key_id":"`+apikey.ID(apikey.Digest(testKey))+`"`, log,
		"a rejection after the key passed names the organisation and the key id")
	assert.Regexp(t, `"code":"invalid_api_key"[^\n]*"remote":"[^"]*"}`, log,
		"a rejected key names no organisation")
}

func TestALimiterOutageIsLoggedOnceNotPerRequest(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	var err error
	cfg.keys, err = keyFlags{keys: writeKeys(t, 1), redis: deadRedis}.load()
	require.NoError(t, err)
	p := startInProcess(t, cfg)
	client := newClient(t)
	body := []byte(`{"model":"gpt-5.5","start_within":"default"}`)
	for range 30 { // thirty times the organisation's limit of one
		a := send(t, client, "POST", p.base+"/v1/responses", [][2]string{{"Authorization", "Bearer " + testKey}}, body, false)
		requireEcho(t, a, body)
	}
	assert.Equal(t, 1, strings.Count(p.log.String(), "rate limiter failing"), p.log.String())
	assert.NotContains(t, p.log.String(), "rate limiter recovered")
}

// secondKey is SPEC's third test vector, the key a reload adds.
const secondKey = "flex_live_deadbeefcafebabe001122339f2d78"

func TestSIGHUPReloadsTheKeysFileAndKeepsItWhenTheNewOneIsBroken(t *testing.T) {
	t.Parallel()
	path := writeKeys(t, 0)
	cfg := testConfig()
	var err error
	cfg.keys, err = keyFlags{keys: path}.load()
	require.NoError(t, err)
	hup := make(chan os.Signal)
	cfg.reload = hup
	p := startInProcess(t, cfg)
	client := newClient(t)
	body := []byte(`{"model":"gpt-5.5","start_within":"default"}`)
	withKey := func(key string) answer {
		return send(t, client, "POST", p.base+"/v1/responses", [][2]string{{"Authorization", "Bearer " + key}}, body, false)
	}
	assert.Equal(t, "org_a", requireEcho(t, withKey(testKey), body).Org)
	requireError(t, withKey(secondKey), http.StatusUnauthorized, "invalid_api_key", "")

	rotated := `{"keys":[{"sha256":"` + apikey.Digest(testKey) + `","org":"org_a","revoked":true},` +
		`{"sha256":"` + apikey.Digest(secondKey) + `","org":"org_b"}],` +
		`"orgs":{"org_a":{"provider_keys":["openai"]},"org_b":{"provider_keys":["openai"]}}}`
	require.NoError(t, os.WriteFile(path, []byte(rotated), 0o600))
	hup <- syscall.SIGHUP
	line := p.waitLog(t, func(l string) bool { return strings.Contains(l, `"keys file reloaded"`) })
	assert.Contains(t, line, `"keys":2,"orgs":2`)
	requireError(t, withKey(testKey), http.StatusUnauthorized, "invalid_api_key", "")
	assert.Equal(t, "org_b", requireEcho(t, withKey(secondKey), body).Org)

	require.NoError(t, os.WriteFile(path, []byte(`{"keys":[`), 0o600))
	hup <- syscall.SIGHUP
	line = p.waitLog(t, func(l string) bool { return strings.Contains(l, `"keys file not reloaded`) })
	assert.Contains(t, line, "keys file: ")
	assert.Equal(t, "org_b", requireEcho(t, withKey(secondKey), body).Org, "the keys in service stay")
	requireError(t, withKey(testKey), http.StatusUnauthorized, "invalid_api_key", "")
}

func TestSIGHUPReachesARunningFlexgateAndNeverStopsIt(t *testing.T) {
	t.Parallel()
	t.Run("with -keys it reloads the file", func(t *testing.T) {
		t.Parallel()
		p := startServe(t, "-addr", "127.0.0.1:0", "-keys", writeKeys(t, 0))
		require.NoError(t, p.cmd.Process.Signal(syscall.SIGHUP))
		p.waitLog(t, func(l string) bool { return strings.Contains(l, `"keys file reloaded"`) })
		require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
		assert.Equal(t, exitOK, p.exitCode(t), "%s", p.log)
	})
	t.Run("without -keys it says there is nothing to reload", func(t *testing.T) {
		t.Parallel()
		p := startServe(t, "-addr", "127.0.0.1:0")
		require.NoError(t, p.cmd.Process.Signal(syscall.SIGHUP))
		p.waitLog(t, func(l string) bool { return strings.Contains(l, "nothing to reload") })
		a := send(t, newClient(t), "POST", p.base+"/v1/responses", nil, []byte(`{"model":"gpt-5.5","start_within":"default"}`), false)
		assert.Equal(t, http.StatusOK, a.status, "still serving")
		require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
		assert.Equal(t, exitOK, p.exitCode(t), "%s", p.log)
	})
}
