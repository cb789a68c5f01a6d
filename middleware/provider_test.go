package middleware_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

func TestProviderStandalone(t *testing.T) {
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
		{"the policy's list is the one consulted", validate.Policy{FlexModels: validate.FlexModels{OpenAI: []string{"gpt-4*"}}}, "/v1/responses", `{"model":"gpt-4o","start_within":"00h-00m-30s"}`, ""},
		{"Provider judges the model first", validate.Policy{}, "/v1/responses", `{"start_within":"00h-00m-30s"}`, "missing_model"},
		{"Provider judges start_within first", validate.Policy{}, "/v1/responses", `{"model":"gpt-5.5"}`, "missing_start_within"},
		{"the policy default is judged like a sent value", validate.Policy{DefaultStartWithin: "00h-00m-30s"}, "/v1/messages", `{"model":"claude-x"}`, "flex_unsupported_for_anthropic"},
		{"parameters are not Provider's to judge", validate.Policy{}, "/v1/chat/completions", `{"model":"gpt-5.5","start_within":"00h-00m-30s","seed":1}`, ""},
		{"a token cap is not Provider's to judge", validate.Policy{}, "/v1/messages", `{"model":"claude-x","start_within":"auto"}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := middleware.Provider(middleware.Options{Policy: tt.policy})(&okHandler{})
			code, _ := errorCode(t, serve(h, post(tt.path, tt.body)))
			assert.Equal(t, tt.wantCode, code)
		})
	}
}

func TestMalformedPoliciesPanicAtConstruction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy validate.Policy
	}{
		{"a negative body limit", validate.Policy{MaxBodyBytes: -1}},
		{"a default start_within outside the grammar", validate.Policy{DefaultStartWithin: "soon"}},
		{"a default duration outside the window", validate.Policy{DefaultStartWithin: "00h-00m-01s"}},
		{"a star inside an allow-list entry", validate.Policy{FlexModels: validate.FlexModels{OpenAI: []string{"gpt-*-mini"}}}},
		{"an empty allow-list entry", validate.Policy{FlexModels: validate.FlexModels{Gemini: []string{""}}}},
	}
	constructors := map[string]func(middleware.Options){
		"Chain":       func(o middleware.Options) { middleware.Chain(o) },
		"Route":       func(o middleware.Options) { middleware.Route(o) },
		"BodyLimit":   func(o middleware.Options) { middleware.BodyLimit(o) },
		"JSONBody":    func(o middleware.Options) { middleware.JSONBody(o) },
		"Model":       func(o middleware.Options) { middleware.Model(o) },
		"Parameters":  func(o middleware.Options) { middleware.Parameters(o) },
		"StartWithin": func(o middleware.Options) { middleware.StartWithin(o) },
		"Provider":    func(o middleware.Options) { middleware.Provider(o) },
		"TokenCap":    func(o middleware.Options) { middleware.TokenCap(o) },
	}
	for _, tt := range tests {
		for name, construct := range constructors {
			t.Run(name+" with "+tt.name, func(t *testing.T) {
				t.Parallel()
				msg := panicMessage(func() { construct(middleware.Options{Policy: tt.policy}) })
				assert.Regexp(t, `^flexguard/middleware: `, msg)
			})
		}
	}
}
