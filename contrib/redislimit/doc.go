// Package redislimit is a flexguard middleware.Limiter kept in Redis, so
// that several gateway instances share one count per key: an organisation
// limited to N requests per window gets N across the fleet, and a client
// blocked for failing to authenticate on one instance is blocked on all.
//
// It lives in a module of its own so that the core flexguard module does
// not depend on a Redis client.
//
// # Semantics
//
// The same as middleware.Limiter's, judged by Redis: each key is a sorted
// set of the times of its counted events within the sliding window, and a
// blocked key has a companion key that expires when the block ends. One
// Lua script per event reads Redis's clock (TIME), drops the events that
// have left the window, and counts or refuses, atomically: instances
// never race each other, and their own clocks do not matter.
//
// Memory in Redis follows the traffic: a key holds at most its rule's
// Limit members, and every key expires once its window has passed or its
// block has run out.
//
// # Failure
//
// Every call to Redis is bounded by Config.Timeout. A call that fails
// returns its error at once, and the gateway lets the request through
// (fails open) and reports the error. After a failure that says Redis is
// unreachable or slow, calls fail at once with [ErrUnavailable] for
// Config.Cooldown, then one call tries Redis again: an outage costs one
// timeout per cooldown, not one per request. A caller that cancels its own
// context does not count as a Redis failure, and neither does an error
// Redis answers (it is up).
//
// The client must honour context deadlines: build it with
// ContextTimeoutEnabled (as [ParseURL] does), or [New] refuses it.
//
// # Key names
//
// Each key k becomes two Redis keys, Config.Prefix + "{" + k + "}:log" and
// ":block", with a hash tag so that a Redis Cluster keeps both on one
// node. A k longer than 100 bytes is replaced by its SHA-256, so names
// stay short whatever the caller passes.
package redislimit
