package middleware

import (
	"context"
	"errors"
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/stream"
	"github.com/flexinference/flexguard/validate"
)

// Stream is Handler, then a watch on next's answer on its way to the
// client: the last piece of the order of checks, the one that acts after
// the handler has started. Put it in front of a handler that relays an
// upstream's answer (a reverse proxy, most often) so that a stream the
// upstream cuts short never looks like a finished one:
//
//   - An answer that is not a 2xx text/event-stream, such as an error
//     status or JSON, passes through byte for byte.
//   - A stream that ends with its endpoint's terminal event, or with the
//     upstream's own error event, passes through as sent.
//   - A stream that ends without one, or whose handler fails (it panics
//     with http.ErrAbortHandler, as httputil.ReverseProxy does when the
//     upstream's body breaks off, or it calls FailStream), is answered
//     upstream_stream_failed: with Options.ErrorWriter (502) when no byte
//     of the body has reached the client, otherwise with one error event
//     in the endpoint's own streaming format, after which the response
//     ends (no [DONE], no made-up completion).
//   - A client that goes away cancels the handler's request context at
//     once, which stops an upstream request made with it.
//
// Options.OnReject hears each failure once, after the watcher has
// answered: upstream_stream_failed, or client_closed_request for a client
// that went away. StreamResultFrom tells it (and any middleware between
// the pieces, once next has returned) how the answer ended and how many
// bytes reached the client.
//
// The watcher releases a stream one whole event at a time, and the status
// line with the first event, so that a 502 is still possible until then;
// a client cannot use half an event anyway. The event stream formats and
// the error event of each endpoint are documented, with their sources, in
// internal/stream/doc.go. The error event carries the
// catalog's object ({"message","type","code","param"}, the shape the
// OpenAI and Anthropic SDKs parse) whatever Options.ErrorWriter is: it is
// read by the endpoint's SDK, not by the gateway's own error parser.
//
// next must write its answer to the ResponseWriter it is handed (an
// adapter that writes to the router's own writer instead hides the answer
// from the watcher). A reverse proxy should not forward the client's
// Accept-Encoding, since a compressed stream cannot be read and passes
// through unwatched, and should call FailStream in its ErrorHandler.
//
// Handler does not watch: a careful embedder may have handlers that
// answer themselves, adapters that write past the ResponseWriter they are
// given, or streams in a format of their own, and Handler's promise is
// about requests. Stream costs a few allocations per request and, on a
// stream, a read of every byte on its way through. Like every piece it
// runs only the checks no piece in front of it has run, so
// guard.Handler(mw(guard.Stream(proxy))) checks the request in Handler
// and watches right around the proxy. It panics on a nil next.
func (g *Guard) Stream(next http.Handler) http.Handler {
	if next == nil {
		panic("flexguard/middleware: nil handler")
	}
	watch, err := stream.Watch(stream.Options{
		Endpoint:   streamEndpoint(g.opts.Endpoint),
		WriteError: g.writeStreamFailure,
		OnOutcome:  g.streamEnded,
	})
	if err != nil { // the options are the Guard's own, checked by New
		panic("flexguard/middleware: " + err.Error())
	}
	return g.Handler(watch(next))
}

// FailStream tells the Stream watching r's answer that the upstream
// failed before answering: call it in a reverse proxy's ErrorHandler and
// return when it reports true, and the watcher answers
// upstream_stream_failed through Options.ErrorWriter and reports it to
// Options.OnReject, or client_closed_request when the client has gone.
// It reports false outside Stream: the caller answers itself.
//
//	ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
//		if middleware.FailStream(r, err) {
//			return
//		}
//		http.Error(w, "bad gateway", http.StatusBadGateway)
//	},
func FailStream(r *http.Request, cause error) bool {
	return stream.Fail(r, cause)
}

