package streamtest

import (
	"runtime"
	"testing"
	"time"
)

// WaitForGoroutines waits, within a generous bound, for the process to be
// back to at most baseline goroutines, and fails t with every goroutine's
// stack when it is not. A test that counts goroutines must not run in
// parallel with others.
func WaitForGoroutines(t testing.TB, baseline int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), baseline, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
