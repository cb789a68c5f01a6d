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
// for an error the code and the param ("null" for none) and optionally
// retry-after=SECONDS, the Retry-After header the answer must carry; or
// for a pass (200) optional facts the handler must see: model=,
// provider=, start_within=, defaulted=true|false, and with keys org= and
// key_id= (the first 12 hex characters of the key's SHA-256).
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
// Keys and limits (any of these turns keys on; such cases depend on
// headers, the client and earlier requests, so UsesTransport is true):
//
//	@keys                   keys on, with a key store that knows only the @key lines
//	@key KEY ORG [revoked] [limit=N]
//	                        the store knows KEY, of organisation ORG; revoked;
//	                        ORG's own limit of N requests per LimitWindow
//	@key-store-error        every key lookup fails
//	@x-api-key              the key may come in an x-api-key header
//	@org-limit N            the default limit: N requests per LimitWindow per organisation
//	@auth-flood N           N failed authentications within 60 s block the client
//	                        for 60 s (default 20)
//	@client ADDR            the peer's IP address (default DefaultClient)
//	@trusted-proxies LIST   trusted proxy ranges, as flexgate's -trusted-proxies takes them
//	@failures N             before the request, the same client sent N keyless POST
//	                        /v1/responses requests (with the case's other headers)
//	@sent-before N          before the request, the same client sent it N times
//	@limiter-error          every limiter call fails (the limiters fail open)
//
// Every case starts from empty limiters. A runner over a real connection,
// whose peer is always loopback, trusts loopback as a proxy and names the
// case's client in X-Forwarded-For after the case's own entries.
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
