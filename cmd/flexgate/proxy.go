package main

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/errors/dialect"
	"github.com/flexinference/flexguard/internal/clientaddr"
	"github.com/flexinference/flexguard/internal/clienttext"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
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

// The upstream connection pool and its timeouts. A gateway sends all its
// traffic to one upstream, so the idle pool per host is as large as the
// whole pool: every connection a burst opened stays for the next one,
// instead of being closed into TIME_WAIT and dialled again.
const (
	upstreamIdleConns = 512
	upstreamIdle      = 90 * time.Second
	upstreamDial      = 10 * time.Second
	upstreamHandshake = 10 * time.Second
	// upstreamResponseHeader bounds the wait for an answer to start. A
	// flex request may wait the longest start_within before it starts,
	// and a request that does not stream gets its headers only with the
	// whole answer after that, so five minutes more leave room for a long
	// answer. It catches an upstream that took a request and will never
	// answer; once headers arrive nothing bounds the stream.
	upstreamResponseHeader = validate.MaxStartWithin + 5*time.Minute
)

// newUpstreamTransport returns the proxy's own transport: HTTP/2 to https
// upstreams, a pool sized for a gateway, bounded dials and handshakes, and
// no overall timeout. It keeps Go's transparent gzip, which lets Stream
// read an event stream the upstream compresses.
func newUpstreamTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: upstreamDial, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          upstreamIdleConns,
		MaxIdleConnsPerHost:   upstreamIdleConns,
		IdleConnTimeout:       upstreamIdle,
		TLSHandshakeTimeout:   upstreamHandshake,
		ResponseHeaderTimeout: upstreamResponseHeader,
	}
}

// newProxy forwards valid requests to target over transport: the body the
// client sent (the chain hands on the exact bytes with their
// Content-Length) at the path that was validated, and its headers, less
// the hop-by-hop ones, Expect and Accept-Encoding, plus X-Forwarded-For
// and X-Real-IP as clients resolves them and X-Forwarded-Host and -Proto.
// Responses are flushed as they arrive, so server-sent events stream
// through, watched by the Guard's Stream: an upstream that gives no answer
// is left to it (FailStream), and Accept-Encoding is not forwarded because
// a compressed stream cannot be watched (the transport then asks for gzip
// itself and decompresses).
func newProxy(target *url.URL, transport http.RoundTripper, clients clientaddr.Resolver, logger *slog.Logger, writeError dialect.Writer) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.SetXForwarded()
			// Only what the resolver believes goes on: a client's own
			// X-Forwarded-For or X-Real-IP never reaches the upstream
			// unless a trusted proxy forwarded it.
			if client, forwardedFor := clients.ForwardedFor(pr.In); client.IsValid() {
				pr.Out.Header.Set("X-Forwarded-For", forwardedFor)
				pr.Out.Header.Set("X-Real-IP", client.String())
			} else {
				pr.Out.Header.Del("X-Forwarded-For")
				pr.Out.Header.Del("X-Real-IP")
			}
			// The body is buffered whole already, and flexgate answered
			// the client's Expect itself. Passed on, it would make the
			// transport wait for an upstream 100 that may never come, and
			// pass a second 100 to the client when it does.
			pr.Out.Header.Del("Expect")
			pr.Out.Header.Del("Accept-Encoding")
		},
		Transport:     transport,
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
