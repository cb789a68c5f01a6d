package middleware_test

import (
	"context"
	"fmt"
	"time"

	"github.com/flexinference/flexguard/middleware"
)

// The auth-flood limiter's use of a Limiter: ask on every request whether
// the client is blocked, and count each failed authentication.
func ExampleMemoryLimiter() {
	ctx := context.Background()
	limiter := middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{})
	authFlood := middleware.LimitRule{Limit: 3, Window: time.Minute, Block: time.Minute}
	client := "auth:203.0.113.7/32"

	for attempt := 1; attempt <= 4; attempt++ {
		if blocked, _ := limiter.Blocked(ctx, client); blocked {
			fmt.Printf("attempt %d: 429, Retry-After: 60\n", attempt)
			continue
		}
		// The key was wrong: answer 401 and count the failure.
		_, _ = limiter.Allow(ctx, client, authFlood)
		fmt.Printf("attempt %d: 401\n", attempt)
	}
	// Output:
	// attempt 1: 401
	// attempt 2: 401
	// attempt 3: 401
	// attempt 4: 429, Retry-After: 60
}
