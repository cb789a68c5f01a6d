package middleware_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/limitertest"
	"github.com/flexinference/flexguard/middleware"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestMemoryLimiterMeetsTheLimiterSuite(t *testing.T) {
	t.Parallel()
	limitertest.Run(t, func(*testing.T) (middleware.Limiter, middleware.Limiter) {
		l := middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{})
		return l, l
	})
}

// memoryAllow calls Allow on the in-process limiter, which never fails.
func memoryAllow(t *testing.T, l *middleware.MemoryLimiter, key string, rule middleware.LimitRule) bool {
	t.Helper()
	ok, err := l.Allow(context.Background(), key, rule)
	require.NoError(t, err)
	return ok
}

func memoryBlocked(t *testing.T, l *middleware.MemoryLimiter, key string) bool {
	t.Helper()
	ok, err := l.Blocked(context.Background(), key)
	require.NoError(t, err)
	return ok
}

// step is one moment of a scripted scenario: move the clock, then make an
// event (or only ask whether the key is blocked) and check the answers.
type step struct {
	after       time.Duration
	onlyAsk     bool
	wantAllowed bool
	wantBlocked bool
}

func counted(after time.Duration) step        { return step{after, false, true, false} }
func refused(after time.Duration) step        { return step{after, false, false, false} }
func blocks(after time.Duration) step         { return step{after, false, true, true} }
func refusedBlocked(after time.Duration) step { return step{after, false, false, true} }
func isBlocked(after time.Duration) step      { return step{after, true, false, true} }
func isNotBlocked(after time.Duration) step   { return step{after, true, false, false} }

func TestMemoryLimiterWindow(t *testing.T) {
	t.Parallel()
	perOrg := middleware.LimitRule{Limit: 3, Window: 10 * time.Second}
	authFlood := middleware.LimitRule{Limit: 4, Window: time.Minute, Block: time.Minute}
	const s, ns = time.Second, time.Nanosecond
	tests := []struct {
		name  string
		rule  middleware.LimitRule
		steps []step
	}{
		{"an event leaves the window exactly Window after it was counted", perOrg, []step{
			counted(0), counted(0), counted(0), refused(10*s - ns), counted(ns),
		}},
		{"the window slides: one event leaves, one may enter", perOrg, []step{
			counted(0), counted(4 * s), counted(4 * s),
			counted(2 * s), // at 10 s the event of 0 s has left
			refused(1 * s), // at 11 s those of 4, 8 and 10 s are in
			counted(3 * s), // at 14 s the event of 4 s has left
		}},
		{"refused events do not keep the window full", perOrg, []step{
			counted(0), counted(0), counted(0), refused(5 * s), refused(4 * s), counted(1 * s),
		}},
		{"failures spread over less than the window block", authFlood, []step{
			counted(0), counted(19 * s), counted(19 * s),
			blocks(21 * s), // the 4th failure within 60 s, at 59 s
			refusedBlocked(0),
		}},
		{"failures spread over more than the window do not block", authFlood, []step{
			counted(0), counted(20 * s), counted(20 * s),
			counted(20 * s), // at 60 s the first has left
			isNotBlocked(0),
		}},
		{"a block lasts Block from the failure that reached the limit", authFlood, []step{
			counted(0), counted(0), counted(0), blocks(30 * s),
			isBlocked(60*s - ns), refusedBlocked(0), isNotBlocked(ns),
		}},
		{"after a block the count starts again", authFlood, []step{
			counted(0), counted(0), counted(0), blocks(0),
			counted(60 * s), counted(0), counted(0), isNotBlocked(0), blocks(0),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			l := middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{Clock: clock.Now})
			for i, st := range tt.steps {
				clock.Advance(st.after)
				if !st.onlyAsk {
					assert.Equal(t, st.wantAllowed, memoryAllow(t, l, "k", tt.rule), "step %d: allowed", i)
				}
				assert.Equal(t, st.wantBlocked, memoryBlocked(t, l, "k"), "step %d: blocked", i)
			}
		})
	}
}

