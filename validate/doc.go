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
//     Policy.MaxBodyBytes, before any byte of the body is read
//   - invalid_json: a Content-Encoding other than identity, also before
//     the body is read; the message names the coding, and the body is
//     neither decoded nor forwarded
//   - request_too_large (413): the bytes actually sent (chunked, or more
//     than declared) are over the limit. Check applies the limit to the
//     bytes it is given.
//   - a body that cannot be read to its end is never passed on: broken
//     framing (a malformed chunk) on a connection that still works is
//     invalid_json naming the framing, and the connection is closed after
//     the answer; a client that has gone, or has not sent its body within
//     the server's read timeout, is client_closed_request (499), reported
//     but not written: the connection is aborted
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
//     unsupported_parameter (a no-op value passes when the policy accepts
//     those: see "No-op values"); then n other than 1 → unsupported_value.
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
//   - flex_unsupported_for_anthropic: a duration on an Anthropic model;
//     auto_unsupported_for_gemini: auto on a Gemini model;
//     model_not_flex_capable: a duration on a model missing from its
//     provider's allow-list (Policy.FlexModels); the provider comes from the
//     model's name (see "Providers")
//   - missing_max_tokens: an Anthropic model without the endpoint's output
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
// A model's provider comes from its name, by prefix, case-sensitively:
// "claude-" is Anthropic, "gemini-" is Gemini, and a name no prefix claims
// is OpenAI's. Routers and clouds give models other names
// ("anthropic/claude-haiku-4-5" at LiteLLM and OpenRouter,
// "us.anthropic.claude-sonnet-4-5-v1:0" and "global.anthropic.claude-…" at
// Bedrock, "google/gemini-3-pro", "openai/gpt-5.5", "openai.gpt-5.5"), which
// by default are OpenAI's like any other name. Policy.ProviderPrefixes
// (provider_prefixes in the policy file) adds prefixes per provider:
//
//	"provider_prefixes": {
//	  "anthropic": ["anthropic/", "anthropic.claude-", "us.anthropic.claude-", "global.anthropic.claude-"],
//	  "gemini": ["google/gemini-"],
//	  "openai": ["openai/", "openai."]
//	}
//
// Then a LiteLLM-style "anthropic/claude-haiku-4-5" needs a token cap like
// "claude-haiku-4-5", and a Bedrock id refuses a duration with
// flex_unsupported_for_anthropic. The decisions:
//
//   - The policy adds; it never removes. "claude-" and "gemini-" always
//     apply: they are the catalog's own names for the two providers, and a
//     policy that could drop "claude-" would let a Claude model skip its
//     token cap.
//   - An "openai" list does not replace "anything else is OpenAI": the
//     catalog has no answer for a model of no provider, so every name still
//     has one. OpenAI prefixes serve the allow-list (below), and win over
//     a shorter prefix of another provider.
//   - The longest matching prefix decides, whatever order the lists give:
//     with "vertex_ai/" for Gemini and "vertex_ai/claude-" for Anthropic,
//     "vertex_ai/claude-sonnet-4" is Anthropic's. A shorter, general prefix
//     can never shadow a longer, specific one; JSON objects have no order
//     to rely on anyway.
//   - The allow-lists (Policy.FlexModels) match a model by its full name,
//     or by its name after the matched prefix's routing part: the prefix,
//     less the provider's own prefix when it ends with one. So
//     "openai.gpt-5.5" and "openai/gpt-5.5" match the entry "gpt-5.5", and
//     "google/gemini-3-pro" matches "gemini-3-pro" (the routing part of
//     "google/gemini-" is "google/"). Allow-list entries name models as
//     their provider does, which every route shares; an entry written
//     with its route ("openai.gpt-5.5") keeps matching exactly that name.
//   - A prefix that is empty or contains '*' (prefixes match as written,
//     not as patterns), a provider other than anthropic, gemini and openai,
//     or a prefix given to two providers (a built-in one included) is a
//     load error naming the key. The same prefix twice for one provider is
//     harmless.
//   - Result.Model is the name as sent: the handler routes what the client
//     asked for.
//
// # No-op values
//
// Clients often send a refused parameter at its default: playground
// exports, SDK samples and client libraries fill in "presence_penalty": 0
// or "logit_bias": {}, which asks the provider for nothing. With
// Policy.AcceptNoOpDefaults (accept_no_op_defaults in the policy file) such
// a value passes; any other value of the parameter is still refused, and so
// is every parameter that has no such value. Off by default: the catalog
// refuses any set value. Exactly these values count:
//
//	endpoint              parameter          passes with the option   source
//	/v1/chat/completions  presence_penalty   0                        OpenAI: number, default 0
//	/v1/chat/completions  frequency_penalty  0                        OpenAI: number, default 0
//	/v1/chat/completions  logit_bias         {}                       OpenAI: map, default null; no entry biases nothing
//	/v1/chat/completions  logprobs           false                    OpenAI: boolean, default false
//	/v1/chat/completions  top_logprobs       0                        OpenAI: integer 0 to 20, no default; zero alternatives
//
// A number counts in any exact spelling of zero (0, 0.0, -0, 0e5), read as
// a decimal, as n's 1 is, never through a float: each is zero to a
// decoder (-0 is a negative zero, equal to 0). The sources are OpenAI's API
// reference for chat completions
// (https://platform.openai.com/docs/api-reference/chat/create; its OpenAPI
// document, github.com/openai/openai-openapi, gives each default and
// range). top_logprobs has no documented default, but 0 asks for no
// alternative tokens, and the logprobs it would refine can only be unset
// or false when it passes, since logprobs is judged first. logit_bias
// defaults to null, and {} biases no token just as null does; the
// reference's type admits it (unlike stop's [], below).
//
// These have no value that asks for nothing, and stay refused whatever
// their value:
//
//   - /v1/chat/completions: seed (any seed asks for deterministic
//     sampling), stop (default null; the reference requires an array to
//     hold 1 to 4 strings, so [] is not a value OpenAI documents, client
//     libraries drop it because some requests with it fail there, and
//     other back ends read it as "drop the model's own stop tokens", as in
//     github.com/ollama/ollama/issues/3629), prediction, audio, and
//     web_search_options ({} turns web search on with its defaults).
//     modalities and n are judged by value already: ["text"] and 1 pass.
//   - /v1/messages: top_k, stop_sequences and cache_control, each without
//     a documented default in Anthropic's Messages API reference
//     (https://docs.anthropic.com/en/api/messages; its SDKs' request types
//     carry the same text); an empty stop_sequences is refused for the
//     reason stop's [] is, and a cache_control asks for caching whatever
//     it holds. A citations block with enabled false already passes.
//   - /v1/interactions: generation_config.seed and
//     generation_config.stop_sequences, documented as optional with no
//     default in Google's GenerationConfig reference
//     (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/GenerationConfig:
//     "Optional. Seed.", "Optional. Stop sequences.").
//
// The canonical schemas hold the same table (package schemas,
// CanonicalFor), and a fuzz target holds the two to the same answers.
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
