package middleware_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/flexinference/flexguard/middleware"
)

// keyDigests is a key store in memory: records by the SHA-256 of the key.
type keyDigests map[string]middleware.KeyRecord

func (k keyDigests) LookupKey(_ context.Context, digest string) (middleware.KeyRecord, bool, error) {
	rec, ok := k[digest]
	return rec, ok, nil
}

func ExampleGuard_KeysAndLimits() {
	const key = "flex_live_0123456789abcdef01234567618734"
	sum := sha256.Sum256([]byte(key))
	store := keyDigests{hex.EncodeToString(sum[:]): {
		Org:       "org_a",
		RateLimit: middleware.LimitRule{Limit: 2, Window: time.Minute},
	}}
	g, err := middleware.New(middleware.Options{KeyStore: store})
	if err != nil {
		log.Fatal(err)
	}
	h := g.KeysAndLimits(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		caller, _ := middleware.CallerFrom(r.Context())
		fmt.Fprintf(w, "hello %s, key id %s\n", caller.Org, caller.KeyID)
	}))

	for _, authorization := range []string{"", "Bearer " + key, "Bearer " + key, "Bearer " + key} {
		r := httptest.NewRequest(http.MethodPost, "/v1/responses", nil)
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if wait := rec.Header().Get("Retry-After"); wait != "" {
			fmt.Print("Retry-After: ", wait, " ")
		}
		fmt.Print(rec.Code, " ", rec.Body.String())
	}
	// Output:
	// 401 {"error":{"message":"The request carries no API key. Put your key in the Authorization header, prefixed with the word Bearer and a space.","type":"authentication_error","code":"missing_api_key","param":null}}
	// 200 hello org_a, key id 50da67b50da3
	// 200 hello org_a, key id 50da67b50da3
	// Retry-After: 5 429 {"error":{"message":"Too many requests. Wait the number of seconds given in the Retry-After header, then retry.","type":"rate_limit_error","code":"rate_limit_exceeded","param":null}}
}
