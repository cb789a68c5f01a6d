package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
)

// allEndpoints lists the four endpoints.
func allEndpoints() []Endpoint { return []Endpoint{Responses, ChatCompletions, Interactions, Messages} }

func newEngine(t testing.TB, c Config) *Engine {
	t.Helper()
	e, err := Compile(c)
	require.NoError(t, err)
	return e
}

func TestCheckRules(t *testing.T) {
	t.Parallel()
	const pass apierrors.Code = ""
	type rule struct {
		name      string
		ep        Endpoint
		body      string
		wantCode  apierrors.Code
		wantParam string
	}
	cases := []rule{
		// missing_model
		{"a body without model is missing_model", Responses, `{"start_within":"auto"}`, apierrors.MissingModel, "model"},
		{"a null model counts as unset", Responses, `{"model":null,"start_within":"auto"}`, apierrors.MissingModel, "model"},
		{"an empty model is missing_model", Responses, `{"model":"","start_within":"auto"}`, apierrors.MissingModel, "model"},
		{"a numeric model is missing_model", Responses, `{"model":5,"start_within":"auto"}`, apierrors.MissingModel, "model"},
		{"an object model is missing_model", Responses, `{"model":{"name":"gpt-5.5"},"start_within":"auto"}`, apierrors.MissingModel, "model"},
		{"a Model key in another case is not model", Responses, `{"Model":"gpt-5.5","start_within":"auto"}`, apierrors.MissingModel, "model"},
		{"a later empty model wins over an earlier good one", Responses, `{"model":"gpt-5.5","model":"","start_within":"auto"}`, apierrors.MissingModel, "model"},
		{"a later good model wins over an earlier empty one", Responses, `{"model":"","model":"gpt-5.5","start_within":"auto"}`, pass, ""},
		{"an escaped model key is model", Responses, `{"mod\u0065l":"gpt-5.5","start_within":"auto"}`, pass, ""},
		{"a later escaped null model wins", Responses, `{"model":"gpt-5.5","mod\u0065l":null,"start_within":"auto"}`, apierrors.MissingModel, "model"},
		{"a model key nested in another object does not count", Responses, `{"x":{"model":"gpt-5.5"},"start_within":"auto"}`, apierrors.MissingModel, "model"},

		// service_tier_not_allowed
		{"service_tier on responses is refused", Responses, `{"model":"gpt-5.5","service_tier":"flex","start_within":"auto"}`, apierrors.ServiceTierNotAllowed, "service_tier"},
		{"service_tier on messages is refused", Messages, `{"model":"gpt-5.5","service_tier":"auto","start_within":"auto"}`, apierrors.ServiceTierNotAllowed, "service_tier"},
		{"a null service_tier counts as unset", Responses, `{"model":"gpt-5.5","service_tier":null,"start_within":"auto"}`, pass, ""},
		{"missing_model comes before service_tier", Responses, `{"service_tier":"flex"}`, apierrors.MissingModel, "model"},

		// the chat parameters
		{"presence_penalty on chat is refused", ChatCompletions, `{"model":"gpt-5.5","presence_penalty":0.5,"start_within":"auto"}`, apierrors.UnsupportedParameter, "presence_penalty"},
		{"frequency_penalty on chat is refused", ChatCompletions, `{"model":"gpt-5.5","frequency_penalty":0,"start_within":"auto"}`, apierrors.UnsupportedParameter, "frequency_penalty"},
		{"logit_bias on chat is refused", ChatCompletions, `{"model":"gpt-5.5","logit_bias":{},"start_within":"auto"}`, apierrors.UnsupportedParameter, "logit_bias"},
		{"logprobs false on chat is still set", ChatCompletions, `{"model":"gpt-5.5","logprobs":false,"start_within":"auto"}`, apierrors.UnsupportedParameter, "logprobs"},
		{"top_logprobs on chat is refused", ChatCompletions, `{"model":"gpt-5.5","top_logprobs":2,"start_within":"auto"}`, apierrors.UnsupportedParameter, "top_logprobs"},
		{"seed on chat is refused", ChatCompletions, `{"model":"gpt-5.5","seed":7,"start_within":"auto"}`, apierrors.UnsupportedParameter, "seed"},
		{"stop on chat is refused", ChatCompletions, `{"model":"gpt-5.5","stop":["\n"],"start_within":"auto"}`, apierrors.UnsupportedParameter, "stop"},
		{"prediction on chat is refused", ChatCompletions, `{"model":"gpt-5.5","prediction":{"type":"content"},"start_within":"auto"}`, apierrors.UnsupportedParameter, "prediction"},
		{"audio on chat is refused", ChatCompletions, `{"model":"gpt-5.5","audio":{"voice":"alloy"},"start_within":"auto"}`, apierrors.UnsupportedParameter, "audio"},
		{"modalities text alone passes", ChatCompletions, `{"model":"gpt-5.5","modalities":["text"],"start_within":"auto"}`, pass, ""},
		{"modalities with audio is refused", ChatCompletions, `{"model":"gpt-5.5","modalities":["text","audio"],"start_within":"auto"}`, apierrors.UnsupportedParameter, "modalities"},
		{"modalities as a bare string is refused", ChatCompletions, `{"model":"gpt-5.5","modalities":"text","start_within":"auto"}`, apierrors.UnsupportedParameter, "modalities"},
		{"an empty modalities list passes", ChatCompletions, `{"model":"gpt-5.5","modalities":[],"start_within":"auto"}`, pass, ""},
		{"web_search_options on chat is refused", ChatCompletions, `{"model":"gpt-5.5","web_search_options":{},"start_within":"auto"}`, apierrors.UnsupportedParameter, "web_search_options"},
		{"n of 0 is unsupported_value", ChatCompletions, `{"model":"gpt-5.5","n":0,"start_within":"auto"}`, apierrors.UnsupportedValue, "n"},
		{"n of 1 passes", ChatCompletions, `{"model":"gpt-5.5","n":1,"start_within":"auto"}`, pass, ""},
		{"n of 2 is unsupported_value", ChatCompletions, `{"model":"gpt-5.5","n":2,"start_within":"auto"}`, apierrors.UnsupportedValue, "n"},
		{"n of 1.0 passes", ChatCompletions, `{"model":"gpt-5.5","n":1.0,"start_within":"auto"}`, pass, ""},
		{"n of 1e0 passes", ChatCompletions, `{"model":"gpt-5.5","n":1e0,"start_within":"auto"}`, pass, ""},
		{"n as the string 1 is unsupported_value", ChatCompletions, `{"model":"gpt-5.5","n":"1","start_within":"auto"}`, apierrors.UnsupportedValue, "n"},
		{"a null n counts as unset", ChatCompletions, `{"model":"gpt-5.5","n":null,"start_within":"auto"}`, pass, ""},
		{"a null seed counts as unset", ChatCompletions, `{"model":"gpt-5.5","seed":null,"start_within":"auto"}`, pass, ""},
		{"presence_penalty is judged before seed", ChatCompletions, `{"model":"gpt-5.5","seed":1,"presence_penalty":1,"start_within":"auto"}`, apierrors.UnsupportedParameter, "presence_penalty"},
		{"audio is judged before modalities", ChatCompletions, `{"model":"gpt-5.5","modalities":["audio"],"audio":{},"start_within":"auto"}`, apierrors.UnsupportedParameter, "audio"},
		{"unsupported parameters come before n", ChatCompletions, `{"model":"gpt-5.5","n":2,"web_search_options":{},"start_within":"auto"}`, apierrors.UnsupportedParameter, "web_search_options"},
		{"service_tier comes before chat parameters", ChatCompletions, `{"model":"gpt-5.5","seed":1,"service_tier":"flex","start_within":"auto"}`, apierrors.ServiceTierNotAllowed, "service_tier"},
		{"chat parameters are not judged on responses", Responses, `{"model":"gpt-5.5","seed":1,"n":2,"start_within":"auto"}`, pass, ""},
		{"a later null seed wins over an earlier one", ChatCompletions, `{"model":"gpt-5.5","seed":1,"seed":null,"start_within":"auto"}`, pass, ""},

		// the messages parameters
		{"top_k on messages is refused", Messages, `{"model":"gpt-5.5","top_k":5,"start_within":"auto"}`, apierrors.UnsupportedParameter, "top_k"},
		{"stop_sequences on messages is refused", Messages, `{"model":"gpt-5.5","stop_sequences":["x"],"start_within":"auto"}`, apierrors.UnsupportedParameter, "stop_sequences"},
		{"a top-level cache_control is refused", Messages, `{"model":"gpt-5.5","cache_control":{"type":"ephemeral"},"start_within":"auto"}`, apierrors.UnsupportedParameter, "cache_control"},
		{"a cache_control in system is named by its path", Messages, `{"model":"gpt-5.5","system":[{"type":"text","text":"x","cache_control":{"type":"ephemeral"}}],"start_within":"auto"}`, apierrors.UnsupportedParameter, "system[0].cache_control"},
		{"a cache_control in the third tool is named by its path", Messages, `{"model":"gpt-5.5","tools":[{"name":"a"},{"name":"b"},{"name":"c","cache_control":{}}],"start_within":"auto"}`, apierrors.UnsupportedParameter, "tools[2].cache_control"},
		{"a cache_control in a content block is named by its path", Messages, `{"model":"gpt-5.5","messages":[{"role":"user","content":"hi"},{"role":"user","content":[{"type":"text","text":"x","cache_control":{"type":"ephemeral"}}]}],"start_within":"auto"}`, apierrors.UnsupportedParameter, "messages[1].content[0].cache_control"},
		{"a null cache_control counts as unset", Messages, `{"model":"gpt-5.5","system":[{"cache_control":null}],"messages":[{"content":[{"type":"text","cache_control":null}]}],"start_within":"auto"}`, pass, ""},
		{"citations enabled on a document block is refused", Messages, `{"model":"gpt-5.5","messages":[{"content":[{"type":"text","text":"x"},{"type":"document","citations":{"enabled":true}}]}],"start_within":"auto"}`, apierrors.UnsupportedParameter, "messages[0].content[1].citations"},
		{"citations enabled on a file block is refused", Messages, `{"model":"gpt-5.5","messages":[{"content":[{"type":"file","citations":{"enabled":true}}]}],"start_within":"auto"}`, apierrors.UnsupportedParameter, "messages[0].content[0].citations"},
		{"citations disabled on a document block passes", Messages, `{"model":"gpt-5.5","messages":[{"content":[{"type":"document","citations":{"enabled":false}}]}],"start_within":"auto"}`, pass, ""},
		{"citations on a text block are not judged", Messages, `{"model":"gpt-5.5","messages":[{"content":[{"type":"text","citations":{"enabled":true}}]}],"start_within":"auto"}`, pass, ""},
		{"top_k comes before stop_sequences and cache_control", Messages, `{"model":"gpt-5.5","cache_control":{},"stop_sequences":[],"top_k":1,"start_within":"auto"}`, apierrors.UnsupportedParameter, "top_k"},
		{"a top-level cache_control comes before one in system", Messages, `{"model":"gpt-5.5","system":[{"cache_control":{}}],"cache_control":{},"start_within":"auto"}`, apierrors.UnsupportedParameter, "cache_control"},
		{"a cache_control in system comes before one in tools", Messages, `{"model":"gpt-5.5","tools":[{"cache_control":{}}],"system":[{"text":"a"},{"cache_control":{}}],"start_within":"auto"}`, apierrors.UnsupportedParameter, "system[1].cache_control"},
		{"a cache_control in tools comes before one in messages", Messages, `{"model":"gpt-5.5","messages":[{"content":[{"cache_control":{}}]}],"tools":[{"cache_control":{}}],"start_within":"auto"}`, apierrors.UnsupportedParameter, "tools[0].cache_control"},
		{"a later cache_control beats an earlier citations block", Messages, `{"model":"gpt-5.5","messages":[{"content":[{"type":"document","citations":{"enabled":true}}]},{"content":[{"type":"text","cache_control":{}}]}],"start_within":"auto"}`, apierrors.UnsupportedParameter, "messages[1].content[0].cache_control"},
		{"the first of two citations blocks is named", Messages, `{"model":"gpt-5.5","messages":[{"content":[{"type":"text"},{"type":"file","citations":{"enabled":true}}]},{"content":[{"type":"document","citations":{"enabled":true}}]}],"start_within":"auto"}`, apierrors.UnsupportedParameter, "messages[0].content[1].citations"},
		{"messages parameters are not judged on chat", ChatCompletions, `{"model":"gpt-5.5","top_k":1,"cache_control":{},"start_within":"auto"}`, pass, ""},

		// the interactions parameters
		{"generation_config.seed is refused", Interactions, `{"model":"gpt-5.5","generation_config":{"seed":1},"start_within":"auto"}`, apierrors.UnsupportedGenerationConfig, "generation_config.seed"},
		{"generation_config.stop_sequences is refused", Interactions, `{"model":"gpt-5.5","generation_config":{"stop_sequences":["x"]},"start_within":"auto"}`, apierrors.UnsupportedGenerationConfig, "generation_config.stop_sequences"},
		{"generation_config.seed is judged before stop_sequences", Interactions, `{"model":"gpt-5.5","generation_config":{"stop_sequences":["x"],"seed":1},"start_within":"auto"}`, apierrors.UnsupportedGenerationConfig, "generation_config.seed"},
		{"a null generation_config.seed counts as unset", Interactions, `{"model":"gpt-5.5","generation_config":{"seed":null,"temperature":1},"start_within":"auto"}`, pass, ""},
		{"a top-level seed is not generation_config.seed", Interactions, `{"model":"gpt-5.5","seed":1,"start_within":"auto"}`, pass, ""},

		// start_within
		{"a missing start_within without a default is missing_start_within", Responses, `{"model":"gpt-5.5"}`, apierrors.MissingStartWithin, "start_within"},
		{"a null start_within counts as unset", Responses, `{"model":"gpt-5.5","start_within":null}`, apierrors.MissingStartWithin, "start_within"},
		{"a numeric start_within is invalid", Responses, `{"model":"gpt-5.5","start_within":30}`, apierrors.InvalidStartWithin, "start_within"},
		{"a start_within out of range is invalid", Responses, `{"model":"gpt-5.5","start_within":"00h-00m-04s"}`, apierrors.InvalidStartWithin, "start_within"},
		{"a capitalised start_within is invalid", Responses, `{"model":"gpt-5.5","start_within":"Auto"}`, apierrors.InvalidStartWithin, "start_within"},
		{"an escaped start_within is decoded first", Responses, `{"model":"gpt-5.5","start_within":"\u0061uto"}`, pass, ""},
		{"a later start_within wins", Responses, `{"model":"gpt-5.5","start_within":"auto","start_within":"soon"}`, apierrors.InvalidStartWithin, "start_within"},
		{"parameters come before start_within", ChatCompletions, `{"model":"gpt-5.5","seed":1}`, apierrors.UnsupportedParameter, "seed"},

		// the provider against start_within
		{"a duration on claude is flex_unsupported_for_anthropic", Messages, `{"model":"claude-sonnet-4","max_tokens":10,"start_within":"00h-00m-30s"}`, apierrors.FlexUnsupportedForAnthropic, "start_within"},
		{"auto on gemini is auto_unsupported_for_gemini", Responses, `{"model":"gemini-3-pro","start_within":"auto"}`, apierrors.AutoUnsupportedForGemini, "start_within"},
		{"a duration on a model off the list is model_not_flex_capable", Responses, `{"model":"gpt-4o","start_within":"00h-00m-30s"}`, apierrors.ModelNotFlexCapable, "model"},
		{"a duration on a listed gemini model passes", Responses, `{"model":"gemini-3-pro","start_within":"00h-01m-00s"}`, pass, ""},
		{"priority on gemini passes", Responses, `{"model":"gemini-3-pro","start_within":"priority"}`, pass, ""},
		{"auto on claude passes with a cap", Messages, `{"model":"claude-sonnet-4","max_tokens":10,"start_within":"auto"}`, pass, ""},
		{"start_within is judged before the provider", Responses, `{"model":"gemini-3-pro","start_within":"AUTO"}`, apierrors.InvalidStartWithin, "start_within"},

		// missing_max_tokens
		{"claude on responses needs max_output_tokens", Responses, `{"model":"claude-sonnet-4","start_within":"auto"}`, apierrors.MissingMaxTokens, "max_output_tokens"},
		{"claude on chat needs max_completion_tokens", ChatCompletions, `{"model":"claude-sonnet-4","start_within":"auto"}`, apierrors.MissingMaxTokens, "max_completion_tokens"},
		{"claude on chat accepts the legacy max_tokens", ChatCompletions, `{"model":"claude-sonnet-4","max_tokens":5,"start_within":"auto"}`, pass, ""},
		{"claude on messages needs max_tokens", Messages, `{"model":"claude-sonnet-4","start_within":"default"}`, apierrors.MissingMaxTokens, "max_tokens"},
		{"claude on interactions needs generation_config.max_output_tokens", Interactions, `{"model":"claude-sonnet-4","max_output_tokens":5,"start_within":"auto"}`, apierrors.MissingMaxTokens, "generation_config.max_output_tokens"},
		{"claude on interactions with the nested cap passes", Interactions, `{"model":"claude-sonnet-4","generation_config":{"max_output_tokens":5},"start_within":"auto"}`, pass, ""},
		{"a null cap counts as unset", Messages, `{"model":"claude-sonnet-4","max_tokens":null,"start_within":"auto"}`, apierrors.MissingMaxTokens, "max_tokens"},
		{"non-claude models need no cap", Messages, `{"model":"gpt-5.5","start_within":"auto"}`, pass, ""},
		{"the provider rule comes before the token cap", Responses, `{"model":"claude-sonnet-4","start_within":"00h-00m-30s"}`, apierrors.FlexUnsupportedForAnthropic, "start_within"},
	}
	v := newEngine(t, Config{})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := v.Check(tc.ep, []byte(tc.body))
			if tc.wantCode == pass {
				require.Nil(t, err)
				assert.Equal(t, tc.ep, res.Endpoint)
				return
			}
			require.NotNil(t, err)
			assert.Equal(t, tc.wantCode.String(), err.Code().String())
			assert.Equal(t, tc.wantParam, err.Param())
			assert.Zero(t, res, "a failed check learns nothing")
			assert.Less(t, len(err.Message()), 400)
		})
	}
}

