package errors

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// specRow is one line of the catalog's error table, written out
// by hand so that the catalog is checked against an independent copy.
type specRow struct {
	name   string
	status int
	typ    Type
	param  string // "" is null
	// seedDigest is the SHA-256 of the canonical seed catalog's description
	// of this code, normalised by normaliseProse. The seed's wording may not
	// be reused, so only its digest lives here.
	seedDigest string
}

var specTable = []specRow{
	{"missing_api_key", 401, "authentication_error", "", "bf8916a76c3435fe51b06bbe4ff0575529e27f7104df63847e998beeeb340804"},
	{"invalid_api_key", 401, "authentication_error", "", "e22f690f169e41a8b29dc9d949e2816294b2677318f875061c0f5594bb292def"},
	{"rate_limit_exceeded", 429, "rate_limit_error", "", "a8b8b716b9a879a16b0abb615a633baae1fe7ddec278d528916d04470f97736a"},
	{"payment_required", 402, "billing_error", "", "df666907a17e3a409ccf717dd1ba6577c81ecf8959ac07d0fb69af570c0689e5"},
	{"request_too_large", 413, "invalid_request_error", "", "95638b90769600abf77114198dd27a8bf6c74714f80caef4289901ab4ccaac91"},
	{"no_byok_key", 400, "invalid_request_error", "model", "1eca930d90b121a3b7ff7c3a222b3d488411c6077a9c61a44ee16bb84b314ff5"},
	{"no_gemini_key", 400, "invalid_request_error", "model", "e1fd35d3a3e8a439283811a2865b81532c85182ba006e1028a701e6c275bf583"},
	{"no_anthropic_key", 400, "invalid_request_error", "model", "6ab37100da9ca7bf275f69644d73275d2e3df4e3742b78283b8fddff0956a523"},
	{"missing_model", 400, "invalid_request_error", "model", "ebb7175591ea205e127d0e0fc23c00602bfcf389b487e43963b0e34a7835c27e"},
	{"missing_start_within", 400, "invalid_request_error", "start_within", "407240d2ca01cd2cc5f6c95605b0c6435611458b44b4eea49064a395940d6009"},
	{"invalid_start_within", 400, "invalid_request_error", "start_within", "b3161ad0fcda8064043dde66860ad422821efbae62f609578d3cb63da1b479be"},
	{"model_not_flex_capable", 400, "invalid_request_error", "model", "c7a57f3b123a35f4b10b2a757dc6d31651afd03f0bf1898a0037026903a695db"},
	{"auto_unsupported_for_gemini", 400, "invalid_request_error", "start_within", "85fcfd2dad97fd7b17da0886cfa1222238b6e6443b70fa284095cf11b352008a"},
	{"flex_unsupported_for_anthropic", 400, "invalid_request_error", "start_within", "f57e8adc5a831742b1ffe412838f4500e568d9ce3ab1f96b213cd316d248079c"},
	// The spec gives "the endpoint's cap field"; the catalog default is the
	// messages endpoint's max_tokens, and callers name the exact one.
	{"missing_max_tokens", 400, "invalid_request_error", "max_tokens", "a64f0ce9cd5548951d43ff64757703bd34e6c44c75ed6d9f38c6df5bdf7f18d6"},
	{"service_tier_not_allowed", 400, "invalid_request_error", "service_tier", "393104641729ef5fa3ec70169d298b63054fcc40100e85cc3f94c67e4fc3e75d"},
	// "The exact field path": there is no sensible default, so null until a
	// caller names the field.
	{"unsupported_parameter", 400, "invalid_request_error", "", "1616d77a9db7351aab26cf0f9d6666175d2c43cfe402859384ca0a366cfc5633"},
	{"unsupported_generation_config", 400, "invalid_request_error", "generation_config.seed", "d8dda15ed8e210787495807b0268ce96126b0991781c7ae471f7e9289e7a7ca8"},
	{"unsupported_value", 400, "invalid_request_error", "n", "e7a3e823b6b335b87bfc2941fb2e46dbac2335c6b0bd5de3c4b3e860b0cc72c0"},
	{"invalid_json", 400, "invalid_request_error", "", "c90a117a981f411e10b845f746fd11f6b3b593349617197d3114cc2aab79fc04"},
	{"invalid_body", 400, "invalid_request_error", "", "8ba35afca56fac9d2e986c6b047cf6960406311f4cd9841dc0e3c46ea07faa74"},
	{"unknown_url", 404, "invalid_request_error", "", "eb504112f7827d0c1c14725f55c09fcbf79e22c9ec50f7d2e832370cbd21e2ec"},
	{"method_not_allowed", 405, "invalid_request_error", "", "5a4a1ff649bdc567bbd6e438fd75ba98dc5781b9e97ca5a7eaf9e354c79f641c"},
	{"client_closed_request", 499, "client_error", "", "d736a0007772c79d68af8616af487148427c6d4f2cd7593b65ba02b0fd635dda"},
	{"internal_error", 500, "api_error", "", "0601e35f4634e1f3e7aa6152c6fe69ae717335923afc2a85a486cb502e99be55"},
	{"upstream_stream_failed", 502, "api_error", "", "4d77c5077be22bf974adf5586261b54915cb2def74435c2094663eaef6607d1e"},
}

