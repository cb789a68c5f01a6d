package main

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/flexinference/flexguard/contrib/prommetrics"
)

// metricsPath is where -metrics-addr serves the metrics.
const metricsPath = "/metrics"

// metricsServer returns, with -metrics-addr, the gateway's metrics
// (contrib/prommetrics, for newServer to wire into the Guard) and the
// server of their page; nil and nil without it. The registry is the
// server's own, with the Go runtime's and the process's metrics beside
// the gateway's, so that several gateways in one process (tests) do not
// share counts.
func metricsServer(cfg serveConfig, logger *slog.Logger) (*prommetrics.Metrics, *http.Server) {
	if cfg.metricsAddr == "" {
		return nil, nil
	}
	metrics := prommetrics.New()
	registry := prometheus.NewRegistry()
	registry.MustRegister(metrics,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	errorLog := slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	mux := http.NewServeMux()
	mux.Handle("GET "+metricsPath, promhttp.HandlerFor(registry, promhttp.HandlerOpts{ErrorLog: errorLog}))
	return metrics, &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: cfg.timeouts.readHeader,
		ReadTimeout:       cfg.timeouts.read,
		IdleTimeout:       cfg.timeouts.idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          errorLog,
	}
}