// A clock that steps back (a fake one, or a wall clock set back) neither
// breaks the count nor lets extra events through.
func TestMemoryLimiterSurvivesAClockGoingBack(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	l := middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{Clock: clock.Now})
	rule := middleware.LimitRule{Limit: 2, Window: time.Minute}
	clock.Advance(time.Hour)
	assert.True(t, memoryAllow(t, l, "k", rule))
	clock.Advance(-2 * time.Hour)
	assert.True(t, memoryAllow(t, l, "k", rule))
	assert.False(t, memoryAllow(t, l, "k", rule))
	clock.Advance(2*time.Hour + time.Minute)
	assert.True(t, memoryAllow(t, l, "k", rule), "both events left the window a minute after the later one")
}

func TestMemoryLimiterBlockedDoesNotAddKeys(t *testing.T) {
	t.Parallel()
	l := middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{})
	for i := range 100 {
		assert.False(t, memoryBlocked(t, l, fmt.Sprint("auth:", i)))
	}
	assert.Zero(t, l.Len())
}

// When a new key finds the limiter full, the key touched least recently
// goes, and a key in use stays.
func TestMemoryLimiterDropsTheLeastRecentlyTouchedKey(t *testing.T) {
	t.Parallel()
	const maxKeys = 50
	l := middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{MaxKeys: maxKeys})
	rule := middleware.LimitRule{Limit: 2, Window: time.Hour}
	for i := range maxKeys {
		memoryAllow(t, l, fmt.Sprint("key", i), rule)
	}
	require.Equal(t, maxKeys, l.Len())
	memoryAllow(t, l, "key0", rule) // key0 is full now, and the most recent
	for i := maxKeys; i < 2*maxKeys-1; i++ {
		memoryAllow(t, l, fmt.Sprint("key", i), rule)
	}
	assert.Equal(t, maxKeys, l.Len(), "the cap holds")
	assert.False(t, memoryAllow(t, l, "key0", rule), "key0 is remembered: its window is still full")
	assert.True(t, memoryAllow(t, l, "key1", rule), "key1 was dropped: it starts again")
	assert.True(t, memoryAllow(t, l, "key1", rule))
}

func TestMemoryLimiterKeepsABlockedClientThatKeepsKnocking(t *testing.T) {
	t.Parallel()
	const maxKeys = 20
	l := middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{MaxKeys: maxKeys})
	authFlood := middleware.LimitRule{Limit: 1, Window: time.Minute, Block: time.Minute}
	memoryAllow(t, l, "attacker", authFlood)
	for i := range 10 * maxKeys {
		require.True(t, memoryBlocked(t, l, "attacker"), "after %d new clients", i)
		memoryAllow(t, l, fmt.Sprint("client", i), authFlood)
	}
}

// Keys whose window has passed are dropped as other keys come and go: no
// background goroutine, and memory follows the traffic.
func TestMemoryLimiterDropsSpentKeys(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	l := middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{MaxKeys: 100, Clock: clock.Now})
	rule := middleware.LimitRule{Limit: 5, Window: time.Minute}
	block := middleware.LimitRule{Limit: 1, Window: time.Second, Block: time.Hour}
	memoryAllow(t, l, "blocked", block)
	for i := range 60 {
		memoryAllow(t, l, fmt.Sprint("old", i), rule)
	}
	require.Equal(t, 61, l.Len())
	clock.Advance(time.Minute)
	for i := range 20 {
		memoryAllow(t, l, fmt.Sprint("new", i), rule)
	}
	assert.Equal(t, 21, l.Len(), "the 60 spent keys are gone, the blocked one and the 20 new stay")
	assert.True(t, memoryBlocked(t, l, "blocked"))
}

func TestMemoryLimiterHoldsAtMostMaxKeys(t *testing.T) {
	t.Parallel()
	for _, maxKeys := range []int{1, 7, 64, 1000, 5000} {
		l := middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{MaxKeys: maxKeys})
		rule := middleware.LimitRule{Limit: 20, Window: time.Minute, Block: time.Minute}
		for i := range 3 * maxKeys {
			memoryAllow(t, l, fmt.Sprint("auth:", i), rule)
		}
		assert.LessOrEqual(t, l.Len(), maxKeys, "MaxKeys %d", maxKeys)
		assert.Greater(t, l.Len(), maxKeys/2, "MaxKeys %d: the shards use most of their share", maxKeys)
	}
}

func TestMemoryLimiterPanicsOnANegativeMaxKeys(t *testing.T) {
	t.Parallel()
	msg := panicMessage(func() { middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{MaxKeys: -1}) })
	assert.Contains(t, msg, "flexguard/middleware:")
	assert.Contains(t, msg, "MaxKeys")
}
