package extproc_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/contrib/extproc"
	"github.com/flexinference/flexguard/middleware"
)

// oneKey is a key store that knows one key.
type oneKey struct{ digest, org string }

func (k oneKey) LookupKey(_ context.Context, digest string) (middleware.KeyRecord, bool, error) {
	if digest != k.digest {
		return middleware.KeyRecord{}, false, nil
	}
	return middleware.KeyRecord{Org: k.org}, true, nil
}

// TestKeysThroughTheProcessor: with keys on, a request without a key is
// refused at its headers, and one with a key goes on without it, naming
// its organisation and key id instead.
func TestKeysThroughTheProcessor(t *testing.T) {
	t.Parallel()
	const key = "flex_live_0123456789abcdef01234567618734" // a SPEC test vector
	sum := sha256.Sum256([]byte(key))
	digest := hex.EncodeToString(sum[:])
	client := startProcessor(t, extproc.Options{Guard: middleware.Options{KeyStore: oneKey{digest: digest, org: "org_a"}}})

	for _, e := range []envoy{buffered, streamed} {
		t.Run(e.mode.String(), func(t *testing.T) {
			t.Parallel()
			keyless := post(validChat)
			res := e.do(t, client, keyless)
			require.NotNil(t, res.immediate)
			assert.Equal(t, 401, int(res.immediate.GetStatus().GetCode()))
			assert.Contains(t, string(res.immediate.GetBody()), `"code":"missing_api_key"`)
			assert.Zero(t, res.sent, "refused before a body byte")

			keyed := post(validChat)
			keyed.header = [][2]string{{"Authorization", "Bearer " + key}, {"X-Api-Key", key}, {"X-Flexguard-Org", "org_b"}}
			res = e.do(t, client, keyed)
			require.Nil(t, res.immediate, "%s", res.immediate.GetBody())
			assert.Empty(t, res.header.Get("Authorization"), "the gateway key never goes upstream")
			assert.Empty(t, res.header.Get("X-Api-Key"), "the gateway key never goes upstream")
			assert.Equal(t, validChat, string(res.forwarded))
			if e.mode == buffered.mode {
				assert.Equal(t, "org_a", res.header.Get("x-flexguard-org"))
				assert.Equal(t, digest[:12], res.header.Get("x-flexguard-key-id"))
			} else {
				assert.Empty(t, res.header.Get("x-flexguard-org"), "a client copy is removed")
			}
			assert.Equal(t, "org_a", res.metadata["org"])
			assert.Equal(t, digest[:12], res.metadata["key_id"])
		})
	}
}
