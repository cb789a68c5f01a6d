package redislimit

import (
	"sync/atomic"
	"time"
)

// breaker stops asking a Redis that just failed. Closed (openUntil 0),
// every call goes through. After a failure it is open: calls fail at once
// until the cooldown ends; then the first call to come through is a probe
// that closes it on success or reopens it for another cooldown on
// failure, while the others keep failing at once.
type breaker struct {
	cooldown  time.Duration
	openUntil atomic.Int64 // Unix nanoseconds; 0 when closed
	probing   atomic.Bool
}

// outcome is what a call that went through says about Redis.
type outcome int

const (
	answered  outcome = iota // Redis answered, if only with an error
	failed                   // unreachable or too slow
	abandoned                // the caller gave up first: nothing learned
)

// allow reports whether a call may go to Redis now, and whether it is the
// probe of an open breaker.
func (b *breaker) allow() (ok, probe bool) {
	until := b.openUntil.Load()
	if until == 0 {
		return true, false
	}
	if time.Now().UnixNano() < until {
		return false, false
	}
	if b.probing.CompareAndSwap(false, true) {
		return true, true
	}
	return false, false
}

// done records the outcome of a call that allow let through.
func (b *breaker) done(probe bool, o outcome) {
	switch o {
	case answered:
		b.openUntil.Store(0)
	case failed:
		b.openUntil.Store(time.Now().Add(b.cooldown).UnixNano())
	}
	if probe {
		b.probing.Store(false)
	}
}
