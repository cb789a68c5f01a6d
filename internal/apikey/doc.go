// Package apikey holds the gateway's API key format: the shape and
// checksum that are judged without a lookup, the digest that key stores
// hold instead of keys, the key id that may be logged and handed to the
// handler, the parsing of the Authorization header, and the generation of
// new keys.
//
// A key is "flex_live_", then 24 lowercase hex characters of secret, then
// a 6-character lowercase hex checksum: the first 6 hex digits of the
// CRC-32 (IEEE) of the 24 secret characters, 40 characters in all. The
// checksum lets a typo or a made-up key be refused without a round trip
// to the key store; it is no secret and proves nothing about the key.
//
// The key itself never appears in an error of this package: errors name
// what is wrong (a wrong length, a wrong checksum), never the text sent.
//
// # Decisions
//
//   - Header values are trimmed of surrounding spaces and tabs first, as
//     the HTTP server does when it reads them off the wire, so a request
//     built in a test is judged like one that came over the network.
//   - Between "Bearer" and the key only spaces count (one or more); a tab
//     there makes the whole value one unknown scheme, so it is a missing
//     key, as any other scheme is.
//   - More than one Authorization header line is an invalid key, not a
//     missing one: the client did send credentials, and a gateway and a
//     proxy in front of it that picked different lines would disagree on
//     who is calling.
//   - The key id is the first [IDLength] hex characters of the digest:
//     48 bits, short enough for a log line and unique among any realistic
//     number of keys (two keys of a store share an id with odds of about
//     one in 2^48 per pair). Giving it away does not help an attacker:
//     the secret has 96 bits, and not even the whole digest could be
//     turned back into it.
package apikey
