package interop_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/validate"
)

// openaiClient points openai-go at a gateway, with retries off so that a
// 5xx or a 429 is reported at once instead of retried.
func openaiClient(baseURL string, opts ...option.RequestOption) openai.Client {
	return openai.NewClient(append([]option.RequestOption{
		option.WithBaseURL(baseURL + "/v1/"),
		option.WithAPIKey("sk-test"),
		option.WithMaxRetries(0),
	}, opts...)...)
}

// chatParams is a chat request that passes every rule once start_within
// is added.
func chatParams(model string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    model,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hi.")},
	}
}

// wantOpenAIError checks what openai-go reports against the catalog's row
// of code (status, code, type) and the param, and returns the error.
func wantOpenAIError(t *testing.T, err error, code apierrors.Code, param string) *openai.Error {
	t.Helper()
	var apiErr *openai.Error
	require.True(t, errors.As(err, &apiErr), "want *openai.Error, got %T: %v", err, err)
	catalog := apierrors.New(code, "", "")
	assert.Equal(t, catalog.Status(), apiErr.StatusCode)
	assert.Equal(t, code.String(), apiErr.Code)
	assert.Equal(t, string(catalog.Type()), apiErr.Type)
	assert.Equal(t, param, apiErr.Param)
	return apiErr
}

// startWithin is the extra body field the gateway reads; openai-go has no
// field for it, so it travels as a raw JSON set on the request body.
func startWithin(v string) option.RequestOption { return option.WithJSONSet("start_within", v) }

// wantAPIError checks what openai-go reports: the code and param the case
// names, and the status, type and message of the gateway's answer for the
// body the SDK sent.
func wantAPIError(t *testing.T, err error, ep validate.Endpoint, sent []byte, code apierrors.Code, param string) {
	t.Helper()
	apiErr := wantOpenAIError(t, err, code, param)
	want := expectedRejection(t, ep, sent)
	assert.Equal(t, want.Code().String(), apiErr.Code)
	assert.Equal(t, want.Param(), apiErr.Param)
	assert.Equal(t, want.Message(), apiErr.Message)
	assert.NotEmpty(t, apiErr.Message)
}

