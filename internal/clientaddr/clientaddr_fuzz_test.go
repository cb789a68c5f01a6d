package clientaddr_test

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/flexinference/flexguard/internal/clientaddr"
)

var fuzzTrusted = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("2001:db8:ffff::/48"),
}

// FuzzClient walks fuzzed peers and X-Forwarded-For lines, and compares
// the answer with a second, plainer reading of the rules: split every
// line, parse each entry with net.SplitHostPort, walk from the right.
func FuzzClient(f *testing.F) {
	for _, seed := range [][3]string{
		{"10.0.0.2:4711", "198.51.100.1, 10.0.0.3", ""},
		{"10.0.0.2:4711", "192.0.2.66", "198.51.100.1:80"},
		{"[2001:db8:ffff::1]:443", "[2001:db8:1::9]:443, fe80::1%eth0", ""},
		{"10.0.0.2:4711", "unknown, 10.0.0.3", " , ,"},
		{"[::ffff:10.0.0.2]:1", "::ffff:198.51.100.1", "[198.51.100.1]"},
		{"203.0.113.7:1", "10.0.0.1", ""},
		{"@", "198.51.100.1", ""},
		{"10.0.0.2", "10.0.0.5,10.0.0.6", "192.0.2.1:0"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	res, err := clientaddr.NewResolver(fuzzTrusted)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, remoteAddr, line1, line2 string) {
		lines := []string{line1}
		if line2 != "" {
			lines = append(lines, line2)
		}
		got := res.Client(request(remoteAddr, lines...))
		want := referenceClient(remoteAddr, lines)
		if got != want {
			t.Fatalf("Client(%q, %q) = %v, want %v", remoteAddr, lines, got, want)
		}
		if got.Zone() != "" || got.Is4In6() {
			t.Fatalf("Client(%q, %q) = %v: not normalised", remoteAddr, lines, got)
		}
		client, forwardedFor := res.ForwardedFor(request(remoteAddr, lines...))
		if client != got {
			t.Fatalf("ForwardedFor(%q, %q) names %v, Client %v", remoteAddr, lines, client, got)
		}
		if err := checkChain(client, referenceHopOrZero(remoteAddr), forwardedFor); err != "" {
			t.Fatalf("ForwardedFor(%q, %q) = %q: %s", remoteAddr, lines, forwardedFor, err)
		}
		var untrusting clientaddr.Resolver
		if peer := untrusting.Client(request(remoteAddr, lines...)); peer != referenceHopOrZero(remoteAddr) {
			t.Fatalf("without trusted proxies Client(%q) = %v, want the peer", remoteAddr, peer)
		}
	})
}

// checkChain returns what is wrong with an X-Forwarded-For value that
// ForwardedFor made, or "": the client first, the peer last, every hop
// after the client trusted.
func checkChain(client, peer netip.Addr, forwardedFor string) string {
	if !client.IsValid() {
		if forwardedFor != "" {
			return "a value without a client"
		}
		return ""
	}
	entries := strings.Split(forwardedFor, ", ")
	if entries[0] != client.String() {
		return "it does not start with the client"
	}
	if entries[len(entries)-1] != peer.String() {
		return "it does not end with the peer"
	}
	for _, e := range entries[1:] {
		if a, err := netip.ParseAddr(e); err != nil || !referenceTrusts(a) {
			return "an untrusted hop after the client: " + e
		}
	}
	return ""
}

func referenceClient(remoteAddr string, lines []string) netip.Addr {
	peer := referenceHopOrZero(remoteAddr)
	if !peer.IsValid() || !referenceTrusts(peer) {
		return peer
	}
	var entries []string
	for _, line := range lines {
		entries = append(entries, strings.Split(line, ",")...)
	}
	client := peer
	for i := len(entries) - 1; i >= 0; i-- {
		entry := strings.Trim(entries[i], " \t")
		if entry == "" {
			continue
		}
		hop := referenceHopOrZero(entry)
		if !hop.IsValid() {
			break
		}
		if !referenceTrusts(hop) {
			return hop
		}
		client = hop
	}
	return client
}

func referenceTrusts(a netip.Addr) bool {
	for _, p := range fuzzTrusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func referenceHopOrZero(s string) netip.Addr {
	host, bracketed := s, strings.HasPrefix(s, "[")
	if h, port, err := net.SplitHostPort(s); err == nil {
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return netip.Addr{}
		}
		host = h
	} else if bracketed && strings.HasSuffix(s, "]") {
		host = s[1 : len(s)-1]
	}
	a, err := netip.ParseAddr(host)
	if err != nil || (bracketed && !a.Is6()) {
		return netip.Addr{}
	}
	return a.WithZone("").Unmap()
}

// FuzzParseTrusted: a list that parses gives masked ranges that are never
// IPv4-mapped, and a Resolver accepts them.
func FuzzParseTrusted(f *testing.F) {
	for _, seed := range []string{"", "10.0.0.0/8", "10.1.2.3/8, 2001:db8::1", "::ffff:10.0.0.0/104", "fe80::1%eth0", ",", "::ffff:0:0/90"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, list string) {
		prefixes, err := clientaddr.ParseTrusted(list)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "flexguard/clientaddr: ") {
				t.Fatalf("ParseTrusted(%q): error %q lacks the package prefix", list, err)
			}
			return
		}
		for _, p := range prefixes {
			if p != p.Masked() || p.Addr().Is4In6() || p.Addr().Zone() != "" {
				t.Fatalf("ParseTrusted(%q) gave %v: not normalised", list, p)
			}
		}
		if _, err := clientaddr.NewResolver(prefixes); err != nil {
			t.Fatalf("NewResolver refuses what ParseTrusted(%q) gave: %v", list, err)
		}
	})
}
