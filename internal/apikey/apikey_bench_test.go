package apikey_test

import (
	"testing"

	"github.com/flexinference/flexguard/internal/apikey"
)

// BenchmarkParseAuthorization is the per-request cost of finding and
// checking a key, before any lookup.
func BenchmarkParseAuthorization(b *testing.B) {
	values := []string{"Bearer " + specKeys[2]}
	b.ReportAllocs()
	b.SetBytes(int64(len(values[0])))
	for b.Loop() {
		if _, err := apikey.ParseAuthorization(values); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDigest is the per-request cost of the lookup digest.
func BenchmarkDigest(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(apikey.Length))
	for b.Loop() {
		_ = apikey.Digest(specKeys[2])
	}
}
