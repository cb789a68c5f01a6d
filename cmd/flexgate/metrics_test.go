package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/apikey"
	"github.com/flexinference/flexguard/internal/clientaddr"
	"github.com/flexinference/flexguard/internal/streamtest"
	"github.com/flexinference/flexguard/validate"
)

// unlimitedKey belongs to org_b, which has no rate limit.
const unlimitedKey = "flex_live_deadbeefcafebabe001122339f2d78"

// writeMetricsKeys writes a keys file: testKey for org_a, limited to two
// requests an hour, and unlimitedKey for org_b.
func writeMetricsKeys(t *testing.T) string {
	t.Helper()
	src := `{"keys":[{"sha256":"` + apikey.Digest(testKey) + `","org":"org_a"},{"sha256":"` + apikey.Digest(unlimitedKey) + `","org":"org_b"}],` +
		`"orgs":{"org_a":{"provider_keys":["openai","gemini","anthropic"],"rate_limit":{"requests":2,"window_seconds":3600}},` +
		`"org_b":{"provider_keys":["openai","gemini","anthropic"]}}}`
	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
	return path
}

// metricsGateway runs flexgate in process with keys, a small body limit,
// metrics on a port of their own and, when upstream is set, a proxy to
// it; the peer (loopback) is a trusted proxy, so each request names its
// client in X-Forwarded-For. It returns the gateway and the metrics
// page's URL.
func metricsGateway(t *testing.T, upstream http.Handler, redisURL string) (p *process, metricsURL string) {
	t.Helper()
	cfg := testConfig()
	cfg.metricsAddr = "127.0.0.1:0"
	cfg.policy = validate.Policy{MaxBodyBytes: 4096}
	var err error
	cfg.trustedProxies, err = clientaddr.ParseTrusted("127.0.0.1")
	require.NoError(t, err)
	cfg.keys, err = keyFlags{keys: writeMetricsKeys(t), redis: redisURL}.load()
	require.NoError(t, err)
	if upstream != nil {
		up := httptest.NewServer(upstream)
		t.Cleanup(up.Close)
		cfg.upstream, err = url.Parse(up.URL)
		require.NoError(t, err)
	}
	p = startInProcess(t, cfg)
	line := p.waitLog(t, func(l string) bool { return strings.Contains(l, `"msg":"metrics on http://`) })
	m := regexp.MustCompile(`metrics on (http://[^\s"]+)`).FindStringSubmatch(line)
	require.NotNil(t, m, line)
	return p, m[1]
}

// scrape reads the metrics page with Prometheus's text parser.
func scrape(t *testing.T, metricsURL string) map[string]*dto.MetricFamily {
	t.Helper()
	a := send(t, newClient(t), http.MethodGet, metricsURL, nil, nil, false)
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(string(a.body)))
	require.NoError(t, err)
	return families
}

// seriesOf returns each series of the named family by its labels, written
// `name=value` in name order and joined by commas: a counter's count, a
// histogram's number of observations.
func seriesOf(families map[string]*dto.MetricFamily, name string) map[string]float64 {
	out := map[string]float64{}
	f, ok := families[name]
	if !ok {
		return out
	}
	for _, m := range f.GetMetric() {
		var pairs []string
		for _, l := range m.GetLabel() {
			pairs = append(pairs, l.GetName()+"="+l.GetValue())
		}
		sort.Strings(pairs)
		v := m.GetCounter().GetValue()
		if f.GetType() == dto.MetricType_HISTOGRAM {
			v = float64(m.GetHistogram().GetSampleCount())
		}
		out[strings.Join(pairs, ",")] += v
	}
	return out
}

// metricsRequest is one request of the mixed run, what it must get, and
// what the metrics must count for it.
type metricsRequest struct {
	name       string
	method     string
	path       string
	key        string
	client     string
	body       string
	chunked    bool
	times      int // sent this many times; 0 means once
	wantStatus int
	wantCode   string // the rejection's code; "" for none
	wantEnd    string // how a failed stream ended; "" for none
	wantAuth   string // the auth-flood limiter's outcome; "" for no decision
	wantOrg    string // the organisation limiter's outcome; "" for none
}

func (rq metricsRequest) endpoint() string {
	if _, ok := validate.EndpointOf(rq.path); ok {
		return rq.path
	}
	return "other"
}

