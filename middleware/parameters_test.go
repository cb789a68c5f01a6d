package middleware_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flexinference/flexguard/middleware"
)

func TestParametersAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		path      string
		body      string
		wantCode  string
		wantParam string
	}{
		{"service_tier is service_tier_not_allowed", "/v1/responses", `{"model":"gpt-5.5","service_tier":"flex"}`, "service_tier_not_allowed", "service_tier"},
		{"a chat parameter is unsupported_parameter", "/v1/chat/completions", `{"model":"gpt-5.5","seed":1}`, "unsupported_parameter", "seed"},
		{"n other than one is unsupported_value", "/v1/chat/completions", `{"model":"gpt-5.5","n":2}`, "unsupported_value", "n"},
		{"a messages cache_control names its path", "/v1/messages", `{"model":"claude-x","messages":[{"content":[{"type":"text","cache_control":{}}]}]}`, "unsupported_parameter", "messages[0].content[0].cache_control"},
		{"a generation_config seed is unsupported_generation_config", "/v1/interactions", `{"model":"gemini-3-pro","generation_config":{"seed":1}}`, "unsupported_generation_config", "generation_config.seed"},
		{"a missing model is answered first: Parameters runs Model's check", "/v1/chat/completions", `{"seed":1}`, "missing_model", "model"},
		{"a body with no parameter problem passes whatever a later check would say", "/v1/messages", `{"model":"claude-x","start_within":"soon"}`, "", ""},
	}
	g := newGuard(t, middleware.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, param := errorCode(t, serve(g.Parameters(&okHandler{}), post(tt.path, tt.body)))
			assert.Equal(t, tt.wantCode, code)
			assert.Equal(t, tt.wantParam, param)
		})
	}
}
