package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/apikey"
	"github.com/flexinference/flexguard/internal/clientaddr"
	"github.com/flexinference/flexguard/internal/conformance"
)

// deadRedis is a Redis URL nothing listens on: every limiter call fails
// at once.
const deadRedis = "redis://127.0.0.1:1/0"

// TestKeysAndOrgsConformanceOverHTTP sends the conformance cases of keys
// and limits, and those of the organisation lookups, to a flexgate with a
// keys file that says what the case's directives say; one gateway per
// case, since each starts from empty limiters. A case without keys of its
// own gets a key of an organisation with its settings.
func TestKeysAndOrgsConformanceOverHTTP(t *testing.T) {
	t.Parallel()
	cases, err := conformance.Load(conformance.Dir())
	require.NoError(t, err)
	for _, c := range cases {
		if !c.Keys && !c.UsesOrgHooks() {
			continue
		}
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			switch {
			case failureDecides(c):
				t.Skip("a keys file never fails a lookup")
			case c.Disconnect:
				t.Skip("a client that disconnects gets no answer to read")
			}
			keysPath, key := writeCaseKeys(t, c)
			cfg := testConfig()
			var err error
			cfg.policy, err = loadPolicy(writeCasePolicy(t, c), c.Strict)
			require.NoError(t, err)
			redisURL := ""
			if c.LimiterError {
				redisURL = deadRedis
			}
			// The peer is always loopback: trusted, it forwards the
			// case's client.
			cfg.trustedProxies, err = clientaddr.ParseTrusted(strings.Trim("127.0.0.1,"+c.TrustedProxies, ","))
			require.NoError(t, err)
			cfg.keys, err = keyFlags{keys: keysPath, acceptXAPIKey: c.AcceptXAPIKey, authFlood: c.AuthFlood, redis: redisURL}.load()
			require.NoError(t, err)
			p := startInProcess(t, cfg)
			client := newClient(t)

			failure := *c
			failure.Method, failure.Target, failure.Body, failure.ContentLength = http.MethodPost, conformance.FailureTarget, []byte(`{}`), -1
			failure.Header = forwarded(c, c.HeaderWithoutKey(), "")
			for range c.Failures {
				sendPrior(t, p, client, &failure)
			}
			own := *c
			own.Header = forwarded(c, c.Header, key)
			for range c.SentBefore {
				sendPrior(t, p, client, &own)
			}
			sendAndCheck(t, p, client, &own)
		})
	}
}

// failureDecides reports whether the case's answer comes from a lookup
// that fails. Where a failure is set up but an earlier check answers, a
// keys file that never fails must get the same answer.
func failureDecides(c *conformance.Case) bool {
	switch {
	case (c.KeyStoreError || c.BillingError) && c.WantCode == "internal_error":
		return true
	case c.KeyLookupError && strings.HasPrefix(c.WantCode, "no_"):
		return true
	}
	return false
}

// sendPrior sends a request whose answer the case does not judge.
func sendPrior(t *testing.T, p *process, client *http.Client, c *conformance.Case) {
	t.Helper()
	send(t, client, c.Method, p.base+c.Target, c.Header, c.Body, false)
}

// forwarded returns header with the case's client named last in
// X-Forwarded-For, after the case's own entries, and with Authorization
// for key when key is not "".
func forwarded(c *conformance.Case, header [][2]string, key string) [][2]string {
	var out [][2]string
	var chain []string
	for _, h := range header {
		if strings.EqualFold(h[0], "X-Forwarded-For") {
			chain = append(chain, h[1])
			continue
		}
		out = append(out, h)
	}
	if key != "" {
		out = append(out, [2]string{"Authorization", "Bearer " + key})
	}
	return append(out, [2]string{"X-Forwarded-For", strings.Join(append(chain, c.ClientAddr()), ", ")})
}

// writeCasePolicy writes the case's policy, "" for none.
func writeCasePolicy(t *testing.T, c *conformance.Case) string {
	if c.Policy == "" {
		return ""
	}
	return writePolicy(t, c.Policy)
}

// writeCaseKeys writes a keys file for the case: its @key lines, each
// organisation with the case's org directives (@no-key, @overdue,
// @org-default) and its own limit, and @org-limit as the default limit.
// A case without keys of its own (an organisation lookup case) gets a new
// key, returned for its requests to carry.
func writeCaseKeys(t *testing.T, c *conformance.Case) (path, key string) {
	t.Helper()
	stored := c.StoreKeys
	if !c.Keys {
		key = apikey.Generate()
		stored = []conformance.StoreKey{{Key: key, Org: "org_case"}}
	}
	var providers []string
	for _, p := range []string{"openai", "gemini", "anthropic"} {
		if !slices.Contains(c.NoKey, p) {
			providers = append(providers, p)
		}
	}
	type limit struct {
		Requests      int `json:"requests"`
		WindowSeconds int `json:"window_seconds"`
	}
	window := int(conformance.LimitWindow.Seconds())
	keys := []map[string]any{}
	orgs := map[string]map[string]any{}
	for _, k := range stored {
		keys = append(keys, map[string]any{"sha256": apikey.Digest(k.Key), "org": k.Org, "revoked": k.Revoked})
		o := map[string]any{"provider_keys": providers, "overdue": c.Overdue, "default_start_within": c.OrgDefault}
		if k.Limit > 0 {
			o["rate_limit"] = limit{k.Limit, window}
		}
		orgs[k.Org] = o
	}
	file := map[string]any{"keys": keys, "orgs": orgs}
	if c.OrgLimit > 0 {
		file["default_rate_limit"] = limit{c.OrgLimit, window}
	}
	src, err := json.Marshal(file)
	require.NoError(t, err)
	path = filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, src, 0o600))
	return path, key
}
