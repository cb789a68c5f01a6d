package keysfile_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/cmd/flexgate/internal/keysfile"
	"github.com/flexinference/flexguard/validate"
)

func TestLiveServesTheLastFileThatLoaded(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keys.json")
	write := func(src string) { require.NoError(t, os.WriteFile(path, []byte(src), 0o600)) }
	found := func(l *keysfile.Live, key string) bool {
		rec, ok, err := l.LookupKey(context.Background(), digest(key))
		require.NoError(t, err)
		return ok && !rec.Revoked
	}

	write(sample())
	l, err := keysfile.OpenLive(path)
	require.NoError(t, err)
	assert.True(t, found(l, keyA))
	ok, err := l.HasProviderKey(hookRequest(t, l, keyA), validate.Gemini)
	require.NoError(t, err)
	assert.True(t, ok, "org_a has a gemini key")

	write(`{"keys":[{"sha256":"` + digest(keyA) + `","org":"org_a","revoked":true},{"sha256":"` + digest(keyB) + `","org":"org_b"}],` +
		`"orgs":{"org_a":{},"org_b":{"provider_keys":["gemini"]}}}`)
	f, err := l.Reload()
	require.NoError(t, err)
	keys, orgs := f.Size()
	assert.Equal(t, [2]int{2, 2}, [2]int{keys, orgs})
	assert.False(t, found(l, keyA), "revoked by the reload")
	assert.True(t, found(l, keyB))

	write(`{"keys":[{"sha256":"not a digest","org":"org_a"}],"orgs":{"org_a":{}}}`)
	kept, err := l.Reload()
	require.ErrorContains(t, err, "keys[0].sha256")
	assert.Same(t, f, kept, "a file that does not load leaves the one in service")
	assert.True(t, found(l, keyB))

	require.NoError(t, os.Remove(path))
	_, err = l.Reload()
	require.ErrorContains(t, err, "keys file: open")
	assert.True(t, found(l, keyB), "nor does a file that is gone")

	_, err = keysfile.OpenLive(path)
	require.Error(t, err, "a file that is not there at startup is an error")
}
