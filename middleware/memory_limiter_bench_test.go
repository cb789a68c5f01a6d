package middleware_test

import (
	"bufio"
	"context"
	"net/netip"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flexinference/flexguard/internal/clientaddr"
	"github.com/flexinference/flexguard/middleware"
)

var (
	authFloodRule = middleware.LimitRule{Limit: 20, Window: time.Minute, Block: time.Minute}
	// A window short enough that the benchmark's pace never fills it: every
	// call counts, and a key holds only the last millisecond's events.
	countingRule = middleware.LimitRule{Limit: 1 << 30, Window: time.Millisecond}
)

// clientKeys are n distinct auth-flood keys, as the middleware will make
// them: one IPv4 client each.
func clientKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		addr := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		keys[i] = "auth:" + clientaddr.Bucket(addr).String()
	}
	return keys
}

// BenchmarkMemoryLimiterBlocked is the check every request pays when the
// auth-flood limiter is on: is this client blocked? Most clients never
// failed; those that did are held until their window passes.
func BenchmarkMemoryLimiterBlocked(b *testing.B) {
	keys := clientKeys(1024)
	for _, bc := range []struct {
		name   string
		failed bool
	}{
		{"a client that never failed", false},
		{"a client that failed before", true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			l := middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{})
			if bc.failed {
				for _, key := range keys {
					if _, err := l.Allow(context.Background(), key, authFloodRule); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(keys[0])))
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if _, err := l.Blocked(context.Background(), keys[i%len(keys)]); err != nil {
						b.Error(err)
						return
					}
					i++
				}
			})
		})
	}
}

// BenchmarkMemoryLimiterAllow is the per-organisation count every
// authenticated request pays, over a few busy organisations, and the cost
// of recording a failed authentication of a client seen before.
func BenchmarkMemoryLimiterAllow(b *testing.B) {
	for _, bc := range []struct {
		name string
		keys []string
		rule middleware.LimitRule
	}{
		{"per organisation", []string{"org:a", "org:b", "org:c", "org:d"}, countingRule},
		{"failed authentication", clientKeys(1024), countingRule},
	} {
		b.Run(bc.name, func(b *testing.B) {
			l := middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{})
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.keys[0])))
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					if ok, err := l.Allow(context.Background(), bc.keys[i%len(bc.keys)], bc.rule); !ok || err != nil {
						b.Error("refused", err)
						return
					}
					i++
				}
			})
		})
	}
}

// TestMemoryLimiterMillionClients measures what SPEC asks of the
// in-process limiter: 1,000,000 distinct clients failing once each. It
// prints ns per failure and the memory held, with the default MaxKeys
// and with a smaller one, and checks only that the cap holds. Run it with
// FLEXGUARD_MEASURE=1 go test -run MillionClients -v ./middleware.
func TestMemoryLimiterMillionClients(t *testing.T) {
	if os.Getenv("FLEXGUARD_MEASURE") != "1" {
		t.Skip("set FLEXGUARD_MEASURE=1 to measure")
	}
	const clients = 1_000_000
	keys := clientKeys(clients)
	for _, maxKeys := range []int{0, clients} {
		heapBefore, rssBefore := memoryInUse(t)
		l := middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{MaxKeys: maxKeys})
		allowWall, allowCPU := perOp(t, clients, func() {
			for _, key := range keys {
				if _, err := l.Allow(context.Background(), key, authFloodRule); err != nil {
					t.Fatal(err)
				}
			}
		})
		blockedWall, blockedCPU := perOp(t, clients, func() {
			for _, key := range keys {
				if _, err := l.Blocked(context.Background(), key); err != nil {
					t.Fatal(err)
				}
			}
		})
		heapAfter, rssAfter := memoryInUse(t)
		held := l.Len()
		t.Logf("MaxKeys %d: %d keys held; Allow (a new client) %d ns/op (CPU %d), Blocked %d ns/op (CPU %d); heap in use %+.1f MiB (%d B/key), resident %+.1f MiB",
			maxKeys, held, allowWall, allowCPU, blockedWall, blockedCPU,
			float64(heapAfter-heapBefore)/(1<<20), (heapAfter-heapBefore)/int64(held), float64(rssAfter-rssBefore)/(1<<20))
		if limit := max(maxKeys, middleware.DefaultMemoryLimiterKeys); held > limit {
			t.Fatalf("%d keys held, the cap is %d", held, limit)
		}
		runtime.KeepAlive(l)
	}
}

// perOp runs f, which makes n operations, and returns the wall time and
// the process's CPU time (garbage collection included) per operation: on
// a shared machine the CPU time is the steadier figure.
func perOp(t *testing.T, n int64, f func()) (wall, cpu int64) {
	t.Helper()
	cpuBefore := processCPU(t)
	start := time.Now()
	f()
	return time.Since(start).Nanoseconds() / n, (processCPU(t) - cpuBefore) / n
}

func processCPU(t testing.TB) int64 {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// memoryInUse is the heap in use after a collection, and the resident
// set size from /proc/self/status (0 where there is none).
func memoryInUse(t *testing.T) (heap, rss int64) {
	t.Helper()
	debug.FreeOSMemory() // a collection, and freed pages go back: resident sizes compare
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return int64(ms.HeapInuse), 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			rss = kb << 10
		}
	}
	return int64(ms.HeapInuse), rss
}
