package prommetrics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/contrib/prommetrics"
	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/apikey"
	"github.com/flexinference/flexguard/internal/streamtest"
	"github.com/flexinference/flexguard/middleware"
)

// The metric families, as the package doc names them.
const (
	rejections     = "flexguard_rejections_total"
	streamFailures = "flexguard_stream_failures_total"
	limiter        = "flexguard_limiter_decisions_total"
	duration       = "http_server_request_duration_seconds"
)

// validChat passes every check of /v1/chat/completions.
const validChat = `{"model":"gpt-5.5","start_within":"default","messages":[]}`

// registered returns new metrics and a registry that holds them alone.
func registered(t *testing.T) (*prommetrics.Metrics, *prometheus.Registry) {
	t.Helper()
	m := prommetrics.New()
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(m))
	return m, reg
}

// guarded is m's Handler around a Guard built from m.Instrument(opts)
// around next.
func guarded(t *testing.T, m *prommetrics.Metrics, opts middleware.Options, next http.Handler) http.Handler {
	t.Helper()
	g, err := middleware.New(m.Instrument(opts))
	require.NoError(t, err)
	return m.Handler(g.Handler(next))
}

// family returns the named family from reg, nil when it has no series.
func family(t *testing.T, reg *prometheus.Registry, name string) *dto.MetricFamily {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == name {
			return f
		}
	}
	return nil
}

