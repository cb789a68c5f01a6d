package middleware_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/flexinference/flexguard/internal/testbodies"
	"github.com/flexinference/flexguard/middleware"
)

// drainBody is the handler behind the chain: it reads the whole body, as a
// proxy forwarding it would.
var drainBody = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		panic(err)
	}
})

// BenchmarkBodyChain is Guard.Handler in process on each benchmark body:
// routing, the body read from a reader (sized from ContentLength), the JSON
// checks and every rule, then a handler that drains the buffered body.
func BenchmarkBodyChain(b *testing.B) {
	h := newGuard(b, middleware.Options{}).Handler(drainBody)
	testbodies.Each(b, func(b *testing.B, body testbodies.Body) { testbodies.Serve(b, h, body, nil) })
}

// BenchmarkFloorValidBytes is gjson.ValidBytes alone: the cheapest full
// JSON check, the floor the chain is held to.
func BenchmarkFloorValidBytes(b *testing.B) {
	testbodies.Each(b, func(b *testing.B, body testbodies.Body) {
		for b.Loop() {
			if !gjson.ValidBytes(body.Bytes) {
				b.Fatal("invalid")
			}
		}
	})
}

// BenchmarkFloorReadAll is io.ReadAll of the body: what buffering costs
// with no validation at all.
func BenchmarkFloorReadAll(b *testing.B) {
	testbodies.Each(b, func(b *testing.B, body testbodies.Body) {
		src := &testbodies.ReplayBody{}
		for b.Loop() {
			src.Reset(body.Bytes)
			if _, err := io.ReadAll(src); err != nil {
				b.Fatal(err)
			}
		}
	})
}
