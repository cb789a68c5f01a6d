package interop_test

import (
	"context"
	"errors"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/validate"
)

// anthropicClient points anthropic-sdk-go at a gateway, retries off.
func anthropicClient(baseURL string) anthropic.Client {
	return anthropic.NewClient(
		option.WithBaseURL(baseURL+"/"),
		option.WithAPIKey("sk-ant-test"),
		option.WithMaxRetries(0),
	)
}

// messageParams is a messages request that passes every rule once
// start_within is added.
func messageParams() anthropic.MessageNewParams {
	return anthropic.MessageNewParams{
		Model:     "claude-sonnet-4-5",
		MaxTokens: 256,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Say hi."))},
	}
}

func TestAnthropicMessagesReportsEveryErrorTheSDKCanProvoke(t *testing.T) {
	t.Parallel()
	client := anthropicClient(startGateway(t, ""))
	withDefault := []option.RequestOption{option.WithJSONSet("start_within", "default")}

	cases := []struct {
		name   string
		params func(p *anthropic.MessageNewParams)
		opts   []option.RequestOption
		code   apierrors.Code
		param  string
	}{
		{"top_k is unsupported", func(p *anthropic.MessageNewParams) { p.TopK = anthropic.Int(5) }, withDefault, apierrors.UnsupportedParameter, "top_k"},
		{"stop_sequences is unsupported", func(p *anthropic.MessageNewParams) { p.StopSequences = []string{"END"} }, withDefault, apierrors.UnsupportedParameter, "stop_sequences"},
		{"a top-level cache_control is unsupported", func(p *anthropic.MessageNewParams) {
			p.CacheControl = anthropic.NewCacheControlEphemeralParam()
		}, withDefault, apierrors.UnsupportedParameter, "cache_control"},
		{"a cache_control on a system block is unsupported", func(p *anthropic.MessageNewParams) {
			p.System = []anthropic.TextBlockParam{{Text: "Be brief.", CacheControl: anthropic.NewCacheControlEphemeralParam()}}
		}, withDefault, apierrors.UnsupportedParameter, "system[0].cache_control"},
		{"a cache_control on a message's content block is unsupported", func(p *anthropic.MessageNewParams) {
			p.Messages = []anthropic.MessageParam{anthropic.NewUserMessage(
				anthropic.NewTextBlock("Context."),
				anthropic.ContentBlockParamUnion{OfText: &anthropic.TextBlockParam{Text: "Say hi.", CacheControl: anthropic.NewCacheControlEphemeralParam()}},
			)}
		}, withDefault, apierrors.UnsupportedParameter, "messages[0].content[1].cache_control"},
		{"service_tier is not allowed", func(p *anthropic.MessageNewParams) {
			p.ServiceTier = anthropic.MessageNewParamsServiceTierAuto
		}, withDefault, apierrors.ServiceTierNotAllowed, "service_tier"},
		{"no start_within is missing_start_within", func(*anthropic.MessageNewParams) {}, nil, apierrors.MissingStartWithin, "start_within"},
		{"a duration on a claude model is flex_unsupported_for_anthropic", func(*anthropic.MessageNewParams) {},
			[]option.RequestOption{option.WithJSONSet("start_within", "00h-01m-00s")}, apierrors.FlexUnsupportedForAnthropic, "start_within"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := messageParams()
			tc.params(&p)
			var sent sentBody
			_, err := client.Messages.New(context.Background(), p, append(tc.opts, option.WithMiddleware(sent.middleware))...)

			var apiErr *anthropic.Error
			require.True(t, errors.As(err, &apiErr), "want *anthropic.Error, got %T: %v", err, err)
			catalog := apierrors.New(tc.code, "", "")
			assert.Equal(t, catalog.Status(), apiErr.StatusCode)
			assert.Equal(t, string(catalog.Type()), string(apiErr.Type()))
			raw := apiErr.RawJSON()
			assert.Equal(t, tc.code.String(), gjson.Get(raw, "error.code").String(), raw)
			assert.Equal(t, tc.param, gjson.Get(raw, "error.param").String(), raw)

			want := expectedRejection(t, validate.Messages, sent.bytes)
			assert.Equal(t, tc.code, want.Code())
			assert.Equal(t, want.Message(), gjson.Get(raw, "error.message").String())
		})
	}
}
