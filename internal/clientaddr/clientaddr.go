package clientaddr

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver finds the client of a request. The zero Resolver trusts no
// proxy: the client is the peer. A Resolver is safe for concurrent use.
type Resolver struct {
	trusted []netip.Prefix
}

// NewResolver returns a Resolver that trusts the proxies in the given
// ranges. Ranges are masked to their network ("10.1.2.3/8" is
// 10.0.0.0/8), and an IPv4-mapped range is taken as the IPv4 range it
// maps. It fails on an invalid prefix.
func NewResolver(trusted []netip.Prefix) (Resolver, error) {
	res := Resolver{trusted: make([]netip.Prefix, 0, len(trusted))}
	for _, p := range trusted {
		n, err := normalizePrefix(p)
		if err != nil {
			return Resolver{}, fmt.Errorf("flexguard/clientaddr: trusted range %s: %w", p, err)
		}
		res.trusted = append(res.trusted, n)
	}
	return res, nil
}

// ParseTrusted reads a comma-separated list of trusted ranges, as given to
// flexgate's -trusted-proxies: CIDR ranges ("10.0.0.0/8",
// "2001:db8::/32") or single addresses ("192.0.2.10"). An empty list
// trusts no proxy. Errors quote the entry at fault.
func ParseTrusted(list string) ([]netip.Prefix, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var out []netip.Prefix
	for entry := range strings.SplitSeq(list, ",") {
		entry = strings.TrimSpace(entry)
		p, err := parseRange(entry)
		if err != nil {
			return nil, fmt.Errorf("flexguard/clientaddr: trusted proxy %q: %w", entry, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func parseRange(entry string) (netip.Prefix, error) {
	if entry == "" {
		return netip.Prefix{}, errors.New("empty entry")
	}
	if strings.Contains(entry, "/") {
		p, err := netip.ParsePrefix(entry)
		if err != nil {
			return netip.Prefix{}, errors.New("not a CIDR range such as 10.0.0.0/8")
		}
		return normalizePrefix(p)
	}
	a, err := netip.ParseAddr(entry)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, errors.New("not an address or a CIDR range such as 10.0.0.0/8")
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func normalizePrefix(p netip.Prefix) (netip.Prefix, error) {
	if !p.IsValid() {
		return netip.Prefix{}, errors.New("not a valid range")
	}
	if a := p.Addr(); a.Is4In6() {
		if p.Bits() < 96 {
			return netip.Prefix{}, errors.New("it spans more than the IPv4-mapped addresses")
		}
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// Client returns the address of the client that sent r, without zone and
// with IPv4-mapped addresses as IPv4: the peer, or, when the peer is a
// trusted proxy, the right-most X-Forwarded-For address that is not
// trusted (see the package documentation for the edge cases). It returns
// the zero Addr when the peer is not an IP address.
func (res Resolver) Client(r *http.Request) netip.Addr {
	return res.walk(r, nil)
}

// ForwardedFor returns the client of r, as Client does, and the
// X-Forwarded-For value a proxy sends on: the client, each trusted proxy
// the request passed after it, and the peer, comma-separated. Entries
// left of the client, which the client may have made up, are dropped, so
// without trusted proxies the value is the peer alone. Both are zero when
// the peer is not an IP address.
func (res Resolver) ForwardedFor(r *http.Request) (client netip.Addr, forwardedFor string) {
	var hops []netip.Addr // from the peer leftwards; the last is the client
	client = res.walk(r, &hops)
	var b strings.Builder
	for i := len(hops) - 1; i >= 0; i-- {
		b.WriteString(hops[i].String())
		if i > 0 {
			b.WriteString(", ")
		}
	}
	return client, b.String()
}

// walk finds the client of r. With hops, it appends the peer and every
// address it walks past to reach the client, the client last.
func (res Resolver) walk(r *http.Request, hops *[]netip.Addr) netip.Addr {
	peer, ok := parseHop(r.RemoteAddr)
	if !ok {
		return netip.Addr{}
	}
	pass := func(a netip.Addr) {
		if hops != nil {
			*hops = append(*hops, a)
		}
	}
	pass(peer)
	if !res.trusts(peer) {
		return peer
	}
	client := peer
	lines := r.Header["X-Forwarded-For"]
	for i := len(lines) - 1; i >= 0; i-- {
		rest := lines[i]
		for rest != "" {
			var entry string
			if comma := strings.LastIndexByte(rest, ','); comma >= 0 {
				rest, entry = rest[:comma], rest[comma+1:]
			} else {
				rest, entry = "", rest
			}
			entry = strings.Trim(entry, " \t")
			if entry == "" {
				continue
			}
			hop, ok := parseHop(entry)
			if !ok {
				return client
			}
			pass(hop)
			if !res.trusts(hop) {
				return hop
			}
			client = hop
		}
	}
	return client
}

func (res Resolver) trusts(a netip.Addr) bool {
	for _, p := range res.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads an address with an optional port or brackets, choosing
// the parser by the text's shape so that ordinary addresses cost no
// allocation (a failed parse allocates its error).
func parseHop(s string) (netip.Addr, bool) {
	var a netip.Addr
	switch {
	case strings.HasPrefix(s, "["):
		if strings.HasSuffix(s, "]") {
			v, err := netip.ParseAddr(s[1 : len(s)-1])
			if err != nil || !v.Is6() {
				return netip.Addr{}, false
			}
			a = v
			break
		}
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	case strings.Count(s, ":") == 1:
		ap, err := netip.ParseAddrPort(s)
		if err != nil {
			return netip.Addr{}, false
		}
		a = ap.Addr()
	default:
		v, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Addr{}, false
		}
		a = v
	}
	if a.Zone() != "" {
		a = a.WithZone("")
	}
	return a.Unmap(), true
}

// Bucket is the range a limiter counts a client by: an IPv4 address on
// its own (a /32), an IPv6 address by its /64. The zero Addr has the zero
// Prefix. Its String and AppendTo make the limiter's key.
func Bucket(a netip.Addr) netip.Prefix {
	if !a.IsValid() {
		return netip.Prefix{}
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return netip.PrefixFrom(a, 32)
	}
	p, _ := a.Prefix(64) // only an out-of-range length fails
	return p
}
