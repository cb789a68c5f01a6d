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
package rules
