// Command load compares, on loopback, flexgate (the reference gateway,
// with its built-in echo upstream) with a bare net/http server doing the
// same echo work (read the body, SHA-256 it, answer JSON) without
// validation. Each server runs in its own process on 127.0.0.1 and is
// driven by the same number of keep-alive connections, for a bounded time
// and a bounded number of requests, with two mixes of 2 KB chat bodies:
// 80% valid and 20% invalid, then all valid (where the guarded server has
// no cheap rejections to gain from). The servers take turns in rounds, so
// that a burst of load from elsewhere falls on both. The command prints
// req/s, p50 and p99 of each server and mix, and their ratios.
//
//	go build -o /tmp/flexgate ../cmd/flexgate
//	go run ./load -flexgate /tmp/flexgate -duration 10s -requests 200000 -conns 32
//
// Without -flexgate, the guarded server is the middleware Chain in front
// of the same echo, served by this binary in a child process.
//
// With -keys (and -flexgate), it compares flexgate without keys, with
// -keys (in-process limiters) and with -keys -redis (a redis-server it
// starts on loopback, or -redis URL): 2,000 organisations with one key
// each, every request authenticated and counted under a limit it stays
// below. It prints req/s over -conns connections, the p50 over one
// connection (-latency-requests requests), and from those the req/s ratios
// and the p50 latency that keys add.
//
//	go run ./load -keys -flexgate /tmp/flexgate -duration 10s -requests 200000 -conns 32
package main
