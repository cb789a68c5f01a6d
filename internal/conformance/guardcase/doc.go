// Package guardcase builds, from a conformance case, the Guard options and
// the request it describes, and the answer Guard.Handler gives it, so
// that every other entry point (the Caddy module, the Envoy processor) is
// held to the same Guard. It lives apart from package conformance, which
// must not import middleware: the stream tests read cases too, and the
// middleware imports the stream watcher.
package guardcase
