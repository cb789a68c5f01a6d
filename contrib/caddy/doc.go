// Package flexguardcaddy runs flexguard inside Caddy v2: an HTTP handler
// module, http.handlers.flexguard, and its Caddyfile directive,
// flexguard. The handler is the whole flexguard chain
// (middleware.Guard.Handler) built once when Caddy provisions it, from a
// policy file and an error dialect, and it sits in front of reverse_proxy
// or any other handler:
//
//	{
//		order flexguard before reverse_proxy
//	}
//
//	:8080 {
//		flexguard {
//			policy /etc/flexguard/policy.json
//			dialect fireworks
//		}
//		reverse_proxy 127.0.0.1:9000 {
//			header_up X-Flexguard-Model {flexguard.model}
//		}
//	}
//
// Subdirectives, each optional:
//
//   - policy FILE: the policy file (validate.LoadPolicyFile); default the
//     built-in policy.
//   - dialect NAME: the error shape (errors/dialect: flexinference,
//     fireworks, mskeys, gip); default flexinference, the canonical body.
//   - strict: also reject any JSON object that repeats a key.
//   - endpoint PATH: the one endpoint this handler guards, for a handler
//     mounted under a route that has matched the path already; default
//     none, the handler routes by path and answers unknown_url for any
//     other.
//
// Provisioning fails on an unknown dialect, an unreadable or invalid
// policy file and a path that is not an endpoint, so a bad configuration
// never starts serving.
//
// # Order
//
// The directive registers its own place in Caddy's order: right after
// forward_auth, so that authentication answers first and rewrites have
// run (flexguard routes by the final path), and before handle, route and
// reverse_proxy, so that a top-level flexguard guards the handlers in
// every handle block. An order global option overrides it.
//
// # Rejections and Caddy's errors
//
// A rejection is a complete answer: flexguard writes the error body in
// the chosen dialect and ServeHTTP returns nil, so Caddy's handle_errors
// never turns it into an error page and the access log shows its status.
// An error from the next handler (a proxy that cannot reach its
// upstream, say) is returned unchanged, for Caddy to handle as usual. A
// client that goes away while its body is read is logged (at debug level,
// with every other rejection) and its connection dropped, as Caddy's own
// abort directive does (panic with http.ErrAbortHandler).
//
// # What the next handler gets
//
// A request that passes reaches the next handler with the exact bytes the
// client sent, and what validation learned in Caddy placeholders:
// {flexguard.endpoint}, {flexguard.model}, {flexguard.provider} and
// {flexguard.start_within}. A header_up in reverse_proxy turns them into
// request headers for the upstream; header_up sets the header, so a copy
// the client sent is replaced. A model name that could not be a header
// value as it is (a control character, or longer than 256 bytes) is
// published as "": the upstream reads it from the body.
package flexguardcaddy
