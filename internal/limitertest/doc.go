// Package limitertest is the behaviour every middleware.Limiter must show,
// as one test suite that each implementation runs: the in-process one in
// package middleware, the Redis one in contrib/redislimit. It checks what
// does not depend on the clock, with windows far longer than a test, so
// that both prove the same semantics, exactly, on a busy machine.
package limitertest