func TestCheckResult(t *testing.T) {
	t.Parallel()
	v := newEngine(t, Config{})
	body := []byte(`{"model":"gemini-3-flash","start_within":"00h-02m-30s"}`)
	res, err := v.Check(Responses, body)
	require.Nil(t, err)
	assert.Equal(t, Result{
		Endpoint:    Responses,
		Model:       "gemini-3-flash",
		Provider:    Gemini,
		StartWithin: StartWithin{Mode: ModeDuration, Duration: 150 * time.Second},
	}, res)

	copy(body[10:], "XXXXXX")
	assert.Equal(t, "gemini-3-flash", res.Model, "Check's Result must not share the body's memory")
}

func TestCheckDefaultStartWithin(t *testing.T) {
	t.Parallel()
	auto := newEngine(t, Config{DefaultStartWithin: "auto"})

	res, err := auto.Check(Responses, []byte(`{"model":"gpt-5.5"}`))
	require.Nil(t, err)
	assert.Equal(t, StartWithin{Mode: ModeAuto}, res.StartWithin)
	assert.True(t, res.StartWithinDefaulted)

	res, err = auto.Check(Responses, []byte(`{"model":"gpt-5.5","start_within":null}`))
	require.Nil(t, err)
	assert.True(t, res.StartWithinDefaulted, "null takes the default too")

	res, err = auto.Check(Responses, []byte(`{"model":"gpt-5.5","start_within":"priority"}`))
	require.Nil(t, err)
	assert.Equal(t, StartWithin{Mode: ModePriority}, res.StartWithin)
	assert.False(t, res.StartWithinDefaulted, "a sent start_within is not a default")

	_, err = auto.Check(Responses, []byte(`{"model":"gemini-3-pro"}`))
	require.NotNil(t, err)
	assert.Equal(t, apierrors.AutoUnsupportedForGemini, err.Code(), "a default is judged like a sent value")

	flex := newEngine(t, Config{DefaultStartWithin: "00h-00m-30s"})
	_, err = flex.Check(Messages, []byte(`{"model":"claude-sonnet-4","max_tokens":1}`))
	require.NotNil(t, err)
	assert.Equal(t, apierrors.FlexUnsupportedForAnthropic, err.Code())
}

