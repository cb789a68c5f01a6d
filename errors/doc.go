// Package errors is flexguard's error catalog: every error a flexguard
// middleware can answer with, as data.
//
// Import it under a name that does not shadow the standard library:
//
//	import apierrors "github.com/flexinference/flexguard/errors"
//
// Each catalog [Code] has one row in one table giving its HTTP status, its
// error type, its default param and its message. An [Error] is one
// occurrence of a code: build it with [New] (or [RateLimited] for a 429
// with its wait), read it with its accessors, and answer with [Write]:
//
//	{"error":{"message":"...","type":"invalid_request_error","code":"missing_model","param":"model"}}
//
// with Content-Type application/json. param is always present: a field
// path such as "messages[0].content[2].cache_control", or null. A 405 also
// carries "Allow: POST", and a 429 carries Retry-After.
//
// Functions that can fail with a catalog error return a plain error; reach
// the *Error with errors.As, or its code with [CodeOf].
//
// An embedder's own rules may answer with codes outside the catalog: a
// [CustomCode] (name, status, type, default message) makes errors that
// render like catalog ones, and the catalog itself never changes.
//
// Messages say what is wrong and how to fix it. A message or param that
// repeats the client's text repeats a bounded prefix of it: 64 bytes of a
// value or key, 256 of a path.
package errors
