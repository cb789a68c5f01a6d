package extproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	filterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/middleware"
)

// Options configures a Processor. The zero Options is the catalog's
// gateway behind an Envoy in BUFFERED request body mode.
type Options struct {
	// Guard is the flexguard configuration, as for a Go gateway: the
	// policy, the error dialect (ErrorWriter), the organisation lookups
	// (which get the reconstructed request) and OnReject. Default: the
	// zero middleware.Options.
	Guard middleware.Options

	// HeaderPrefix starts the names of the request headers that carry the
	// validated facts upstream: PREFIX endpoint, model, provider and
	// start-within, and with keys on (Guard.KeyStore) org and key-id.
	// Client-sent headers with those names are always removed. Default:
	// "x-flexguard-".
	HeaderPrefix string

	// StreamedBody says that Envoy's request_body_mode is STREAMED. Envoy
	// 1.34 and later say so themselves on each stream (protocol_config),
	// and then this field is not read. Default: false, BUFFERED.
	StreamedBody bool
}

// Processor is an Envoy external processing server (envoy.service.
// ext_proc.v3.ExternalProcessor) that judges each request with a
// flexguard Guard. Register it on a grpc.Server; it is safe for
// concurrent use, one gRPC stream per HTTP request.
type Processor struct {
	extprocv3.UnimplementedExternalProcessorServer

	chain      http.Handler
	writeError func(w http.ResponseWriter, r *http.Request, err *apierrors.Error)
	onReject   func(r *http.Request, err *apierrors.Error)
	streamed   bool
	facts      factHeaders
	// gatewayKeyHeaders carry the client's gateway key, never sent
	// upstream: set when keys are on.
	gatewayKeyHeaders []string
}

// New checks opts and builds the Processor and its Guard. A malformed
// policy, or a header prefix that is not a lower-case header name, is an
// error starting "flexguard/extproc:".
func New(opts Options) (*Processor, error) {
	prefix := opts.HeaderPrefix
	if prefix == "" {
		prefix = "x-flexguard-"
	}
	if !validHeaderPrefix(prefix) {
		return nil, fmt.Errorf("flexguard/extproc: HeaderPrefix %q is not the start of a lower-case header name", prefix)
	}
	p := &Processor{
		writeError: opts.Guard.ErrorWriter,
		onReject:   opts.Guard.OnReject,
		streamed:   opts.StreamedBody,
		facts:      newFactHeaders(prefix),
	}
	if opts.Guard.KeyStore != nil {
		p.gatewayKeyHeaders = []string{"authorization", "x-api-key"}
	}
	guardOpts := opts.Guard
	guardOpts.OnReject = p.recordReject
	guard, err := middleware.New(guardOpts)
	if err != nil {
		return nil, fmt.Errorf("flexguard/extproc: %w", err)
	}
	p.chain = guard.Handler(http.HandlerFunc(markPassed))
	if p.writeError == nil {
		p.writeError = func(w http.ResponseWriter, _ *http.Request, err *apierrors.Error) { apierrors.Write(w, err) }
	}
	return p, nil
}

// validHeaderPrefix reports whether s can start a header name that
// Envoy, which lower-cases every name, will match.
func validHeaderPrefix(s string) bool {
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return s != ""
}

// errNoHeaders closes a stream whose first request message is not its
// headers: without the method and path nothing can be judged.
var errNoHeaders = status.Error(codes.FailedPrecondition,
	"flexguard/extproc: the request headers must be sent first (processing_mode.request_header_mode: SEND)")

// errUnsupportedMode closes a stream in a body mode the Processor cannot
// judge a whole body in.
func errUnsupportedMode(m filterv3.ProcessingMode_BodySendMode) error {
	return status.Errorf(codes.FailedPrecondition,
		"flexguard/extproc: request_body_mode %s is not supported; use BUFFERED or STREAMED", m)
}

// Process serves one HTTP request's stream. It answers every message
// Envoy sends, in order, and returns when Envoy closes the stream or
// once it has sent an immediate response.
func (p *Processor) Process(stream extprocv3.ExternalProcessor_ProcessServer) error {
	var x *exchange
	defer func() {
		if x != nil {
			x.abandon() // a stream that ends before the body did: the client is gone
		}
	}()
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) || status.Code(err) == codes.Canceled || errors.Is(err, context.Canceled) {
			return nil
		}
		if err != nil {
			return err
		}
		if x == nil {
			switch req.GetRequest().(type) {
			case *extprocv3.ProcessingRequest_RequestBody, *extprocv3.ProcessingRequest_RequestTrailers:
				return errNoHeaders
			case *extprocv3.ProcessingRequest_ResponseHeaders, *extprocv3.ProcessingRequest_ResponseBody, *extprocv3.ProcessingRequest_ResponseTrailers:
				if err := stream.Send(passThrough(req)); err != nil { // request headers are not sent to this filter
					return err
				}
				continue
			}
			if req.GetRequestHeaders() == nil {
				return errNoHeaders
			}
			streamed := p.streamed
			if pc := req.GetProtocolConfig(); pc != nil {
				switch m := pc.GetRequestBodyMode(); m {
				case filterv3.ProcessingMode_BUFFERED:
					streamed = false
				case filterv3.ProcessingMode_STREAMED:
					streamed = true
				default:
					if !req.GetRequestHeaders().GetEndOfStream() {
						return errUnsupportedMode(m)
					}
				}
			}
			x = p.newExchange(stream.Context(), req, streamed)
		}
		resp := x.respond(req)
		if resp == nil {
			return status.Error(codes.InvalidArgument, "flexguard/extproc: a message out of order (a second request's headers) or with neither a request nor a response part")
		}
		if err := stream.Send(resp); err != nil {
			return err
		}
		if resp.GetImmediateResponse() != nil {
			return nil
		}
	}
}

// factNames are the validated facts sent upstream, after the prefix:
// what validation learned, then, when keys are on, the caller.
var factNames = [...]string{"endpoint", "model", "provider", "start-within", "org", "key-id"}

// factHeaders are the header names of the facts, prefix included.
type factHeaders [len(factNames)]string

func newFactHeaders(prefix string) factHeaders {
	var h factHeaders
	for i, n := range factNames {
		h[i] = prefix + n
	}
	return h
}

// removed returns the headers a request loses as soon as its headers go
// on: client copies of the fact headers, and the gateway key.
func (p *Processor) removed() []string {
	return append(append([]string(nil), p.facts[:]...), p.gatewayKeyHeaders...)
}
