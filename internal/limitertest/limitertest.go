package limitertest

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flexinference/flexguard/middleware"
)

// Pair returns two limiters that share their counts, as two gateway
// instances would (the same limiter twice is a pair too). It is called
// once per subtest, so each subtest starts from empty counts.
type Pair func(t *testing.T) (a, b middleware.Limiter)

// Long is a window no test outlives.
const Long = time.Hour

// Run runs the suite against the limiters that pair makes.
func Run(t *testing.T, pair Pair) {
	tests := []struct {
		name string
		run  func(t *testing.T, a, b middleware.Limiter)
	}{
		{"a window lets exactly Limit events through", exactLimit},
		{"refused events are not counted", refusedNotCounted},
		{"keys are counted apart", keysApart},
		{"a raised limit takes effect on the next call", raisedLimit},
		{"the event that reaches the limit starts the block", blockStarts},
		{"a rule without a block never blocks", noBlock},
		{"an unknown key is not blocked", unknownNotBlocked},
		{"a block seen by one instance is seen by the other", blockShared},
		{"concurrent events over two instances pass exactly Limit times", concurrentExact},
		{"concurrent failures over two instances block exactly once", concurrentBlock},
		{"an invalid rule is an error", invalidRule},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := pair(t)
			tt.run(t, a, b)
		})
	}
}

func allow(t *testing.T, l middleware.Limiter, key string, rule middleware.LimitRule) bool {
	t.Helper()
	ok, err := l.Allow(context.Background(), key, rule)
	if err != nil {
		t.Fatalf("Allow(%q): %v", key, err)
	}
	return ok
}

func blocked(t *testing.T, l middleware.Limiter, key string) bool {
	t.Helper()
	ok, err := l.Blocked(context.Background(), key)
	if err != nil {
		t.Fatalf("Blocked(%q): %v", key, err)
	}
	return ok
}

// countAllowed calls Allow n times in turn on a and b.
func countAllowed(t *testing.T, a, b middleware.Limiter, key string, rule middleware.LimitRule, n int) int {
	t.Helper()
	passed := 0
	for i := range n {
		l := a
		if i%2 == 1 {
			l = b
		}
		if allow(t, l, key, rule) {
			passed++
		}
	}
	return passed
}

func exactLimit(t *testing.T, a, b middleware.Limiter) {
	rule := middleware.LimitRule{Limit: 7, Window: Long}
	for i := range rule.Limit {
		if !allow(t, a, "org:exact", rule) {
			t.Fatalf("event %d of %d was refused", i+1, rule.Limit)
		}
	}
	if allow(t, b, "org:exact", rule) || allow(t, a, "org:exact", rule) {
		t.Fatalf("an event over the limit passed")
	}
}

func refusedNotCounted(t *testing.T, a, b middleware.Limiter) {
	rule := middleware.LimitRule{Limit: 3, Window: Long}
	if got := countAllowed(t, a, b, "org:refused", rule, 30); got != rule.Limit {
		t.Fatalf("%d of 30 passed, want %d", got, rule.Limit)
	}
	// Had the 27 refused events counted, a limit raised by one would
	// still refuse; it lets exactly one more through.
	wider := middleware.LimitRule{Limit: 4, Window: Long}
	if got := countAllowed(t, a, b, "org:refused", wider, 5); got != 1 {
		t.Fatalf("%d passed after raising the limit by one, want 1", got)
	}
}

func keysApart(t *testing.T, a, b middleware.Limiter) {
	rule := middleware.LimitRule{Limit: 2, Window: Long}
	for _, key := range []string{"org:one", "org:two", "auth:192.0.2.1/32", "auth:2001:db8::/64"} {
		if got := countAllowed(t, a, b, key, rule, 5); got != rule.Limit {
			t.Fatalf("key %q: %d of 5 passed, want %d", key, got, rule.Limit)
		}
	}
}

func raisedLimit(t *testing.T, a, b middleware.Limiter) {
	small := middleware.LimitRule{Limit: 2, Window: Long}
	if got := countAllowed(t, a, b, "org:raised", small, 4); got != 2 {
		t.Fatalf("%d of 4 passed, want 2", got)
	}
	large := middleware.LimitRule{Limit: 5, Window: Long}
	if got := countAllowed(t, a, b, "org:raised", large, 6); got != 3 {
		t.Fatalf("%d of 6 passed under the raised limit, want 3", got)
	}
	// Lowered again, the window is over the limit: nothing passes.
	if allow(t, a, "org:raised", small) {
		t.Fatalf("an event passed under a limit the window is already over")
	}
}

