package redislimit_test

import (
	"context"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/flexinference/flexguard/contrib/redislimit"
	"github.com/flexinference/flexguard/middleware"
)

// Two gateway instances built like this share one count per organisation.
// (Compiled, not run: it needs a Redis at the address.)
func Example() {
	opts, err := redislimit.ParseURL("redis://127.0.0.1:6379/0")
	if err != nil {
		log.Fatal(err)
	}
	client := redis.NewClient(opts)
	defer client.Close()
	limiter, err := redislimit.New(client, redislimit.Config{})
	if err != nil {
		log.Fatal(err)
	}

	perOrg := middleware.LimitRule{Limit: 600, Window: time.Minute}
	allowed, err := limiter.Allow(context.Background(), "org:org_a", perOrg)
	switch {
	case err != nil:
		log.Printf("rate limiter unavailable, letting the request through: %v", err)
	case !allowed:
		log.Print("answer 429 rate_limit_exceeded with Retry-After: 5")
	}
}
