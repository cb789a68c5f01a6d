package middleware_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flexinference/flexguard/middleware"
)

func TestTokenCapAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		path      string
		body      string
		wantCode  string
		wantParam string
	}{
		{"claude on responses without a cap names max_output_tokens", "/v1/responses", `{"model":"claude-x","start_within":"auto"}`, "missing_max_tokens", "max_output_tokens"},
		{"claude on chat without a cap names max_completion_tokens", "/v1/chat/completions", `{"model":"claude-x","start_within":"auto"}`, "missing_max_tokens", "max_completion_tokens"},
		{"claude on messages without a cap names max_tokens", "/v1/messages", `{"model":"claude-x","start_within":"auto"}`, "missing_max_tokens", "max_tokens"},
		{"claude on interactions without a cap names generation_config.max_output_tokens", "/v1/interactions", `{"model":"claude-x","start_within":"auto"}`, "missing_max_tokens", "generation_config.max_output_tokens"},
		{"claude on chat with the legacy cap passes", "/v1/chat/completions", `{"model":"claude-x","start_within":"auto","max_tokens":8}`, "", ""},
		{"a model of another provider needs no cap", "/v1/messages", `{"model":"gpt-5.5","start_within":"auto"}`, "", ""},
		{"TokenCap judges the model first", "/v1/messages", `{"max_tokens":8}`, "missing_model", "model"},
		{"TokenCap judges start_within first", "/v1/messages", `{"model":"claude-x"}`, "missing_start_within", "start_within"},
		{"TokenCap judges the provider first", "/v1/messages", `{"model":"claude-x","max_tokens":8,"start_within":"00h-00m-30s"}`, "flex_unsupported_for_anthropic", "start_within"},
	}
	g := newGuard(t, middleware.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, param := errorCode(t, serve(g.TokenCap(&okHandler{}), post(tt.path, tt.body)))
			assert.Equal(t, tt.wantCode, code)
			assert.Equal(t, tt.wantParam, param)
		})
	}
}
