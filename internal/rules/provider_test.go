package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestProviderOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		model string
		want  Provider
	}{
		{"claude- is anthropic", "claude-sonnet-4", Anthropic},
		{"gemini- is gemini", "gemini-3-pro", Gemini},
		{"gpt is openai", "gpt-5.5", OpenAI},
		{"the bare word claude is openai", "claude", OpenAI},
		{"the prefix is case-sensitive", "Claude-x", OpenAI},
		{"gemini without the dash is openai", "gemini3", OpenAI},
		{"the empty model is openai", "", OpenAI},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.want, ProviderOf(tc.model))
		})
	}
	assert.Equal(t, "openai", OpenAI.String())
	assert.Equal(t, "gemini", Gemini.String())
	assert.Equal(t, "anthropic", Anthropic.String())
}

func TestEndpointOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		path   string
		want   Endpoint
		wantOK bool
	}{
		{"responses is served", "/v1/responses", Responses, true},
		{"chat completions is served", "/v1/chat/completions", ChatCompletions, true},
		{"interactions is served", "/v1/interactions", Interactions, true},
		{"messages is served", "/v1/messages", Messages, true},
		{"a trailing slash is another path", "/v1/responses/", 0, false},
		{"an upper-case path is another path", "/V1/responses", 0, false},
		{"a missing leading slash is another path", "v1/messages", 0, false},
		{"a query string is not part of the path", "/v1/messages?x=1", 0, false},
		{"the root is not an endpoint", "/", 0, false},
		{"the empty path is not an endpoint", "", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := EndpointOf(tc.path)
			assert.Equal(t, tc.wantOK, ok)
			assert.Equal(t, tc.want, got)
			if ok {
				assert.Equal(t, tc.path, got.Path())
			}
		})
	}
	assert.Len(t, allEndpoints(), 4)
	assert.Empty(t, Endpoint(0).Path())
	assert.Empty(t, Endpoint(99).Path())
}

func TestTokenCapParam(t *testing.T) {
	t.Parallel()
	want := map[Endpoint]string{
		Responses:       "max_output_tokens",
		ChatCompletions: "max_completion_tokens",
		Messages:        "max_tokens",
		Interactions:    "generation_config.max_output_tokens",
	}
	for _, ep := range allEndpoints() {
		assert.Equal(t, want[ep], ep.tokenCapParam(), ep.Path())
	}
}
