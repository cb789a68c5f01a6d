package middleware_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

func TestModelAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		method       string
		path         string
		body         string
		wantCode     string
		wantModel    string
		wantProvider validate.Provider
	}{
		{"a model string passes with its provider", http.MethodPost, "/v1/responses", `{"model":"gemini-3-pro"}`, "", "gemini-3-pro", validate.Gemini},
		{"a missing model is missing_model", http.MethodPost, "/v1/responses", `{"input":"hi"}`, "missing_model", "", 0},
		{"an empty model is missing_model", http.MethodPost, "/v1/responses", `{"model":""}`, "missing_model", "", 0},
		{"the last of a repeated model is judged", http.MethodPost, "/v1/responses", `{"model":"gpt-5.5","model":"claude-x"}`, "", "claude-x", validate.Anthropic},
		{"a missing start_within is left to a later check", http.MethodPost, "/v1/responses", `{"model":"gpt-5.5"}`, "", "gpt-5.5", validate.OpenAI},
		{"service_tier is left to a later check", http.MethodPost, "/v1/chat/completions", `{"model":"gpt-5.5","service_tier":"flex"}`, "", "gpt-5.5", validate.OpenAI},
		{"a missing token cap is left to a later check", http.MethodPost, "/v1/messages", `{"model":"claude-x"}`, "", "claude-x", validate.Anthropic},
		{"invalid JSON is answered: Model reads the body first", http.MethodPost, "/v1/responses", `{`, "invalid_json", "", 0},
		{"a path that is not an endpoint is unknown_url: Model routes first", http.MethodPost, "/api/chat", `{"model":"gpt-5.5"}`, "unknown_url", "", 0},
		{"a GET is method_not_allowed: Model routes first", http.MethodGet, "/v1/responses", `{"model":"gpt-5.5"}`, "method_not_allowed", "", 0},
	}
	g := newGuard(t, middleware.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var res validate.Result
			h := g.Model(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var ok bool
				res, ok = middleware.ResultFrom(r.Context())
				require.True(t, ok)
			}))
			r := post(tt.path, tt.body)
			r.Method = tt.method
			code, _ := errorCode(t, serve(h, r))
			assert.Equal(t, tt.wantCode, code)
			assert.Equal(t, tt.wantModel, res.Model)
			assert.Equal(t, tt.wantProvider, res.Provider)
		})
	}
}
