// Package redisserver runs a real redis-server for a test: on a free
// loopback port, without persistence, tied to the test's life and stopped
// by its PID. The Redis limiter's tests and flexgate's fleet tests share
// it. It needs only the standard library, so any module of the workspace
// can import it; tests build their own Redis client from [Server.Addr].
//
// Without the redis-server binary a test that asks for one is skipped, or
// fails when FLEXGUARD_REQUIRE_REDIS=1 (as in CI). It runs on Linux only,
// where the server can be told to die with the test process; elsewhere the
// test is skipped. Launch starts one for a program that is not a test
// (the load driver of bench/).
package redisserver
