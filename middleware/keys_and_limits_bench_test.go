package middleware_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/testbodies"
	"github.com/flexinference/flexguard/middleware"
)

// BenchmarkKeysAndLimits is BenchmarkBodyChain's chat_2k body with keys
// off and on, in one run so that the two compare: with keys on, every
// request carries a key the store knows, its client is looked up in the
// auth-flood limiter, and its organisation is counted under a limit it
// never reaches, both limiters in process (the defaults). The stage/
// pair is the same without the body: Route alone against KeysAndLimits
// alone, so the difference is the keys' own cost with less of the
// body's noise around it.
func BenchmarkKeysAndLimits(b *testing.B) {
	bodies, err := testbodies.Load()
	require.NoError(b, err)
	body := bodies[0]
	require.Equal(b, "chat_2k", body.Name)
	for _, keys := range []bool{false, true} {
		name := "chat_2k/keys_off"
		opts := middleware.Options{}
		if keys {
			name = "chat_2k/keys_on"
			// A window short enough that the organisation's count stays
			// far below its limit however fast the loop runs.
			opts.KeyStore = testKeys()
			opts.DefaultOrgLimit = middleware.LimitRule{Limit: 1 << 20, Window: 10 * time.Millisecond}
		}
		h := newGuard(b, opts).Handler(drainBody)
		b.Run(name, func(b *testing.B) {
			testbodies.Serve(b, h, body, http.Header{"Authorization": {"Bearer " + keyA}})
		})
	}
	g := newGuard(b, middleware.Options{
		KeyStore:        testKeys(),
		DefaultOrgLimit: middleware.LimitRule{Limit: 1 << 20, Window: 10 * time.Millisecond},
	})
	nothing := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, stage := range []struct {
		name string
		h    http.Handler
	}{
		{"stage/route", g.Route(nothing)},
		{"stage/keys_and_limits", g.KeysAndLimits(nothing)},
	} {
		b.Run(stage.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodPost, "/v1/responses", http.NoBody)
			req.Header.Set("Authorization", "Bearer "+keyA)
			w := testbodies.NewStatusWriter()
			b.ReportAllocs()
			for b.Loop() {
				stage.h.ServeHTTP(w, req)
				if w.Status != 0 {
					b.Fatalf("%s answered %d", stage.name, w.Status)
				}
			}
		})
	}
}
