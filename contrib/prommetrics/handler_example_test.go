package prommetrics_test

import (
	"bytes"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/flexinference/flexguard/contrib/prommetrics"
	"github.com/flexinference/flexguard/middleware"
)

// A gateway's metrics: Instrument adds the hooks to the Guard's Options,
// Handler times every request, the registry serves them (with
// promhttp.HandlerFor on a listener of its own, say).
func ExampleMetrics_Handler() {
	metrics := prommetrics.New()
	registry := prometheus.NewRegistry()
	registry.MustRegister(metrics)

	guard, err := middleware.New(metrics.Instrument(middleware.Options{}))
	if err != nil {
		log.Fatal(err)
	}
	gateway := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	handler := metrics.Handler(guard.Handler(gateway))

	for _, body := range []string{
		`{"model":"gpt-5.5","start_within":"default","messages":[]}`,
		`{"start_within":"default","messages":[]}`,
	} {
		r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
		handler.ServeHTTP(httptest.NewRecorder(), r)
	}

	// What a scrape shows, less the histogram's buckets and sum.
	families, err := registry.Gather()
	if err != nil {
		log.Fatal(err)
	}
	var text bytes.Buffer
	for _, f := range families {
		if _, err := expfmt.MetricFamilyToText(&text, f); err != nil {
			log.Fatal(err)
		}
	}
	for _, line := range strings.Split(text.String(), "\n") {
		if strings.HasPrefix(line, "flexguard_") || strings.HasPrefix(line, "http_server_request_duration_seconds_count") {
			fmt.Println(line)
		}
	}
	// Output:
	// flexguard_rejections_total{code="missing_model",endpoint="/v1/chat/completions",status="400"} 1
	// http_server_request_duration_seconds_count{http_request_method="POST",http_response_status_code="204",http_route="/v1/chat/completions"} 1
	// http_server_request_duration_seconds_count{http_request_method="POST",http_response_status_code="400",http_route="/v1/chat/completions"} 1
}
