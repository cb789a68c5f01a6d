package stream

import (
	"context"
	"errors"
	"net/http"
)

// Options configures [Watch]. The zero Options watches the four endpoints,
// each known by its request path, and answers failures with the catalog's
// upstream_stream_failed.
type Options struct {
	// Endpoint is the API served behind the watcher. Zero (the default)
	// takes it from each request's path; a request to any other path goes
	// to the handler unwatched.
	Endpoint Endpoint

	// ErrorObject is the error object that the in-band error frame
	// carries: a JSON object with string "message", "type" and "code" and
	// a "param" that is a string or null. Nil (the default) is the
	// catalog's upstream_stream_failed.
	ErrorObject []byte

	// WriteError answers a failure that happened before any byte of the
	// body reached the client; cause is what failed. It gets the
	// ResponseWriter that was handed to the watcher, with nothing written
	// and without the headers that the handler had set. Nil (the default)
	// writes the catalog's 502 upstream_stream_failed.
	WriteError func(w http.ResponseWriter, r *http.Request, cause error)

	// OnOutcome, when not nil, is called once per watched request, after
	// the handler has returned and the watcher has answered, with how the
	// request ended. Default: nil.
	OnOutcome func(r *http.Request, o Outcome)
}

// Outcome is how one request through the watcher ended.
type Outcome struct {
	Kind     Kind
	Endpoint Endpoint
	// Bytes counts the body bytes that reached the client from the
	// handler, the watcher's own error frame not included.
	Bytes int64
	// Events counts the whole events that reached the client.
	Events int64
	// Err is what went wrong: the cause given to [Fail], the client's write
	// error or the request context's cause, [http.ErrAbortHandler] for a
	// handler that aborted, or [ErrNoTerminalEvent]; nil when nothing did.
	Err error
}

// Kind sorts outcomes.
type Kind uint8

// The outcomes.
const (
	// Passthrough: the answer was not a 2xx event stream (an error status,
	// JSON, a compressed body) and went to the client untouched.
	Passthrough Kind = iota
	// Clean: the stream ended with its endpoint's terminal event.
	Clean
	// UpstreamError: the stream ended with the upstream's own error event,
	// relayed as it was sent.
	UpstreamError
	// FailedBeforeBody: the upstream failed, or the stream ended without its
	// terminal event, before any body byte reached the client; WriteError
	// answered (502 upstream_stream_failed).
	FailedBeforeBody
	// FailedMidStream: the same after some of the body had reached the
	// client; the in-band error frame ended the response.
	FailedMidStream
	// ClientGone: the client went away before the answer was complete
	// (499 client_closed_request); the handler's request context was
	// cancelled at once and nothing more was written.
	ClientGone
)

var kindNames = [...]string{"passthrough", "clean", "upstream_error", "failed_before_body", "failed_mid_stream", "client_gone"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// ErrNoTerminalEvent is the Outcome.Err of a stream that ended, without any
// other failure, before its terminal event.
var ErrNoTerminalEvent = errors.New("flexguard/stream: the stream ended without its terminal event")

// Watch returns a middleware that watches the handler's answer on its way
// to the client, as described in the package documentation.
//
// It fails when ErrorObject is not a valid error object.
func Watch(opts Options) (func(http.Handler) http.Handler, error) {
	if opts.Endpoint != 0 && !opts.Endpoint.valid() {
		return nil, errors.New("flexguard/stream: Options.Endpoint is not one of the four endpoints")
	}
	raw := opts.ErrorObject
	if raw == nil {
		raw = catalogErrorObject()
	}
	obj, err := parseErrorObject(raw)
	if err != nil {
		return nil, err
	}
	wt := &watcher{
		endpoint:   opts.Endpoint,
		object:     obj,
		writeError: opts.WriteError,
		onOutcome:  opts.OnOutcome,
	}
	if wt.writeError == nil {
		wt.writeError = writeCatalogError
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ep := wt.endpoint
			if ep == 0 {
				ep = EndpointOf(r.URL.Path)
				if ep == 0 {
					next.ServeHTTP(w, r)
					return
				}
			}
			ctx, cancel := context.WithCancelCause(r.Context())
			defer cancel(nil)
			ww := &watchedWriter{w: w, cancel: cancel}
			ww.rd.reset(ep)
			defer func() { wt.finish(ww, r, recover()) }()
			next.ServeHTTP(ww, r.WithContext(context.WithValue(ctx, watcherKey{}, ww)))
		})
	}, nil
}

type watcher struct {
	endpoint   Endpoint
	object     errorObject
	writeError func(http.ResponseWriter, *http.Request, error)
	onOutcome  func(*http.Request, Outcome)
}

type watcherKey struct{}

// Fail tells the watcher around r's handler that the upstream failed,
// for a handler that has no other way to show it: an
// [httputil.ReverseProxy]'s ErrorHandler, called before anything is
// written. The watcher answers when the handler returns. Fail reports
// whether a watcher is there; when it is not, the caller answers itself.
func Fail(r *http.Request, cause error) bool {
	ww, ok := r.Context().Value(watcherKey{}).(*watchedWriter)
	if !ok {
		return false
	}
	if cause == nil {
		cause = errors.New("flexguard/stream: the upstream failed")
	}
	if ww.failed == nil {
		ww.failed = cause
	}
	return true
}

// finish answers for the handler once it has returned or panicked with
// recovered, and reports the outcome. A panic other than
// http.ErrAbortHandler is a bug in the handler, not an upstream failure:
// it goes on up untouched.
func (wt *watcher) finish(ww *watchedWriter, r *http.Request, recovered any) {
	if recovered != nil && recovered != http.ErrAbortHandler {
		panic(recovered)
	}
	aborted := recovered != nil
	ww.rd.close()
	o := Outcome{Endpoint: ww.rd.ep}
	cause := ww.failed
	if cause == nil && aborted {
		cause = http.ErrAbortHandler
	}
	if ww.mode == modeUndecided && cause == nil {
		ww.decide(http.StatusOK) // the answer net/http sends for a handler that wrote nothing
	}
	switch {
	case ww.mode == modePass:
		o.Kind, o.Err = Passthrough, cause
		if ww.writeErr != nil {
			o.Kind, o.Err = ClientGone, ww.writeErr
		}
	case ww.writeErr != nil:
		o.Kind, o.Err = ClientGone, ww.writeErr
	case ww.rd.end != endNone:
		o.Kind = Clean
		if ww.rd.end == endError {
			o.Kind = UpstreamError
		}
		ww.send(ww.hold) // whatever followed the terminal event, as sent
		aborted = false  // the answer is whole
	case clientGone(r):
		o.Kind, o.Err = ClientGone, context.Cause(r.Context())
	default:
		if cause == nil {
			cause = ErrNoTerminalEvent
		}
		o.Err = cause
		if ww.committed {
			o.Kind = FailedMidStream
			ww.endWithFrame(&wt.object)
		} else {
			o.Kind = FailedBeforeBody
			ww.restoreHeader()
			wt.writeError(ww.w, r, cause)
		}
		aborted = false // answered
	}
	o.Bytes, o.Events = ww.bytes, ww.events
	if wt.onOutcome != nil {
		wt.onOutcome(r, o)
	}
	if aborted {
		panic(http.ErrAbortHandler) // let the server cut the connection, as the handler asked
	}
}

// clientGone reports whether r's client went away: the server cancels the
// request's context when it sees the connection close. A deadline is not
// the client leaving.
func clientGone(r *http.Request) bool {
	return errors.Is(r.Context().Err(), context.Canceled)
}
