// Package middleware puts flexguard's rules in front of an LLM gateway's
// handlers as ordinary func(http.Handler) http.Handler middlewares. A bad
// request is answered with the canonical error (package errors) before the
// wrapped handler runs; a good one reaches the handler with its body
// intact and with what validation learned about it.
//
// # One Guard, built once
//
// New checks Options once (a malformed policy is an error there, never
// per request) and returns a Guard. Guard.Handler is the whole order of
// checks (stated in package validate) in one middleware:
//
//	guard, err := middleware.New(middleware.Options{Policy: policy})
//	if err != nil {
//		log.Fatal(err)
//	}
//	log.Fatal(http.ListenAndServe(":8080", guard.Handler(gatewayHandler)))
//
// # Pieces
//
// The Guard's other middlewares are pieces of Handler, for a gateway that
// wants its own middleware in between or only the first checks: Route,
// KeysAndLimits, BodyLimit, JSONBody, Model, Parameters, StartWithin,
// Provider, TokenCap, Schema, ProviderKey and Billing, in the order of
// checks, and Stream after them all (see Streams). A piece runs
// every check up to and including its own that no piece of the same Guard
// in front of it has run, so a piece never lets through what an earlier
// check would refuse, and a stack of pieces answers exactly as Handler
// does up to its last piece:
//
//	h := guard.Model(rateLimitByModel(guard.Handler(gatewayHandler)))
//
// judges routing, the body and the model, lets rateLimitByModel read
// ResultFrom, then judges the rest. Every middleware shares one buffered
// body and one record of what ran. A stack costs an allocation or two more
// per request than Handler alone (each piece that changes the request
// copies it).
//
// # Streams
//
// Stream is the last piece: Handler, then a watch on the handler's answer
// on its way to the client, for a handler that relays an upstream (a
// reverse proxy). A non-2xx answer, or anything but an event stream,
// passes through byte for byte; a stream that ends with its endpoint's
// terminal event or the upstream's error event passes through as sent.
// A stream the upstream cuts short, or that ends without its terminal
// event, is answered upstream_stream_failed: a 502 (through
// Options.ErrorWriter) if no body byte has reached the client yet,
// otherwise one error event in the endpoint's own format, and the
// response ends. A client that goes away cancels the handler's context
// at once and is reported as client_closed_request.
//
//	guard.Stream(proxy) // every check, then the watch
//
// A reverse proxy calls FailStream in its ErrorHandler and drops the
// client's Accept-Encoding (a compressed stream cannot be read).
// Options.OnReject hears each failure once, and StreamResultFrom tells how
// the answer ended and how many bytes reached the client.
//
// Handler does not watch, by decision: the watcher must see every write
// of the handler (router adapters that write to their own writer hide
// them), it releases a stream one whole event at a time, and it costs
// a few allocations per request and a read of every streamed byte. A
// gateway that relays streams should use Stream; the cost of leaving it
// out is that a cut stream looks finished to the client.
//
// # Two ways to mount
//
// By path: put the Guard in front of everything (or at "/v1/") and it
// routes by r.URL.Path, answering unknown_url for any other path.
//
// Per route: when a router has matched the path already, build a Guard
// with Options.Endpoint and no path check runs, so the route may have any
// pattern:
//
//	chat, err := middleware.New(middleware.Options{Endpoint: validate.ChatCompletions})
//	...
//	mux.Handle("/v1/chat/completions", chat.Handler(chatHandler))
//
// # What the handler gets
//
// A request that passes reaches the handler with the exact bytes the
// client sent in r.Body, whether they came with a Content-Length or
// chunked. r.ContentLength is their length, r.TransferEncoding is empty
// and r.GetBody returns them again, so a reverse proxy forwards them with
// a Content-Length and can retry. r.Body implements io.WriterTo: io.Copy
// writes it in one call. ResultFrom returns the endpoint, model, provider
// and start_within (with whether a default supplied it); BodyFrom returns
// the buffered bytes to later middlewares; with keys on, CallerFrom
// returns the organisation and the key id.
//
// The body's buffer is kept for another request once the handler has
// returned, as net/http allows (no handler may read a request's body after
// it returns): a gateway under load then neither allocates nor collects a
// buffer per request. So BodyFrom's bytes, like r.Body, are valid only
// while the handler runs; copy what must outlive it. A Result from
// ResultFrom is a copy and may be kept.
//
// # Keys and limits
//
// With Options.KeyStore set, every routed request must carry an API key
// (Authorization: Bearer, or x-api-key with Options.AcceptXAPIKey), judged
// with two limiters before any byte of the body is read, so that an
// unauthenticated client never costs a body read: the auth-flood limiter
// blocks a client after too many failed authentications (429,
// Retry-After: 60), and the per-organisation limiter refuses an
// organisation over its request rate (429, Retry-After: 5). Their counts
// are in process by default (MemoryLimiter, bounded however many clients
// come); contrib/redislimit shares them between the gateway instances of
// a fleet. The handler learns who called from CallerFrom: the
// organisation and a key id, never the key:
//
//	guard, err := middleware.New(middleware.Options{
//		KeyStore:        keys, // LookupKey(ctx, digest): the embedder's store
//		DefaultOrgLimit: middleware.LimitRule{Limit: 600, Window: time.Minute},
//	})
//
// Options.OnLimiterDecision hears what each limiter decided about a
// request (allowed, limited, or failed open), for metrics;
// contrib/prommetrics counts them.
//
// # Decisions
//
//   - A client that goes away while its body is read, or stalls past the
//     server's read timeout, is reported to Options.OnReject as
//     client_closed_request (499), the ErrorWriter is not called, and the
//     handler panics with http.ErrAbortHandler: a handler that returned
//     without writing would get an empty 200 from the server, while the
//     abort closes the connection (HTTP/1) or resets the stream (HTTP/2)
//     with nothing written and no stack logged. A recovering middleware
//     in front of the Guard must let that panic through, as net/http's
//     own ReverseProxy needs too.
//   - Whether a failed body read is the client's going or broken framing
//     is told by what net/http exports, since its framing errors are not:
//     a cancelled request context (a server cancels it when the
//     connection fails or, over HTTP/2, when the stream is reset),
//     io.ErrUnexpectedEOF, os.ErrDeadlineExceeded, net.ErrClosed or a
//     net.Error mean the client is gone; any other error broke the
//     framing of a connection that still works, and is answered
//     invalid_json with Connection: close, as the bytes after it cannot
//     be told apart from a next request.
//   - A Content-Encoding other than identity is refused, not decoded:
//     the bytes judged must be the bytes forwarded, and a decoder would be
//     one more parser (and decompression bomb) in front of the gateway.
//   - The path is judged as sent (URL.EscapedPath): an endpoint spelled
//     with percent-escapes is unknown_url rather than decoded, so a
//     router or proxy behind the Guard that uses the escaped form cannot
//     see another path than the one judged.
//   - Memory for a body follows the bytes that arrive, not the length
//     declared: a body longer than a small first chunk is staged in
//     reused chunks until a quarter of its declared length has arrived,
//     then moved into one buffer of its full length. A client that
//     declares a megabyte and sends a byte holds one chunk; an honest body
//     still ends in one buffer. Buffers are pooled by size class and go
//     back when the handler returns, so the body's bytes (BodyFrom, and
//     the body the handler reads) are valid only until then. A read of
//     the body still in progress then (a proxy's transport may send the
//     body upstream after its handler returns) keeps the buffer out of the
//     pool until it ends; a read that starts later fails. Either way no
//     request's bytes are ever read through another's body.
//   - Some requests are refused by net/http before any handler runs, and
//     get Go's own plain-text answers, not the canonical JSON: two
//     different Content-Lengths or one that is not a number, a malformed
//     request line or no Host header (400), a Transfer-Encoding other
//     than one chunked (501), headers over the server's MaxHeaderBytes
//     (431). No middleware sees them, and none should try to: they are
//     the server's to refuse. (Content-Length with chunked is not among
//     them: chunked wins, and the Content-Length is dropped.)
//   - A failed billing lookup is internal_error (500): the gateway could
//     not decide, which is neither the client's fault nor proof of a debt.
//   - A failed provider-key lookup fails closed: it is answered like a
//     missing key, so a broken key store never lets a request through to a
//     provider without a key.
//   - Options.DefaultStartWithin is asked at most once per request, and
//     not at all when the body sends start_within: the lookup may cost the
//     embedder a round trip. A value the body sends, even an invalid one,
//     is judged as sent.
//   - After a body overflows its limit the server is told to close the
//     connection rather than read the rest; ResponseWriter wrappers that
//     implement Unwrap (as http.ResponseController expects) are looked
//     through for this.
//   - Pieces of two Guards do not share their work: the second starts
//     over, reading the body the first hands on.
//   - A key store that fails is internal_error (500), not a failed
//     authentication: the client is not to blame, and must not be
//     blocked for it. A record without an organisation, or with a limit
//     that is no LimitRule, is the store's fault too.
//   - A limiter that fails lets the request on (fail open) and is
//     reported to Options.OnLimiterError: while Redis is down the gateway
//     serves without limits rather than not at all. A call cut short by
//     the client's own departure is not reported.
//   - The key never reaches an answer, OnReject, the context or a hook:
//     answers are the catalog's fixed messages, and CallerFrom holds the
//     organisation and a key id (the first 12 hex characters of the
//     key's SHA-256). The request keeps its headers, Authorization
//     included: a handler that proxies must drop them (flexgate does).
//   - With x-api-key accepted, an Authorization header that holds a
//     Bearer value is judged as sent, whatever x-api-key holds; x-api-key
//     is read only when Authorization has no Bearer value.
//   - A client whose peer is not an IP address (a Unix socket) is not
//     counted by the auth-flood limiter: such clients cannot be told
//     apart, and counting them as one would let one lock out the rest.
//   - The embedder's hooks (DefaultStartWithin, HasProviderKey,
//     OrgOverdue, OnLimiterError, OnLimiterDecision) get a request whose
//     context answers CallerFrom and ResultFrom.
//   - Programmer errors fail at setup: New returns an error for a
//     malformed policy, an Endpoint that is not one, a negative limit
//     rule, a trusted range that is not one, or a key option without a
//     KeyStore; wrapping a nil handler, or KeysAndLimits, Schema,
//     ProviderKey or Billing without their Options, panics with a message
//     starting "flexguard/middleware:".
package middleware
