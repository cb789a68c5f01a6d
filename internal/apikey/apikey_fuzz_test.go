package apikey_test

import (
	"errors"
	"fmt"
	"hash/crc32"
	"regexp"
	"strings"
	"testing"

	"github.com/flexinference/flexguard/internal/apikey"
)

// The shape of a key, written apart from the parser's loop.
var keyShape = regexp.MustCompile(`^flex_live_([0-9a-f]{24})([0-9a-f]{6})$`)

// FuzzParseAuthorization judges fuzzed Authorization values against a
// second reading of SPEC's rules (a regular expression and the checksum
// printed as hex). The parser must agree on every value, and its errors
// must never carry what was sent.
func FuzzParseAuthorization(f *testing.F) {
	for _, seed := range []string{
		"Bearer " + specKeys[0],
		"bearer   " + specKeys[1],
		" Bearer " + specKeys[2] + "\t",
		"Bearer " + badChecksum,
		"Bearer",
		"Bearer ",
		"Bearer\t" + specKeys[3],
		"Basic abc",
		"",
		"Bearer " + specKeys[3] + " x",
		"Bearer flex_live_" + strings.Repeat("\xff", 30),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, value string) {
		key, err := apikey.ParseAuthorization([]string{value})
		wantKey, wantErr := referenceParse(value)
		if key != wantKey || !errors.Is(err, wantErr) || (err == nil) != (wantErr == nil) {
			t.Fatalf("ParseAuthorization(%q) = %q, %v; want %q, %v", value, key, err, wantKey, wantErr)
		}
		if err == nil {
			return
		}
		if errors.Is(err, apikey.ErrMissing) == errors.Is(err, apikey.ErrInvalid) {
			t.Fatalf("ParseAuthorization(%q): %v is not exactly one of missing and invalid", value, err)
		}
		// What followed the scheme must not come back in the error.
		if sent := strings.TrimSpace(value); len(sent) >= 16 && strings.Contains(err.Error(), sent[len(sent)-16:]) {
			t.Fatalf("ParseAuthorization(%q): the error %q repeats what was sent", value, err)
		}
	})
}

func referenceParse(value string) (string, error) {
	value = strings.Trim(value, " \t")
	i := strings.IndexByte(value, ' ')
	if i < 0 || !strings.EqualFold(value[:i], "bearer") {
		return "", apikey.ErrMissing
	}
	rest := strings.TrimLeft(value[i:], " ")
	if rest == "" {
		return "", apikey.ErrMissing
	}
	m := keyShape.FindStringSubmatch(rest)
	if m == nil || fmt.Sprintf("%08x", crc32.ChecksumIEEE([]byte(m[1])))[:6] != m[2] {
		return "", apikey.ErrInvalid
	}
	return rest, nil
}
