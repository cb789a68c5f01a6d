package middleware_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/flexinference/flexguard/middleware"
)

// benchChatBody is a realistic chat completions request of about 2 KB: a
// system prompt, a short conversation, a tool and the usual sampling
// fields.
var benchChatBody = func() []byte {
	var b strings.Builder
	b.WriteString(`{"model":"gpt-5.5","start_within":"00h-00m-30s","temperature":0.2,"top_p":0.95,"max_completion_tokens":1024,"n":1,"stream":true,`)
	b.WriteString(`"messages":[{"role":"system","content":"You are a careful assistant for an online hardware store. Answer briefly, cite the product page when you name a product, and never invent stock levels or prices."},`)
	for i := range 3 {
		b.WriteString(`{"role":"user","content":"I need a cordless drill for occasional home use: shelves, a few holes in brick, assembling furniture. What should I look for, and is a brushless motor worth the extra money? Question `)
		b.WriteString(strings.Repeat("x", i+1))
		b.WriteString(`"},{"role":"assistant","content":"For occasional use an 18 V drill with two batteries covers shelves and furniture; for brick you want a hammer function. Brushless motors last longer and run cooler, which matters less at low use."},`)
	}
	b.WriteString(`{"role":"user","content":"Which one do you have in stock?"}],`)
	b.WriteString(`"tools":[{"type":"function","function":{"name":"lookup_stock","description":"Look up the stock of a product by its SKU.","parameters":{"type":"object","properties":{"sku":{"type":"string"}},"required":["sku"]}}}],`)
	b.WriteString(`"tool_choice":"auto","user":"customer-4711"}`)
	return []byte(b.String())
}()

// discardWriter is a ResponseWriter that keeps nothing.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

// drain is the handler: it reads the body, as a proxy would.
var drain = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
})

// benchServe runs h on the same prepared request b.N times; only the
// body's reader is reset between iterations.
func benchServe(b *testing.B, h http.Handler) {
	body := bytes.NewReader(benchChatBody)
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil)
	r.Body = io.NopCloser(body)
	r.ContentLength = int64(len(benchChatBody))
	w := &discardWriter{h: http.Header{}}
	// Check once that the body passes: a benchmark of a rejection would
	// measure the wrong path.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		b.Fatalf("the benchmark body is rejected: %d %s", rec.Code, rec.Body)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(benchChatBody)))
	for b.Loop() {
		body.Reset(benchChatBody)
		h.ServeHTTP(w, r)
	}
}

// BenchmarkChain is Guard.Handler, the whole order of checks.
func BenchmarkChain(b *testing.B) {
	benchServe(b, newGuard(b, middleware.Options{}).Handler(drain))
}

// BenchmarkComposed is the same checks as a stack of pieces, to measure
// what each extra layer costs. BodyLimit is left out, as an embedder would:
// JSONBody enforces the limit itself.
func BenchmarkComposed(b *testing.B) {
	g := newGuard(b, middleware.Options{})
	benchServe(b, g.Route(g.JSONBody(g.Model(g.Parameters(g.StartWithin(g.Provider(g.TokenCap(drain))))))))
}

// BenchmarkGjsonValidBytes is the floor: one validating pass over the
// same body, with no request around it.
func BenchmarkGjsonValidBytes(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchChatBody)))
	for b.Loop() {
		if !gjson.ValidBytes(benchChatBody) {
			b.Fatal("invalid")
		}
	}
}
