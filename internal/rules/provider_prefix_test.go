package rules

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
)

// realClients is the prefix set of validate's documentation: LiteLLM,
// OpenRouter and Bedrock names.
var realClients = map[string][]string{
	"anthropic": {"anthropic/", "anthropic.claude-", "us.anthropic.claude-", "global.anthropic.claude-"},
	"gemini":    {"google/gemini-"},
	"openai":    {"openai/", "openai."},
}

func TestProviderPrefixes(t *testing.T) {
	t.Parallel()
	type prefixes = map[string][]string
	nested := prefixes{"gemini": {"vertex_ai/"}, "anthropic": {"vertex_ai/claude-"}, "openai": {"c"}}
	cases := []struct {
		name       string
		prefixes   prefixes
		model      string
		want       Provider
		wantNative string
	}{
		{"without a policy a LiteLLM name is openai's", nil, "anthropic/claude-haiku-4-5", OpenAI, "anthropic/claude-haiku-4-5"},
		{"without a policy a Bedrock id is openai's", nil, "us.anthropic.claude-sonnet-4-5-v1:0", OpenAI, "us.anthropic.claude-sonnet-4-5-v1:0"},
		{"the built-in claude- prefix stays", realClients, "claude-opus-4", Anthropic, "claude-opus-4"},
		{"the built-in gemini- prefix stays", realClients, "gemini-3-pro", Gemini, "gemini-3-pro"},
		{"a LiteLLM name is anthropic's", realClients, "anthropic/claude-haiku-4-5", Anthropic, "claude-haiku-4-5"},
		{"a Bedrock id is anthropic's", realClients, "anthropic.claude-3-5-sonnet-20240620-v1:0", Anthropic, "claude-3-5-sonnet-20240620-v1:0"},
		{"a Bedrock US id is anthropic's by its longer prefix", realClients, "us.anthropic.claude-sonnet-4-5-v1:0", Anthropic, "claude-sonnet-4-5-v1:0"},
		{"a Bedrock global id is anthropic's", realClients, "global.anthropic.claude-opus-4-6-v1", Anthropic, "claude-opus-4-6-v1"},
		{"a Bedrock region the policy does not list is openai's", realClients, "eu.anthropic.claude-x", OpenAI, "eu.anthropic.claude-x"},
		{"a google name keeps gemini- in its native name", realClients, "google/gemini-3-pro", Gemini, "gemini-3-pro"},
		{"an openai route is stripped", realClients, "openai/gpt-5.5", OpenAI, "gpt-5.5"},
		{"a Bedrock openai id is stripped", realClients, "openai.gpt-oss-120b-1:0", OpenAI, "gpt-oss-120b-1:0"},
		{"a name no prefix claims is openai's as sent", realClients, "mistral-large", OpenAI, "mistral-large"},
		{"prefixes are case-sensitive", realClients, "Anthropic/claude-x", OpenAI, "Anthropic/claude-x"},
		{"a name that is just a prefix belongs to it", realClients, "anthropic/", Anthropic, ""},
		{"the longer of two nested prefixes wins", nested, "vertex_ai/claude-sonnet-4", Anthropic, "claude-sonnet-4"},
		{"the shorter prefix takes the rest", nested, "vertex_ai/gemini-3-pro", Gemini, "gemini-3-pro"},
		{"a built-in prefix beats a shorter one of the policy", nested, "claude-x", Anthropic, "claude-x"},
		{"a short openai prefix takes what no longer one claims", nested, "cx", OpenAI, "x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEngine(t, Config{ProviderPrefixes: tc.prefixes})
			p, native := e.prefixes.match(tc.model)
			assert.Equal(t, tc.want, p)
			assert.Equal(t, tc.wantNative, native)
			if tc.model != "" {
				res, err := e.Check(Responses, []byte(`{"model":`+strconv.Quote(tc.model)+`,"start_within":"priority","max_output_tokens":1}`))
				require.Nil(t, err)
				assert.Equal(t, tc.want, res.Provider)
				assert.Equal(t, tc.model, res.Model, "the handler gets the name as sent")
			}
		})
	}
}

