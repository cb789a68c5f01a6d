package extproc

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// exchange is one HTTP request on its way through a stream: the request
// rebuilt from Envoy's messages, the Guard judging it in its own
// goroutine, and the body fed to the Guard as Envoy sends it.
type exchange struct {
	p        *Processor
	streamed bool
	request  *http.Request

	feed        *bodyFeed     // nil when the request has no body
	done        chan struct{} // closed when the Guard has finished
	outcome     *outcome      // what the Guard did; read only after done
	waiting     bool          // the Guard is blocked reading the body, for the next chunk
	headersSeen bool          // the request headers were answered
	decided     bool          // a verdict was sent; the rest passes through
}

// outcome records what the Guard did with a request: the answer it wrote
// for a rejection, or, for a pass, what validation learned and the body
// it read.
type outcome struct {
	header http.Header
	status int // 0 when nothing was written
	body   bytes.Buffer
	code   apierrors.Code // the rejection's, from OnReject

	passed  bool
	result  validate.Result
	caller  middleware.Caller // zero when keys are off
	forward []byte
}

func (o *outcome) Header() http.Header { return o.header }

func (o *outcome) WriteHeader(code int) {
	if o.status == 0 {
		o.status = code
	}
}

func (o *outcome) Write(b []byte) (int, error) {
	o.WriteHeader(http.StatusOK)
	return o.body.Write(b)
}

// outcomeKey is the request context key of the request's outcome, for
// the Guard's OnReject.
type outcomeKey struct{}

// recordReject is the Guard's OnReject: it keeps the code for the
// immediate response's details, then tells the embedder's OnReject.
func (p *Processor) recordReject(r *http.Request, err *apierrors.Error) {
	if o, ok := r.Context().Value(outcomeKey{}).(*outcome); ok {
		o.code = err.Code()
	}
	if p.onReject != nil {
		p.onReject(r, err)
	}
}

// markPassed is the handler behind the Guard: reaching it is the pass.
func markPassed(w http.ResponseWriter, r *http.Request) {
	for {
		if o, ok := w.(*outcome); ok {
			o.passed = true
			o.result, _ = middleware.ResultFrom(r.Context())
			o.caller, _ = middleware.CallerFrom(r.Context())
			// The Guard reuses its buffer once the handler returns; the
			// body goes on in a later message.
			body, _ := middleware.BodyFrom(r.Context())
			o.forward = bytes.Clone(body)
			return
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			panic("flexguard/extproc: the Guard handed on a writer that does not unwrap to its own")
		}
		w = u.Unwrap()
	}
}

// newExchange rebuilds the request from its headers message and starts
// the Guard on it.
func (p *Processor) newExchange(ctx context.Context, req *extprocv3.ProcessingRequest, streamed bool) *exchange {
	h := req.GetRequestHeaders()
	x := &exchange{p: p, streamed: streamed, done: make(chan struct{}), outcome: &outcome{header: http.Header{}}}
	x.request = requestOf(context.WithValue(ctx, outcomeKey{}, x.outcome), h.GetHeaders(), h.GetEndOfStream())
	x.request.RemoteAddr = sourceAddress(req)
	if !h.GetEndOfStream() {
		x.feed = newBodyFeed()
		x.request.Body = x.feed
	}
	go func() {
		defer close(x.done)
		defer func() {
			// The Guard drops the connection of a client that has gone
			// with net/http's abort panic; here there is no connection to
			// drop, and nothing is written.
			if v := recover(); v != nil && v != http.ErrAbortHandler {
				panic(v)
			}
		}()
		p.chain.ServeHTTP(x.outcome, x.request)
	}()
	return x
}

// requestOf builds the *http.Request that Envoy's headers describe.
// Envoy lower-cases every name and keeps the request line in pseudo
// headers.
func requestOf(ctx context.Context, hm *corev3.HeaderMap, endOfStream bool) *http.Request {
	r := &http.Request{
		Method:        http.MethodGet,
		URL:           &url.URL{Path: "/"},
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{},
		Body:          http.NoBody,
		ContentLength: -1,
		RequestURI:    "/",
	}
	for _, hv := range hm.GetHeaders() {
		value := hv.GetValue()
		if raw := hv.GetRawValue(); len(raw) > 0 {
			value = string(raw)
		}
		switch key := hv.GetKey(); key {
		case ":method":
			r.Method = value
		case ":path":
			r.RequestURI = value
			if u, err := url.ParseRequestURI(value); err == nil {
				r.URL = u
			} else { // not a path net/http would parse: route it as it is, to unknown_url
				path, query, _ := strings.Cut(value, "?")
				r.URL = &url.URL{Path: path, RawQuery: query}
			}
		case ":authority":
			r.Host = value
		case "transfer-encoding":
			r.TransferEncoding = append(r.TransferEncoding, value)
		default:
			if !strings.HasPrefix(key, ":") {
				r.Header.Add(key, value)
			}
		}
	}
	if cl, err := strconv.ParseInt(r.Header.Get("Content-Length"), 10, 64); err == nil && cl >= 0 {
		r.ContentLength = cl
	}
	if endOfStream {
		r.ContentLength = 0
	}
	return r.WithContext(ctx)
}

// sourceAddress returns the client's address when Envoy sends it (the
// filter's request_attributes list holds source.address), for Guard
// options that identify clients.
func sourceAddress(req *extprocv3.ProcessingRequest) string {
	for _, attrs := range req.GetAttributes() {
		if v, ok := attrs.GetFields()["source.address"]; ok {
			return v.GetStringValue()
		}
	}
	return ""
}

