package main

import (
	"log/slog"
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/clienttext"
	"github.com/flexinference/flexguard/middleware"
)

// logStreamFailure logs, in one line, a failure that the Guard's Stream
// saw once the proxy had started: the upstream failed or its stream
// ended short (upstream_stream_failed), or the client went away
// (client_closed_request). It says where and how far the answer got,
// never what it said.
func logStreamFailure(logger *slog.Logger, r *http.Request, e *apierrors.Error, s middleware.StreamResult) {
	msg, level := "upstream failed", slog.LevelWarn
	if e.Code() == apierrors.ClientClosedRequest {
		msg, level = "client closed the request", slog.LevelInfo
	}
	res, _ := middleware.ResultFrom(r.Context())
	attrs := []slog.Attr{
		slog.Int("status", e.Status()),
		slog.String("code", e.Code().String()),
		slog.String("end", s.End.String()),
		slog.String("endpoint", res.Endpoint.String()),
		slog.String("model", clienttext.Cut(res.Model)),
		slog.Int64("bytes", s.Bytes),
		slog.Int64("events", s.Events),
		slog.String("remote", r.RemoteAddr),
	}
	if s.Err != nil {
		attrs = append(attrs, slog.String("err", s.Err.Error()))
	}
	logger.LogAttrs(r.Context(), level, msg, attrs...)
}
