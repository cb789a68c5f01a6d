// Package clienttext bounds the client's own text wherever flexguard
// repeats it: in an error message, in a param path, in a log line. One rule
// holds everywhere: a value or key taken from the request is cut to
// MaxValue bytes and a whole param path to MaxPath bytes, both at a
// character boundary and marked with "…" when cut, the marker counted in
// the bound. A client can then never make an answer or a log line larger
// by sending a larger key.
package clienttext