func TestRequestDefaultOverridesThePolicy(t *testing.T) {
	t.Parallel()
	v := newEngine(t, Config{DefaultStartWithin: "auto"})
	var r Request
	require.Nil(t, v.Parse(Responses, []byte(`{"model":"gemini-3-pro"}`), &r))
	r.SetDefaultStartWithin(StartWithin{Mode: ModePriority})
	require.Nil(t, v.Judge(&r, StepTokenCap), "priority replaces the policy's auto, which gemini would refuse")
	res := r.Result()
	assert.Equal(t, StartWithin{Mode: ModePriority}, res.StartWithin)
	assert.True(t, res.StartWithinDefaulted)

	var sent Request
	require.Nil(t, v.Parse(Responses, []byte(`{"model":"gpt-5.5","start_within":"00h-00m-05s"}`), &sent))
	sent.SetDefaultStartWithin(StartWithin{Mode: ModePriority})
	require.Nil(t, v.Judge(&sent, StepTokenCap))
	assert.Equal(t, ModeDuration, sent.Result().StartWithin.Mode, "a sent start_within beats any default")
	assert.False(t, sent.Result().StartWithinDefaulted)

	var reused Request
	require.Nil(t, v.Parse(Responses, []byte(`{"model":"gpt-5.5"}`), &reused))
	reused.SetDefaultStartWithin(StartWithin{Mode: ModeDefault})
	require.Nil(t, v.Parse(Responses, []byte(`{"model":"gemini-3-pro"}`), &reused))
	err := v.Judge(&reused, StepTokenCap)
	require.NotNil(t, err, "Parse forgets the last request's default")
	assert.Equal(t, apierrors.AutoUnsupportedForGemini, err.Code())
}

