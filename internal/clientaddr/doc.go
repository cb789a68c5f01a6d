// Package clientaddr finds who sent a request: the client whose failed
// authentications the auth-flood limiter counts, and the address a proxy
// names upstream in X-Forwarded-For and X-Real-IP.
//
// Without trusted proxies the client is the peer: the host of
// r.RemoteAddr. With trusted proxies (a list of address ranges), a
// request whose peer is trusted names its client in X-Forwarded-For, and
// the client is the right-most address there that is not in a trusted
// range: every address to its right was written by a proxy we trust,
// while anything to its left was written by the client itself and may be
// made up.
//
// [Bucket] is what a limiter counts by: an IPv4 address on its own, an
// IPv6 address by its /64, the block one customer usually holds, so that
// walking through the addresses of one's own /64 gains nothing.
//
// # Decisions
//
//   - Addresses are compared without zones, and IPv4-mapped IPv6
//     addresses (::ffff:192.0.2.1) as the IPv4 addresses they carry, so a
//     dual-stack listener and an IPv4 one see the same client.
//   - Several X-Forwarded-For lines are one list, in the order received,
//     as HTTP joins repeated list headers. Entries are separated by commas
//     with optional spaces or tabs around them; empty entries are skipped.
//   - An entry may carry a port ("192.0.2.1:4711", "[2001:db8::1]:443") or
//     brackets without one; the port is dropped.
//   - An entry that is not an address ("unknown", an obfuscated name,
//     garbage) stops the walk, and the client is the last trusted hop: a
//     trusted proxy wrote that entry, so nothing to its left can be
//     believed, and that proxy is the nearest known sender.
//   - When every address is trusted (a request from inside the trusted
//     network), the client is the left-most one, the furthest hop known.
//   - A peer that is not an IP address (a Unix socket) makes the client
//     unknown: [Resolver.Client] returns the zero netip.Addr, and the
//     caller decides how to count such requests.
//   - [Resolver.ForwardedFor] passes on only what can be believed: the
//     client, the trusted proxies to its right, and the peer. What the
//     client wrote left of its own address is dropped.
//   - The walk allocates nothing for ordinary addresses; it reads each
//     byte of the header at most a few times, and stops at the first
//     untrusted entry.
package clientaddr