func TestCompileRejectsBadProviderPrefixes(t *testing.T) {
	t.Parallel()
	type prefixes = map[string][]string
	cases := []struct {
		name     string
		prefixes prefixes
		want     string // the whole error, naming the key
	}{
		{"an unknown provider", prefixes{"bedrock": {"us."}}, `policy: provider_prefixes: unknown provider "bedrock"; want anthropic, gemini or openai`},
		{"an empty prefix", prefixes{"anthropic": {"anthropic/", ""}}, `policy: provider_prefixes.anthropic[1] is empty`},
		{"a star in a prefix", prefixes{"openai": {"openai/*"}}, `policy: provider_prefixes.openai[0] "openai/*": a prefix is matched as written, not as a pattern; drop the '*'`},
		{"a prefix given to two providers", prefixes{"anthropic": {"x/"}, "openai": {"x/"}}, `policy: provider_prefixes.openai[0] "x/" is already a prefix of anthropic; a prefix can mark one provider only`},
		{"a built-in prefix given to another provider", prefixes{"openai": {"gemini-"}}, `policy: provider_prefixes.openai[0] "gemini-" is already a prefix of gemini; a prefix can mark one provider only`},
	}
	for _, tc := range cases {
		t.Run(tc.name+" is an error naming the key", func(t *testing.T) {
			t.Parallel()
			e, err := Compile(Config{ProviderPrefixes: tc.prefixes})
			require.Error(t, err)
			assert.Nil(t, e)
			assert.Equal(t, tc.want, err.Error())
		})
	}

	t.Run("a prefix repeated for its own provider is harmless", func(t *testing.T) {
		t.Parallel()
		e := newEngine(t, Config{ProviderPrefixes: prefixes{"anthropic": {"claude-", "a/", "a/"}, "gemini": nil}})
		assert.Len(t, e.prefixes, 3, "claude-, gemini- and a/, once each")
	})
}

// The allow-lists match a model by its full name or its native name.
func TestFlexCapableByNativeName(t *testing.T) {
	t.Parallel()
	type lists = map[string][]string
	cases := []struct {
		name  string
		flex  lists
		model string
		want  apierrors.Code
	}{
		{"a built-in entry matches a dotted route", nil, "openai.gpt-5.5", ""},
		{"a built-in entry matches a slashed route", nil, "openai/gpt-5.5", ""},
		{"a gemini entry matches a google route", nil, "google/gemini-3-pro", ""},
		{"a model off the list stays off under any route", nil, "openai/gpt-4o", apierrors.ModelNotFlexCapable},
		{"an entry written with its route matches that name", lists{"openai": {"openai.gpt-4o"}}, "openai.gpt-4o", ""},
		{"an entry written with one route does not match another", lists{"openai": {"openai.gpt-4o"}}, "openai/gpt-4o", apierrors.ModelNotFlexCapable},
		{"a star entry matches the native name", lists{"openai": {"gpt-5*"}}, "openai/gpt-5-mini", ""},
		{"a route is not stripped for a name of another provider", lists{"gemini": {"3-pro"}}, "google/gemini-3-pro", apierrors.ModelNotFlexCapable},
		{"a duration on an anthropic route is refused as anthropic's", lists{"openai": {"*"}}, "us.anthropic.claude-sonnet-4-5-v1:0", apierrors.FlexUnsupportedForAnthropic},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEngine(t, Config{FlexModels: tc.flex, ProviderPrefixes: realClients})
			_, err := e.Check(Messages, []byte(`{"model":`+strconv.Quote(tc.model)+`,"start_within":"00h-00m-30s","max_tokens":1}`))
			if tc.want == "" {
				assert.Nil(t, err)
				return
			}
			require.NotNil(t, err)
			assert.Equal(t, tc.want, err.Code())
		})
	}
}

// The "done when", in the engine: both options on.
func TestRealClientsWithBothOptions(t *testing.T) {
	t.Parallel()
	e := newEngine(t, Config{ProviderPrefixes: realClients, AcceptNoOpDefaults: true})

	_, err := e.Check(ChatCompletions, []byte(`{"model":"anthropic/claude-haiku-4-5","start_within":"auto","messages":[]}`))
	require.NotNil(t, err)
	assert.Equal(t, apierrors.MissingMaxTokens, err.Code())
	assert.Equal(t, "max_completion_tokens", err.Param())

	for _, model := range []string{"us.anthropic.claude-sonnet-4-5-20250929-v1:0", "global.anthropic.claude-opus-4-6-v1"} {
		_, err = e.Check(Messages, []byte(`{"model":"`+model+`","start_within":"00h-01m-00s","max_tokens":64}`))
		require.NotNil(t, err, model)
		assert.Equal(t, apierrors.FlexUnsupportedForAnthropic, err.Code(), model)
	}

	res, err := e.Check(ChatCompletions, []byte(`{"model":"gpt-5.5","start_within":"auto","presence_penalty":0,"logit_bias":{}}`))
	require.Nil(t, err)
	assert.Equal(t, OpenAI, res.Provider)
}

func TestProviderMatchDoesNotAllocate(t *testing.T) {
	e := newEngine(t, Config{ProviderPrefixes: realClients})
	for _, model := range []string{"gpt-5.5", "us.anthropic.claude-x", "google/gemini-3-pro"} {
		assert.Zero(t, testing.AllocsPerRun(10, func() { e.prefixes.match(model) }), model)
	}
}

