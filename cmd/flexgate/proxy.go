package main

import (
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/errors/dialect"
	"github.com/flexinference/flexguard/internal/clienttext"
	"github.com/flexinference/flexguard/middleware"
)

// upstreamUnreachable answers a request the upstream did not answer.
//
// The catalog offers internal_error (500) and upstream_stream_failed (502).
// flexgate uses upstream_stream_failed: 502 Bad Gateway is HTTP's own word
// for "the gateway got no valid answer from the server behind it", it tells
// the client that the fault is upstream and that a retry may succeed, and
// it keeps internal_error for flexgate's own bugs. The catalog's message
// is about a stream breaking off, so this one says what happened.
func upstreamUnreachable() *apierrors.Error {
	return apierrors.New(apierrors.UpstreamStreamFailed, "",
		"The gateway could not get an answer from the upstream it forwards to. Retry after a short wait; if it keeps failing, the upstream may be down.")
}

// newProxy forwards valid requests to target: the body the client sent
// (the chain hands on the exact bytes with their Content-Length) and its
// headers, less the hop-by-hop ones and Accept-Encoding, plus
// X-Forwarded-*. Responses are flushed as they arrive, so server-sent
// events stream through, watched by the Guard's Stream: an upstream that
// gives no answer is left to it (FailStream), and Accept-Encoding is not
// forwarded because a compressed stream cannot be watched (Go's transport
// then asks for gzip itself and decompresses).
func newProxy(target *url.URL, logger *slog.Logger, writeError dialect.Writer) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.SetXForwarded()
			pr.Out.Header.Del("Accept-Encoding")
		},
		FlushInterval: -1,
		ErrorLog:      slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if middleware.FailStream(r, err) {
				return // Stream answers, and OnReject logs it
			}
			if r.Context().Err() != nil {
				// The client went away; nobody is left to answer.
				logger.Info("client closed the request before the upstream answered",
					"method", clienttext.Cut(r.Method), "path", clienttext.CutPath(r.URL.Path), "remote", r.RemoteAddr)
				return
			}
			e := upstreamUnreachable()
			logger.Warn("upstream failed",
				"status", e.Status(), "code", e.Code().String(), "err", err.Error(),
				"method", clienttext.Cut(r.Method), "path", clienttext.CutPath(r.URL.Path), "remote", r.RemoteAddr)
			writeError(w, r, e)
		},
	}
}
