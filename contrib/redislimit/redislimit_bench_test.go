package redislimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/flexinference/flexguard/contrib/redislimit"
	"github.com/flexinference/flexguard/middleware"
)

// BenchmarkLimiter is the cost of one call to a redis-server on loopback:
// the per-request check of the auth-flood limiter, and the per-request
// count of the per-organisation limiter.
func BenchmarkLimiter(b *testing.B) {
	srv := startRedis(b)
	l, err := redislimit.New(srv.client(), redislimit.Config{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const key = "org:org_a"
	b.Run("Blocked", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(key)))
		for b.Loop() {
			if _, err := l.Blocked(ctx, key); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Allow", func(b *testing.B) {
		// A window short enough that the benchmark never fills it.
		rule := middleware.LimitRule{Limit: 1 << 30, Window: time.Millisecond}
		b.ReportAllocs()
		b.SetBytes(int64(len(key)))
		for b.Loop() {
			if ok, err := l.Allow(ctx, key, rule); !ok || err != nil {
				b.Fatal("refused", err)
			}
		}
	})
}