func TestParse(t *testing.T) {
	t.Parallel()
	v := newEngine(t, Config{MaxBodyBytes: 20})
	var r Request
	assert.Nil(t, v.Parse(Responses, []byte(`{"model":"gpt-5.5"}`+" "), &r), "exactly the limit passes")
	err := v.Parse(Responses, []byte(`{"model":"gpt-5.5"}  `), &r)
	require.NotNil(t, err)
	assert.Equal(t, apierrors.RequestTooLarge, err.Code())

	strict := newEngine(t, Config{StrictDuplicateKeys: true})
	err = strict.Parse(Messages, []byte(`{"model":"a","messages":[{"role":"user","role":"x"}]}`), &r)
	require.NotNil(t, err)
	assert.Equal(t, apierrors.InvalidJSON, err.Code())
	assert.Equal(t, "messages[0].role", err.Param())

}

func TestJudge(t *testing.T) {
	t.Parallel()
	v := newEngine(t, Config{})

	t.Run("judging through a step runs the steps before it", func(t *testing.T) {
		t.Parallel()
		var r Request
		require.Nil(t, v.Parse(Responses, []byte(`{"start_within":"auto"}`), &r))
		err := v.Judge(&r, StepProvider)
		require.NotNil(t, err)
		assert.Equal(t, apierrors.MissingModel, err.Code())
	})

	t.Run("judging through a step stops after it", func(t *testing.T) {
		t.Parallel()
		var r Request
		require.Nil(t, v.Parse(Messages, []byte(`{"model":"claude-x","start_within":"soon"}`), &r))
		require.Nil(t, v.Judge(&r, StepParameters), "start_within is judged later")
		assert.Equal(t, "claude-x", r.Result().Model)
		err := v.Judge(&r, StepTokenCap)
		require.NotNil(t, err)
		assert.Equal(t, apierrors.InvalidStartWithin, err.Code(), "the next step is the next answer")
	})

	t.Run("a failed step's error is the answer of every later call", func(t *testing.T) {
		t.Parallel()
		var r Request
		require.Nil(t, v.Parse(ChatCompletions, []byte(`{"model":"claude-x","seed":1,"start_within":"auto"}`), &r))
		first := v.Judge(&r, StepParameters)
		require.NotNil(t, first)
		assert.Equal(t, "seed", first.Param())
		assert.Same(t, first, v.Judge(&r, StepModel))
		assert.Same(t, first, v.Judge(&r, StepTokenCap), "claude-x has no cap, but the first failure stays the answer")
	})

	t.Run("steps that passed are not judged again", func(t *testing.T) {
		t.Parallel()
		var r Request
		require.Nil(t, v.Parse(Messages, []byte(`{"model":"claude-x","max_tokens":1,"start_within":"auto"}`), &r))
		require.Nil(t, v.Judge(&r, StepTokenCap))
		require.Nil(t, v.Judge(&r, StepTokenCap))
		require.Nil(t, v.Judge(&r, StepModel))
		assert.Equal(t, Anthropic, r.Result().Provider)
	})
}

