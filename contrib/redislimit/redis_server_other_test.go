//go:build !linux

package redislimit_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
)

// redisServer is only started on Linux, where CI runs: elsewhere every
// test that needs one is skipped before it uses these methods.
type redisServer struct{}

func startRedis(t testing.TB) *redisServer {
	t.Skip("the redis-server tests run on Linux only")
	return nil
}

func (*redisServer) restart()                      {}
func (*redisServer) kill()                         {}
func (*redisServer) pause()                        {}
func (*redisServer) resume()                       {}
func (*redisServer) addr() string                  { return "" }
func (*redisServer) client() *redis.Client         { return nil }
func (*redisServer) keys(context.Context) []string { return nil }