// A mixed run through flexgate's proxy, then one scrape of /metrics: each
// counter holds exactly the requests sent, per label set, and the
// histogram one observation per request.
func TestMetricsCountAMixedRunExactly(t *testing.T) {
	t.Parallel()
	fixtures := map[string]streamtest.Fixture{}
	for _, f := range streamtest.Fixtures {
		fixtures[f.Path] = f
	}
	chat, responses, messages, interactions := fixtures["/v1/chat/completions"], fixtures["/v1/responses"], fixtures["/v1/messages"], fixtures["/v1/interactions"]
	upstream := http.NewServeMux()
	upstream.Handle("/v1/chat/completions", streamtest.Upstream(chat.EndingWith(chat.Terminal), false))
	upstream.Handle("/v1/interactions", streamtest.Upstream(interactions.EndingWith(interactions.Terminal), false))
	upstream.Handle("/v1/responses", streamtest.Upstream(responses.Events, false)) // no terminal event
	upstream.Handle("/v1/messages", streamtest.Upstream(nil, true))                // cut before its first byte
	p, metricsURL := metricsGateway(t, upstream, "")

	const (
		c1, c2, c3 = "192.0.2.1", "192.0.2.2", "192.0.2.3"
		allowed    = "allowed"
		limited    = "limited"
	)
	requests := []metricsRequest{
		{name: "a clean chat stream", method: "POST", path: chat.Path, key: unlimitedKey, client: c1, body: chat.Body, wantStatus: 200, wantAuth: allowed},
		{name: "a clean interactions stream", method: "POST", path: interactions.Path, key: unlimitedKey, client: c1, body: interactions.Body, wantStatus: 200, wantAuth: allowed},
		{name: "org_a within its limit", method: "POST", path: chat.Path, key: testKey, client: c1, body: chat.Body, times: 2, wantStatus: 200, wantAuth: allowed, wantOrg: allowed},
		{name: "org_a over its limit", method: "POST", path: chat.Path, key: testKey, client: c2, body: chat.Body, wantStatus: 429, wantCode: "rate_limit_exceeded", wantAuth: allowed, wantOrg: limited},
		{name: "a stream without its terminal event", method: "POST", path: responses.Path, key: unlimitedKey, client: c1, body: responses.Body, wantStatus: 200, wantCode: "upstream_stream_failed", wantEnd: "failed_mid_stream", wantAuth: allowed},
		{name: "a stream cut before its body", method: "POST", path: messages.Path, key: unlimitedKey, client: c1, body: messages.Body, wantStatus: 502, wantCode: "upstream_stream_failed", wantEnd: "failed_before_body", wantAuth: allowed},
		{name: "no key", method: "POST", path: chat.Path, client: c2, body: chat.Body, wantStatus: 401, wantCode: "missing_api_key", wantAuth: allowed},
		{name: "a key with a wrong checksum", method: "POST", path: messages.Path, key: "flex_live_0123456789abcdef01234567618735", client: c2, body: messages.Body, wantStatus: 401, wantCode: "invalid_api_key", wantAuth: allowed},
		{name: "a client's twenty failures", method: "POST", path: responses.Path, client: c3, body: responses.Body, times: 20, wantStatus: 401, wantCode: "missing_api_key", wantAuth: allowed},
		{name: "the blocked client", method: "POST", path: responses.Path, key: unlimitedKey, client: c3, body: responses.Body, wantStatus: 429, wantCode: "rate_limit_exceeded", wantAuth: limited},
		{name: "no model", method: "POST", path: chat.Path, key: unlimitedKey, client: c1, body: `{"start_within":"default","messages":[]}`, wantStatus: 400, wantCode: "missing_model", wantAuth: allowed},
		{name: "broken JSON", method: "POST", path: interactions.Path, key: unlimitedKey, client: c1, body: `{"model":`, wantStatus: 400, wantCode: "invalid_json", wantAuth: allowed},
		{name: "claude without a token cap", method: "POST", path: messages.Path, key: unlimitedKey, client: c1, body: `{"model":"claude-sonnet-4-5","start_within":"default","messages":[]}`, wantStatus: 400, wantCode: "missing_max_tokens", wantAuth: allowed},
		{name: "a declared length over the limit", method: "POST", path: chat.Path, key: unlimitedKey, client: c1, body: strings.Repeat(" ", 5000), wantStatus: 413, wantCode: "request_too_large", wantAuth: allowed},
		{name: "a chunked body over the limit", method: "POST", path: responses.Path, key: unlimitedKey, client: c1, body: `{"input":"` + strings.Repeat("a", 5000) + `"}`, chunked: true, wantStatus: 413, wantCode: "request_too_large", wantAuth: allowed},
		{name: "GET", method: "GET", path: chat.Path, key: unlimitedKey, client: c1, wantStatus: 405, wantCode: "method_not_allowed"},
		{name: "a method nobody knows", method: "PURGE", path: messages.Path, key: unlimitedKey, client: c1, wantStatus: 405, wantCode: "method_not_allowed"},
		{name: "an endpoint with a trailing slash", method: "POST", path: chat.Path + "/", key: unlimitedKey, client: c1, body: chat.Body, wantStatus: 404, wantCode: "unknown_url"},
		// Last, an answer that is not flushed: the client reads it only
		// once the handler has returned and its duration is recorded, and
		// on the same connection as every request before it, each of
		// which the server finished before reading the next.
		{name: "an unknown path with client text", method: "POST", path: "/v1/models/" + strings.Repeat("x", 300), key: unlimitedKey, client: c1, body: chat.Body, wantStatus: 404, wantCode: "unknown_url"},
	}

	// One connection at a time, so that the requests are handled one
	// after another (see the last request).
	transport := &http.Transport{Proxy: nil, DisableCompression: true, MaxConnsPerHost: 1}
	t.Cleanup(transport.CloseIdleConnections)
	client := &http.Client{Transport: transport}
	wantRejections, wantFailures, wantDecisions, wantDurations := map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
	sent := 0
	for _, rq := range requests {
		header := [][2]string{{"X-Forwarded-For", rq.client}}
		if rq.key != "" {
			header = append(header, [2]string{"Authorization", "Bearer " + rq.key})
		}
		for range max(rq.times, 1) {
			a := send(t, client, rq.method, p.base+rq.path, header, []byte(rq.body), rq.chunked)
			require.Equal(t, rq.wantStatus, a.status, "%s: %s", rq.name, a.body)
			sent++
			if rq.wantCode != "" && rq.wantEnd != "failed_mid_stream" {
				var e struct{ Error struct{ Code string } }
				require.NoError(t, json.Unmarshal(a.body, &e), "%s: %s", rq.name, a.body)
				require.Equal(t, rq.wantCode, e.Error.Code, rq.name)
			}
			method := rq.method
			if method == "PURGE" {
				method = "_OTHER"
			}
			wantDurations["http_request_method="+method+",http_response_status_code="+strconv.Itoa(rq.wantStatus)+",http_route="+rq.endpoint()]++
			if rq.wantCode != "" {
				status := rq.wantStatus
				if rq.wantEnd != "" {
					status = http.StatusBadGateway // the code's status, whatever reached the client
				}
				wantRejections["code="+rq.wantCode+",endpoint="+rq.endpoint()+",status="+strconv.Itoa(status)]++
			}
			if rq.wantEnd != "" {
				wantFailures["end="+rq.wantEnd+",endpoint="+rq.path]++
			}
			if rq.wantAuth != "" {
				wantDecisions["limiter=auth_flood,outcome="+rq.wantAuth]++
			}
			if rq.wantOrg != "" {
				wantDecisions["limiter=org,outcome="+rq.wantOrg]++
			}
		}
	}

	families := scrape(t, metricsURL)
	assert.Equal(t, wantRejections, seriesOf(families, "flexguard_rejections_total"))
	assert.Equal(t, wantFailures, seriesOf(families, "flexguard_stream_failures_total"))
	assert.Equal(t, wantDecisions, seriesOf(families, "flexguard_limiter_decisions_total"))
	assert.Equal(t, wantDurations, seriesOf(families, "http_server_request_duration_seconds"))
	total := 0.0
	for _, n := range seriesOf(families, "http_server_request_duration_seconds") {
		total += n
	}
	assert.Equal(t, float64(sent), total, "one observation per request")
	assert.Contains(t, families, "go_goroutines", "the Go runtime's metrics are there too")
	assert.Contains(t, families, "process_cpu_seconds_total", "and the process's")

	// No label holds a key, an organisation, a client or client text.
	for name, f := range families {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				for _, secret := range []string{"flex_live_", "org_", "192.0.2.", "xxx"} {
					assert.NotContains(t, l.GetValue(), secret, "%s{%s}", name, l.GetName())
				}
			}
		}
	}
}

