// Package errors is flexguard's error catalog: every error a flexguard
// middleware can answer with, as data.
//
// Import it under a name that does not shadow the standard library:
//
//	import apierrors "github.com/flexinference/flexguard/errors"
//
// Each [Code] has one row in the catalog giving its HTTP status, its error
// type and its default param; [Error] carries a code plus the message and
// param of one occurrence; [Write] renders any error to an
// [net/http.ResponseWriter] as
//
//	{"error":{"message":"...","type":"invalid_request_error","code":"missing_model","param":"model"}}
//
// with Content-Type application/json. param is always present: a field
// path such as "messages[0].content[2].cache_control", or null. A 405 also
// carries "Allow: POST" and a 429 carries Retry-After (60 seconds for the
// failed-authentication limiter, 5 for the per-organisation limiter).
//
// An embedder's own rules may answer with codes outside the catalog: an
// Error whose Custom field holds a [CustomCode] (name, status, type,
// default message) renders through Write like a catalog code, and the
// catalog itself stays as it is.
//
// Messages say what is wrong and how to fix it. They never repeat client
// input at length: [Quote] cuts and escapes any value a message mentions.
package errors
