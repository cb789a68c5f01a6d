// Package extproc runs flexguard as an Envoy external processor: a gRPC
// server of envoy.service.ext_proc.v3.ExternalProcessor that judges each
// request with the same Guard a Go gateway mounts (middleware.New), and
// either answers the rejection itself or lets the request go on with
// what validation learned.
//
// Envoy's ext_proc filter opens one stream per HTTP request. The
// Processor rebuilds the request from the stream (the :method, :path and
// :authority pseudo headers, the other headers, Content-Length, and the
// body as Envoy sends it) and runs Guard.Handler on it in a goroutine
// that reads the body from the stream, so each check runs as soon as
// what it needs has arrived:
//
//   - request headers: the path, the method and a declared Content-Length
//     over the limit are judged here, before any body byte, and a
//     rejection is an immediate response. Otherwise the headers go on
//     with any client-sent copies of the fact headers removed. Headers
//     that end the stream (no body) are judged whole.
//   - request body, BUFFERED mode: the whole body in one message (also
//     when trailers follow). A rejection is an immediate response; a pass
//     goes on with the fact headers set.
//   - request body, STREAMED mode: each chunk is read by the Guard as it
//     arrives and held back (the response clears it), so the upstream
//     never sees a byte of a body that has not been judged. A body that
//     runs over the limit is answered 413 at once, before more is read.
//     The chunk with end_of_stream carries the whole body on. Envoy has
//     sent the headers on by then, so the facts travel only as dynamic
//     metadata.
//   - request trailers: they end a streamed body, which is judged then;
//     but a trailers response cannot carry the body held back, so a
//     streamed body that ends in trailers and passes is answered
//     internal_error (use BUFFERED mode for clients that send trailers).
//     After a verdict they go on unchanged.
//   - response headers, body and trailers go on unchanged.
//   - a stream that ends before the body did is a client that went away:
//     the Guard reports client_closed_request to OnReject, and nothing is
//     answered.
//
// A rejection is an ImmediateResponse with the status, the headers the
// error writer set (Content-Type, Allow on a 405, Retry-After on a 429)
// and the body, in the configured dialect; its details are
// "flexguard_" and the code, for Envoy's %RESPONSE_CODE_DETAILS%.
//
// A request that passes carries the facts as request headers for the
// upstream (with the default prefix: x-flexguard-endpoint,
// x-flexguard-model, x-flexguard-provider, x-flexguard-start-within,
// and with keys on x-flexguard-org and x-flexguard-key-id) and as
// dynamic metadata in the namespace "flexguard" (endpoint, model,
// provider, start_within, org, key_id), which Envoy accepts when the
// filter's
// metadata_options.receiving_namespaces.untyped lists it. A model name
// that cannot be a header value as it is (a control character, or longer
// than 256 bytes) is left out of the headers; the body has it. With keys
// on (Options.Guard.KeyStore), the client's gateway key (Authorization,
// x-api-key) is removed as the headers go on: it never reaches the
// upstream.
//
// The body mode is read from the protocol_config Envoy sends on each
// stream (Envoy 1.34 and later), or else from Options.StreamedBody. Other
// body modes, and a body sent without its headers, close the stream with
// FailedPrecondition, which Envoy turns into a 500 unless the filter's
// failure_mode_allow lets the request through.
package extproc