// A limiter that is down: each decision is counted as an error, and the
// requests go on.
func TestMetricsCountLimiterErrors(t *testing.T) {
	t.Parallel()
	p, metricsURL := metricsGateway(t, nil, deadRedis)
	client := newClient(t)
	a := send(t, client, "POST", p.base+"/v1/chat/completions", [][2]string{{"Authorization", "Bearer " + testKey}}, []byte(`{"model":"gpt-5.5","start_within":"default","messages":[]}`), false)
	require.Equal(t, http.StatusOK, a.status, "%s", a.body)
	a = send(t, client, "POST", p.base+"/v1/chat/completions", nil, []byte(`{}`), false)
	require.Equal(t, http.StatusUnauthorized, a.status, "%s", a.body)

	families := scrape(t, metricsURL)
	assert.Equal(t, map[string]float64{
		"limiter=auth_flood,outcome=error": 2,
		"limiter=org,outcome=error":        1,
	}, seriesOf(families, "flexguard_limiter_decisions_total"))
	assert.Equal(t, map[string]float64{"code=missing_api_key,endpoint=/v1/chat/completions,status=401": 1},
		seriesOf(families, "flexguard_rejections_total"))
}

// The metrics are served only at GET /metrics, on their own port: the
// gateway does not serve them, and the metrics port serves nothing else.
func TestMetricsAreServedApartFromTheGateway(t *testing.T) {
	t.Parallel()
	p, metricsURL := metricsGateway(t, nil, "")
	client := newClient(t)
	a := send(t, client, "GET", p.base+"/metrics", nil, nil, false)
	requireError(t, a, http.StatusNotFound, "unknown_url", "")
	base := strings.TrimSuffix(metricsURL, "/metrics")
	assert.Equal(t, http.StatusNotFound, send(t, client, "GET", base+"/v1/chat/completions", nil, nil, false).status)
	assert.Equal(t, http.StatusMethodNotAllowed, send(t, client, "POST", metricsURL, nil, []byte("x"), false).status)
}
