package prommetrics

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// Metrics is the collectors of one gateway's metrics (see the package
// doc). It is a prometheus.Collector: register it once, then wire it with
// Instrument and Handler. It is safe for concurrent use.
type Metrics struct {
	rejections     *prometheus.CounterVec
	streamFailures *prometheus.CounterVec
	limiter        *prometheus.CounterVec
	duration       *prometheus.HistogramVec
}

// otelDurationBuckets are the bucket bounds, in seconds, that
// OpenTelemetry's HTTP semantic conventions recommend for
// http.server.request.duration.
var otelDurationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// otherEndpoint is the endpoint and http_route label of a request to any
// path but the four endpoints'.
const otherEndpoint = "other"

// The limiter decisions' outcome label values.
const (
	outcomeAllowed = "allowed"
	outcomeLimited = "limited"
	outcomeError   = "error"
)

// New returns the metrics, not yet registered.
func New() *Metrics {
	return &Metrics{
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "flexguard_rejections_total",
			Help: "Requests the gateway answered with an error in place of the handler's answer, and streams that failed after it started, by error code, HTTP status and endpoint.",
		}, []string{"code", "status", "endpoint"}),
		streamFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "flexguard_stream_failures_total",
			Help: "Upstream answers that failed on their way to the client, by endpoint and how they ended (failed_before_body, failed_mid_stream, client_gone).",
		}, []string{"endpoint", "end"}),
		limiter: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "flexguard_limiter_decisions_total",
			Help: "Decisions of the rate limiters on requests, by limiter (auth_flood, org) and outcome (allowed, limited, error: failed open).",
		}, []string{"limiter", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_server_request_duration_seconds",
			Help:    "Duration of HTTP server requests (OpenTelemetry's http.server.request.duration).",
			Buckets: otelDurationBuckets,
		}, []string{"http_request_method", "http_route", "http_response_status_code"}),
	}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	m.rejections.Describe(ch)
	m.streamFailures.Describe(ch)
	m.limiter.Describe(ch)
	m.duration.Describe(ch)
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.rejections.Collect(ch)
	m.streamFailures.Collect(ch)
	m.limiter.Collect(ch)
	m.duration.Collect(ch)
}

// Instrument returns opts with the metrics' hooks added: OnReject, and,
// when opts has a KeyStore (keys and limits on), OnLimiterDecision. A
// hook opts already has is kept, and called first. Call it last, once
// opts says whether keys are on.
func (m *Metrics) Instrument(opts middleware.Options) middleware.Options {
	opts.OnReject = both(opts.OnReject, m.rejected)
	if opts.KeyStore != nil {
		opts.OnLimiterDecision = both(opts.OnLimiterDecision, m.limiterDecided)
	}
	return opts
}

// both returns a hook that calls first, when set, then then.
func both[T any](first, then func(*http.Request, T)) func(*http.Request, T) {
	if first == nil {
		return then
	}
	return func(r *http.Request, v T) {
		first(r, v)
		then(r, v)
	}
}

// rejected counts a rejection, and a stream failure once Stream has
// watched the answer.
func (m *Metrics) rejected(r *http.Request, e *apierrors.Error) {
	endpoint := endpointLabel(r)
	m.rejections.WithLabelValues(e.Code().String(), strconv.Itoa(e.Status()), endpoint).Inc()
	if s, ok := middleware.StreamResultFrom(r.Context()); ok {
		m.streamFailures.WithLabelValues(endpoint, s.End.String()).Inc()
	}
}

// limiterDecided counts a limiter's decision.
func (m *Metrics) limiterDecided(_ *http.Request, d middleware.LimiterDecision) {
	outcome := outcomeAllowed
	switch {
	case d.Err != nil:
		outcome = outcomeError
	case d.Limited:
		outcome = outcomeLimited
	}
	m.limiter.WithLabelValues(d.Limiter, outcome).Inc()
}

// endpointLabel is the endpoint r was validated for, else its path when
// that is one of the four endpoints (as the Guard judges it: escaped),
// else otherEndpoint. Never the raw path: that is the client's to choose.
func endpointLabel(r *http.Request) string {
	if res, ok := middleware.ResultFrom(r.Context()); ok && res.Endpoint != 0 {
		return res.Endpoint.String()
	}
	if ep, ok := validate.EndpointOf(r.URL.EscapedPath()); ok {
		return ep.String()
	}
	return otherEndpoint
}
