// Package prommetrics counts what a flexguard Guard does, as Prometheus
// metrics: its rejections, the duration of every request, the streams an
// upstream cut short and the decisions of its limiters.
//
// It lives in a module of its own so that the core flexguard module does
// not depend on a Prometheus client. It uses only the Guard's hooks
// (Options.OnReject, Options.OnLimiterDecision, StreamResultFrom) and a
// wrapper around the whole handler for the duration:
//
//	metrics := prommetrics.New()
//	registry.MustRegister(metrics)
//	guard, err := middleware.New(metrics.Instrument(opts))
//	...
//	handler := metrics.Handler(guard.Stream(proxy))
//
// # Metrics
//
//   - flexguard_rejections_total{code, status, endpoint}: every answer the
//     Guard gave in place of the handler's, and every stream failure
//     after the handler started (upstream_stream_failed,
//     client_closed_request), as Options.OnReject hears them.
//   - flexguard_stream_failures_total{endpoint, end}: the streams that
//     Guard.Stream saw fail, by how they ended (failed_before_body,
//     failed_mid_stream, client_gone; see middleware.StreamEnd). They are
//     among the rejections too.
//   - flexguard_limiter_decisions_total{limiter, outcome}: each
//     decision of the auth-flood (auth_flood) and per-organisation (org)
//     limiters, allowed, limited or error (the limiter failed and the
//     request went on).
//   - http_server_request_duration_seconds{http_request_method,
//     http_route, http_response_status_code}: OpenTelemetry's
//     http.server.request.duration as Prometheus names it, with the
//     buckets OpenTelemetry recommends (5 ms to 10 s).
//
// # Labels
//
// No label holds client text, a key, an organisation or a client
// address, so the number of series is bounded whatever the traffic:
//
//   - endpoint and http_route are one of the four endpoint paths, or
//     "other" for any other path. A request the Guard has validated is
//     labelled with its endpoint (which, mounted per route with
//     Options.Endpoint, may not be its path), any other by its path.
//   - http_request_method is the method when it is one OpenTelemetry
//     knows (those of RFC 9110, PATCH and QUERY, in upper case as sent),
//     else "_OTHER".
//   - http_response_status_code is the status the client got; for a
//     request answered with nothing, because the client went away first,
//     it is 499, the catalog's client_closed_request, and for a handler
//     that panicked without answering, 500.
//   - code is the catalog's code, or an embedder's own (schemas); status
//     its HTTP status.
//
// # Decisions
//
//   - Stream failures are counted twice on purpose: as rejections, so
//     that the rejections count every error answer and every client that
//     left, and by how they ended, which no code says.
//   - Request duration is measured by Handler, the outermost wrapper, so
//     that rejections are timed too; the hooks alone could not see an
//     answer that passes.
//   - Series appear with their first event: none is made up front, so a
//     label set with no events yet is absent rather than zero.
package prommetrics
