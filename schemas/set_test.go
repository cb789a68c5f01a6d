package schemas_test

import (
	"encoding/json"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/schemas"
	"github.com/flexinference/flexguard/validate"
)

const draft = `"$schema": "https://json-schema.org/draft/2020-12/schema"`

func compileOne(t *testing.T, schema string) (*schemas.Set, error) {
	t.Helper()
	files := fstest.MapFS{
		"rules.json":  {Data: []byte(schema)},
		"shared.json": {Data: []byte(`{` + draft + `, "$defs": {"small": {"maximum": 1}}}`)},
	}
	return schemas.Compile(files, map[validate.Endpoint][]string{validate.Responses: {"rules.json"}})
}

func TestEmbedderSchemasAnswerWithTheirOwnCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		schema     string
		body       string
		wantName   string
		wantStatus int
		wantType   apierrors.Type
		wantParam  string
	}{
		{
			name:     "a custom code takes its status and the default type",
			schema:   `{` + draft + `, "properties": {"temperature": {"x-flexguard-code": "temperature_too_high", "x-flexguard-status": 422, "maximum": 1}}}`,
			body:     `{"temperature": 1.5}`,
			wantName: "temperature_too_high", wantStatus: 422, wantType: apierrors.TypeInvalidRequest, wantParam: "temperature",
		},
		{
			name:     "a custom code without status is a 400 and may name its type",
			schema:   `{` + draft + `, "properties": {"user": {"x-flexguard-code": "user_required", "x-flexguard-type": "permission_error", "type": "string"}}}`,
			body:     `{"user": 5}`,
			wantName: "user_required", wantStatus: 400, wantType: "permission_error", wantParam: "user",
		},
		{
			name:     "a catalog code keeps the catalog's status",
			schema:   `{` + draft + `, "properties": {"logit_bias": {"x-flexguard-code": "unsupported_parameter", "type": "null"}}}`,
			body:     `{"logit_bias": {}}`,
			wantName: "unsupported_parameter", wantStatus: 400, wantType: apierrors.TypeInvalidRequest, wantParam: "logit_bias",
		},
		{
			name:     "a keyword takes the code of the nearest rule around it",
			schema:   `{` + draft + `, "x-flexguard-code": "outer", "properties": {"a": {"properties": {"b": {"x-flexguard-code": "inner", "type": "string"}}}, "c": {"type": "string"}}}`,
			body:     `{"a": {"b": 1}}`,
			wantName: "inner", wantStatus: 400, wantType: apierrors.TypeInvalidRequest, wantParam: "a.b",
		},
		{
			name:     "an outer rule answers for keywords outside the inner one",
			schema:   `{` + draft + `, "x-flexguard-code": "outer", "properties": {"a": {"properties": {"b": {"x-flexguard-code": "inner", "type": "string"}}}, "c": {"type": "string"}}}`,
			body:     `{"c": 1}`,
			wantName: "outer", wantStatus: 400, wantType: apierrors.TypeInvalidRequest, wantParam: "c",
		},
		{
			name:     "a definition reached by $ref answers with the referring rule",
			schema:   `{` + draft + `, "x-flexguard-code": "root_rule", "$defs": {"small": {"maximum": 1}}, "properties": {"top_p": {"x-flexguard-code": "top_p_too_high", "$ref": "#/$defs/small"}}}`,
			body:     `{"top_p": 2}`,
			wantName: "top_p_too_high", wantStatus: 400, wantType: apierrors.TypeInvalidRequest, wantParam: "top_p",
		},
		{
			name:     "a definition in another file answers with the referring rule",
			schema:   `{` + draft + `, "properties": {"top_p": {"x-flexguard-code": "top_p_too_high", "$ref": "shared.json#/$defs/small"}}}`,
			body:     `{"top_p": 2}`,
			wantName: "top_p_too_high", wantStatus: 400, wantType: apierrors.TypeInvalidRequest, wantParam: "top_p",
		},
		{
			name:     "the earlier entry of allOf wins over a later one",
			schema:   `{` + draft + `, "allOf": [{"x-flexguard-code": "first", "properties": {"z": {"type": "null"}}}, {"x-flexguard-code": "second", "properties": {"a": {"type": "null"}}}]}`,
			body:     `{"a": 1, "z": 1}`,
			wantName: "first", wantStatus: 400, wantType: apierrors.TypeInvalidRequest, wantParam: "z",
		},
		{
			name:     "allOf entries are ordered as numbers, so entry 2 comes before entry 10",
			schema:   `{` + draft + `, "allOf": [{}, {}, {"x-flexguard-code": "two", "properties": {"b": {"type": "null"}}}, {}, {}, {}, {}, {}, {}, {}, {"x-flexguard-code": "ten", "properties": {"a": {"type": "null"}}}]}`,
			body:     `{"a": 1, "b": 1}`,
			wantName: "two", wantStatus: 400, wantType: apierrors.TypeInvalidRequest, wantParam: "b",
		},
		{
			name:     "within one rule the lowest index wins",
			schema:   `{` + draft + `, "properties": {"stop": {"x-flexguard-code": "bad_stop", "items": {"maxLength": 2}}}}`,
			body:     `{"stop": ["ok", "ok", "long", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "longer"]}`,
			wantName: "bad_stop", wantStatus: 400, wantType: apierrors.TypeInvalidRequest, wantParam: "stop[2]",
		},
		{
			name:     "a required key fails on the body and names it with x-flexguard-param",
			schema:   `{` + draft + `, "x-flexguard-code": "user_required", "x-flexguard-param": "user", "required": ["user"]}`,
			body:     `{}`,
			wantName: "user_required", wantStatus: 400, wantType: apierrors.TypeInvalidRequest, wantParam: "user",
		},
		{
			name:     "a failure under no rule is invalid_body naming the field",
			schema:   `{` + draft + `, "properties": {"user": {"type": "string"}}}`,
			body:     `{"user": 1}`,
			wantName: "invalid_body", wantStatus: 400, wantType: apierrors.TypeInvalidRequest, wantParam: "user",
		},
		{
			name:     "a failure under a rule comes before one under none",
			schema:   `{` + draft + `, "properties": {"a": {"type": "string"}, "b": {"x-flexguard-code": "b_bad", "type": "string"}}}`,
			body:     `{"a": 1, "b": 1}`,
			wantName: "b_bad", wantStatus: 400, wantType: apierrors.TypeInvalidRequest, wantParam: "b",
		},
		{
			name:     "a numeric object key is a key, not an index",
			schema:   `{` + draft + `, "properties": {"logit_bias": {"x-flexguard-code": "bias_too_big", "additionalProperties": {"maximum": 100}}}}`,
			body:     `{"logit_bias": {"50256": 101}}`,
			wantName: "bias_too_big", wantStatus: 400, wantType: apierrors.TypeInvalidRequest, wantParam: "logit_bias.50256",
		},
		{
			name:     "an anyOf failure names the field that holds it",
			schema:   `{` + draft + `, "properties": {"stop": {"x-flexguard-code": "bad_stop", "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}}}`,
			body:     `{"stop": [1]}`,
			wantName: "bad_stop", wantStatus: 400, wantType: apierrors.TypeInvalidRequest, wantParam: "stop",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			set, err := compileOne(t, tt.schema)
			require.NoError(t, err)
			var got *apierrors.Error
			require.ErrorAs(t, set.Check(validate.Responses, []byte(tt.body)), &got)
			assert.Equal(t, tt.wantName, got.Code().String())
			assert.Equal(t, tt.wantStatus, got.Status())
			assert.Equal(t, tt.wantType, got.Type())
			assert.Equal(t, tt.wantParam, got.Param())
			body, err := json.Marshal(got)
			require.NoError(t, err)
			assert.Contains(t, string(body), `"code":"`+tt.wantName+`"`)
		})
	}
}

