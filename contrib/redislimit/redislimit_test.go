package redislimit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/contrib/redislimit"
	"github.com/flexinference/flexguard/internal/limitertest"
	"github.com/flexinference/flexguard/middleware"
)

// patient is for tests that are not about timeouts: a busy machine running
// the race detector can take longer than the default for a first call.
const patient = 5 * time.Second

func newLimiter(t *testing.T, client redis.UniversalClient, cfg redislimit.Config) *redislimit.Limiter {
	t.Helper()
	l, err := redislimit.New(client, cfg)
	require.NoError(t, err)
	return l
}

// Two clients of one server are two gateway instances sharing counts.
func TestLimiterMeetsTheLimiterSuite(t *testing.T) {
	t.Parallel()
	srv := startRedis(t)
	a, b := srv.client(), srv.client()
	run := 0
	limitertest.Run(t, func(t *testing.T) (middleware.Limiter, middleware.Limiter) {
		run++
		cfg := redislimit.Config{Prefix: fmt.Sprintf("suite%d:", run), Timeout: patient}
		return newLimiter(t, a, cfg), newLimiter(t, b, cfg)
	})
}

// An organisation limited to N per window that sends 3N at once through
// two instances gets exactly N, also past the size at which Redis changes
// a sorted set's encoding.
func TestExactlyNOfThreeNPassOverTwoInstances(t *testing.T) {
	t.Parallel()
	srv := startRedis(t)
	instances := []*redislimit.Limiter{
		newLimiter(t, srv.client(), redislimit.Config{Timeout: patient}),
		newLimiter(t, srv.client(), redislimit.Config{Timeout: patient}),
	}
	const limit = 600
	rule := middleware.LimitRule{Limit: limit, Window: time.Hour}
	var (
		wg      sync.WaitGroup
		passed  atomic.Int64
		errs    atomic.Int64
		workers = 12
	)
	for w := range workers {
		wg.Go(func() {
			for range 3 * limit / workers {
				ok, err := instances[w%2].Allow(context.Background(), "org:fleet", rule)
				if err != nil {
					errs.Add(1)
				}
				if ok {
					passed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	require.Zero(t, errs.Load())
	assert.Equal(t, int64(limit), passed.Load())
}

// Redis removes what a key no longer needs: the log lives a window after
// its last event, the block marker as long as the block, and events that
// have left the window stop counting.
func TestKeysExpireWithTheirWindowAndBlock(t *testing.T) {
	t.Parallel()
	srv := startRedis(t)
	client := srv.client()
	l := newLimiter(t, client, redislimit.Config{Prefix: "exp:", Timeout: patient})
	ctx := context.Background()

	_, err := l.Allow(ctx, "org:a", middleware.LimitRule{Limit: 5, Window: time.Minute})
	require.NoError(t, err)
	ttl, err := client.PTTL(ctx, "exp:{org:a}:log").Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, time.Duration(0))
	assert.LessOrEqual(t, ttl, time.Minute)

	failures := middleware.LimitRule{Limit: 2, Window: time.Hour, Block: 30 * time.Second}
	for range 2 {
		_, err := l.Allow(ctx, "auth:192.0.2.1/32", failures)
		require.NoError(t, err)
	}
	ttl, err = client.PTTL(ctx, "exp:{auth:192.0.2.1/32}:block").Result()
	require.NoError(t, err)
	assert.Greater(t, ttl, time.Duration(0))
	assert.LessOrEqual(t, ttl, 30*time.Second)
	assert.Zero(t, client.Exists(ctx, "exp:{auth:192.0.2.1/32}:log").Val(), "a block forgets the failures")

	// The same events, judged by a window shorter than their age, no
	// longer count.
	full := middleware.LimitRule{Limit: 2, Window: time.Hour}
	for range 2 {
		_, err := l.Allow(ctx, "org:b", full)
		require.NoError(t, err)
	}
	ok, err := l.Allow(ctx, "org:b", full)
	require.NoError(t, err)
	require.False(t, ok)
	short := middleware.LimitRule{Limit: 2, Window: 200 * time.Millisecond}
	require.Eventually(t, func() bool {
		ok, err := l.Allow(ctx, "org:b", short)
		return err == nil && ok
	}, 10*time.Second, 20*time.Millisecond, "events older than the window still count")

	// A short block ends by itself, and its key with it.
	brief := middleware.LimitRule{Limit: 1, Window: time.Hour, Block: 2 * time.Second}
	_, err = l.Allow(ctx, "auth:192.0.2.2/32", brief)
	require.NoError(t, err)
	blocked, err := l.Blocked(ctx, "auth:192.0.2.2/32")
	require.NoError(t, err)
	require.True(t, blocked)
	require.Eventually(t, func() bool {
		blocked, err := l.Blocked(ctx, "auth:192.0.2.2/32")
		return err == nil && !blocked
	}, 10*time.Second, 50*time.Millisecond, "the block did not end")
	assert.Zero(t, client.Exists(ctx, "exp:{auth:192.0.2.2/32}:block").Val())
}

// Key names start with the prefix and stay short, whatever the caller's
// key; long keys that differ are still counted apart.
func TestKeyNamesAreNamespacedAndBounded(t *testing.T) {
	t.Parallel()
	srv := startRedis(t)
	const prefix = "names:"
	l := newLimiter(t, srv.client(), redislimit.Config{Prefix: prefix, Timeout: patient})
	ctx := context.Background()
	long := strings.Repeat("x", 5000)
	rule := middleware.LimitRule{Limit: 1, Window: time.Hour}
	for _, key := range []string{"org:a", "a}b{c", long, long[:4999] + "y", strings.Repeat("é", 60)} {
		ok, err := l.Allow(ctx, key, rule)
		require.NoError(t, err)
		assert.True(t, ok, "key of %d bytes shares its count with another", len(key))
	}
	names := srv.keys(ctx)
	require.Len(t, names, 5)
	for _, name := range names {
		assert.True(t, strings.HasPrefix(name, prefix+"{"), name)
		assert.LessOrEqual(t, len(name), len(prefix)+len("{}:block")+100, "%.80s…", name)
	}
}

// A Redis that stops answering costs one timeout; then calls fail at once
// until the cooldown ends, however long Redis stays stalled.
func TestAStalledRedisCostsOneTimeoutThenFailsFast(t *testing.T) {
	t.Parallel()
	srv := startRedis(t)
	client := srv.client()
	ctx := context.Background()
	// Connect first, with time to spare, so that only the stall is timed.
	warm, cancel := context.WithTimeout(ctx, patient)
	defer cancel()
	require.NoError(t, client.Ping(warm).Err())
	l := newLimiter(t, client, redislimit.Config{Timeout: 100 * time.Millisecond, Cooldown: time.Hour})

	srv.Pause()
	start := time.Now()
	_, err := l.Allow(ctx, "org:a", middleware.LimitRule{Limit: 5, Window: time.Minute})
	elapsed := time.Since(start)
	require.Error(t, err)
	t.Logf("a stalled Redis: %v after %v", err, elapsed)
	assert.NotErrorIs(t, err, redislimit.ErrUnavailable, "the first call tries Redis")
	assert.Contains(t, err.Error(), "flexguard/redislimit:")
	assert.Less(t, elapsed, 5*time.Second, "a stalled Redis held the call")

	_, err = l.Blocked(ctx, "auth:192.0.2.1/32")
	require.ErrorIs(t, err, redislimit.ErrUnavailable)
	srv.Resume()
	_, err = l.Allow(ctx, "org:a", middleware.LimitRule{Limit: 5, Window: time.Minute})
	require.ErrorIs(t, err, redislimit.ErrUnavailable, "within the cooldown Redis is not asked")
}

// A caller that gives up (its client went away) says nothing about
// Redis: the breaker stays closed.
func TestACallerGivingUpDoesNotOpenTheBreaker(t *testing.T) {
	t.Parallel()
	srv := startRedis(t)
	l := newLimiter(t, srv.client(), redislimit.Config{Timeout: time.Minute, Cooldown: time.Hour})
	srv.Pause()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := l.Blocked(ctx, "auth:192.0.2.1/32")
	require.Error(t, err)
	srv.Resume()
	blocked, err := l.Blocked(context.Background(), "auth:192.0.2.1/32")
	require.NoError(t, err, "the caller's own deadline opened the breaker")
	assert.False(t, blocked)
}

// An error that Redis answers (here a key of the wrong type, left by
// another program) is returned, but Redis is up: the breaker stays closed.
func TestAnErrorRedisAnswersDoesNotOpenTheBreaker(t *testing.T) {
	t.Parallel()
	srv := startRedis(t)
	client := srv.client()
	ctx := context.Background()
	l := newLimiter(t, client, redislimit.Config{Prefix: "typed:", Timeout: patient, Cooldown: time.Hour})
	require.NoError(t, client.Set(ctx, "typed:{org:a}:log", "not a sorted set", 0).Err())
	rule := middleware.LimitRule{Limit: 5, Window: time.Minute}
	_, err := l.Allow(ctx, "org:a", rule)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WRONGTYPE")
	ok, err := l.Allow(ctx, "org:b", rule)
	require.NoError(t, err, "an answered error opened the breaker")
	assert.True(t, ok)
}

// redis-server killed while requests flow: every call still returns
// promptly with an error, and when a server is back on the same port the
// counting resumes, exactly, from empty counts.
func TestRedisKilledMidRunFailsPromptlyAndRecovers(t *testing.T) {
	t.Parallel()
	srv := startRedis(t)
	l := newLimiter(t, srv.client(), redislimit.Config{Timeout: 200 * time.Millisecond, Cooldown: 20 * time.Millisecond})
	busy := middleware.LimitRule{Limit: 1 << 30, Window: time.Hour}

	var (
		answered, failed atomic.Int64
		slowest          atomic.Int64
		stop             = make(chan struct{})
		wg               sync.WaitGroup
		badErr           atomic.Value
	)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				_, err := l.Allow(context.Background(), "org:busy", busy)
				if d := int64(time.Since(start)); d > slowest.Load() {
					slowest.Store(d)
				}
				if err == nil {
					answered.Add(1)
					continue
				}
				failed.Add(1)
				if !strings.HasPrefix(err.Error(), "flexguard/redislimit:") {
					badErr.Store(err)
				}
			}
		})
	}
	require.Eventually(t, func() bool { return answered.Load() > 100 }, 10*time.Second, 5*time.Millisecond)
	srv.Kill()
	before := failed.Load()
	require.Eventually(t, func() bool { return failed.Load() > before+100 }, 10*time.Second, 5*time.Millisecond,
		"calls stopped returning while Redis was down")
	srv.Restart()
	back := answered.Load()
	require.Eventually(t, func() bool { return answered.Load() > back+100 }, 10*time.Second, 5*time.Millisecond,
		"counting did not resume after Redis came back")
	close(stop)
	wg.Wait()
	assert.Nil(t, badErr.Load(), "an error without the package prefix")
	assert.Less(t, time.Duration(slowest.Load()), 5*time.Second, "a call was held while Redis was down")

	// The new server starts empty, and counts exactly again.
	rule := middleware.LimitRule{Limit: 5, Window: time.Hour}
	passed := 0
	for range 15 {
		ok, err := l.Allow(context.Background(), "org:after", rule)
		require.NoError(t, err)
		if ok {
			passed++
		}
	}
	assert.Equal(t, 5, passed)
}

