package validate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const specPolicy = `{
  "max_body_bytes": 1000000,
  "default_start_within": "",
  "flex_models": {"openai": ["gpt-5.5", "o3"], "gemini": ["gemini-3-pro"]}
}`

func TestLoadPolicyAcceptsTheSpecExample(t *testing.T) {
	t.Parallel()
	p, err := LoadPolicy(strings.NewReader(specPolicy))
	require.NoError(t, err)
	assert.Equal(t, Policy{
		MaxBodyBytes: 1_000_000,
		FlexModels:   FlexModels{OpenAI: []string{"gpt-5.5", "o3"}, Gemini: []string{"gemini-3-pro"}},
	}, p)

	v, err := New(p)
	require.NoError(t, err)
	assert.True(t, v.FlexCapable("o3"))
	assert.False(t, v.FlexCapable("gpt-5"), "the file's list replaces the built-in one")
	assert.True(t, v.FlexCapable("gemini-3-pro"))
	assert.False(t, v.FlexCapable("gemini-3-flash"))
}

func TestLoadPolicyEmptyObjectGivesTheDefaults(t *testing.T) {
	t.Parallel()
	p, err := LoadPolicy(strings.NewReader(`{}`))
	require.NoError(t, err)
	v, err := New(p)
	require.NoError(t, err)
	assert.EqualValues(t, 1_000_000, v.MaxBodyBytes())
	_, hasDefault := v.DefaultStartWithin()
	assert.False(t, hasDefault)
	assert.True(t, v.FlexCapable("gpt-5.5"))
	assert.Contains(t, BuiltinOpenAIFlexModels, "gpt-5.5")
	assert.True(t, v.FlexCapable(BuiltinGeminiFlexModels[0]))
}

func TestLoadPolicyDefaultStartWithin(t *testing.T) {
	t.Parallel()
	p, err := LoadPolicy(strings.NewReader(`{"default_start_within":"00h-00m-30s"}`))
	require.NoError(t, err)
	v, err := New(p)
	require.NoError(t, err)
	sw, ok := v.DefaultStartWithin()
	require.True(t, ok)
	assert.Equal(t, "00h-00m-30s", sw.String())
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
		{"a star inside an entry", Policy{FlexModels: FlexModels{Gemini: []string{"*gemini"}}}, "flex_models.gemini[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name+" fails at construction", func(t *testing.T) {
			t.Parallel()
			v, err := New(tc.policy)
			require.Error(t, err)
			assert.Nil(t, v)
			assert.Contains(t, err.Error(), tc.wantKey)
		})
	}
}

func TestFlexCapable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		models FlexModels
		model  string
		want   bool
	}{
		{"an exact entry matches its model", FlexModels{OpenAI: []string{"o3"}}, "o3", true},
		{"an exact entry does not match a longer name", FlexModels{OpenAI: []string{"o3"}}, "o3-mini", false},
		{"an exact entry is case-sensitive", FlexModels{OpenAI: []string{"o3"}}, "O3", false},
		{"a star entry matches by prefix", FlexModels{OpenAI: []string{"gpt-5*"}}, "gpt-5.5-mini", true},
		{"a star entry matches its bare prefix", FlexModels{OpenAI: []string{"gpt-5*"}}, "gpt-5", true},
		{"a star entry does not match another prefix", FlexModels{OpenAI: []string{"gpt-5*"}}, "gpt-4o", false},
		{"a nil openai list means the built-in list", FlexModels{}, "gpt-5.5", true},
		{"a nil gemini list means the built-in list", FlexModels{}, "gemini-3-pro", true},
		{"an empty openai list means no openai model", FlexModels{OpenAI: []string{}}, "gpt-5.5", false},
		{"an empty gemini list means no gemini model", FlexModels{Gemini: []string{}}, "gemini-3-pro", false},
		{"a gemini model is judged by the gemini list", FlexModels{OpenAI: []string{"gemini-3-pro"}, Gemini: []string{}}, "gemini-3-pro", false},
		{"an anthropic model is never flex-capable", FlexModels{OpenAI: []string{"*"}, Gemini: []string{"*"}}, "claude-sonnet-4", false},
		{"a lone star matches every model of the provider", FlexModels{OpenAI: []string{"*"}}, "anything", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := New(Policy{FlexModels: tc.models})
			require.NoError(t, err)
			assert.Equal(t, tc.want, v.FlexCapable(tc.model))
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
