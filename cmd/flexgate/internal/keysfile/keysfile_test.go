package keysfile_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/cmd/flexgate/internal/keysfile"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// Keys from SPEC's test vectors, and their digests.
const (
	keyA = "flex_live_0123456789abcdef01234567618734"
	keyB = "flex_live_deadbeefcafebabe001122339f2d78"
	keyR = "flex_live_00000000000000000000000017fff7"
)

func digest(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// sample is SPEC's example with a second organisation, a revoked key and
// a default limit.
func sample() string {
	return `{
  "keys": [
    {"sha256": "` + digest(keyA) + `", "org": "org_a"},
    {"sha256": "` + digest(keyB) + `", "org": "org_b"},
    {"sha256": "` + digest(keyR) + `", "org": "org_a", "revoked": true}
  ],
  "orgs": {
    "org_a": {"provider_keys": ["openai", "gemini"], "overdue": false, "default_start_within": "auto",
              "rate_limit": {"requests": 600, "window_seconds": 60}},
    "org_b": {"provider_keys": ["anthropic"], "overdue": true}
  },
  "default_rate_limit": {"requests": 10, "window_seconds": 1}
}`
}

func load(t *testing.T, src string) *keysfile.File {
	t.Helper()
	f, err := keysfile.Load(strings.NewReader(src))
	require.NoError(t, err)
	return f
}

func TestLoadReadsKeysByDigestWithTheirOrganisationsLimits(t *testing.T) {
	t.Parallel()
	f := load(t, sample())
	tests := []struct {
		name      string
		digest    string
		wantFound bool
		want      middleware.KeyRecord
	}{
		{"a key of an organisation with its own limit", digest(keyA), true, middleware.KeyRecord{Org: "org_a", RateLimit: middleware.LimitRule{Limit: 600, Window: time.Minute}}},
		{"a key of an organisation without one has the default limit", digest(keyB), true, middleware.KeyRecord{Org: "org_b", RateLimit: middleware.LimitRule{Limit: 10, Window: time.Second}}},
		{"a revoked key", digest(keyR), true, middleware.KeyRecord{Org: "org_a", Revoked: true, RateLimit: middleware.LimitRule{Limit: 600, Window: time.Minute}}},
		{"a digest the file does not list", digest("flex_live_ffffffffffffffffffffffff4bf911"), false, middleware.KeyRecord{}},
		{"a key rather than its digest", keyA, false, middleware.KeyRecord{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, found, err := f.LookupKey(context.Background(), tt.digest)
			require.NoError(t, err)
			assert.Equal(t, tt.wantFound, found)
			assert.Equal(t, tt.want, rec)
		})
	}
	rec, _, err := load(t, `{"keys":[{"sha256":"`+digest(keyB)+`","org":"org_b"}],"orgs":{"org_b":{}}}`).LookupKey(context.Background(), digest(keyB))
	require.NoError(t, err)
	assert.Equal(t, middleware.KeyRecord{Org: "org_b"}, rec, "no limit unless the file sets one")
}

// hookRequest returns the request a hook gets for the organisation of
// key, through a Guard built on store.
func hookRequest(t *testing.T, store middleware.KeyStore, key string) *http.Request {
	t.Helper()
	g, err := middleware.New(middleware.Options{KeyStore: store})
	require.NoError(t, err)
	var seen *http.Request
	r := httptest.NewRequest(http.MethodPost, "/v1/responses", nil)
	r.Header.Set("Authorization", "Bearer "+key)
	g.KeysAndLimits(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = r })).ServeHTTP(httptest.NewRecorder(), r)
	require.NotNil(t, seen, "the key passes")
	return seen
}

func TestTheHooksAnswerForTheCallersOrganisation(t *testing.T) {
	t.Parallel()
	f := load(t, sample())
	auto, err := validate.ParseStartWithin("auto")
	require.NoError(t, err)
	tests := []struct {
		name        string
		r           *http.Request
		wantKeys    [3]bool // openai, gemini, anthropic
		wantOverdue bool
		wantDefault validate.StartWithin
		wantHasDef  bool
	}{
		{"org_a: OpenAI and Gemini keys, paid up, default auto", hookRequest(t, f, keyA), [3]bool{true, true, false}, false, auto, true},
		{"org_b: an Anthropic key, overdue, no default", hookRequest(t, f, keyB), [3]bool{false, false, true}, true, validate.StartWithin{}, false},
		{"a request without a caller: no key, not overdue, no default", httptest.NewRequest(http.MethodPost, "/v1/responses", nil), [3]bool{}, false, validate.StartWithin{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for i, p := range []validate.Provider{validate.OpenAI, validate.Gemini, validate.Anthropic} {
				has, err := f.HasProviderKey(tt.r, p)
				require.NoError(t, err)
				assert.Equal(t, tt.wantKeys[i], has, p.String())
			}
			overdue, err := f.OrgOverdue(tt.r)
			require.NoError(t, err)
			assert.Equal(t, tt.wantOverdue, overdue)
			sw, ok := f.DefaultStartWithin(tt.r)
			assert.Equal(t, tt.wantHasDef, ok)
			assert.Equal(t, tt.wantDefault, sw)
		})
	}
}