// respond answers one message of the stream.
func (x *exchange) respond(req *extprocv3.ProcessingRequest) *extprocv3.ProcessingResponse {
	if x.decided {
		return passThrough(req)
	}
	switch {
	case req.GetRequestHeaders() != nil:
		if x.headersSeen {
			return nil // a second request on one stream: Process closes it
		}
		x.headersSeen = true
		if x.feed == nil || !x.waitForBody() {
			return x.verdict(headersPhase)
		}
		return headersResponse(&extprocv3.CommonResponse{
			HeaderMutation: &extprocv3.HeaderMutation{RemoveHeaders: x.p.removed()},
		})
	case req.GetRequestBody() != nil:
		b := req.GetRequestBody()
		if x.feed == nil || !x.give(b.GetBody()) {
			return x.verdict(bodyPhase)
		}
		if b.GetEndOfStream() || !x.streamed { // BUFFERED sends the whole body at once, trailers or not
			x.end(io.EOF)
			return x.verdict(bodyPhase)
		}
		return bodyResponse(&extprocv3.CommonResponse{
			// Held back until the whole body is judged; the last chunk carries it all.
			BodyMutation: &extprocv3.BodyMutation{Mutation: &extprocv3.BodyMutation_ClearBody{ClearBody: true}},
		})
	case req.GetRequestTrailers() != nil:
		if x.waiting {
			x.end(io.EOF)
		}
		return x.verdict(trailersPhase)
	}
	return passThrough(req)
}

// phase is the request message a verdict answers.
type phase uint8

const (
	headersPhase phase = iota
	bodyPhase
	trailersPhase
)

// verdict waits for the Guard and answers its outcome in the message of
// phase: the rejection as an immediate response, or the request on its
// way with the validated facts.
func (x *exchange) verdict(ph phase) *extprocv3.ProcessingResponse {
	<-x.done
	x.decided = true
	o := x.outcome
	if !o.passed {
		if o.status == 0 { // only a body that broke off writes nothing, and then the stream is gone
			return x.internalError("the request was refused without an answer; try again.")
		}
		return immediate(o.status, o.header, o.body.Bytes(), o.code)
	}
	set, unset := x.p.facts.mutation(o.result, o.caller)
	switch {
	case ph == headersPhase:
		return headersResponse(&extprocv3.CommonResponse{
			HeaderMutation: &extprocv3.HeaderMutation{SetHeaders: set, RemoveHeaders: append(unset, x.p.gatewayKeyHeaders...)},
		})
	case ph == bodyPhase && x.streamed:
		return withMetadata(bodyResponse(&extprocv3.CommonResponse{
			BodyMutation: &extprocv3.BodyMutation{Mutation: &extprocv3.BodyMutation_Body{Body: o.forward}},
		}), o.result, o.caller)
	case ph == bodyPhase:
		return withMetadata(bodyResponse(&extprocv3.CommonResponse{
			HeaderMutation: &extprocv3.HeaderMutation{SetHeaders: set},
		}), o.result, o.caller)
	}
	// A streamed body that ended in trailers passed, but its chunks were
	// held back and a trailers response cannot carry them: fail closed.
	return x.internalError("this gateway cannot forward request trailers after a streamed body; send the request without trailers.")
}

// internalError answers internal_error with message in the Guard's
// error shape, and tells OnReject.
func (x *exchange) internalError(message string) *extprocv3.ProcessingResponse {
	err := apierrors.New(apierrors.InternalError, "", message)
	if x.p.onReject != nil {
		x.p.onReject(x.request, err)
	}
	o := &outcome{header: http.Header{}}
	x.p.writeError(o, x.request, err)
	return immediate(o.status, o.header, o.body.Bytes(), err.Code())
}

// waitForBody waits until the Guard either asks for the body (true) or
// has finished without it (false).
func (x *exchange) waitForBody() bool {
	select {
	case <-x.feed.hungry:
		x.waiting = true
	case <-x.done:
		x.waiting = false
	}
	return x.waiting
}

// give hands a chunk to the Guard, which is waiting for the body, and
// reports whether it asks for more (false: it has finished, as when the
// body has run over the limit).
func (x *exchange) give(chunk []byte) bool {
	if len(chunk) == 0 {
		return true
	}
	x.waiting = false
	x.feed.data <- bodyChunk{bytes: chunk}
	return x.waitForBody()
}

// end tells the Guard, which is waiting for the body, that it ends with
// err (io.EOF for a complete body).
func (x *exchange) end(err error) {
	x.waiting = false
	x.feed.data <- bodyChunk{err: err}
	<-x.done
}

// abandon ends an exchange whose stream closed before a verdict: the
// Guard sees the body break off, as from a client that went away.
func (x *exchange) abandon() {
	if x.decided {
		return
	}
	if x.waiting {
		x.end(io.ErrUnexpectedEOF)
	}
	<-x.done
	x.decided = true
}

// bodyChunk is one piece of the body, or its end.
type bodyChunk struct {
	bytes []byte
	err   error
}

// bodyFeed is the request body as the Guard reads it. A Read that needs
// more bytes says so on hungry and waits on data, so the stream always
// knows whether the Guard is waiting for the body or has finished.
type bodyFeed struct {
	hungry chan struct{}
	data   chan bodyChunk
	rest   []byte
	err    error // the end, once seen
}

func newBodyFeed() *bodyFeed {
	return &bodyFeed{hungry: make(chan struct{}), data: make(chan bodyChunk)}
}

func (f *bodyFeed) Read(p []byte) (int, error) {
	for len(f.rest) == 0 {
		if f.err != nil {
			return 0, f.err
		}
		f.hungry <- struct{}{}
		c := <-f.data
		f.rest, f.err = c.bytes, c.err
	}
	n := copy(p, f.rest)
	f.rest = f.rest[n:]
	return n, nil
}

// Close does nothing: the stream owns the body.
func (f *bodyFeed) Close() error { return nil }
