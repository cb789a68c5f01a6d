// Package conformance reads flexguard's conformance cases: requests with
// the answer flexguard must give, kept as readable text files in
// testdata/conformance so that every entry point that can judge a request
// (the middleware chain, the pure rules, the schemas, flexgate check) runs
// the same cases.
//
// # Format
//
// A file holds cases. Lines starting with "#" between cases are comments.
// A case is:
//
//	=== a sentence naming the behaviour
//	POST /v1/chat/completions
//	Content-Type: application/json
//	@policy {"default_start_within": "auto"}
//
//	{"model": "gpt-5.5"}
//	--- want 400 missing_start_within start_within
//
// The request line, then headers and directives (lines starting with "@")
// up to a blank line, then the body up to the "--- want" line (its last
// newline is not part of the body). The want line gives the status, then
// for an error the code and the param ("null" for none), or for a pass
// (200) optional facts the handler must see: model=, provider=,
// start_within=, defaulted=true|false.
//
// The body is a text/template with delimiters {% and %}, for bodies that
// text cannot spell: {% repeat "[" 1000000 %} repeats a string,
// {% "\xff" %} writes raw bytes, and {% fill %} stands for as many "x"
// bytes as it takes for the body to be exactly @size bytes long.
//
// Directives:
//
//	@size N                 the body's exact length, reached through {% fill %}
//	@chunked                send without a Content-Length
//	@content-length N       declare N whatever the body's length
//	@disconnect             the client goes away after sending the body's bytes
//	@policy JSON            a policy file's contents for this case
//	@strict                 reject repeated keys
//	@org-default VALUE      the organisation's default start_within
//	@no-key PROVIDER        the organisation has no key for openai|gemini|anthropic
//	@key-lookup-error       the key lookup fails
//	@overdue                the organisation is overdue
//	@billing-lookup-error   the billing lookup fails
//
// # Bodies that cannot be read
//
// Some requests cannot be spelled in the format: a malformed chunk, or a
// client that half-closes, resets or stalls in the middle of its body.
// Unreadables lists them as raw HTTP/1.1 with what the client does after
// sending; Play sends one over a real connection and returns what the
// gateway wrote, and CheckWritten judges it. The chain's tests and
// flexgate's run the same list.
package conformance
