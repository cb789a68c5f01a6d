package interop_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	aoption "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"
)

// fakeUpstream answers like a provider: a chat completion, a streamed chat
// completion (when the body asks for a stream) or an Anthropic message.
// It records each body it receives, by path.
type fakeUpstream struct {
	mu       sync.Mutex
	received map[string][]byte
}

func startFakeUpstream(t *testing.T) (*fakeUpstream, string) {
	t.Helper()
	f := &fakeUpstream{received: map[string][]byte{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeUpstream) body(path string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.received[path]
}

func (f *fakeUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.received[r.URL.Path] = body
	f.mu.Unlock()

	switch {
	case r.URL.Path == "/v1/chat/completions" && gjson.GetBytes(body, "stream").Bool():
		w.Header().Set("Content-Type", "text/event-stream")
		for _, chunk := range []string{
			`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-5.5","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}`,
			`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-5.5","choices":[{"index":0,"delta":{"content":" there."},"finish_reason":null}]}`,
			`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-5.5","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`,
			`[DONE]`,
		} {
			_, _ = io.WriteString(w, "data: "+chunk+"\n\n")
			w.(http.Flusher).Flush()
		}
	case r.URL.Path == "/v1/chat/completions":
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-5.5",`+
			`"choices":[{"index":0,"message":{"role":"assistant","content":"Hi there."},"finish_reason":"stop","logprobs":null}],`+
			`"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}`)
	case r.URL.Path == "/v1/messages":
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5",`+
			`"content":[{"type":"text","text":"Hi there."}],"stop_reason":"end_turn","stop_sequence":null,`+
			`"usage":{"input_tokens":3,"output_tokens":2}}`)
	default:
		http.NotFound(w, r)
	}
}

func TestAValidChatCompletionIsProxiedAndParsedByOpenAIGo(t *testing.T) {
	t.Parallel()
	upstream, upstreamURL := startFakeUpstream(t)
	client := openaiClient(startGateway(t, upstreamURL))

	var sent sentBody
	completion, err := client.Chat.Completions.New(context.Background(), chatParams("gpt-5.5"),
		startWithin("00h-00m-30s"), option.WithMiddleware(sent.middleware))
	require.NoError(t, err)
	require.Len(t, completion.Choices, 1)
	assert.Equal(t, "Hi there.", completion.Choices[0].Message.Content)
	assert.Equal(t, int64(5), completion.Usage.TotalTokens)
	assert.Equal(t, string(sent.bytes), string(upstream.body("/v1/chat/completions")), "the upstream gets the exact bytes")
}

func TestAStreamedChatCompletionPassesThroughToOpenAIGosStream(t *testing.T) {
	t.Parallel()
	_, upstreamURL := startFakeUpstream(t)
	client := openaiClient(startGateway(t, upstreamURL))

	stream := client.Chat.Completions.NewStreaming(context.Background(), chatParams("gpt-5.5"), startWithin("default"))
	defer stream.Close()
	var acc openai.ChatCompletionAccumulator
	var deltas []string
	for stream.Next() {
		chunk := stream.Current()
		acc.AddChunk(chunk)
		if len(chunk.Choices) > 0 && chunk.Choices[0].Delta.Content != "" {
			deltas = append(deltas, chunk.Choices[0].Delta.Content)
		}
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, []string{"Hi", " there."}, deltas, "chunk by chunk, as sent")
	require.Len(t, acc.Choices, 1)
	assert.Equal(t, "Hi there.", acc.Choices[0].Message.Content)
	assert.Equal(t, "stop", acc.Choices[0].FinishReason)
}

func TestARejectedStreamingRequestIsAnAPIErrorBeforeAnyChunk(t *testing.T) {
	t.Parallel()
	_, upstreamURL := startFakeUpstream(t)
	client := openaiClient(startGateway(t, upstreamURL))

	p := chatParams("gpt-5.5")
	p.Seed = openai.Int(1)
	stream := client.Chat.Completions.NewStreaming(context.Background(), p, startWithin("default"))
	defer stream.Close()
	assert.False(t, stream.Next())
	var apiErr *openai.Error
	require.ErrorAs(t, stream.Err(), &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "unsupported_parameter", apiErr.Code)
	assert.Equal(t, "seed", apiErr.Param)
}

func TestAValidMessageIsProxiedAndParsedByTheAnthropicSDK(t *testing.T) {
	t.Parallel()
	upstream, upstreamURL := startFakeUpstream(t)
	client := anthropicClient(startGateway(t, upstreamURL))

	msg, err := client.Messages.New(context.Background(), messageParams(), aoption.WithJSONSet("start_within", "priority"))
	require.NoError(t, err)
	require.Len(t, msg.Content, 1)
	assert.Equal(t, "Hi there.", msg.Content[0].Text)
	assert.Equal(t, anthropic.StopReasonEndTurn, msg.StopReason)
	assert.True(t, strings.Contains(string(upstream.body("/v1/messages")), `"start_within":"priority"`))
}
