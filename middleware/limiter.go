package middleware

import (
	"context"
	"errors"
	"math"
	"time"
)

// Limiter counts events per key for the two limiters that run before any
// body byte is read: the auth-flood limiter (failed authentications per
// client, with a block) and the per-organisation limiter (requests per
// organisation). [MemoryLimiter] keeps the counts in this process;
// contrib/redislimit shares them between gateway instances through Redis.
//
// A key's window is a sliding one: an event counted at time s is in the
// window at time t when t-Window < s <= t. There are no window
// boundaries: at no moment does the window hold more than Limit counted
// events, however the events are spread in time or over instances that
// share the counts.
//
// Implementations are safe for concurrent use and return promptly: an
// error means the limiter could not decide, and callers let the request
// through (they fail open) and report the error.
type Limiter interface {
	// Allow judges one event for key under rule at the limiter's current
	// time. When key is blocked, or its window already holds rule.Limit
	// counted events, Allow returns false and counts nothing. Otherwise it
	// counts the event and returns true; and when rule.Block is set and
	// the event brings the window to rule.Limit, key is blocked for
	// rule.Block from now on and its counted events are forgotten.
	//
	// Keys are the caller's namespace: limiters that share a Limiter give
	// their keys distinct prefixes. Each call is judged by the rule it
	// carries, so a limit that changes takes effect on the next call.
	Allow(ctx context.Context, key string, rule LimitRule) (bool, error)

	// Blocked reports whether key is blocked now, counting nothing. A key
	// never seen, or whose block has run out, is not blocked.
	Blocked(ctx context.Context, key string) (bool, error)
}

// LimitRule is how many events a key may have within a window, and how
// long the key is blocked once it reaches that many, if at all.
//
// The per-organisation limiter's rule is {Limit: N, Window: W}: the
// (N+1)-th request within W is refused. The auth-flood limiter's rule is
// {Limit: 20, Window: 60 s, Block: 60 s}, and it calls Allow for each
// failed authentication: the 20th failure within 60 s blocks the client
// for 60 s from that failure on.
type LimitRule struct {
	// Limit is the number of events the window may hold; at least 1.
	Limit int
	// Window is the length of the sliding window; positive.
	Window time.Duration
	// Block, when positive, is how long a key is blocked once its window
	// reaches Limit. Zero: no block, the key is only refused events while
	// its window is full.
	Block time.Duration
}

// Validate reports what is wrong with the rule, for constructors that
// take one to refuse it up front.
func (r LimitRule) Validate() error {
	switch {
	case r.Limit < 1 || r.Limit > math.MaxInt32:
		return errors.New("flexguard/middleware: LimitRule.Limit must be from 1 to 2^31-1")
	case r.Window <= 0:
		return errors.New("flexguard/middleware: LimitRule.Window must be positive")
	case r.Block < 0:
		return errors.New("flexguard/middleware: LimitRule.Block must not be negative")
	}
	return nil
}