func TestOpenAIChatReportsEveryErrorTheSDKCanProvoke(t *testing.T) {
	t.Parallel()
	gw := startGateway(t, "")
	client := openaiClient(gw)

	big := strings.Repeat("a", 1_100_000) // over the default 1,000,000-byte limit
	cases := []struct {
		name   string
		params func(p *openai.ChatCompletionNewParams)
		opts   []option.RequestOption
		code   apierrors.Code
		param  string
	}{
		{"an empty model is missing_model", func(p *openai.ChatCompletionNewParams) { p.Model = "" }, nil, apierrors.MissingModel, "model"},
		{"service_tier is not allowed", func(p *openai.ChatCompletionNewParams) {
			p.ServiceTier = openai.ChatCompletionNewParamsServiceTierFlex
		}, nil, apierrors.ServiceTierNotAllowed, "service_tier"},
		{"presence_penalty is unsupported", func(p *openai.ChatCompletionNewParams) { p.PresencePenalty = openai.Float(0.5) }, nil, apierrors.UnsupportedParameter, "presence_penalty"},
		{"frequency_penalty is unsupported", func(p *openai.ChatCompletionNewParams) { p.FrequencyPenalty = openai.Float(0.5) }, nil, apierrors.UnsupportedParameter, "frequency_penalty"},
		{"logit_bias is unsupported", func(p *openai.ChatCompletionNewParams) { p.LogitBias = map[string]int64{"50256": -100} }, nil, apierrors.UnsupportedParameter, "logit_bias"},
		{"logprobs is unsupported", func(p *openai.ChatCompletionNewParams) { p.Logprobs = openai.Bool(true) }, nil, apierrors.UnsupportedParameter, "logprobs"},
		{"top_logprobs is unsupported", func(p *openai.ChatCompletionNewParams) { p.TopLogprobs = openai.Int(2) }, nil, apierrors.UnsupportedParameter, "top_logprobs"},
		{"seed is unsupported", func(p *openai.ChatCompletionNewParams) { p.Seed = openai.Int(7) }, nil, apierrors.UnsupportedParameter, "seed"},
		{"stop is unsupported", func(p *openai.ChatCompletionNewParams) {
			p.Stop = openai.ChatCompletionNewParamsStopUnion{OfString: openai.String("END")}
		}, nil, apierrors.UnsupportedParameter, "stop"},
		{"prediction is unsupported", func(p *openai.ChatCompletionNewParams) {
			p.Prediction = openai.ChatCompletionPredictionContentParam{
				Content: openai.ChatCompletionPredictionContentContentUnionParam{OfString: openai.String("hi")},
			}
		}, nil, apierrors.UnsupportedParameter, "prediction"},
		{"audio is unsupported", func(p *openai.ChatCompletionNewParams) {
			p.Audio = openai.ChatCompletionAudioParam{
				Format: openai.ChatCompletionAudioParamFormatMP3,
				Voice:  openai.ChatCompletionAudioParamVoiceUnion{OfString: openai.String("alloy")},
			}
		}, nil, apierrors.UnsupportedParameter, "audio"},
		{"modalities asking for audio is unsupported", func(p *openai.ChatCompletionNewParams) { p.Modalities = []string{"text", "audio"} }, nil, apierrors.UnsupportedParameter, "modalities"},
		{"web_search_options is unsupported", func(p *openai.ChatCompletionNewParams) {
			p.WebSearchOptions = openai.ChatCompletionNewParamsWebSearchOptions{SearchContextSize: "low"}
		}, nil, apierrors.UnsupportedParameter, "web_search_options"},
		{"n of 2 is an unsupported value", func(p *openai.ChatCompletionNewParams) { p.N = openai.Int(2) }, nil, apierrors.UnsupportedValue, "n"},
		{"no start_within is missing_start_within", func(*openai.ChatCompletionNewParams) {}, nil, apierrors.MissingStartWithin, "start_within"},
		{"a start_within under five seconds is invalid", func(*openai.ChatCompletionNewParams) {},
			[]option.RequestOption{startWithin("00h-00m-04s")}, apierrors.InvalidStartWithin, "start_within"},
		{"a duration on a model off the flex list is model_not_flex_capable", func(p *openai.ChatCompletionNewParams) { p.Model = "gpt-4o" },
			[]option.RequestOption{startWithin("00h-00m-30s")}, apierrors.ModelNotFlexCapable, "model"},
		{"auto on a gemini model is auto_unsupported_for_gemini", func(p *openai.ChatCompletionNewParams) { p.Model = "gemini-3-pro" },
			[]option.RequestOption{startWithin("auto")}, apierrors.AutoUnsupportedForGemini, "start_within"},
		{"a duration on a claude model is flex_unsupported_for_anthropic", func(p *openai.ChatCompletionNewParams) { p.Model = "claude-sonnet-4-5" },
			[]option.RequestOption{startWithin("00h-00m-30s")}, apierrors.FlexUnsupportedForAnthropic, "start_within"},
		{"a claude model without a token cap is missing_max_tokens", func(p *openai.ChatCompletionNewParams) { p.Model = "claude-sonnet-4-5" },
			[]option.RequestOption{startWithin("default")}, apierrors.MissingMaxTokens, "max_completion_tokens"},
		{"a body over the limit is request_too_large", func(p *openai.ChatCompletionNewParams) {
			p.Messages = []openai.ChatCompletionMessageParamUnion{openai.UserMessage(big)}
		}, []option.RequestOption{startWithin("default")}, apierrors.RequestTooLarge, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := chatParams("gpt-5.5")
			tc.params(&p)
			var sent sentBody
			_, err := client.Chat.Completions.New(context.Background(), p,
				append(tc.opts, option.WithMiddleware(sent.middleware))...)
			wantAPIError(t, err, validate.ChatCompletions, sent.bytes, tc.code, tc.param)
		})
	}
}

func TestOpenAIChatPassesAValidRequestToTheUpstream(t *testing.T) {
	t.Parallel()
	client := openaiClient(startGateway(t, ""))
	var raw *http.Response
	_, err := client.Chat.Completions.New(context.Background(), chatParams("gpt-5.5"),
		startWithin("00h-00m-30s"), option.WithResponseInto(&raw))
	// The echo is not a chat completion, but it is a 200: the gateway let
	// the request through.
	require.NotNil(t, raw)
	assert.Equal(t, http.StatusOK, raw.StatusCode)
	var apiErr *openai.Error
	assert.False(t, errors.As(err, &apiErr), "no API error for a valid request: %v", err)
}
