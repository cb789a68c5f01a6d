// Package validate holds flexguard's body rules as pure functions over the
// raw request bytes: the Policy that configures them, a Validator that
// runs them, and the values they learn (endpoint, model, provider,
// start_within). There is no net/http here and no decoding into maps;
// package middleware runs the same rules in front of a handler, and
// flexgate check runs them on files.
//
//	v, err := validate.New(policy)
//	...
//	res, err := v.Check(validate.Messages, body)
//	if err != nil {
//		fmt.Println(apierrors.CodeOf(err)) // unsupported_parameter, say
//	}
//
// # Order of checks
//
// This is the one statement of the order; the rest of flexguard refers to
// it by code name. The first failure is the answer.
//
// The transport, judged by package middleware before any body rule:
//
//   - unknown_url (404): the path is not exactly one of /v1/responses,
//     /v1/chat/completions, /v1/interactions, /v1/messages (the query is
//     ignored; a trailing slash is another path)
//   - method_not_allowed (405, Allow: POST): the method is not POST
//   - request_too_large (413): the declared Content-Length is over
//     Policy.MaxBodyBytes, before any byte of the body is read; then, the
//     bytes actually sent (chunked, or more than declared) are over it.
//     Check applies the limit to the bytes it is given.
//
// The body, judged by Check:
//
//   - invalid_json: the body is not one JSON value in UTF-8: empty, a
//     byte-order mark, trailing bytes, truncation, bytes that are not
//     UTF-8 anywhere, nesting deeper than 10,000 levels (encoding/json's
//     own limit); in strict mode also an object that repeats a key (param:
//     the key's path)
//   - invalid_body: the value is not an object
//   - missing_model: model is absent, null, not a string, or ""
//   - service_tier_not_allowed: service_tier is set, on every endpoint
//   - the endpoint's parameters, in this order:
//     /v1/chat/completions: presence_penalty, frequency_penalty,
//     logit_bias, logprobs, top_logprobs, seed, stop, prediction, audio,
//     modalities holding anything but "text", web_search_options →
//     unsupported_parameter; then n other than 1 → unsupported_value.
//     /v1/messages: top_k, stop_sequences, then cache_control at the top
//     level, in system[i], in tools[i], in messages[i].content[j] (in that
//     order, by ascending index), then a document or file block whose
//     citations.enabled is true → unsupported_parameter, param the exact
//     path ("messages[0].content[1].cache_control").
//     /v1/interactions: generation_config.seed, then
//     generation_config.stop_sequences → unsupported_generation_config.
//   - missing_start_within: start_within is absent or null and no default
//     applies; invalid_start_within: it is not a string, not one of the
//     four forms, or a duration outside 5 s–600 s (see ParseStartWithin)
//   - flex_unsupported_for_anthropic: a duration on a claude-* model;
//     auto_unsupported_for_gemini: auto on a gemini-* model;
//     model_not_flex_capable: a duration on a model missing from its
//     provider's allow-list (Policy.FlexModels)
//   - missing_max_tokens: a claude-* model without the endpoint's output
//     cap: max_output_tokens (/v1/responses), max_completion_tokens or the
//     legacy max_tokens (/v1/chat/completions), max_tokens
//     (/v1/messages), generation_config.max_output_tokens
//     (/v1/interactions); param names the first of these
//
// Then, in package middleware, only when the embedder supplies them: its
// own JSON Schema rules (package schemas), with its own codes; then the
// organisation lookups: no_byok_key, no_gemini_key or no_anthropic_key when
// the organisation has no key for the model's provider (a failed lookup
// fails closed), and payment_required (402) for an overdue organisation on
// a billable request (a duration on an OpenAI or Gemini model; a failed
// lookup is internal_error).
//
// After the handler starts, only when it is wrapped in the middleware's
// Stream: upstream_stream_failed (502, or an error event in the stream
// once part of it has reached the client) when the upstream fails or its
// stream ends without the endpoint's terminal event;
// client_closed_request (499, reported, not written) when the client goes
// away first.
//
// # What "set" means
//
// A field is set when it is present and not null: "seed": null is the
// same as no seed. A field that must be a string (model, start_within) and
// is a number, an object or an array is judged present and wrong.
//
// # Duplicate keys
//
// When an object repeats a key, the LAST occurrence is judged, because it is
// the one encoding/json and JSON.parse keep: a validator that judged the
// first (as gjson's Get does) would pass {"model":"gpt-5.5","model":"x"}
// and forward x. Keys are compared after unescaping ("mod\u0065l" is
// "model") and case-sensitively, as JSON.parse and the providers compare
// them. Policy.StrictDuplicateKeys rejects any repeated key instead.
//
// # Providers
//
// A model's provider comes from its name: "claude-" is Anthropic,
// "gemini-" is Gemini, anything else OpenAI, case-sensitively.
//
// # Decisions the catalog leaves open
//
//   - modalities passes only as an array of "text" strings; an empty array
//     passes; a string such as "text" does not.
//   - n passes when it is the JSON number 1 in any spelling (1, 1.0, 1e0,
//     10e-1), compared as an exact decimal: 1.00000000000000000001 is not
//     1; "1" as a string is not either.
//   - Token caps are judged by presence only; their type and range are the
//     provider's to judge.
//   - cache_control is looked for only in the places listed above; one
//     nested deeper (inside a tool_result's content) is the provider's to
//     judge.
//   - A default start_within (the policy's, or the embedder's per-request
//     one) is judged like a sent one: a duration default on a claude-*
//     model is flex_unsupported_for_anthropic. A per-request default that
//     is not a valid start_within is the gateway's fault: internal_error.
//   - Model names are matched case-sensitively, for the providers and for
//     the allow-lists.
//   - Client text an answer repeats (a model name in a message, a key in a
//     param path) is cut to 64 bytes per value and 256 per path, at a
//     character boundary, marked with "…".
package validate