// FuzzRulesAgainstDecoder checks that the rules judge the values
// encoding/json decodes: the last of repeated keys, with escapes decoded.
func FuzzRulesAgainstDecoder(f *testing.F) {
	for _, s := range []string{
		`{"model":"gpt-5.5","start_within":"auto"}`,
		`{"model":"gpt-5.5","model":"","start_within":"auto"}`,
		`{"model":"","model":"gpt-5.5","start_within":"auto"}`,
		`{"mod\u0065l":"gpt-5.5","start_within":"\u0061uto"}`,
		`{"model":"gpt-5.5","mod\u0065l":null,"start_within":"auto"}`,
		`{"model":"gpt-5.5","start_within":"auto","start_within":null}`,
		`{"model":"gpt-\u0035.5","start_within":"00h-00m-30s"}`,
		`{"model":"gemini-3-pro","start_within":"00h-01m-00s","start\u005fwithin":"auto"}`,
		`{"model":"claude-x","max_tokens":1,"start_within":"default"}`,
		`{"model":"gpt-5.5\ud800\u0041","start_within":"auto"}`,
		`{"model":"\ud83d\ude00","start_within":"priority"}`,
		`{"model":"a\"b\\c\/d","start_within":"auto","x":{"model":1}}`,
		`{"model":5,"start_within":"auto"}`,
	} {
		for _, ep := range allEndpoints() {
			f.Add(uint8(ep), []byte(s))
		}
	}
	v, err := Compile(Config{})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, epByte uint8, body []byte) {
		ep := allEndpoints()[int(epByte)%len(allEndpoints())]
		res, cerr := v.Check(ep, body)
		if cerr != nil {
			switch cerr.Code() {
			case apierrors.InvalidJSON, apierrors.InvalidBody, apierrors.RequestTooLarge:
				return
			}
		}
		var decoded map[string]any
		require.NoError(t, decodeUsingNumbers(body, &decoded), "Check judged %q a JSON object", body)

		model, isString := decoded["model"].(string)
		if !isString || model == "" {
			require.NotNil(t, cerr, "decoded model %#v", decoded["model"])
			require.Equal(t, apierrors.MissingModel, cerr.Code())
			return
		}
		require.False(t, cerr != nil && cerr.Code() == apierrors.MissingModel, "decoded model %q, Check said missing_model", model)

		rawStart, present := decoded["start_within"]
		if cerr != nil {
			switch cerr.Code() {
			case apierrors.ServiceTierNotAllowed:
				require.NotNil(t, decoded["service_tier"])
			case apierrors.MissingStartWithin:
				require.Nil(t, rawStart)
			case apierrors.InvalidStartWithin:
				s, isString := rawStart.(string)
				if isString {
					_, perr := ParseStartWithin(s)
					require.Error(t, perr, "decoded start_within %q", s)
				}
			}
			return
		}
		require.Equal(t, model, res.Model)
		require.Equal(t, ProviderOf(model), res.Provider)
		require.Nil(t, decoded["service_tier"])
		require.True(t, present && rawStart != nil, "no default in this policy")
		s, isString := rawStart.(string)
		require.True(t, isString, "start_within %#v passed", rawStart)
		want, perr := ParseStartWithin(s)
		require.NoError(t, perr)
		require.Equal(t, want, res.StartWithin)
		require.False(t, res.StartWithinDefaulted)
	})
}