func blockStarts(t *testing.T, a, b middleware.Limiter) {
	rule := middleware.LimitRule{Limit: 5, Window: Long, Block: Long}
	key := "auth:198.51.100.7/32"
	for i := range rule.Limit - 1 {
		if !allow(t, a, key, rule) {
			t.Fatalf("failure %d was refused before the limit", i+1)
		}
		if blocked(t, b, key) {
			t.Fatalf("blocked after %d failures, the limit is %d", i+1, rule.Limit)
		}
	}
	if !allow(t, b, key, rule) {
		t.Fatalf("the failure that reaches the limit was refused: it is counted, then blocks")
	}
	if !blocked(t, a, key) || !blocked(t, b, key) {
		t.Fatalf("not blocked after reaching the limit")
	}
	if allow(t, a, key, rule) {
		t.Fatalf("an event passed while blocked")
	}
	if allow(t, a, key, middleware.LimitRule{Limit: 1000, Window: Long}) {
		t.Fatalf("an event under another rule passed while blocked")
	}
}

func noBlock(t *testing.T, a, b middleware.Limiter) {
	rule := middleware.LimitRule{Limit: 2, Window: Long}
	countAllowed(t, a, b, "org:noblock", rule, 4)
	if blocked(t, a, "org:noblock") {
		t.Fatalf("a key under a rule without a block is blocked")
	}
}

func unknownNotBlocked(t *testing.T, a, b middleware.Limiter) {
	if blocked(t, a, "auth:never-seen") || blocked(t, b, "") {
		t.Fatalf("a key never seen is blocked")
	}
}

func blockShared(t *testing.T, a, b middleware.Limiter) {
	rule := middleware.LimitRule{Limit: 3, Window: Long, Block: Long}
	for range rule.Limit {
		allow(t, a, "auth:203.0.113.9/32", rule)
	}
	if !blocked(t, b, "auth:203.0.113.9/32") {
		t.Fatalf("failures on one instance do not block on the other")
	}
	if blocked(t, b, "auth:203.0.113.10/32") {
		t.Fatalf("a neighbour is blocked too")
	}
}

func concurrentExact(t *testing.T, a, b middleware.Limiter) {
	const limit = 50
	rule := middleware.LimitRule{Limit: limit, Window: Long}
	if got := countConcurrently(t, a, b, "org:concurrent", rule, 6, 25); got != limit {
		t.Fatalf("%d of 150 concurrent events passed, want exactly %d", got, limit)
	}
}

func concurrentBlock(t *testing.T, a, b middleware.Limiter) {
	const limit = 20
	rule := middleware.LimitRule{Limit: limit, Window: Long, Block: Long}
	if got := countConcurrently(t, a, b, "auth:192.0.2.200/32", rule, 6, 10); got != limit {
		t.Fatalf("%d of 60 concurrent failures were counted before the block, want exactly %d", got, limit)
	}
	if !blocked(t, a, "auth:192.0.2.200/32") {
		t.Fatalf("not blocked after 60 concurrent failures")
	}
}

// countConcurrently has workers goroutines, half on a and half on b, call
// Allow perWorker times each, and returns how many calls were allowed.
func countConcurrently(t *testing.T, a, b middleware.Limiter, key string, rule middleware.LimitRule, workers, perWorker int) int64 {
	t.Helper()
	var (
		wg      sync.WaitGroup
		allowed atomic.Int64
	)
	errs := make(chan error, workers*perWorker)
	start := make(chan struct{})
	for w := range workers {
		l := a
		if w%2 == 1 {
			l = b
		}
		wg.Go(func() {
			<-start
			for range perWorker {
				ok, err := l.Allow(context.Background(), key, rule)
				if err != nil {
					errs <- err
				}
				if ok {
					allowed.Add(1)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("an event failed: %v", err)
	}
	return allowed.Load()
}

func invalidRule(t *testing.T, a, _ middleware.Limiter) {
	for _, rule := range []middleware.LimitRule{
		{Limit: 0, Window: Long},
		{Limit: -1, Window: Long},
		{Limit: 1, Window: 0},
		{Limit: 1, Window: Long, Block: -time.Second},
	} {
		ok, err := a.Allow(context.Background(), "org:invalid", rule)
		if err == nil || ok {
			t.Fatalf("Allow with %+v = %v, %v; want an error", rule, ok, err)
		}
		if !strings.HasPrefix(err.Error(), "flexguard/") {
			t.Fatalf("error %q lacks the package prefix", err)
		}
	}
}
