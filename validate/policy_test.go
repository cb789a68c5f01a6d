package validate

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
)

const specPolicy = `{
  "max_body_bytes": 1000000,
  "default_start_within": "",
  "flex_models": {"openai": ["gpt-5.5", "o3"], "gemini": ["gemini-3-pro"]}
}`

// flexCapable reports whether v lets model take a duration start_within.
func flexCapable(t *testing.T, v *Validator, model string) bool {
	t.Helper()
	body := `{"model":` + strconv.Quote(model) + `,"start_within":"00h-00m-30s","max_tokens":1}`
	_, err := v.Check(Messages, []byte(body))
	switch apierrors.CodeOf(err) {
	case "":
		return true
	case apierrors.ModelNotFlexCapable, apierrors.FlexUnsupportedForAnthropic:
		return false
	}
	t.Fatalf("unexpected answer for %q: %v", model, err)
	return false
}

func TestLoadPolicyAcceptsTheSpecExample(t *testing.T) {
	t.Parallel()
	p, err := LoadPolicy(strings.NewReader(specPolicy))
	require.NoError(t, err)
	assert.Equal(t, Policy{
		MaxBodyBytes: 1_000_000,
		FlexModels:   map[string][]string{"openai": {"gpt-5.5", "o3"}, "gemini": {"gemini-3-pro"}},
	}, p)

	v, err := New(p)
	require.NoError(t, err)
	assert.True(t, flexCapable(t, v, "o3"))
	assert.False(t, flexCapable(t, v, "gpt-5"), "the file's list replaces the built-in one")
	assert.True(t, flexCapable(t, v, "gemini-3-pro"))
	assert.False(t, flexCapable(t, v, "gemini-3-flash"))
}

func TestLoadPolicyEmptyObjectGivesTheDefaults(t *testing.T) {
	t.Parallel()
	p, err := LoadPolicy(strings.NewReader(`{}`))
	require.NoError(t, err)
	assert.Equal(t, Policy{}, p)
	v, err := New(p)
	require.NoError(t, err)

	padded := func(size int) []byte {
		head := `{"model":"gpt-5.5","start_within":"auto","pad":"`
		return []byte(head + strings.Repeat("x", size-len(head)-2) + `"}`)
	}
	_, err = v.Check(Responses, padded(1_000_000))
	assert.NoError(t, err, "exactly 1,000,000 bytes pass")
	_, err = v.Check(Responses, padded(1_000_001))
	assert.Equal(t, apierrors.RequestTooLarge, apierrors.CodeOf(err))

	_, err = v.Check(Responses, []byte(`{"model":"gpt-5.5"}`))
	assert.Equal(t, apierrors.MissingStartWithin, apierrors.CodeOf(err), "no default start_within")

	builtin := BuiltinFlexModels()
	assert.Contains(t, builtin["openai"], "gpt-5.5")
	for _, model := range append(builtin["openai"], builtin["gemini"]...) {
		assert.True(t, flexCapable(t, v, model), model)
	}
	builtin["openai"][0] = "changed"
	assert.NotEqual(t, "changed", BuiltinFlexModels()["openai"][0], "BuiltinFlexModels returns a copy")
}

func TestLoadPolicyDefaultStartWithin(t *testing.T) {
	t.Parallel()
	p, err := LoadPolicy(strings.NewReader(`{"default_start_within":"00h-00m-30s"}`))
	require.NoError(t, err)
	v, err := New(p)
	require.NoError(t, err)
	res, err := v.Check(Responses, []byte(`{"model":"gpt-5.5"}`))
	require.NoError(t, err)
	assert.Equal(t, "00h-00m-30s", res.StartWithin.String())
	assert.True(t, res.StartWithinDefaulted)
}

func TestLoadPolicyRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		file    string
		wantKey string // a substring the error must hold
	}{
		{"an unknown top-level key is rejected", `{"max_bytes":5}`, "max_bytes"},
		{"an unknown provider inside flex_models is rejected", `{"flex_models":{"anthropic":["claude-x"]}}`, "anthropic"},
		{"a negative max_body_bytes is rejected", `{"max_body_bytes":-1}`, "max_body_bytes"},
		{"max_body_bytes given as a string is rejected", `{"max_body_bytes":"1000"}`, "max_body_bytes"},
		{"a fractional max_body_bytes is rejected", `{"max_body_bytes":1.5}`, "max_body_bytes"},
		{"a malformed default_start_within is rejected", `{"default_start_within":"30s"}`, "default_start_within"},
		{"an allow-list entry with a star in the middle is rejected", `{"flex_models":{"openai":["gpt-*-mini"]}}`, "flex_models.openai[0]"},
		{"an empty allow-list entry is rejected", `{"flex_models":{"gemini":["gemini-3-pro",""]}}`, "flex_models.gemini[1]"},
		{"an allow-list that is not a list is rejected", `{"flex_models":{"openai":"gpt-5.5"}}`, "openai"},
		{"an unknown provider inside provider_prefixes is rejected", `{"provider_prefixes":{"bedrock":["us."]}}`, `provider_prefixes: unknown provider "bedrock"`},
		{"an empty provider prefix is rejected", `{"provider_prefixes":{"anthropic":["anthropic/",""]}}`, "provider_prefixes.anthropic[1] is empty"},
		{"a provider prefix with a star is rejected", `{"provider_prefixes":{"openai":["openai/*"]}}`, "provider_prefixes.openai[0]"},
		{"a prefix for two providers is rejected", `{"provider_prefixes":{"anthropic":["x/"],"gemini":["x/"]}}`, "provider_prefixes.gemini[0]"},
		{"a built-in prefix for another provider is rejected", `{"provider_prefixes":{"openai":["claude-"]}}`, "provider_prefixes.openai[0]"},
		{"a provider prefix list that is not a list is rejected", `{"provider_prefixes":{"openai":"openai/"}}`, "provider_prefixes.openai: want a list of strings"},
		{"provider_prefixes that are not an object are rejected", `{"provider_prefixes":["openai/"]}`, "provider_prefixes: want an object of lists by provider"},
		{"accept_no_op_defaults given as a string is rejected", `{"accept_no_op_defaults":"yes"}`, "accept_no_op_defaults"},
		{"trailing data after the object is rejected", `{} {}`, "after"},
		{"trailing garbage after the object is rejected", `{}x`, "after"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadPolicy(strings.NewReader(tc.file))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantKey)
			assert.True(t, strings.HasPrefix(err.Error(), "flexguard/validate: "), err.Error())
		})
	}
}

func TestNewRejectsAMalformedPolicy(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		policy  Policy
		wantKey string
	}{
		{"a negative limit", Policy{MaxBodyBytes: -1}, "max_body_bytes"},
		{"a default outside the grammar", Policy{DefaultStartWithin: "Auto"}, "default_start_within"},
		{"a star inside an entry", Policy{FlexModels: map[string][]string{"gemini": {"*gemini"}}}, "flex_models.gemini[0]"},
		{"an unknown provider", Policy{FlexModels: map[string][]string{"anthropic": {"claude-x"}}}, "anthropic"},
		{"a prefix of an unknown provider", Policy{ProviderPrefixes: map[string][]string{"azure": {"azure/"}}}, "provider_prefixes"},
		{"an empty prefix", Policy{ProviderPrefixes: map[string][]string{"gemini": {""}}}, "provider_prefixes.gemini[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name+" fails at construction", func(t *testing.T) {
			t.Parallel()
			v, err := New(tc.policy)
			require.Error(t, err)
			assert.Nil(t, v)
			assert.Contains(t, err.Error(), tc.wantKey)
			assert.True(t, strings.HasPrefix(err.Error(), "flexguard/validate: policy: "), err.Error())
		})
	}
}

func TestFlexCapable(t *testing.T) {
	t.Parallel()
	type lists = map[string][]string
	cases := []struct {
		name   string
		models lists
		model  string
		want   bool
	}{
		{"an exact entry matches its model", lists{"openai": {"o3"}}, "o3", true},
		{"an exact entry does not match a longer name", lists{"openai": {"o3"}}, "o3-mini", false},
		{"an exact entry is case-sensitive", lists{"openai": {"o3"}}, "O3", false},
		{"a star entry matches by prefix", lists{"openai": {"gpt-5*"}}, "gpt-5.5-mini", true},
		{"a star entry matches its bare prefix", lists{"openai": {"gpt-5*"}}, "gpt-5", true},
		{"a star entry does not match another prefix", lists{"openai": {"gpt-5*"}}, "gpt-4o", false},
		{"a provider left out keeps the built-in list", lists{"gemini": {}}, "gpt-5.5", true},
		{"a null list keeps the built-in list", lists{"openai": nil}, "gpt-5.5", true},
		{"no lists at all are the built-in lists", nil, "gemini-3-pro", true},
		{"an empty openai list means no openai model", lists{"openai": {}}, "gpt-5.5", false},
		{"an empty gemini list means no gemini model", lists{"gemini": {}}, "gemini-3-pro", false},
		{"a gemini model is judged by the gemini list", lists{"openai": {"gemini-3-pro"}, "gemini": {}}, "gemini-3-pro", false},
		{"an anthropic model is never flex-capable", lists{"openai": {"*"}, "gemini": {"*"}}, "claude-sonnet-4", false},
		{"a lone star matches every model of the provider", lists{"openai": {"*"}}, "anything", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := New(Policy{FlexModels: tc.models})
			require.NoError(t, err)
			assert.Equal(t, tc.want, flexCapable(t, v, tc.model))
		})
	}
}

func TestLoadPolicyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()

	good := filepath.Join(dir, "policy.json")
	require.NoError(t, os.WriteFile(good, []byte(specPolicy), 0o600))
	p, err := LoadPolicyFile(good)
	require.NoError(t, err)
	assert.EqualValues(t, 1_000_000, p.MaxBodyBytes)

	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"nope":1}`), 0o600))
	_, err = LoadPolicyFile(bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nope")
	assert.Contains(t, err.Error(), bad, "the error names the file")

	_, err = LoadPolicyFile(filepath.Join(dir, "missing.json"))
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "flexguard/validate: "), err.Error())
}

// The policy file of validate's documentation, with both options for real
// clients on.
const realClientsPolicy = `{
  "provider_prefixes": {
    "anthropic": ["anthropic/", "anthropic.claude-", "us.anthropic.claude-", "global.anthropic.claude-"],
    "gemini": ["google/gemini-"],
    "openai": ["openai/", "openai."]
  },
  "accept_no_op_defaults": true
}`

func TestLoadPolicyReadsTheOptionsForRealClients(t *testing.T) {
	t.Parallel()
	p, err := LoadPolicy(strings.NewReader(realClientsPolicy))
	require.NoError(t, err)
	assert.True(t, p.AcceptNoOpDefaults)
	assert.Equal(t, []string{"google/gemini-"}, p.ProviderPrefixes["gemini"])
	v, err := New(p)
	require.NoError(t, err)

	tests := []struct {
		name      string
		ep        Endpoint
		body      string
		wantCode  apierrors.Code
		wantParam string
		provider  Provider
	}{
		{"a LiteLLM claude name without a cap is missing_max_tokens", ChatCompletions,
			`{"model":"anthropic/claude-haiku-4-5","start_within":"auto","messages":[{"role":"user","content":"hi"}]}`, apierrors.MissingMaxTokens, "max_completion_tokens", 0},
		{"a Bedrock US id with a duration is flex_unsupported_for_anthropic", Messages,
			`{"model":"us.anthropic.claude-sonnet-4-5-20250929-v1:0","start_within":"00h-00m-30s","max_tokens":64}`, apierrors.FlexUnsupportedForAnthropic, "start_within", 0},
		{"a Bedrock global id with a duration is flex_unsupported_for_anthropic", Responses,
			`{"model":"global.anthropic.claude-opus-4-6-v1","start_within":"00h-02m-00s","max_output_tokens":64}`, apierrors.FlexUnsupportedForAnthropic, "start_within", 0},
		{"a chat body with a zero penalty and an empty logit_bias passes", ChatCompletions,
			`{"model":"gpt-5.5","start_within":"auto","presence_penalty":0,"logit_bias":{},"messages":[]}`, "", "", OpenAI},
		{"a routed openai name is on the built-in list by its native name", Responses,
			`{"model":"openai.gpt-5.5","start_within":"00h-00m-30s"}`, "", "", OpenAI},
		{"a routed gemini name refuses auto", Interactions,
			`{"model":"google/gemini-3-pro","start_within":"auto"}`, apierrors.AutoUnsupportedForGemini, "start_within", 0},
		{"a routed claude name with its cap passes as anthropic's", Messages,
			`{"model":"anthropic/claude-haiku-4-5","start_within":"priority","max_tokens":64}`, "", "", Anthropic},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := v.Check(tc.ep, []byte(tc.body))
			if tc.wantCode == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.provider, res.Provider)
				return
			}
			var e *apierrors.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.wantCode, e.Code())
			assert.Equal(t, tc.wantParam, e.Param())
		})
	}

	// With both options off, the same bodies get the catalog's answers.
	off, err := New(Policy{})
	require.NoError(t, err)
	res, err := off.Check(ChatCompletions, []byte(`{"model":"anthropic/claude-haiku-4-5","start_within":"auto"}`))
	require.NoError(t, err)
	assert.Equal(t, OpenAI, res.Provider, "an unknown prefix is OpenAI's by default")
	_, err = off.Check(ChatCompletions, []byte(`{"model":"gpt-5.5","start_within":"auto","presence_penalty":0}`))
	assert.Equal(t, apierrors.UnsupportedParameter, apierrors.CodeOf(err))
}