// seedSentenceDigests holds the first 16 hex digits of the SHA-256 of every
// sentence of the seed catalog, normalised by normaliseProse: enough to catch
// a sentence copied word for word without keeping the seed's text here.
var seedSentenceDigests = func() map[string]bool {
	set := map[string]bool{}
	for _, d := range strings.Fields(
		"011f45acc3a4abef 075ce193b37dd49b 0ad1a3da296b2d40 141933d7ad51a43f " +
			"1740523c42430bf2 177335e7ed7f7651 1a1c19a92e19e313 1c8e0ca030e1423e " +
			"20892853b3576178 20e0c2246bb92bfa 27b0a0f7a3b4e28d 2ce7f208ab787c3d " +
			"348cb92effefaf6e 3a8a208b7ce83bb2 3ac6251ca5e1da1b 3b50e6f49a79776f " +
			"47b80cb5d341ca57 47f63a514ca287e0 482d53e1a342c362 494ad617ffb57ace " +
			"4d4f3a03bcea2a12 5119c4b8c473f2de 5d8d02a3f172bf40 5e3477acac25e81e " +
			"6ad2d0385de75110 6be592ea17a8663b 6d02096fe61430eb 6e1b071483062e0b " +
			"74319509f5919bbb 747e825d04158680 74e387bc5eb5cd8d 77813d532a0e0ce7 " +
			"77f015e3153c6a93 7a65a7025bef0d60 7c769872a269b497 7dc81397fb7c7a27 " +
			"848eea91528a9ccd 85bce77eb1793243 9c253c06ae3061e2 9f461ef5a20db9b2 " +
			"a04e722062109f92 a1f5cbd626e31c5a a9727757c4e0a026 aa877569131f8856 " +
			"acae20ba92a2f5e6 b43317f385e41229 b99b60bc6252fc7e bb4e3cdc55cf31dd " +
			"bbecc5d4615829cb bcaf91cff4819923 c0db7ad691441c4e c49a0e504f0788bc " +
			"c5aad6fd26b5701c c8a7aae4b13e0500 cebabe3c13e4d8ef cebc1b40e9448a3d " +
			"d8b8550cef01a3aa dd9aad42ceae27b1 e449a200dfff1001 e8d73c5cc1ddcc09 " +
			"f19a69e9757f0767 f1fef933c4397c39 f417a0a887b4d54e f90d3f0dd0e69a78 " +
			"f9be25b1c5beb0dc fc1945809117b851 fd670258117068b3") {
		set[d] = true
	}
	return set
}()

