package middleware_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/conformance"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// FuzzComposedMatchesChain checks, on any body sent to any endpoint, that
// the separate middlewares composed answer exactly like Chain, and that a
// body which passes reaches the handler byte for byte.
func FuzzComposedMatchesChain(f *testing.F) {
	if cases, err := conformance.Load(conformance.Dir()); err == nil {
		for _, c := range cases {
			if ep, ok := validate.EndpointOf(c.Path()); ok && !c.UsesTransport() && len(c.Body) < 4096 {
				f.Add(uint8(ep), c.Body)
			}
		}
	}
	f.Add(uint8(validate.Messages), []byte(`{"model":"claude-x","start_within":"auto","max_tokens":1}`))
	opts := middleware.Options{Policy: validate.Policy{MaxBodyBytes: 1 << 16}}
	var got []byte
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
	})
	chain := middleware.Chain(opts)(handler)
	stack := composed(opts)(handler)
	endpoints := validate.Endpoints()
	f.Fuzz(func(t *testing.T, epIndex uint8, body []byte) {
		path := endpoints[int(epIndex)%len(endpoints)].Path()
		got = nil
		want := serve(chain, post(path, string(body)))
		viaChain := got
		got = nil
		have := serve(stack, post(path, string(body)))
		require.Equal(t, want.Code, have.Code)
		assert.Equal(t, want.Body.String(), have.Body.String())
		if want.Code == http.StatusOK {
			assert.True(t, bytes.Equal(body, viaChain), "Chain hands on the exact bytes")
			assert.True(t, bytes.Equal(body, got), "the composed stack hands on the exact bytes")
		}
	})
}
