package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
)

// isZero compares decimals exactly; isEmptyObject ignores whitespace only.
func TestNoOpValueTests(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		test    func(string) bool
		yes, no []string
	}{
		"isZero": {isZero,
			[]string{"0", "-0", "0.0", "-0.000", "0e0", "0E+5", "0e-7", "0.00e9999999999", "-0.0E-0000000000000000001"},
			[]string{"1", "-1", "0.1", "0.0000000000000000000000001", "1e-9999999999", "10e-1", "0.01e2", `"0"`, "false", "null", "[]", "{}", "[0]", ""}},
		"isEmptyObject": {isEmptyObject,
			[]string{"{}", "{ }", "{\n\t\r }"},
			[]string{`{"1":0}`, `{"":null}`, "[]", "null", `"{}"`, "0", "{"}},
	}
	for name, tt := range tests {
		for want, raws := range map[bool][]string{true: tt.yes, false: tt.no} {
			for _, raw := range raws {
				t.Run(name+"("+raw+")", func(t *testing.T) {
					t.Parallel()
					assert.Equal(t, want, tt.test(raw))
				})
			}
		}
	}
}

func TestNoOpTestsDoNotAllocate(t *testing.T) {
	for _, raw := range []string{"0", "-0.000e-99999999999", "0.5", "{ }", `{"1":-100}`, "false"} {
		assert.Zero(t, testing.AllocsPerRun(10, func() {
			for f := range numFields {
				isNoOp(f, raw)
			}
		}), raw)
	}
}

// Only the five chat parameters of validate's table have a no-op value;
// every other refused parameter stays refused whatever its value.
func TestNoOpTableHasExactlyTheDocumentedParameters(t *testing.T) {
	t.Parallel()
	var withNoOp []string
	for f, test := range noOps {
		if test != nil {
			withNoOp = append(withNoOp, fieldNames[f])
		}
	}
	assert.Equal(t, []string{"presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs"}, withNoOp)
}

