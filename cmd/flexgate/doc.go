// Command flexgate is flexguard's reference gateway and its offline
// request checker.
//
// # flexgate serve
//
//	flexgate [serve] [-addr 127.0.0.1:8080] [-policy FILE] [-upstream URL] [-strict] [-dialect NAME]
//	                 [-trusted-proxies CIDR,...] [-tls-cert FILE -tls-key FILE | -h2c]
//	                 [-keys FILE [-accept-x-api-key] [-auth-flood N] [-redis URL [-redis-timeout D]]]
//	                 [-metrics-addr host:port]
//
// serve puts the whole middleware chain (middleware.Guard.Handler) in front of
// the four endpoints, /v1/responses, /v1/chat/completions, /v1/interactions
// and /v1/messages, and answers every request that breaks a rule with the
// canonical error body. "flexgate" with no subcommand, or with flags only,
// is "flexgate serve".
//
// Once listening it logs a line containing "listening on http://ADDR"
// ("https://" with TLS) with the real address, so "-addr 127.0.0.1:0"
// picks a free port and says which. Every log line is JSON (log/slog) on standard error; each rejected
// request gets one, with status, code, param, method, path and remote
// address.
//
// -policy reads a policy file; omitted keys keep the built-in defaults:
//
//	{"max_body_bytes": 1000000, "default_start_within": "", "flex_models": {"openai": ["gpt-5.5", "o3"], "gemini": ["gemini-3-pro"]}}
//
// Two more keys serve real clients, both off by default: provider_prefixes
// judges routed names such as "anthropic/claude-…" or
// "us.anthropic.claude-…" as their provider's, and accept_no_op_defaults
// lets "presence_penalty": 0 and the like through (see the validate
// package's "Providers" and "No-op values").
//
// -strict rejects any JSON object that repeats a key, as invalid_json.
//
// -dialect renders every error in another gateway's shape, for clients
// that already parse it: fireworks, gip, mskeys, or flexinference (the
// canonical shape, the default). See the errors/dialect package for each
// table.
//
// Without -upstream, a built-in echo answers every valid request 200 with
//
//	{"object":"flexgate.echo","endpoint":"/v1/responses","model":"gpt-5.5","provider":"openai","start_within":"00h-00m-30s","bytes":N,"sha256":"<hex>"}
//
// where endpoint, model, provider and start_within are what validation
// learned (start_within is the default that applied when the body left it
// out), and bytes and sha256 describe the body the echo read from r.Body.
//
// With -upstream URL, valid requests are proxied there with
// httputil.ReverseProxy (a path in URL is a prefix: -upstream
// http://host/base sends /v1/responses to /base/v1/responses): the exact
// body bytes with a Content-Length (also when the client sent chunked),
// at the very path that was validated (one spelled with percent-escapes
// is unknown_url, never forwarded), with the client's headers less the
// hop-by-hop ones, Expect and Accept-Encoding, and with X-Forwarded-For,
// X-Real-IP, X-Forwarded-Host and -Proto. Responses are flushed as they
// arrive, so server-sent events stream through, watched by
// middleware.Guard.Stream so that a stream cut short never looks
// finished. An upstream that cannot be reached,
// or fails before answering, is answered 502 upstream_stream_failed: of
// the catalog's two candidates it is the one whose status says the fault
// lies behind the gateway and a retry may work; internal_error (500)
// stays reserved for flexgate's own faults.
//
// The proxy has a transport of its own, sized for a gateway that sends
// everything to one upstream: up to 512 idle connections kept, for 90
// seconds, so that bursts reuse connections rather than dial new ones;
// dials and TLS handshakes bounded at 10 seconds; HTTP/2 to an https
// upstream; Go's transparent gzip, so that a compressed stream is
// decompressed and can be watched; and no overall timeout. The
// answer must start within 15 minutes, the longest start_within (a flex
// request may wait 10 minutes before it starts) plus room for a request
// that does not stream, whose headers come with the whole answer; once it
// has started, nothing cuts it. Expect: 100-continue is answered by
// flexgate itself and not passed on: the body is already read, and an
// upstream asked for a 100 either sends one more to the client or never
// sends it and holds the request up.
//
// -trusted-proxies lists the ranges (CIDR, or single addresses) of the
// proxies in front of flexgate. A request from one of them names its
// client in X-Forwarded-For, and the client is the right-most address
// there that is not trusted; from anyone else the client is the peer.
// Upstream, X-Real-IP is that client and X-Forwarded-For is the client,
// the trusted proxies it came through, and the peer: what a client wrote
// itself is never passed on unless a trusted proxy vouches for it.
//
// -tls-cert and -tls-key (PEM files; the certificate file may hold the
// chain) serve HTTPS, and HTTP/2 with it, negotiated by ALPN. -h2c serves
// HTTP/2 without TLS as well as HTTP/1.1, for a proxy in front that
// speaks HTTP/2 in clear text to its backends; it cannot be combined with
// TLS. The chain answers the same over either protocol.
//
// A body that cannot be read to its end never reaches the upstream or the
// echo: broken chunked framing is answered 400 invalid_json and the
// connection is closed; a client that goes away, or does not send its
// body within the read timeout, gets nothing (the connection is aborted,
// or over HTTP/2 the stream reset) and is logged as
// client_closed_request, status 499.
//
// Requests that net/http refuses before flexgate sees them get Go's own
// plain-text answers, not the canonical JSON: two different
// Content-Lengths or one that is not a number, a malformed request line
// or no Host header (400), a Transfer-Encoding other than chunked (501),
// headers over 64 KiB (431). They are not logged as rejections.
//
// # Keys and limits
//
//	flexgate serve -keys FILE [-accept-x-api-key] [-auth-flood N] [-redis URL [-redis-timeout D]]
//
// -keys turns on API keys and the two rate limits (middleware.Guard's
// KeysAndLimits), judged after routing and before any byte of the body
// is read: a request without a key is 401 missing_api_key, one with a
// key the file does not list (or lists as revoked) 401 invalid_api_key;
// a client that fails 20 times within 60 s is answered 429 with
// Retry-After: 60 for 60 s; an organisation over its rate_limit 429 with
// Retry-After: 5. The file (see package keysfile for every field and
// check) also feeds the organisation lookups: provider_keys
// (no_byok_key, no_gemini_key, no_anthropic_key), overdue
// (payment_required) and default_start_within. An error in it stops
// flexgate at startup with exit status 2. SIGHUP reads the file again:
// the next key lookup is judged by the new file; one that does not load
// is logged and the keys in service stay.
//
//	{"keys":[{"sha256":"<hex>","org":"org_a"}],
//	 "orgs":{"org_a":{"provider_keys":["openai","gemini"],"overdue":false,"default_start_within":"auto",
//	                  "rate_limit":{"requests":600,"window_seconds":60}}},
//	 "default_rate_limit":{"requests":600,"window_seconds":60}}
//
// The echo adds "org" and "key_id" (the first 12 hex characters of the
// key's SHA-256) to its answer. A proxied request never carries the
// client's gateway key upstream: Authorization and x-api-key are
// dropped. No log line holds a key.
//
// -accept-x-api-key also takes the key from an x-api-key header, which
// Anthropic's SDKs send by default.
//
// The auth-flood limiter counts failures per client: the peer, or behind
// -trusted-proxies the client they name in X-Forwarded-For, the same
// client the proxy forwards; IPv6 clients by their /64. -auth-flood N
// blocks a client after N failures within 60 s instead of 20; the block
// still lasts 60 s.
//
// -redis keeps the limits' counts in Redis (contrib/redislimit), so that
// every flexgate on the same Redis counts together: an organisation's
// limit holds across the fleet, and a client blocked by one instance is
// blocked by all. -redis-timeout bounds each call (default 200ms). When
// Redis fails or is slow, requests go on without limits (fail open) and
// flexgate logs one warning, "rate limiter failing", at the first failed
// call, and one line, "rate limiter recovered", with the number of
// failed calls, when it answers again: one pair per outage, however many
// requests pass meanwhile. Without -redis the counts are in process,
// bounded in memory however many clients come.
//
// # Metrics
//
//	flexgate serve -metrics-addr 127.0.0.1:9090
//
// -metrics-addr serves Prometheus metrics at /metrics on a listener of
// its own (so that the gateway's port never shows them), and logs
// "metrics on http://ADDR/metrics" before the listening line. They are
// contrib/prommetrics's (rejections by code, status and endpoint; stream
// failures by endpoint and how they ended; limiter decisions by limiter
// and outcome, with -keys; http_server_request_duration_seconds by
// method, route and status, every request timed), beside the Go
// runtime's and the process's. No label holds a key, an organisation, a
// client or a path other than the four endpoints'.
//
// # flexgate keygen
//
//	flexgate keygen -org ID
//
// keygen prints a new key (from crypto/rand) on the first line, and on
// the second its entry for the "keys" list of the keys file:
//
//	flex_live_38f106ac7572ce937b2a8888890de1
//	{"sha256":"<hex>","org":"org_a"}
//
// The key is stored nowhere; the file holds its SHA-256.
//
// Production defaults: ReadHeaderTimeout 10s; ReadTimeout 60s, enough for a
// 1 MB body at about 17 KB/s (the server lifts the read deadline once the
// body is read, so it does not cut long answers); no WriteTimeout, since a
// flex request may wait 10 minutes to start and then stream; IdleTimeout
// 120s; MaxHeaderBytes 64 KiB. On SIGINT or SIGTERM the server stops
// accepting connections and gives in-flight requests 15 seconds to finish.
// SIGHUP reloads the keys file, and never stops the server.
//
// Exit status: 0 after a clean shutdown; 1 when it cannot listen, the
// server fails, or in-flight requests outlast the shutdown timeout; 2 on a
// usage error, a bad policy file or keys file, or a certificate or key
// that cannot be loaded.
//
// # flexgate check
//
//	flexgate check [-policy FILE] [-strict] -endpoint PATH FILE...
//
// check validates request body files offline with validate.Validator, the
// same rules in the same order as the server, the body limit included (a
// file over it is request_too_large). "-" reads standard input. For each
// file it prints one line, "FILE: ok" or "FILE: " followed by the JSON error
// body the server would send:
//
//	body.json: {"error":{"message":"...","type":"invalid_request_error","code":"missing_model","param":"model"}}
//
// Transport rules (the method, a declared Content-Length, chunking) do not
// apply to a file, and -endpoint must name one of the four endpoints.
//
// Exit status: 0 when every file passes; 1 when any fails; 2 on a usage
// error (a missing or unknown -endpoint, no files, an unknown flag), a bad
// policy file, or a file that cannot be read (the other files are still
// checked).
//
// -h after any subcommand prints its usage and exits 0.
package main
