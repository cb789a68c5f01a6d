package apikey_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/apikey"
)

// The test vectors of SPEC's "Keys and limits".
var specKeys = []string{
	"flex_live_00000000000000000000000017fff7",
	"flex_live_0123456789abcdef01234567618734",
	"flex_live_deadbeefcafebabe001122339f2d78",
	"flex_live_ffffffffffffffffffffffff4bf911",
}

const badChecksum = "flex_live_0123456789abcdef01234567618735"

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		key   string
		valid bool
	}{
		{"the all-zero vector is well formed", specKeys[0], true},
		{"the counting vector is well formed", specKeys[1], true},
		{"the deadbeef vector is well formed", specKeys[2], true},
		{"the all-f vector is well formed", specKeys[3], true},
		{"a wrong last checksum digit is refused", badChecksum, false},
		{"an uppercase secret is refused", "flex_live_0123456789ABCDEF01234567618734", false},
		{"an uppercase checksum is refused", "flex_live_deadbeefcafebabe001122339F2D78", false},
		{"a test-mode prefix is refused", "flex_test_0123456789abcdef01234567618734", false},
		{"a key one character short is refused", specKeys[1][:39], false},
		{"a key with one character more is refused", specKeys[1] + "0", false},
		{"a non-hex character is refused", "flex_live_0123456789abcdeg01234567618734", false},
		{"the prefix alone is refused", "flex_live_", false},
		{"an empty key is refused", "", false},
		{"a key with a space inside is refused", "flex_live_0123456789abcdef 1234567618734", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := apikey.Check(tt.key)
			if tt.valid {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, apikey.ErrInvalid)
			if tt.key != "" {
				assert.NotContains(t, err.Error(), tt.key)
			}
		})
	}
}

// Every error names what is wrong without repeating any part of what was
// sent: not the key, not its secret.
func TestErrorsNeverRepeatTheKey(t *testing.T) {
	t.Parallel()
	for _, value := range []string{
		"Bearer " + badChecksum,
		"Bearer " + strings.ToUpper(specKeys[2]),
		"Bearer " + specKeys[1] + " " + specKeys[2],
		"Bearer " + specKeys[3][:30],
	} {
		_, err := apikey.ParseAuthorization([]string{value})
		require.ErrorIs(t, err, apikey.ErrInvalid, value)
		secret := strings.TrimPrefix(strings.TrimPrefix(value, "Bearer "), apikey.Prefix)
		assert.NotContains(t, strings.ToLower(err.Error()), strings.ToLower(secret[:12]), value)
	}
	_, err := apikey.ParseAuthorization([]string{"Bearer " + specKeys[0], "Bearer " + specKeys[1]})
	require.ErrorIs(t, err, apikey.ErrInvalid)
	assert.NotContains(t, err.Error(), "0123456789abcdef")
}