func TestAcceptNoOpDefaults(t *testing.T) {
	t.Parallel()
	const pass apierrors.Code = ""
	off := newEngine(t, Config{DefaultStartWithin: "auto"})
	on := newEngine(t, Config{DefaultStartWithin: "auto", AcceptNoOpDefaults: true})
	cases := []struct {
		name      string
		ep        Endpoint
		body      string
		wantOn    apierrors.Code
		wantParam string // the param of the answer with the option on, when it fails
	}{
		{"presence_penalty 0 passes", ChatCompletions, `{"model":"gpt-5.5","presence_penalty":0}`, pass, ""},
		{"frequency_penalty 0.0 passes", ChatCompletions, `{"model":"gpt-5.5","frequency_penalty":0.0}`, pass, ""},
		{"a negative zero penalty passes", ChatCompletions, `{"model":"gpt-5.5","presence_penalty":-0}`, pass, ""},
		{"a zero with an exponent passes", ChatCompletions, `{"model":"gpt-5.5","presence_penalty":0e5}`, pass, ""},
		{"an empty logit_bias passes", ChatCompletions, `{"model":"gpt-5.5","logit_bias":{}}`, pass, ""},
		{"logprobs false passes", ChatCompletions, `{"model":"gpt-5.5","logprobs":false}`, pass, ""},
		{"top_logprobs 0 passes", ChatCompletions, `{"model":"gpt-5.5","top_logprobs":0}`, pass, ""},
		{"a playground export passes", ChatCompletions, `{"model":"gpt-5.5","temperature":1,"top_p":1,"n":1,"presence_penalty":0,"frequency_penalty":0,"logit_bias":{},"logprobs":false,"top_logprobs":0,"stop":null}`, pass, ""},
		{"a penalty that is not zero is refused", ChatCompletions, `{"model":"gpt-5.5","presence_penalty":0.5}`, apierrors.UnsupportedParameter, "presence_penalty"},
		{"a tiny penalty is not zero", ChatCompletions, `{"model":"gpt-5.5","frequency_penalty":1e-400}`, apierrors.UnsupportedParameter, "frequency_penalty"},
		{"a zero as a string is refused", ChatCompletions, `{"model":"gpt-5.5","presence_penalty":"0"}`, apierrors.UnsupportedParameter, "presence_penalty"},
		{"a logit_bias with an entry is refused", ChatCompletions, `{"model":"gpt-5.5","logit_bias":{"50256":0}}`, apierrors.UnsupportedParameter, "logit_bias"},
		{"logprobs true is refused", ChatCompletions, `{"model":"gpt-5.5","logprobs":true,"top_logprobs":0}`, apierrors.UnsupportedParameter, "logprobs"},
		{"top_logprobs 1 is refused", ChatCompletions, `{"model":"gpt-5.5","logprobs":false,"top_logprobs":1}`, apierrors.UnsupportedParameter, "top_logprobs"},
		{"the last of repeated values is judged", ChatCompletions, `{"model":"gpt-5.5","presence_penalty":0,"presence_penalty":2}`, apierrors.UnsupportedParameter, "presence_penalty"},
		{"seed 0 has no no-op value", ChatCompletions, `{"model":"gpt-5.5","presence_penalty":0,"seed":0}`, apierrors.UnsupportedParameter, "seed"},
		{"an empty stop list has no no-op value", ChatCompletions, `{"model":"gpt-5.5","stop":[]}`, apierrors.UnsupportedParameter, "stop"},
		{"an empty prediction has no no-op value", ChatCompletions, `{"model":"gpt-5.5","prediction":{}}`, apierrors.UnsupportedParameter, "prediction"},
		{"an empty audio has no no-op value", ChatCompletions, `{"model":"gpt-5.5","audio":{}}`, apierrors.UnsupportedParameter, "audio"},
		{"empty web_search_options turn search on", ChatCompletions, `{"model":"gpt-5.5","web_search_options":{}}`, apierrors.UnsupportedParameter, "web_search_options"},
		{"n is still judged by value", ChatCompletions, `{"model":"gpt-5.5","presence_penalty":0,"n":2}`, apierrors.UnsupportedValue, "n"},
		{"top_k 0 has no no-op value", Messages, `{"model":"gpt-5.5","top_k":0}`, apierrors.UnsupportedParameter, "top_k"},
		{"an empty stop_sequences has no no-op value", Messages, `{"model":"gpt-5.5","stop_sequences":[]}`, apierrors.UnsupportedParameter, "stop_sequences"},
		{"an empty cache_control has no no-op value", Messages, `{"model":"gpt-5.5","system":[{"cache_control":{}}]}`, apierrors.UnsupportedParameter, "system[0].cache_control"},
		{"generation_config.seed 0 has no no-op value", Interactions, `{"model":"gpt-5.5","generation_config":{"seed":0}}`, apierrors.UnsupportedGenerationConfig, "generation_config.seed"},
		{"an empty generation_config.stop_sequences has no no-op value", Interactions, `{"model":"gpt-5.5","generation_config":{"stop_sequences":[]}}`, apierrors.UnsupportedGenerationConfig, "generation_config.stop_sequences"},
		{"a no-op value does not excuse a later rule", ChatCompletions, `{"model":"claude-x","presence_penalty":0}`, apierrors.MissingMaxTokens, "max_completion_tokens"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := on.Check(tc.ep, []byte(tc.body))
			if tc.wantOn == pass {
				require.Nil(t, err, "with the option on")
				_, err = off.Check(tc.ep, []byte(tc.body))
				require.NotNil(t, err, "with the option off, the catalog refuses any set value")
				assert.Equal(t, apierrors.UnsupportedParameter, err.Code())
				return
			}
			require.NotNil(t, err, "with the option on")
			assert.Equal(t, tc.wantOn, err.Code())
			assert.Equal(t, tc.wantParam, err.Param())
			_, offErr := off.Check(tc.ep, []byte(tc.body))
			assert.NotNil(t, offErr, "what the option refuses, the catalog refuses too")
		})
	}
}