func TestCompileRejectsMalformedAnnotations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		schema  string
		wantErr string
	}{
		{"a code that is not snake_case", `{"x-flexguard-code": "Too-High"}`, "snake_case"},
		{"a code that is not a string", `{"x-flexguard-code": 5}`, "must be a string"},
		{"a status below 400", `{"x-flexguard-code": "x", "x-flexguard-status": 200}`, "400 to 599"},
		{"a status that is not an integer", `{"x-flexguard-code": "x", "x-flexguard-status": 422.5}`, "400 to 599"},
		{"a status for a catalog code", `{"x-flexguard-code": "missing_model", "x-flexguard-status": 422}`, "catalog code"},
		{"a type for a catalog code", `{"x-flexguard-code": "missing_model", "x-flexguard-type": "x"}`, "catalog code"},
		{"a status without a code", `{"x-flexguard-status": 422}`, "needs x-flexguard-code"},
		{"an empty param", `{"x-flexguard-code": "x", "x-flexguard-param": ""}`, "non-empty string"},
		{"a nested rule with a bad code", `{"properties": {"a": {"x-flexguard-code": ""}}}`, "snake_case"},
		{"a $ref to the network", `{"$ref": "https://example.com/s.json"}`, "only files of the given fs.FS"},
		{"a file that is not JSON", `{`, "rules.json"},
		{"a policy option that does not exist", `{"x-flexguard-policy": "accept_everything"}`, "must name a policy option"},
		{"a policy option that is not a string", `{"x-flexguard-policy": true}`, "must name a policy option"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := compileOne(t, tt.schema)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.True(t, strings.HasPrefix(err.Error(), "flexguard/schemas: "), err.Error())
		})
	}
	t.Run("a missing file", func(t *testing.T) {
		t.Parallel()
		_, err := schemas.Compile(fstest.MapFS{}, map[validate.Endpoint][]string{validate.Messages: {"nope.json"}})
		require.Error(t, err)
		assert.ErrorIs(t, err, fs.ErrNotExist)
	})
	t.Run("an unknown endpoint", func(t *testing.T) {
		t.Parallel()
		_, err := schemas.Compile(fstest.MapFS{}, map[validate.Endpoint][]string{0: {"x.json"}})
		require.ErrorContains(t, err, "unknown endpoint")
	})
}

func TestCheckDecodesLikeTheHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want string
	}{
		{"an empty body is invalid_json", ``, "invalid_json"},
		{"trailing bytes are invalid_json", `{"model":"gpt-5.5"} {}`, "invalid_json"},
		{"a truncated body is invalid_json", `{"model":"gpt-5.5"`, "invalid_json"},
		{"bytes that are not UTF-8 are invalid_json", "{\"model\":\"gpt\xff\"}", "invalid_json"},
		{"a byte-order mark is invalid_json", "\ufeff{\"model\":\"gpt-5.5\"}", "invalid_json"},
		{"an array is invalid_body", `[{"model":"gpt-5.5"}]`, "invalid_body"},
		{"trailing whitespace is fine", "{\"model\":\"gpt-5.5\"}\n\t ", ""},
		{"nesting past encoding/json's limit is invalid_json", `{"model":"gpt-5.5","x":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, "invalid_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, answer(schemas.Canonical().Check(validate.Responses, []byte(tt.body))))
		})
	}
}

func TestEveryCanonicalRuleNamesACatalogCode(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"responses.json", "chat_completions.json", "interactions.json", "messages.json"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			raw, err := fs.ReadFile(schemas.Files(), name)
			require.NoError(t, err)
			var doc map[string]any
			require.NoError(t, json.Unmarshal(raw, &doc))
			for key := range doc {
				assert.Contains(t, []string{"$schema", "title", "$comment", "type", "allOf"}, key, "every judging keyword sits in a rule of allOf")
			}
			for i, r := range doc["allOf"].([]any) {
				rule := r.(map[string]any)
				code, ok := rule["x-flexguard-code"].(string)
				require.True(t, ok, "allOf/%d has no x-flexguard-code", i)
				_, err := apierrors.ParseCode(code)
				assert.NoError(t, err, "allOf/%d: %s", i, code)
				assert.NotEmpty(t, rule["$comment"], "allOf/%d explains itself", i)
			}
		})
	}
}

func TestSetIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	for _, tc := range differentialCorpus()[:64] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				_ = schemas.Canonical().Check(tc.ep, []byte(tc.body))
			}
		}()
	}
	wg.Wait()
}

func TestAnEndpointWithoutSchemasPasses(t *testing.T) {
	t.Parallel()
	set, err := schemas.Compile(fstest.MapFS{}, nil)
	require.NoError(t, err)
	assert.NoError(t, set.Check(validate.Messages, []byte(`{"anything":1}`)))
	assert.NoError(t, set.Check(validate.Messages, []byte(`{`)), "no schema, no decoding: the canonical rules judge the JSON")
}

func TestAnEmbedderRuleBoundsAClientKeyInParam(t *testing.T) {
	t.Parallel()
	set, err := compileOne(t, `{`+draft+`, "properties": {"metadata": {"x-flexguard-code": "metadata_too_long", "additionalProperties": {"maxLength": 8}}}}`)
	require.NoError(t, err)
	key := strings.Repeat("k", 5000)
	var got *apierrors.Error
	require.ErrorAs(t, set.Check(validate.Responses, []byte(`{"metadata":{"`+key+`":"far too long a value"}}`)), &got)
	assert.Equal(t, apierrors.Code("metadata_too_long"), got.Code())
	assert.LessOrEqual(t, len(got.Param()), 256)
	assert.Equal(t, "metadata."+strings.Repeat("k", 61)+"…", got.Param())
	assert.Less(t, len(got.Message()), 300)
}

// x-flexguard-policy holds only under a policy that turns its option on:
// never in an embedder's Compile, as configured in CanonicalFor.
func TestPolicyKeywordGatesItsSchema(t *testing.T) {
	t.Parallel()
	set, err := compileOne(t, `{`+draft+`, "properties": {"seed": {"x-flexguard-code": "seed_not_zero",
		"anyOf": [{"type": "null"}, {"x-flexguard-policy": "accept_no_op_defaults", "const": 0}]}}}`)
	require.NoError(t, err)
	assert.Equal(t, "seed_not_zero seed", answer(set.Check(validate.Responses, []byte(`{"seed":0}`))), "Compile judges every option off")
	assert.Empty(t, answer(set.Check(validate.Responses, []byte(`{"seed":null}`))))

	body := []byte(`{"model":"gpt-5.5","presence_penalty":0}`)
	assert.Equal(t, "unsupported_parameter presence_penalty", answer(schemas.Canonical().Check(validate.ChatCompletions, body)))
	assert.Equal(t, "unsupported_parameter presence_penalty", answer(schemas.CanonicalFor(validate.Policy{DefaultStartWithin: "auto"}).Check(validate.ChatCompletions, body)))
	assert.Empty(t, answer(schemas.CanonicalFor(validate.Policy{AcceptNoOpDefaults: true}).Check(validate.ChatCompletions, body)))
	assert.Same(t, schemas.Canonical(), schemas.CanonicalFor(validate.Policy{}), "a policy without the option shares the catalog's set")
}