// normaliseProse makes a copy detectable despite case, spacing and curly
// apostrophes.
func normaliseProse(s string) string {
	s = strings.ReplaceAll(s, "\u2019", "'")
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// sentences splits normalised prose after each ".", "!" or "?" that ends a
// word.
func sentences(s string) []string {
	var out, cur []string
	for _, w := range strings.Fields(normaliseProse(s)) {
		cur = append(cur, w)
		if strings.ContainsAny(w[len(w)-1:], ".!?") {
			out = append(out, strings.Join(cur, " "))
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, " "))
	}
	return out
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestSpecTableHasTwentySixCodesAndOneBillingError(t *testing.T) {
	t.Parallel()
	require.Len(t, specTable, 26)
	var billing []string
	for _, row := range specTable {
		if row.typ == TypeBilling {
			billing = append(billing, row.name)
		}
	}
	assert.Equal(t, []string{"payment_required"}, billing)
}

func TestEveryCodeMatchesTheSpecTable(t *testing.T) {
	t.Parallel()
	want := make(map[string]specRow, len(specTable))
	for _, row := range specTable {
		want[row.name] = row
	}
	codes := Codes()
	got := map[string]bool{}
	for _, c := range codes {
		name := c.String()
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			row, listed := want[name]
			require.Truef(t, listed, "catalog code %q is not in the spec table", name)
			e := New(c, "", "")
			assert.Equal(t, c, e.Code())
			assert.Equal(t, row.status, e.Status(), "status")
			assert.Equal(t, row.typ, e.Type(), "type")
			assert.Equal(t, row.param, e.Param(), "default param")
			if row.status == http.StatusTooManyRequests {
				assert.Equal(t, RetryAfterPerOrg, e.RetryAfter())
			} else {
				assert.Zero(t, e.RetryAfter(), "only a 429 has a wait")
			}
		})
		assert.Falsef(t, got[name], "catalog lists %q twice", name)
		got[name] = true
	}
	for _, row := range specTable {
		assert.Truef(t, got[row.name], "spec code %q is missing from the catalog", row.name)
	}
	assert.Len(t, codes, len(specTable))
}

func TestCodesAreInSpecOrder(t *testing.T) {
	t.Parallel()
	codes := Codes()
	require.Len(t, codes, len(specTable))
	for i, c := range codes {
		assert.Equal(t, specTable[i].name, c.String(), "position %d", i)
	}
}

func TestParseCodeRoundTripsEveryName(t *testing.T) {
	t.Parallel()
	for _, c := range Codes() {
		got, err := ParseCode(c.String())
		require.NoErrorf(t, err, "ParseCode(%q)", c.String())
		assert.Equal(t, c, got)

		text, err := c.MarshalText()
		require.NoError(t, err)
		var back Code
		require.NoError(t, back.UnmarshalText(text))
		assert.Equal(t, c, back)
	}
}

func TestParseCodeRejectsNamesThatAreNotCatalogCodes(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "Missing_Model", "missing_model ", "billing_error", "temperature_too_high", strings.Repeat("x", 5000)} {
		c, err := ParseCode(name)
		require.Errorf(t, err, "ParseCode(%q)", name)
		assert.Empty(t, c)
		assert.LessOrEqual(t, len(err.Error()), 200, "the error bounds the name it repeats")
		var into Code
		assert.Error(t, into.UnmarshalText([]byte(name)))
		assert.Empty(t, into)
	}
}

func TestCodesMarshalByNameInJSON(t *testing.T) {
	t.Parallel()
	raw, err := json.Marshal(map[string]Code{"code": MissingModel})
	require.NoError(t, err)
	assert.JSONEq(t, `{"code":"missing_model"}`, string(raw))

	var got struct{ Code Code }
	require.NoError(t, json.Unmarshal([]byte(`{"Code":"invalid_json"}`), &got))
	assert.Equal(t, InvalidJSON, got.Code)
	assert.Error(t, json.Unmarshal([]byte(`{"Code":"no_such_code"}`), &got))
}

func TestDefaultMessagesAreOwnWordsAndDistinct(t *testing.T) {
	t.Parallel()
	seed := make(map[string]string, len(specTable))
	for _, row := range specTable {
		seed[row.name] = row.seedDigest
	}
	seen := map[string]Code{}
	for _, c := range Codes() {
		msg := New(c, "", "").Message()
		assert.NotEmptyf(t, strings.TrimSpace(msg), "%s has no message", c)
		if other, dup := seen[msg]; dup {
			t.Errorf("%s and %s share the message %q", c, other, msg)
		}
		seen[msg] = c
		assert.NotEqualf(t, seed[c.String()], digest(normaliseProse(msg)),
			"%s's message is the seed's description", c)
		for _, s := range sentences(msg) {
			assert.Falsef(t, seedSentenceDigests[digest(s)[:16]],
				"%s's message copies the seed sentence %q", c, s)
		}
	}
}

func TestSeedDigestsDetectACopy(t *testing.T) {
	t.Parallel()
	// Guards the helpers above: a known sentence must hash into the set, or
	// the copy checks would pass vacuously.
	assert.True(t, seedSentenceDigests[digest(normaliseProse("Wrong  path."))[:16]])
	assert.Equal(t, []string{"a b.", "c?", "d"}, sentences("A  b. C? d"))
}