func TestNewRefusesWhatWouldMisbehave(t *testing.T) {
	t.Parallel()
	honest := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	deaf := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = honest.Close(); _ = deaf.Close() })
	tests := []struct {
		name    string
		client  redis.UniversalClient
		cfg     redislimit.Config
		wantErr string
	}{
		{"a nil client", nil, redislimit.Config{}, "nil client"},
		{"a client that ignores context deadlines", deaf, redislimit.Config{}, "ContextTimeoutEnabled"},
		{"a prefix with a brace", honest, redislimit.Config{Prefix: "a{b"}, "Prefix"},
		{"a prefix too long", honest, redislimit.Config{Prefix: strings.Repeat("p", 65)}, "Prefix"},
		{"a negative timeout", honest, redislimit.Config{Timeout: -time.Second}, "Timeout"},
		{"a negative cooldown", honest, redislimit.Config{Cooldown: -time.Second}, "Cooldown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := redislimit.New(tt.client, tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "flexguard/redislimit:")
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
	_, err := redislimit.New(honest, redislimit.Config{})
	assert.NoError(t, err)
}

func TestParseURLSetsWhatALimiterNeeds(t *testing.T) {
	t.Parallel()
	opts, err := redislimit.ParseURL("redis://:secret@127.0.0.1:6380/2")
	require.NoError(t, err)
	assert.True(t, opts.ContextTimeoutEnabled)
	assert.Equal(t, -1, opts.MaxRetries)
	assert.Equal(t, 1, opts.DialerRetries)
	assert.Equal(t, "127.0.0.1:6380", opts.Addr)
	assert.Equal(t, 2, opts.DB)
	_, err = redislimit.ParseURL("http://127.0.0.1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "flexguard/redislimit:")
}

// An invalid rule is refused before Redis is asked, so it neither costs a
// round trip nor opens the breaker.
func TestAnInvalidRuleIsRefusedWithoutAskingRedis(t *testing.T) {
	t.Parallel()
	opts, err := redislimit.ParseURL("redis://127.0.0.1:1")
	require.NoError(t, err)
	unreachable := redis.NewClient(opts)
	t.Cleanup(func() { _ = unreachable.Close() })
	l := newLimiter(t, unreachable, redislimit.Config{Cooldown: time.Hour})
	_, err = l.Allow(context.Background(), "org:a", middleware.LimitRule{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "flexguard/middleware: LimitRule")
	_, err = l.Blocked(context.Background(), "org:a")
	require.Error(t, err)
	assert.False(t, errors.Is(err, redislimit.ErrUnavailable), "the invalid rule opened the breaker")
}