// StreamResult is how an answer watched by Stream ended.
type StreamResult struct {
	End StreamEnd
	// Bytes counts the body bytes that reached the client from the
	// handler, the watcher's own error event not included.
	Bytes int64
	// Events counts the whole events of a stream that reached the client.
	Events int64
	// Err is what went wrong: the cause given to FailStream,
	// http.ErrAbortHandler for a handler that aborted (as a reverse proxy
	// does when the upstream's body breaks off), the client's write error
	// or its context's cause, or "the stream ended without its terminal
	// event"; nil when nothing did. It holds no client text.
	Err error
}

// StreamEnd sorts how a watched answer ended.
type StreamEnd uint8

// The ends of a watched answer.
const (
	// StreamPassedThrough: the answer was not a 2xx event stream that
	// the watcher can read (an error status, JSON, a compressed body) and
	// went to the client untouched.
	StreamPassedThrough StreamEnd = iota
	// StreamClean: the stream ended with its endpoint's terminal event.
	StreamClean
	// StreamUpstreamError: the stream ended with the upstream's own error
	// event, relayed as it was sent.
	StreamUpstreamError
	// StreamFailedBeforeBody: the upstream failed before any byte of the
	// body reached the client, which got the 502.
	StreamFailedBeforeBody
	// StreamFailedMidStream: the upstream failed after part of the body
	// had reached the client, which got the error event.
	StreamFailedMidStream
	// StreamClientGone: the client went away before the answer was
	// complete.
	StreamClientGone
)

// String returns the end's name in snake case ("failed_mid_stream"), for
// logs and metric labels.
func (e StreamEnd) String() string { return stream.Kind(e).String() }

// StreamResultFrom returns how the answer watched by Stream ended, for
// Options.OnReject and for middlewares between the Guard's pieces once
// the handler has returned. ok is false before then, and for a request
// that Stream did not watch.
func StreamResultFrom(ctx context.Context) (res StreamResult, ok bool) {
	x, ok := ctx.Value(exchangeKey{}).(*exchange)
	if !ok || !x.streamEnded {
		return StreamResult{}, false
	}
	return x.stream, true
}

// streamEnded records how a watched answer ended and reports a failure to
// OnReject.
func (g *Guard) streamEnded(r *http.Request, o stream.Outcome) {
	if x, ok := r.Context().Value(exchangeKey{}).(*exchange); ok {
		x.stream = StreamResult{End: StreamEnd(o.Kind), Bytes: o.Bytes, Events: o.Events, Err: o.Err}
		x.streamEnded = true
	}
	if g.opts.OnReject == nil {
		return
	}
	switch o.Kind {
	case stream.FailedBeforeBody:
		g.opts.OnReject(r, streamFailure(o.Err))
	case stream.FailedMidStream:
		g.opts.OnReject(r, apierrors.New(apierrors.UpstreamStreamFailed, "", ""))
	case stream.ClientGone:
		g.opts.OnReject(r, apierrors.New(apierrors.ClientClosedRequest, "", ""))
	}
}

// writeStreamFailure answers a failure before the first byte of the body
// in the Guard's error shape.
func (g *Guard) writeStreamFailure(w http.ResponseWriter, r *http.Request, cause error) {
	g.opts.ErrorWriter(w, r, streamFailure(cause))
}

// streamFailure is the 502 for a failure before the body: the catalog's
// message when the upstream's stream broke off, and one that says so when
// the upstream gave no answer at all (FailStream).
func streamFailure(cause error) *apierrors.Error {
	if errors.Is(cause, stream.ErrNoTerminalEvent) || errors.Is(cause, http.ErrAbortHandler) {
		return apierrors.New(apierrors.UpstreamStreamFailed, "", "")
	}
	return apierrors.New(apierrors.UpstreamStreamFailed, "",
		"The gateway got no answer from the provider. Retry after a short wait; if it keeps failing, the provider may be unreachable.")
}

// streamEndpoint is the watcher's name for ep; zero stays zero (the
// watcher then goes by the request's path, which Route has checked).
func streamEndpoint(ep validate.Endpoint) stream.Endpoint {
	if ep == 0 {
		return 0
	}
	return stream.EndpointOf(ep.String())
}
