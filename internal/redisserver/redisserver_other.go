//go:build !linux

package redisserver

import (
	"errors"
	"testing"
)

// Server is only started on Linux, where CI runs: elsewhere Start skips
// the test before it uses these methods.
type Server struct{}

// Start skips t: the redis-server tests run on Linux only.
func Start(t testing.TB) *Server {
	t.Skip("the redis-server tests run on Linux only")
	return nil
}

// Restart does nothing off Linux.
func (*Server) Restart() {}

// Kill does nothing off Linux.
func (*Server) Kill() {}

// Pause does nothing off Linux.
func (*Server) Pause() {}

// Resume does nothing off Linux.
func (*Server) Resume() {}

// Addr is empty off Linux.
func (*Server) Addr() string { return "" }

// URL is empty off Linux.
func (*Server) URL() string { return "" }

// FreePort is not needed off Linux: Launch fails there.
func FreePort() (int, error) { return 0, errors.New("redisserver: Linux only") }

// Launch fails off Linux, where the server cannot be tied to its parent.
func Launch(string, int) (func(), error) { return nil, errors.New("redisserver: Linux only") }
