// Package stream watches an LLM gateway's streamed answers on their way to
// the client, so that a stream the upstream cuts short never looks like a
// finished one.
//
// [Watch] returns a func(http.Handler) http.Handler to put around a proxy
// or any handler that relays an upstream's answer. It buffers nothing but
// the event under way and reads each event as it passes:
//
//   - An answer that is not a 2xx text/event-stream (an error status, JSON,
//     a body with a Content-Encoding it cannot read) passes through byte
//     for byte.
//   - A stream that ends with its endpoint's terminal event, or with the
//     upstream's own error event, passes through as sent.
//   - A stream that ends without one, or whose handler fails (a panic with
//     [http.ErrAbortHandler], or [Fail] from a proxy's ErrorHandler), is
//     answered by the watcher: with Options.WriteError (502
//     upstream_stream_failed) if no byte of the body has reached the
//     client, else with one error event in the endpoint's own format that
//     carries the canonical error object, after which the response ends:
//     no [DONE], no made-up completion.
//   - A client that goes away cancels the handler's request context at
//     once, which stops an upstream request made with it (an
//     httputil.ReverseProxy's included), and the outcome is ClientGone
//     (499 client_closed_request).
//
// Options.OnOutcome hears once per request how it ended, with the bytes
// and events relayed, for logs and metrics.
//
// # Whole events
//
// The watcher releases the stream to the client one whole event at a
// time: the bytes of an unfinished event wait for its blank line. An SSE
// client cannot use an event before its end, so this delays nothing the
// client can see, and on a failure the client holds no half event that
// the error frame would be glued to. The status line waits for the first
// released byte as well (an httputil.ReverseProxy flushes it right after
// WriteHeader for event streams): until then a 502 can still be sent.
// Comment lines between events are released as they come, so keep-alive
// comments still keep connections open. One event larger than 1 MiB is
// released as it arrives; if it is cut, the client sees a broken event
// before the error frame.
//
// # What each endpoint sends
//
// Every endpoint speaks server-sent events (WHATWG HTML, "Server-sent
// events", event stream interpretation). The terminal events, and the
// in-band error each API and its SDKs use, are:
//
// /v1/chat/completions: events carry only data lines, the JSON chunks,
// and the stream ends with "data: [DONE]". A failure mid-stream is a data
// line whose object has a top-level "error":
// data: {"error":{"message":"...","type":"server_error","param":null,"code":null}}
// (seen from OpenAI, followed there by [DONE]:
// https://github.com/sashabaranov/go-openai/pull/396; aggregators also put
// "error" beside "choices" in a chunk:
// https://github.com/diegosouzapw/OmniRoute/pull/8210). openai-go
// (github.com/openai/openai-go, packages/ssestream/ssestream.go,
// Stream.Next) stops at a data field starting with [DONE] and turns any
// event whose data has a top-level "error" into a *ssestream.StreamError;
// openai-python (src/openai/_streaming.py) raises APIError the same way.
// A chat stream that simply stops ends both without an error, which is
// why the watcher must speak up. The watcher takes a chunk with a
// top-level "error" (not null) for the end of the stream when nothing but
// [DONE] follows it, as upstreams send it; the SDKs stop at such a chunk
// anyway. Judging only the last chunk spares every other chunk a search
// through its JSON.
//
// /v1/responses: each event has an "event:" line naming it and data whose
// "type" repeats the name, with a "sequence_number" counting from 0
// (https://platform.openai.com/docs/api-reference/responses-streaming).
// response.completed, response.failed and response.incomplete end the
// stream. The error event is documented flat,
// {"type":"error","code":...,"message":...,"param":...,"sequence_number":N}
// (openai-go responses/response.go, ResponseErrorEvent), but OpenAI sends
// the object nested, {"type":"error","sequence_number":2,"error":{"type":
// ...,"code":...,"message":...,"param":null}}
// (https://github.com/openai/openai-dotnet/issues/881). openai-go and
// openai-python raise only on the nested "error" key; a flat error event
// comes out of openai-go as just another typed event
// (https://github.com/openai/openai-go/issues/585), and openai-python
// yields it as data too (https://github.com/openai/openai-python/pull/3934
// proposes to raise instead). The
// watcher's frame therefore carries both: the documented top-level fields
// and the nested object.
//
// /v1/messages: each event has an "event:" line and data whose "type"
// repeats it; message_stop ends the stream. A failure is
// event: error / data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}
// (https://platform.claude.com/docs/en/build-with-claude/streaming: each
// event's SSE name matches the "type" in its data; "Error events").
// anthropic-sdk-go (github.com/anthropics/anthropic-sdk-go,
// packages/ssestream/ssestream.go, Stream.Next) dispatches on the event
// name alone, skips events without a name, and turns an "error" event
// into an *anthropic.Error whose Type() is the nested error's type
// (internal/apierror/apierror.go); so the frame must name the event.
//
// /v1/interactions (Gemini): each event has an "event:" line and data
// whose "event_type" repeats it
// (https://ai.google.dev/gemini-api/docs/interactions/streaming).
// interaction.completed ends the stream; before python-genai 2.0.0 it was
// interaction.complete (CHANGELOG, "Rename SSE events to
// interaction.created and interaction.completed"), which older API
// revisions still send. An "event: done" / "data: [DONE]" event may
// follow; it does not end the stream by itself here. A failure is
// event: error / data: {"error":{"code":...,"message":...},"event_type":"error"}
// (the Gemini API's error docs as quoted in
// https://github.com/googleapis/js-genai/issues/1973; python-genai
// google/genai/_gaos/types/interactions/errorevent.py). The Gemini SDKs
// (python-genai google/genai/_gaos/utils/eventstreaming.py) yield it as
// a typed ErrorEvent rather than raising: a client that looks at
// event_type sees it.
//
// On every endpoint an event named "error" ends the stream and passes
// through as sent. The reader goes by the "event:" name when an event has
// one, as the three named APIs always do, and otherwise by the JSON key
// the SDKs switch on ("type", "event_type"; "error" for chat), read from
// the top-level object of the event's data without decoding it.
//
// # The error frame
//
// With the catalog's object {"message":...,"type":"api_error","code":
// "upstream_stream_failed","param":null} as O, the frames are:
//
//	chat:         data: {"error":O}
//	responses:    event: error
//	              data: {"type":"error","code":"upstream_stream_failed","message":...,"param":null,"sequence_number":N,"error":O}
//	messages:     event: error
//	              data: {"type":"error","error":O}
//	interactions: event: error
//	              data: {"event_type":"error","error":O}
//
// each followed by a blank line, where N is the number of events relayed
// before it.
//
// # Wiring
//
// An httputil.ReverseProxy reports a failed upstream in two ways: its
// ErrorHandler, before anything is written (call [Fail] there and let the
// watcher answer), and a panic with http.ErrAbortHandler when reading the
// upstream's body fails after the status line (the watcher recovers it).
// A compressed stream cannot be judged: a proxy that wants its streams
// watched should not forward the client's Accept-Encoding (Go's transport
// then asks for gzip itself and decompresses). A proxy should also be
// handed the request body read into memory, as flexguard's chain does:
// an HTTP/1 server stops reading a request's body once the response has
// started, and a transport still forwarding that body then drops its
// upstream connection mid-stream (golang/go#40747).
package stream
