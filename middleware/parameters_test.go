package middleware_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flexinference/flexguard/middleware"
)

func TestParametersStandalone(t *testing.T) {
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
		{"a messages cache_control names its path", "/v1/messages", `{"messages":[{"content":[{"type":"text","cache_control":{}}]}]}`, "unsupported_parameter", "messages[0].content[0].cache_control"},
		{"a generation_config seed is unsupported_generation_config", "/v1/interactions", `{"generation_config":{"seed":1}}`, "unsupported_generation_config", "generation_config.seed"},
		{"without Model in front a missing model is not judged", "/v1/chat/completions", `{"seed":1}`, "unsupported_parameter", "seed"},
		{"a body with no parameter problem passes whatever else is wrong", "/v1/messages", `{"model":"claude-x","start_within":"soon"}`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, param := errorCode(t, serve(middleware.Parameters(middleware.Options{})(&okHandler{}), post(tt.path, tt.body)))
			assert.Equal(t, tt.wantCode, code)
			assert.Equal(t, tt.wantParam, param)
		})
	}
}

// Model in front of Parameters restores the order of checks: the missing
// model is the answer.
func TestModelBeforeParametersKeepsTheOrder(t *testing.T) {
	t.Parallel()
	opts := middleware.Options{}
	h := middleware.Model(opts)(middleware.Parameters(opts)(&okHandler{}))
	code, _ := errorCode(t, serve(h, post("/v1/chat/completions", `{"seed":1}`)))
	assert.Equal(t, "missing_model", code)
}
