// Package validate holds flexguard's body rules as pure functions over the
// raw request bytes: no net/http, no decoding into maps, one pass over the
// top-level members. It also holds the Policy type, start_within parsing
// and provider detection. The middleware package runs these rules inside a
// request; flexgate check runs them on files; a gateway can call them from
// its own tests.
//
// # Order of checks
//
// The first failure is the answer. Steps 1 to 4 (path, method, declared
// and streamed size) belong to the transport and live in the middleware
// package; Parse repeats the size limit for bodies that arrive as bytes.
//
//  5. the body is not one valid JSON value → invalid_json: empty, a
//     byte-order mark, trailing bytes, truncation, bytes that are not
//     UTF-8 anywhere, nesting deeper than MaxDepth (10,000) levels; in
//     strict mode also an object that repeats a key (param: its path)
//  6. the value is not an object → invalid_body
//  7. model absent, null, not a string or "" → missing_model
//  8. service_tier set, on every endpoint → service_tier_not_allowed
//  9. the endpoint's parameters:
//     /v1/chat/completions: presence_penalty, frequency_penalty,
//     logit_bias, logprobs, top_logprobs, seed, stop, prediction, audio,
//     modalities other than ["text"], web_search_options →
//     unsupported_parameter; then n other than 1 → unsupported_value.
//     /v1/messages: top_k, stop_sequences, then cache_control at the top
//     level, in system[i], tools[i], messages[i].content[j] (in that
//     order, by ascending index), then a document or file block in
//     messages[i].content[j] whose citations.enabled is true →
//     unsupported_parameter with the exact path as param.
//     /v1/interactions: generation_config.seed,
//     generation_config.stop_sequences → unsupported_generation_config.
//  10. start_within absent or null with no default → missing_start_within;
//     not a string, not one of the four forms, or a duration outside
//     5 s–600 s → invalid_start_within
//  11. a duration on claude-* → flex_unsupported_for_anthropic; auto on
//     gemini-* → auto_unsupported_for_gemini; a duration on a model not on
//     its provider's allow-list → model_not_flex_capable
//  12. claude-* without the endpoint's token cap → missing_max_tokens
//     (max_output_tokens, max_completion_tokens or the legacy max_tokens,
//     max_tokens, generation_config.max_output_tokens)
//
// Step 13 (the organisation's provider keys and billing) needs the
// embedder's lookups and lives in the middleware package.
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
// # Decisions where the specification is silent
//
//   - modalities passes only as an array of "text" strings; an empty array
//     passes; a string such as "text" does not.
//   - n passes when it is the JSON number 1 in any spelling (1, 1.0,
//     1e0, 10e-1), compared as an exact decimal, as the schemas package
//     does: 1.00000000000000000001 is not 1; "1" as a string is not
//     either.
//   - Token caps are judged by presence only; their type and range are the
//     provider's to judge.
//   - cache_control is looked for only where the specification says; a
//     cache_control nested deeper (inside a tool_result's content) is the
//     provider's to judge.
//   - A default start_within (the policy's or the embedder's per-request
//     one) is judged like a sent one in step 11: a duration default on a
//     claude-* model is flex_unsupported_for_anthropic.
//   - Model names are matched case-sensitively, for the provider prefixes
//     and for the allow-lists.
package validate