func TestLoadRefusesAFileThatCannotBeMeant(t *testing.T) {
	t.Parallel()
	d := digest(keyA)
	tests := []struct {
		name     string
		src      string
		wantText string
	}{
		{"not JSON", `{"keys":`, "keys file: unexpected EOF"},
		{"more after the object", `{"keys":[],"orgs":{}} {}`, "more after the JSON object"},
		{"an unknown top-level key", `{"keys":[],"orgs":{},"key":[]}`, `unknown field "key"`},
		{"an unknown key in a key", `{"keys":[{"sha256":"` + d + `","org":"a","expires":1}],"orgs":{"a":{}}}`, `unknown field "expires"`},
		{"an unknown key in an organisation", `{"keys":[],"orgs":{"a":{"providers":[]}}}`, `unknown field "providers"`},
		{"a key instead of a digest", `{"keys":[{"sha256":"` + keyA + `","org":"a"}],"orgs":{"a":{}}}`, "keys[0].sha256 must be 64 lowercase hex characters"},
		{"an uppercase digest", `{"keys":[{"sha256":"` + strings.ToUpper(d) + `","org":"a"}],"orgs":{"a":{}}}`, "keys[0].sha256 must be 64 lowercase hex"},
		{"a digest listed twice", `{"keys":[{"sha256":"` + d + `","org":"a"},{"sha256":"` + d + `","org":"a"}],"orgs":{"a":{}}}`, "keys[1].sha256 is keys[0]'s again"},
		{"a key of an organisation not listed", `{"keys":[{"sha256":"` + d + `","org":"b"}],"orgs":{"a":{}}}`, `keys[0].org is "b", which orgs does not list`},
		{"a key without an organisation", `{"keys":[{"sha256":"` + d + `"}],"orgs":{"a":{}}}`, `keys[0].org is "", which orgs does not list`},
		{"an organisation named nothing", `{"keys":[],"orgs":{"":{}}}`, `an organisation named ""`},
		{"an unknown provider", `{"keys":[],"orgs":{"a":{"provider_keys":["openai","mistral"]}}}`, `orgs["a"].provider_keys[1] is "mistral"`},
		{"a default start_within that is not one", `{"keys":[],"orgs":{"a":{"default_start_within":"soon"}}}`, `orgs["a"].default_start_within`},
		{"a limit of no requests", `{"keys":[],"orgs":{"a":{"rate_limit":{"requests":0,"window_seconds":60}}}}`, `orgs["a"].rate_limit.requests must be from 1`},
		{"a limit without a window", `{"keys":[],"orgs":{"a":{"rate_limit":{"requests":5}}}}`, `orgs["a"].rate_limit.window_seconds must be from 1`},
		{"a window of centuries", `{"keys":[],"orgs":{},"default_rate_limit":{"requests":5,"window_seconds":9999999999}}`, "default_rate_limit.window_seconds"},
		{"a fractional window", `{"keys":[],"orgs":{},"default_rate_limit":{"requests":5,"window_seconds":1.5}}`, "window_seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := keysfile.Load(strings.NewReader(tt.src))
			require.Error(t, err)
			assert.Nil(t, f)
			assert.True(t, strings.HasPrefix(err.Error(), "keys file: "), err.Error())
			assert.Contains(t, err.Error(), tt.wantText)
		})
	}
}

func TestLoadFileNamesAFileThatCannotBeRead(t *testing.T) {
	t.Parallel()
	_, err := keysfile.LoadFile(filepath.Join(t.TempDir(), "missing.json"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "missing.json")

	path := filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, []byte(sample()), 0o600))
	f, err := keysfile.LoadFile(path)
	require.NoError(t, err)
	_, found, _ := f.LookupKey(context.Background(), digest(keyA))
	assert.True(t, found)
}

func TestLineIsAnEntryTheFileAccepts(t *testing.T) {
	t.Parallel()
	line := keysfile.Line(digest(keyA), `org "quoted"`)
	assert.Equal(t, `{"sha256":"`+digest(keyA)+`","org":"org \"quoted\""}`, line)
	f := load(t, `{"keys":[`+line+`],"orgs":{"org \"quoted\"":{}}}`)
	rec, found, err := f.LookupKey(context.Background(), digest(keyA))
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, `org "quoted"`, rec.Org)
}
