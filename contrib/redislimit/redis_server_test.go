package redislimit_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/flexinference/flexguard/contrib/redislimit"
	"github.com/flexinference/flexguard/internal/redisserver"
)

// redisServer is a redis-server of the test's own (see package
// redisserver) with the go-redis clients the tests use on it.
type redisServer struct {
	*redisserver.Server
	t testing.TB
}

func startRedis(t testing.TB) redisServer {
	t.Helper()
	return redisServer{redisserver.Start(t), t}
}

// client is a go-redis client for the server as a gateway would build
// it, closed when the test ends.
func (s redisServer) client() *redis.Client {
	s.t.Helper()
	opts, err := redislimit.ParseURL(s.URL())
	if err != nil {
		s.t.Fatal(err)
	}
	c := redis.NewClient(opts)
	s.t.Cleanup(func() { _ = c.Close() })
	return c
}

// keys lists the key names the server holds.
func (s redisServer) keys(ctx context.Context) []string {
	s.t.Helper()
	c := redis.NewClient(&redis.Options{Addr: s.Addr()})
	defer c.Close()
	keys, err := c.Keys(ctx, "*").Result()
	if err != nil {
		s.t.Fatal(err)
	}
	return keys
}
