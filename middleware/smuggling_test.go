package middleware_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// decodedModels is the model a handler's encoding/json sees in body, by
// the two ways handlers decode: into a map and into a struct.
func decodedModels(t *testing.T, body string) (viaMap, viaStruct string) {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &m))
	viaMap, _ = m["model"].(string)
	var s struct {
		Model string `json:"model"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &s))
	return viaMap, s.Model
}

// TestSmuggledModelIsJudgedAsTheHandlerDecodesIt sends bodies that name two
// models. Handler must judge the one the handler decodes: a gateway that
// checks one model and forwards another can be made to bill, or route,
// something it never validated. start_within is a duration so that the two
// models get different answers: gpt-5.5 passes, claude-* is
// flex_unsupported_for_anthropic.
func TestSmuggledModelIsJudgedAsTheHandlerDecodesIt(t *testing.T) {
	t.Parallel()
	const tail = `,"start_within":"00h-00m-30s","max_output_tokens":16}`
	cases := []struct {
		name string
		body string
	}{
		{"a repeated model key, Claude last", `{"model":"gpt-5.5","model":"claude-opus-4"` + tail},
		{"a repeated model key, GPT last", `{"model":"claude-opus-4","model":"gpt-5.5"` + tail},
		{"an escaped e in the second key", `{"model":"gpt-5.5","mod\u0065l":"claude-opus-4"` + tail},
		{"an escaped e in the first key", `{"mod\u0065l":"claude-opus-4","model":"gpt-5.5"` + tail},
		{"every letter of the second key escaped", `{"model":"gpt-5.5","\u006d\u006f\u0064\u0065\u006c":"claude-opus-4"` + tail},
		{"an escaped slash in the model value", `{"model":"gpt-5.5","model":"claude\/opus"` + tail},
		{"three occurrences", `{"model":"claude-opus-4","model":"gpt-5.5","model":"claude-opus-4"` + tail},
		{"the repeat after a nested object", `{"model":"gpt-5.5","metadata":{"model":"gpt-5.5"},"model":"claude-opus-4"` + tail},
		{"a nested model key alone", `{"model":"gpt-5.5","metadata":{"model":"claude-opus-4"}` + tail},
		{"a model key inside a string", `{"model":"gpt-5.5","note":"\",\"model\":\"claude-opus-4"` + tail},
	}
	for _, c := range cases {
		t.Run(c.name+" is judged as the decoded model", func(t *testing.T) {
			t.Parallel()
			viaMap, viaStruct := decodedModels(t, c.body)
			require.Equal(t, viaMap, viaStruct, "a map and a struct decode the same model")

			got := throughHandler(t, middleware.Options{}, "/v1/responses", []byte(c.body))
			alone := throughHandler(t, middleware.Options{}, "/v1/responses",
				[]byte(`{"model":`+quoteJSON(viaMap)+tail))
			assert.Equal(t, alone.rec.Code, got.rec.Code,
				"Handler answers as it does for the decoded model %q alone: %s", viaMap, got.rec.Body)
			if got.handled {
				assert.Equal(t, viaMap, got.result.Model, "the handler is told the model it decodes")
				assert.Equal(t, []byte(c.body), got.received, "the body passes unchanged")
			}
		})
	}
}

// TestStrictModeRejectsEveryRepeatedKey: with StrictDuplicateKeys, each of
// the smuggling bodies is invalid_json, param the repeated key's path.
func TestStrictModeRejectsEveryRepeatedKey(t *testing.T) {
	t.Parallel()
	strict := middleware.Options{Policy: validate.Policy{StrictDuplicateKeys: true}}
	const tail = `,"start_within":"auto","max_output_tokens":16}`
	cases := []struct {
		name, body, wantParam string
	}{
		{"a repeated model key", `{"model":"gpt-5.5","model":"claude-opus-4"` + tail, "model"},
		{"an escaped e in the second key", `{"model":"gpt-5.5","mod\u0065l":"claude-opus-4"` + tail, "model"},
		{"every letter of the first key escaped", `{"\u006d\u006f\u0064\u0065\u006c":"gpt-5.5","model":"claude-opus-4"` + tail, "model"},
		{"a repeat after a nested object", `{"model":"gpt-5.5","metadata":{"a":1},"model":"claude-opus-4"` + tail, "model"},
		{"a repeat inside a content block", `{"model":"gpt-5.5","input":[{"role":"user","content":[{"type":"input_text","type":"input_image"}]}]` + tail, "input[0].content[0].type"},
		{"a repeated empty key", `{"model":"gpt-5.5","metadata":{"":1,"":2}` + tail, "metadata."},
	}
	for _, c := range cases {
		t.Run(c.name+" is invalid_json naming "+c.wantParam, func(t *testing.T) {
			t.Parallel()
			got := throughHandler(t, strict, "/v1/responses", []byte(c.body))
			require.False(t, got.handled)
			require.Equal(t, http.StatusBadRequest, got.rec.Code)
			code, param, _ := errorBody(t, got.rec)
			assert.Equal(t, "invalid_json", code)
			assert.Equal(t, c.wantParam, param)
		})
	}
}

// TestKeysThatDifferInCaseAreAKnownDifference records a gap that no
// validator keyed like JSON can close. JSON keys are case-sensitive, and
// the validator (like JSON.parse, and like encoding/json into a map) reads
// "model" and "MODEL" as two keys. encoding/json into a struct matches
// field names without regard to case, so a `json:"model"` field takes
// the LAST of the two. A handler that decodes into a struct would forward
// claude-opus-4 after Handler judged gpt-5.5. Strict mode does not catch
// it either: no key repeats. Handlers should decode into a map, or with
// encoding/json/v2's case-sensitive matching, or reject unknown fields.
func TestKeysThatDifferInCaseAreAKnownDifference(t *testing.T) {
	t.Parallel()
	body := `{"model":"gpt-5.5","MODEL":"claude-opus-4","start_within":"00h-00m-30s","max_output_tokens":16}`
	viaMap, viaStruct := decodedModels(t, body)
	assert.Equal(t, "gpt-5.5", viaMap, "a map keeps the keys apart")
	assert.Equal(t, "claude-opus-4", viaStruct, "a struct folds case, and the last key wins")

	for _, strict := range []bool{false, true} {
		opts := middleware.Options{Policy: validate.Policy{StrictDuplicateKeys: strict}}
		got := throughHandler(t, opts, "/v1/responses", []byte(body))
		require.True(t, got.handled, "strict=%v: Handler passes it: %s", strict, got.rec.Body)
		assert.Equal(t, "gpt-5.5", got.result.Model, "strict=%v: Handler judges the exact-case key", strict)
	}
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
