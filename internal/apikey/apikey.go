package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"strings"
)

const (
	// Prefix starts every key.
	Prefix = "flex_live_"
	// Length is the length of a whole key.
	Length = len(Prefix) + secretLength + checksumLength
	// IDLength is the length of a key id: a prefix of the digest.
	IDLength = 12

	secretLength   = 24
	checksumLength = 6
)

var (
	// ErrMissing means the request carries no key: no Authorization
	// header, an empty one, another scheme than Bearer, or Bearer with
	// nothing after it.
	ErrMissing = errors.New("flexguard/apikey: no API key")
	// ErrInvalid means the request carries something where the key goes
	// that is not a well-formed key. Errors that say why wrap it.
	ErrInvalid = errors.New("flexguard/apikey: malformed API key")

	errLength                = reason("it is not 40 characters long")
	errPrefix                = reason(`it does not start with "flex_live_"`)
	errHex                   = reason("the characters after the prefix are not all lowercase hex")
	errChecksum              = reason("its checksum (the last 6 characters) does not match")
	errRepeatedAuthorization = reason("the request has more than one Authorization header")
	errRepeatedXAPIKey       = reason("the request has more than one x-api-key header")
)

// reason is ErrInvalid with a fixed explanation that never holds client
// text.
func reason(why string) error {
	return &invalidError{why: why}
}

type invalidError struct{ why string }

func (e *invalidError) Error() string { return ErrInvalid.Error() + ": " + e.why }
func (e *invalidError) Unwrap() error { return ErrInvalid }

// Check reports why key is not a well-formed key (an error wrapping
// [ErrInvalid]), or nil when its shape and checksum are right. It looks
// nothing up: a well-formed key may still be unknown or revoked.
func Check(key string) error {
	if len(key) != Length {
		return errLength
	}
	if key[:len(Prefix)] != Prefix {
		return errPrefix
	}
	var sum uint32
	for i := len(Prefix); i < Length; i++ {
		v, ok := hexValue(key[i])
		if !ok {
			return errHex
		}
		if i >= len(Prefix)+secretLength {
			sum = sum<<4 | uint32(v)
		}
	}
	if sum != checksum(key[len(Prefix):len(Prefix)+secretLength]) {
		return errChecksum
	}
	return nil
}

// checksum is the top 24 bits of the secret's CRC-32: the first 6 of its
// 8 hex digits. It walks the standard library's IEEE table itself, byte
// by byte over the string: crc32.ChecksumIEEE would need the secret as a
// slice, a copy made on the heap for every request.
func checksum(secret string) uint32 {
	crc := ^uint32(0)
	for i := 0; i < len(secret); i++ {
		crc = crc32.IEEETable[byte(crc)^secret[i]] ^ crc>>8
	}
	return ^crc >> 8
}

func hexValue(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// ParseAuthorization returns the key of a request's Authorization header
// lines (r.Header.Values("Authorization")): the scheme Bearer in any case,
// one or more spaces, then a well-formed key. It returns [ErrMissing] when
// there is no key to judge, and an error wrapping [ErrInvalid] when what
// stands after Bearer is not a well-formed key.
func ParseAuthorization(values []string) (string, error) {
	value, err := onlyValue(values, errRepeatedAuthorization)
	if err != nil {
		return "", err
	}
	scheme, rest, _ := strings.Cut(value, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", ErrMissing
	}
	return judge(strings.TrimLeft(rest, " "))
}

// ParseXAPIKey returns the key of a request's x-api-key header lines, the
// header Anthropic's clients send: the bare key. No header or an empty one
// is [ErrMissing]; anything else that is not one well-formed key wraps
// [ErrInvalid].
func ParseXAPIKey(values []string) (string, error) {
	value, err := onlyValue(values, errRepeatedXAPIKey)
	if err != nil {
		return "", err
	}
	return judge(value)
}

// onlyValue is the one line of a header, trimmed of the spaces and tabs
// around it as the HTTP server trims values read off the wire.
func onlyValue(values []string, errRepeated error) (string, error) {
	switch len(values) {
	case 0:
		return "", ErrMissing
	case 1:
		return strings.Trim(values[0], " \t"), nil
	default:
		return "", errRepeated
	}
}

// judge returns key when it is well formed.
func judge(key string) (string, error) {
	if key == "" {
		return "", ErrMissing
	}
	if err := Check(key); err != nil {
		return "", err
	}
	return key, nil
}

// Digest is what a key store holds for key: the lowercase hex SHA-256 of
// the whole key.
func Digest(key string) string {
	// A key's bytes are copied to the stack: []byte(key) would put a key
	// of more than 32 bytes on the heap.
	var buf [Length]byte
	var sum [sha256.Size]byte
	if len(key) <= len(buf) {
		sum = sha256.Sum256(buf[:copy(buf[:], key)])
	} else {
		sum = sha256.Sum256([]byte(key))
	}
	var digest [2 * sha256.Size]byte
	hex.Encode(digest[:], sum[:])
	return string(digest[:])
}

// ID is the key id of a digest: its first [IDLength] characters, safe to
// log and to hand to the handler. A digest shorter than that is its own
// id.
func ID(digest string) string {
	return digest[:min(len(digest), IDLength)]
}

// Generate returns a new key with a secret from crypto/rand.
func Generate() string {
	var secret [secretLength / 2]byte
	_, _ = rand.Read(secret[:]) // crypto/rand.Read never fails (it crashes the program instead)
	b := make([]byte, 0, Length)
	b = append(b, Prefix...)
	b = hex.AppendEncode(b, secret[:])
	sum := checksum(string(b[len(Prefix):]))
	tail := [checksumLength / 2]byte{byte(sum >> 16), byte(sum >> 8), byte(sum)}
	b = hex.AppendEncode(b, tail[:])
	return string(b)
}