// chatBody builds a realistic chat completions body of about size bytes.
func chatBody(size int) []byte {
	var b strings.Builder
	b.WriteString(`{"model":"gpt-5.5","start_within":"00h-00m-30s","temperature":0.7,"max_completion_tokens":1024,"stream":true,"messages":[{"role":"system","content":"You are a helpful assistant. Answer briefly."}`)
	for i := 0; b.Len() < size-200; i++ {
		role := "user"
		if i%2 == 1 {
			role = "assistant"
		}
		fmt.Fprintf(&b, `,{"role":%q,"content":"Turn %d: tell me about the \"weather\" in Paris, and list three museums [Louvre, Orsay, Rodin]."}`, role, i)
	}
	b.WriteString(`],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}`)
	return []byte(b.String())
}

// messagesBody builds a realistic /v1/messages body of about size bytes,
// with content blocks for the cache_control and citations walk.
func messagesBody(size int) []byte {
	var b strings.Builder
	b.WriteString(`{"model":"claude-sonnet-4","max_tokens":2048,"start_within":"auto","system":[{"type":"text","text":"You are a careful reviewer."}],"tools":[{"name":"search","input_schema":{"type":"object"}}],"messages":[`)
	for i := 0; b.Len() < size-300; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"role":"user","content":[{"type":"text","text":"Part %d of the document follows; summarise it with \u00e9 and \"quotes\"."},{"type":"document","source":{"type":"text","media_type":"text/plain","data":"Lorem ipsum dolor sit amet, consectetur adipiscing elit."},"citations":{"enabled":false}}]},{"role":"assistant","content":[{"type":"text","text":"Noted."}]}`, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

func BenchmarkCheck(b *testing.B) {
	v := newEngine(b, Config{})
	for _, bc := range []struct {
		name string
		ep   Endpoint
		body []byte
	}{
		{"chat-2KB", ChatCompletions, chatBody(2 << 10)},
		{"messages-16KB", Messages, messagesBody(16 << 10)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			_, err := v.Check(bc.ep, bc.body)
			require.Nil(b, err)
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				_, _ = v.Check(bc.ep, bc.body)
			}
		})
	}
}
