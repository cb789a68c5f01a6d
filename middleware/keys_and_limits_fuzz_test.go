package middleware_test

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/flexinference/flexguard/middleware"
)

// FuzzKeysAndLimits sends any Authorization and x-api-key values from any
// peer and forwarding chain: the answer is a pass, 401 or 429, never
// anything else; a pass carries one of the stored keys and tells the
// handler its key id; and no answer repeats a key the client sent.
func FuzzKeysAndLimits(f *testing.F) {
	f.Add("Bearer "+keyA, "", "192.0.2.1:4711", "")
	f.Add("bearer   "+keyA2, "", "[2001:db8::1]:443", "")
	f.Add("", keyA, "10.0.0.1:80", "203.0.113.9, 10.0.0.2")
	f.Add("Basic "+keyA, keyRevoked, "@", "")
	f.Add("Bearer flex_live_0123456789abcdef01234567618735", keyUnknown, "10.0.0.1:80", "unknown")
	g := newGuard(f, middleware.Options{
		KeyStore:       testKeys(),
		AcceptXAPIKey:  true,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")},
	})
	ids := map[string]string{digestOf(keyA)[:12]: keyA, digestOf(keyA2)[:12]: keyA2}
	var caller middleware.Caller
	h := g.KeysAndLimits(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		caller, _ = middleware.CallerFrom(r.Context())
	}))
	f.Fuzz(func(t *testing.T, authorization, xAPIKey, peer, forwarded string) {
		r := post("/v1/responses", validBody)
		r.RemoteAddr = peer
		for name, v := range map[string]string{"Authorization": authorization, "X-Api-Key": xAPIKey, "X-Forwarded-For": forwarded} {
			if v != "" {
				r.Header.Set(name, v)
			}
		}
		caller = middleware.Caller{}
		rec := serve(h, r)
		switch rec.Code {
		case http.StatusOK:
			key, ok := ids[caller.KeyID]
			if !ok || caller.Org != "org_a" {
				t.Fatalf("passed with caller %+v", caller)
			}
			if !strings.Contains(authorization, key) && !strings.Contains(xAPIKey, key) {
				t.Fatalf("passed as %s, a key the request does not hold", caller.KeyID)
			}
		case http.StatusUnauthorized, http.StatusTooManyRequests:
		default:
			t.Fatalf("answered %d: %s", rec.Code, rec.Body.String())
		}
		if strings.Contains(rec.Body.String(), "flex_live_") {
			t.Fatalf("the answer repeats a key: %s", rec.Body.String())
		}
	})
}