func TestParseHeaders(t *testing.T) {
	t.Parallel()
	key, other := specKeys[1], specKeys[2]
	bearer, xAPIKey := apikey.ParseAuthorization, apikey.ParseXAPIKey
	tests := []struct {
		name    string
		parse   func([]string) (string, error)
		values  []string
		wantKey string
		wantErr error
	}{
		{"a Bearer key is accepted", bearer, []string{"Bearer " + key}, key, nil},
		{"the scheme is case-insensitive", bearer, []string{"bEaReR " + key}, key, nil},
		{"several spaces may follow the scheme", bearer, []string{"BEARER    " + key}, key, nil},
		{"spaces and tabs around the value are dropped", bearer, []string{" \tBearer " + key + " \t"}, key, nil},
		{"no header is a missing key", bearer, nil, "", apikey.ErrMissing},
		{"an empty header is a missing key", bearer, []string{""}, "", apikey.ErrMissing},
		{"a header of spaces is a missing key", bearer, []string{"   "}, "", apikey.ErrMissing},
		{"Bearer alone is a missing key", bearer, []string{"Bearer"}, "", apikey.ErrMissing},
		{"Bearer and spaces is a missing key", bearer, []string{"Bearer    "}, "", apikey.ErrMissing},
		{"another scheme is a missing key", bearer, []string{"Basic dXNlcjpwYXNz"}, "", apikey.ErrMissing},
		{"a bare key without a scheme is a missing key", bearer, []string{key}, "", apikey.ErrMissing},
		{"a tab after the scheme makes another scheme", bearer, []string{"Bearer\t" + key}, "", apikey.ErrMissing},
		{"a scheme that starts with Bearer is another scheme", bearer, []string{"Bearerx " + key}, "", apikey.ErrMissing},
		{"a bad checksum after Bearer is an invalid key", bearer, []string{"Bearer " + badChecksum}, "", apikey.ErrInvalid},
		{"a token of another gateway is an invalid key", bearer, []string{"Bearer sk-proj-abc123"}, "", apikey.ErrInvalid},
		{"text after the key is an invalid key", bearer, []string{"Bearer " + key + " more"}, "", apikey.ErrInvalid},
		{"two keys are an invalid key", bearer, []string{"Bearer " + key + ", Bearer " + key}, "", apikey.ErrInvalid},
		{"two header lines are an invalid key", bearer, []string{"Bearer " + key, "Bearer " + key}, "", apikey.ErrInvalid},
		{"an empty second header line is an invalid key", bearer, []string{"Bearer " + key, ""}, "", apikey.ErrInvalid},
		{"a bare x-api-key is accepted", xAPIKey, []string{other}, other, nil},
		{"spaces around an x-api-key are dropped", xAPIKey, []string{"  " + other + "\t"}, other, nil},
		{"no x-api-key is a missing key", xAPIKey, nil, "", apikey.ErrMissing},
		{"an empty x-api-key is a missing key", xAPIKey, []string{" "}, "", apikey.ErrMissing},
		{"a Bearer value in x-api-key is an invalid key", xAPIKey, []string{"Bearer " + other}, "", apikey.ErrInvalid},
		{"a bad checksum in x-api-key is an invalid key", xAPIKey, []string{badChecksum}, "", apikey.ErrInvalid},
		{"two x-api-key lines are an invalid key", xAPIKey, []string{other, other}, "", apikey.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.parse(tt.values)
			assert.Equal(t, tt.wantKey, got)
			if tt.wantErr == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			assert.False(t, errors.Is(err, apikey.ErrMissing) && errors.Is(err, apikey.ErrInvalid), "an error is one or the other")
		})
	}
}

// The digests of two SPEC vectors, as sha256sum prints them.
func TestDigestMatchesSHA256Sum(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "3e7b6845e00c83c31ce0ef11e195bfaf9f28f9bd01b1decfb0b7a38b67527281", apikey.Digest(specKeys[0]))
	assert.Equal(t, "50da67b50da314c20007821a21c81eea8a18e197e2ad220a1e08a463437acd7b", apikey.Digest(specKeys[1]))
}

func TestIDIsAPrefixOfTheDigest(t *testing.T) {
	t.Parallel()
	ids := map[string]bool{}
	for _, key := range specKeys {
		digest := apikey.Digest(key)
		id := apikey.ID(digest)
		require.Len(t, id, apikey.IDLength)
		assert.True(t, strings.HasPrefix(digest, id))
		assert.NotContains(t, key, id, "the id is not a piece of the key")
		ids[id] = true
	}
	assert.Len(t, ids, len(specKeys), "distinct keys have distinct ids")
	assert.Equal(t, "abc", apikey.ID("abc"), "a short digest is its own id")
}

func TestGenerateMakesDistinctWellFormedKeys(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		key := apikey.Generate()
		require.NoError(t, apikey.Check(key), key)
		got, err := apikey.ParseAuthorization([]string{"Bearer " + key})
		require.NoError(t, err)
		require.Equal(t, key, got)
		require.False(t, seen[key], "a generated key repeats")
		seen[key] = true
	}
}