// FuzzProviderPrefixes holds the prefix table to its definition, checked
// by brute force: Compile accepts a policy exactly when no prefix is
// empty, holds a '*' or marks two providers (the built-in ones included);
// a model's provider is that of its longest matching prefix, OpenAI when
// none matches; its native name drops the routing part; and Check reports
// that provider and judges the allow-list by either name.
func FuzzProviderPrefixes(f *testing.F) {
	f.Add("anthropic/\nus.anthropic.claude-", "google/gemini-\nvertex_ai/", "openai/\nopenai.", "us.anthropic.claude-x")
	f.Add("vertex_ai/claude-", "vertex_ai/", "", "vertex_ai/claude-sonnet-4")
	f.Add("", "google/gemini-", "o", "google/gemini-3-pro")
	f.Add("a", "ab", "abc", "abcd")
	f.Add("x/", "", "x/", "x/gpt-5.5")
	f.Add("", "", "gemini-", "gemini-3-pro")
	f.Add("an*", "", "", "anything")
	f.Add("claude-", "\n", "", "claude-x")
	f.Fuzz(func(t *testing.T, anthropic, gemini, openai, model string) {
		if !utf8.ValidString(model) || len(model) > 256 {
			return
		}
		lists := map[string][]string{}
		for name, text := range map[string]string{"anthropic": anthropic, "gemini": gemini, "openai": openai} {
			if text != "" {
				lists[name] = strings.Split(text, "\n")
			}
		}
		owner := map[string]Provider{"claude-": Anthropic, "gemini-": Gemini}
		valid := true
		for _, p := range [...]Provider{Anthropic, Gemini, OpenAI} {
			for _, prefix := range lists[p.String()] {
				if other, taken := owner[prefix]; prefix == "" || strings.Contains(prefix, "*") || (taken && other != p) {
					valid = false
				}
				owner[prefix] = p
			}
		}
		_, err := Compile(Config{ProviderPrefixes: lists})
		if !valid {
			require.Error(t, err, "prefixes %q", lists)
			require.True(t, strings.HasPrefix(err.Error(), "policy: provider_prefixes"), err.Error())
			return
		}
		require.NoError(t, err, "prefixes %q", lists)
		if model == "" || strings.Contains(model, "*") {
			return // not an allow-list entry
		}
		e, err := Compile(Config{ProviderPrefixes: lists, FlexModels: map[string][]string{"openai": {model}, "gemini": {model}}})
		require.NoError(t, err)

		want, longest := OpenAI, ""
		for prefix, p := range owner {
			if strings.HasPrefix(model, prefix) && len(prefix) > len(longest) {
				want, longest = p, prefix
			}
		}
		routing := longest
		if own := want.ownPrefix(); own != "" {
			routing = strings.TrimSuffix(longest, own)
		}
		p, native := e.prefixes.match(model)
		require.Equal(t, want, p, "model %q, prefixes %q", model, lists)
		require.Equal(t, model[len(routing):], native, "model %q, prefixes %q", model, lists)

		quoted, err := json.Marshal(model)
		require.NoError(t, err)
		body := []byte(`{"model":` + string(quoted) + `,"start_within":"00h-00m-30s","max_tokens":1}`)
		res, cerr := e.Check(Messages, body)
		if want == Anthropic {
			require.NotNil(t, cerr)
			require.Equal(t, apierrors.FlexUnsupportedForAnthropic, cerr.Code())
			return
		}
		require.Nil(t, cerr, "the allow-list holds the model's full name")
		require.Equal(t, want, res.Provider)

		// An allow-list of the native name alone admits the model too.
		byNative, err := Compile(Config{ProviderPrefixes: lists, FlexModels: map[string][]string{"openai": {native + "*"}, "gemini": {native + "*"}}})
		if native == "" || strings.Contains(native, "*") {
			return
		}
		require.NoError(t, err)
		_, cerr = byNative.Check(Messages, body)
		require.Nil(t, cerr, "native name %q", native)
	})
}

// BenchmarkProviderMatch measures the prefix table on every request:
// the built-in table, and one of real clients' routes.
func BenchmarkProviderMatch(b *testing.B) {
	for _, bc := range []struct {
		name     string
		prefixes map[string][]string
		model    string
	}{
		{"built-in/unclaimed", nil, "gpt-5.5-mini"},
		{"built-in/claude", nil, "claude-sonnet-4-5"},
		{"real-clients/bedrock", realClients, "global.anthropic.claude-opus-4-6-v1"},
		{"real-clients/unclaimed", realClients, "gpt-5.5-mini"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e := newEngine(b, Config{ProviderPrefixes: bc.prefixes})
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.model)))
			for b.Loop() {
				e.prefixes.match(bc.model)
			}
		})
	}
}
