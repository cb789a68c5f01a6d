package middleware_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

func TestProviderAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		policy   validate.Policy
		path     string
		body     string
		wantCode string
	}{
		{"a duration on claude is flex_unsupported_for_anthropic", validate.Policy{}, "/v1/messages", `{"model":"claude-x","start_within":"00h-00m-30s"}`, "flex_unsupported_for_anthropic"},
		{"auto on gemini is auto_unsupported_for_gemini", validate.Policy{}, "/v1/interactions", `{"model":"gemini-3-pro","start_within":"auto"}`, "auto_unsupported_for_gemini"},
		{"a duration off the list is model_not_flex_capable", validate.Policy{}, "/v1/responses", `{"model":"gpt-4o","start_within":"00h-00m-30s"}`, "model_not_flex_capable"},
		{"the policy's list is the one consulted", validate.Policy{FlexModels: map[string][]string{"openai": {"gpt-4*"}}}, "/v1/responses", `{"model":"gpt-4o","start_within":"00h-00m-30s"}`, ""},
		{"an empty list allows no duration", validate.Policy{FlexModels: map[string][]string{"openai": {}}}, "/v1/responses", `{"model":"gpt-5.5","start_within":"00h-00m-30s"}`, "model_not_flex_capable"},
		{"a provider the policy leaves out keeps its built-in list", validate.Policy{FlexModels: map[string][]string{"openai": {}}}, "/v1/interactions", `{"model":"gemini-3-pro","start_within":"00h-00m-30s"}`, ""},
		{"Provider judges the model first", validate.Policy{}, "/v1/responses", `{"start_within":"00h-00m-30s"}`, "missing_model"},
		{"Provider judges the parameters first", validate.Policy{}, "/v1/chat/completions", `{"model":"claude-x","start_within":"00h-00m-30s","seed":1}`, "unsupported_parameter"},
		{"Provider judges start_within first", validate.Policy{}, "/v1/responses", `{"model":"gpt-5.5"}`, "missing_start_within"},
		{"the policy default is judged like a sent value", validate.Policy{DefaultStartWithin: "00h-00m-30s"}, "/v1/messages", `{"model":"claude-x"}`, "flex_unsupported_for_anthropic"},
		{"a token cap is left to a later check", validate.Policy{}, "/v1/messages", `{"model":"claude-x","start_within":"auto"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newGuard(t, middleware.Options{Policy: tt.policy}).Provider(&okHandler{})
			code, _ := errorCode(t, serve(h, post(tt.path, tt.body)))
			assert.Equal(t, tt.wantCode, code)
		})
	}
}
