// Package rules is the engine behind package validate and package
// middleware: the body rules as pure functions over the raw request bytes,
// judged step by step so that a middleware can stop between steps, with no
// net/http and no decoding into maps.
//
// The rules themselves, their order and every decision behind them are
// documented once, in package validate; this package implements them. A
// rule is found by its file: model.go, parameters.go, start_within_rule.go,
// provider_rule.go and token_cap.go judge the steps, json.go judges the
// JSON itself, scan.go walks raw JSON text.
//
// Parse reads a body once: package jsonscan checks its syntax, UTF-8 and
// depth and hands out its top-level members in the same pass, and the
// members the rules judge are kept as raw text. The few rules that look
// deeper (content blocks, generation_config) walk those values, already
// known to be valid, with the helpers in scan.go. gjson is not used here:
// its validator is several times slower than jsonscan on typical bodies,
// lets invalid UTF-8 through and says nothing of why a body failed, and
// its Get finds the first of repeated keys where a decoder keeps the last.
package rules
