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

// FuzzPiecesMatchHandler checks, on any body sent to any endpoint, that
// any stack of a Guard's pieces that ends with TokenCap, the last body
// rule, answers exactly like Handler, and that a body which passes reaches
// the handler byte for byte. The bits of mask pick the pieces in front of
// TokenCap.
func FuzzPiecesMatchHandler(f *testing.F) {
	if cases, err := conformance.Load(conformance.Dir()); err == nil {
		for i, c := range cases {
			if ep, ok := validate.EndpointOf(c.Path()); ok && !c.UsesTransport() && len(c.Body) < 4096 {
				f.Add(uint8(ep), uint16(i), c.Body)
			}
		}
	}
	f.Add(uint8(validate.Messages), uint16(0), []byte(`{"model":"claude-x","start_within":"auto","max_tokens":1}`))
	opts := middleware.Options{Policy: validate.Policy{MaxBodyBytes: 1 << 16}}
	g := newGuard(f, opts)
	var got []byte
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
	})
	whole := g.Handler(handler)
	pieces := piecesOf(g, opts)
	front, last := pieces[:len(pieces)-1], pieces[len(pieces)-1]
	require.Equal(f, "TokenCap", last.name)
	endpoints := validate.Endpoints()
	f.Fuzz(func(t *testing.T, epIndex uint8, mask uint16, body []byte) {
		path := endpoints[int(epIndex)%len(endpoints)].String()
		var chosen []piece
		for i, p := range front {
			if mask&(1<<i) != 0 {
				chosen = append(chosen, p)
			}
		}
		stacked := stack(handler, append(chosen, last)...)

		got = nil
		want := serve(whole, post(path, string(body)))
		viaHandler := got
		got = nil
		have := serve(stacked, post(path, string(body)))
		require.Equal(t, want.Code, have.Code)
		assert.Equal(t, want.Body.String(), have.Body.String())
		if want.Code == http.StatusOK {
			assert.True(t, bytes.Equal(body, viaHandler), "Handler hands on the exact bytes")
			assert.True(t, bytes.Equal(body, got), "the stack hands on the exact bytes")
		}
	})
}
