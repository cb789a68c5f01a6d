package clientaddr_test

import (
	"net/netip"
	"testing"

	"github.com/flexinference/flexguard/internal/clientaddr"
)

// BenchmarkClient is the per-request cost of finding the client, for a
// direct client and for one behind two trusted proxies.
func BenchmarkClient(b *testing.B) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}
	res, err := clientaddr.NewResolver(trusted)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name         string
		remoteAddr   string
		forwardedFor string
	}{
		{"direct IPv4", "203.0.113.7:4711", ""},
		{"direct IPv6", "[2001:db8:1:2::9]:4711", ""},
		{"behind two proxies", "10.0.0.2:4711", "198.51.100.1, 10.1.1.1"},
		{"IPv6 behind a proxy", "[2001:db8:ffff::1]:443", "2001:db8:1:2::9"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var r = request(bc.remoteAddr)
			if bc.forwardedFor != "" {
				r = request(bc.remoteAddr, bc.forwardedFor)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.remoteAddr) + len(bc.forwardedFor)))
			for b.Loop() {
				if !clientaddr.Bucket(res.Client(r)).IsValid() {
					b.Fatal("no client")
				}
			}
		})
	}
}