// series returns each series of the named family by its labels, written
// `name=value` in name order and joined by commas; a counter's value is
// its count, a histogram's the number of observations.
func series(t *testing.T, reg *prometheus.Registry, name string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	f := family(t, reg, name)
	if f == nil {
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

// request is one request a test sends, and the series it must count.
type request struct {
	method, path, body string
	wantStatus         int
	wantRejection      string // labels of its rejection; "" for none
	wantDuration       string // labels of its duration
}

func TestRejectionsAreCountedByCodeStatusAndEndpoint(t *testing.T) {
	t.Parallel()
	m, reg := registered(t)
	h := guarded(t, m, middleware.Options{}, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	requests := []request{
		{"POST", "/v1/chat/completions", validChat, 204, "",
			"http_request_method=POST,http_response_status_code=204,http_route=/v1/chat/completions"},
		{"POST", "/v1/chat/completions", `{"start_within":"default"}`, 400, "code=missing_model,endpoint=/v1/chat/completions,status=400",
			"http_request_method=POST,http_response_status_code=400,http_route=/v1/chat/completions"},
		{"POST", "/v1/messages", `{"model":`, 400, "code=invalid_json,endpoint=/v1/messages,status=400",
			"http_request_method=POST,http_response_status_code=400,http_route=/v1/messages"},
		{"GET", "/v1/responses", "", 405, "code=method_not_allowed,endpoint=/v1/responses,status=405",
			"http_request_method=GET,http_response_status_code=405,http_route=/v1/responses"},
		{"POST", "/v1/interactions", `{"model":"gemini-3-pro","start_within":"whenever"}`, 400, "code=invalid_start_within,endpoint=/v1/interactions,status=400",
			"http_request_method=POST,http_response_status_code=400,http_route=/v1/interactions"},
		{"POST", "/v1/chat/completions/", validChat, 404, "code=unknown_url,endpoint=other,status=404",
			"http_request_method=POST,http_response_status_code=404,http_route=other"},
		{"POST", "/v1%2Fresponses", validChat, 404, "code=unknown_url,endpoint=other,status=404",
			"http_request_method=POST,http_response_status_code=404,http_route=other"},
		{"POST", "/admin/" + strings.Repeat("x", 300) + "?q=1", validChat, 404, "code=unknown_url,endpoint=other,status=404",
			"http_request_method=POST,http_response_status_code=404,http_route=other"},
	}
	wantRejections, wantDurations := map[string]float64{}, map[string]float64{}
	for _, rq := range requests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(rq.method, rq.path, strings.NewReader(rq.body)))
		require.Equal(t, rq.wantStatus, rec.Code, "%s %s: %s", rq.method, rq.path, rec.Body)
		if rq.wantRejection != "" {
			wantRejections[rq.wantRejection]++
		}
		wantDurations[rq.wantDuration]++
	}
	assert.Equal(t, wantRejections, series(t, reg, rejections))
	assert.Equal(t, wantDurations, series(t, reg, duration))
	assert.Empty(t, series(t, reg, streamFailures), "no stream was watched")
	assert.Nil(t, family(t, reg, limiter), "keys are off")
}

func TestStreamFailuresAreCountedByEndpointAndEnd(t *testing.T) {
	t.Parallel()
	m, reg := registered(t)
	g, err := middleware.New(m.Instrument(middleware.Options{}))
	require.NoError(t, err)
	wantFailures, wantRejections, wantDurations := map[string]float64{}, map[string]float64{}, map[string]float64{}
	for _, f := range streamtest.Fixtures {
		for _, tc := range f.Cases() {
			rec := httptest.NewRecorder()
			m.Handler(g.Stream(tc.Upstream)).ServeHTTP(rec, httptest.NewRequest("POST", f.Path, strings.NewReader(f.Body)))
			require.NoError(t, tc.CheckAnswer(f, rec.Code, rec.Header(), rec.Body.Bytes()), "%s: %s", f.Path, tc.Name)
			if tc.Failed() {
				wantFailures["end="+tc.End+",endpoint="+f.Path]++
				wantRejections["code=upstream_stream_failed,endpoint="+f.Path+",status=502"]++
			}
			wantDurations["http_request_method=POST,http_response_status_code="+strconv.Itoa(tc.Status)+",http_route="+f.Path]++
		}
		// A client that has gone before the stream ends.
		r := httptest.NewRequest("POST", f.Path, strings.NewReader(f.Body)).WithContext(canceled())
		m.Handler(g.Stream(streamtest.Upstream(f.Events, false))).ServeHTTP(httptest.NewRecorder(), r)
		wantFailures["end=client_gone,endpoint="+f.Path]++
		wantRejections["code=client_closed_request,endpoint="+f.Path+",status=499"]++
		wantDurations["http_request_method=POST,http_response_status_code=200,http_route="+f.Path]++
	}
	assert.Equal(t, wantFailures, series(t, reg, streamFailures))
	assert.Equal(t, wantRejections, series(t, reg, rejections))
	assert.Equal(t, wantDurations, series(t, reg, duration))
}

// Keys: SPEC's test vectors.
const (
	keyA = "flex_live_0123456789abcdef01234567618734" // org_a: one request an hour
	keyB = "flex_live_deadbeefcafebabe001122339f2d78" // org_b: no limit
)

// keyTable is a KeyStore in memory, by digest.
type keyTable map[string]middleware.KeyRecord

func (kt keyTable) LookupKey(_ context.Context, digest string) (middleware.KeyRecord, bool, error) {
	rec, ok := kt[digest]
	return rec, ok, nil
}

// downLimiter fails every call, as a Redis that is down does.
type downLimiter struct{}

func (downLimiter) Allow(context.Context, string, middleware.LimitRule) (bool, error) {
	return false, errors.New("limiter down")
}

func (downLimiter) Blocked(context.Context, string) (bool, error) {
	return false, errors.New("limiter down")
}

func TestLimiterDecisionsAreCountedByLimiterAndOutcome(t *testing.T) {
	t.Parallel()
	type send struct {
		key, client string
		wantStatus  int
	}
	tests := []struct {
		name    string
		limiter middleware.Limiter // nil: in process
		sends   []send
		want    map[string]float64
	}{
		{"working limiters", nil, []send{
			{keyA, "192.0.2.1", 200},
			{keyA, "192.0.2.1", 429},
			{keyB, "192.0.2.1", 200},
			{"", "192.0.2.2", 401},
			{"", "192.0.2.2", 401},
			{keyB, "192.0.2.2", 429},
		}, map[string]float64{
			"limiter=auth_flood,outcome=allowed": 5,
			"limiter=auth_flood,outcome=limited": 1,
			"limiter=org,outcome=allowed":        1,
			"limiter=org,outcome=limited":        1,
		}},
		{"a limiter that is down", downLimiter{}, []send{
			{keyA, "192.0.2.1", 200},
			{keyA, "192.0.2.1", 200},
			{"", "192.0.2.1", 401},
		}, map[string]float64{
			"limiter=auth_flood,outcome=error": 3,
			"limiter=org,outcome=error":        2,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, reg := registered(t)
			h := guarded(t, m, middleware.Options{
				KeyStore: keyTable{
					apikey.Digest(keyA): {Org: "org_a", RateLimit: middleware.LimitRule{Limit: 1, Window: time.Hour}},
					apikey.Digest(keyB): {Org: "org_b"},
				},
				AuthFlood:        middleware.LimitRule{Limit: 2},
				AuthFloodLimiter: tt.limiter,
				OrgLimiter:       tt.limiter,
			}, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
			for i, s := range tt.sends {
				r := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(validChat))
				r.RemoteAddr = s.client + ":4711"
				if s.key != "" {
					r.Header.Set("Authorization", "Bearer "+s.key)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				require.Equal(t, s.wantStatus, rec.Code, "request %d: %s", i, rec.Body)
			}
			assert.Equal(t, tt.want, series(t, reg, limiter))
		})
	}
}

func TestInstrumentKeepsTheHooksAlreadySet(t *testing.T) {
	t.Parallel()
	m, reg := registered(t)
	var rejected, decided int
	opts := m.Instrument(middleware.Options{
		KeyStore:          keyTable{},
		OnReject:          func(*http.Request, *apierrors.Error) { rejected++ },
		OnLimiterDecision: func(*http.Request, middleware.LimiterDecision) { decided++ },
	})
	g, err := middleware.New(opts)
	require.NoError(t, err)
	r := httptest.NewRequest("POST", "/v1/chat/completions", strings.NewReader(validChat))
	r.RemoteAddr = "192.0.2.1:4711"
	g.Handler(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), r)
	assert.Equal(t, 1, rejected)
	assert.Equal(t, 1, decided)
	assert.Equal(t, map[string]float64{"code=missing_api_key,endpoint=/v1/chat/completions,status=401": 1}, series(t, reg, rejections))
	assert.Equal(t, map[string]float64{"limiter=auth_flood,outcome=allowed": 1}, series(t, reg, limiter))
}

func TestInstrumentLeavesTheLimiterHookOffWithoutKeys(t *testing.T) {
	t.Parallel()
	opts := prommetrics.New().Instrument(middleware.Options{})
	assert.Nil(t, opts.OnLimiterDecision, "middleware.New refuses it without a KeyStore")
	assert.NotNil(t, opts.OnReject)
	_, err := middleware.New(opts)
	assert.NoError(t, err)
}
