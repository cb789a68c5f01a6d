package middleware_test

import (
	"net/http"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/schemas"
	"github.com/flexinference/flexguard/validate"
)

// temperatureCeiling is an embedder's rule: temperature at most 1 on chat.
func temperatureCeiling(t *testing.T) *schemas.Set {
	t.Helper()
	files := fstest.MapFS{"limits.json": {Data: []byte(`{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"properties": {"temperature": {
			"x-flexguard-code": "temperature_too_high",
			"x-flexguard-status": 422,
			"maximum": 1
		}}
	}`)}}
	set, err := schemas.Compile(files, map[validate.Endpoint][]string{validate.ChatCompletions: {"limits.json"}})
	require.NoError(t, err)
	return set
}

func TestSchemaRunsEmbedderRulesAfterTheCanonicalOnes(t *testing.T) {
	t.Parallel()
	set := temperatureCeiling(t)
	tests := []struct {
		name, path, body string
		status           int
		code, param      string
	}{
		{"a body within the embedder's rule passes", "/v1/chat/completions",
			`{"model":"gpt-5.5","start_within":"default","temperature":0.7}`, 200, "", ""},
		{"a body breaking the embedder's rule gets the embedder's code and status", "/v1/chat/completions",
			`{"model":"gpt-5.5","start_within":"default","temperature":1.5}`, 422, "temperature_too_high", "temperature"},
		{"a canonical failure is answered before the embedder's rule", "/v1/chat/completions",
			`{"model":"gpt-5.5","start_within":"default","temperature":1.5,"seed":1}`, 400, "unsupported_parameter", "seed"},
		{"an endpoint the embedder has no schema for is not judged by it", "/v1/responses",
			`{"model":"gpt-5.5","start_within":"default","temperature":1.5}`, 200, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := newGuard(t, middleware.Options{Schemas: set})
			for name, mw := range map[string]func(http.Handler) http.Handler{
				"Handler": g.Handler,
				"Schema":  g.Schema,
			} {
				h := &okHandler{}
				rec := serve(mw(h), post(tc.path, tc.body))
				assert.Equal(t, tc.status, rec.Code, "%s: %s", name, rec.Body.String())
				code, param := errorCode(t, rec)
				assert.Equal(t, tc.code, code, name)
				assert.Equal(t, tc.param, param, name)
			}
		})
	}
}
