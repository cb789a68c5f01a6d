package interop_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	aoption "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/streamtest"
)

// fixture returns streamtest's stream of the endpoint at path.
func fixture(t *testing.T, path string) streamtest.Fixture {
	t.Helper()
	for _, f := range streamtest.Fixtures {
		if f.Path == path {
			return f
		}
	}
	t.Fatalf("no fixture for %s", path)
	return streamtest.Fixture{}
}

// streamingUpstream serves one stream, as parts and an optional abort,
// on every path.
func streamingUpstream(t *testing.T, parts []string, abort bool) string {
	t.Helper()
	srv := httptest.NewServer(streamtest.Upstream(parts, abort))
	t.Cleanup(srv.Close)
	return srv.URL
}

// cut is how an upstream stops a stream short.
type cut struct {
	name  string
	parts func(f streamtest.Fixture) []string
	abort bool
}

var cuts = []cut{
	{"ends without its terminal event", func(f streamtest.Fixture) []string { return f.Events }, false},
	{"is cut inside an event", func(f streamtest.Fixture) []string { return []string{f.Cut()} }, true},
}

// readChat reads a chat stream to its end with openai-go, returning the
// text it got and the stream's error.
func readChat(baseURL string) (string, error) {
	client := openaiClient(baseURL)
	stream := client.Chat.Completions.NewStreaming(context.Background(), chatParams("gpt-5.5"), startWithin("default"))
	defer stream.Close()
	text := ""
	for stream.Next() {
		if c := stream.Current(); len(c.Choices) > 0 {
			text += c.Choices[0].Delta.Content
		}
	}
	return text, stream.Err()
}

// readResponses reads a Responses stream to its end with openai-go,
// returning the text deltas and the stream's error.
func readResponses(baseURL string) (string, error) {
	client := openaiClient(baseURL)
	stream := client.Responses.NewStreaming(context.Background(), responses.ResponseNewParams{
		Model: "gpt-5.5",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Say hi.")},
	}, startWithin("default"))
	defer stream.Close()
	text := ""
	for stream.Next() {
		if e := stream.Current(); e.Type == "response.output_text.delta" {
			text += e.Delta
		}
	}
	return text, stream.Err()
}

// readMessages reads a Messages stream to its end with anthropic-sdk-go,
// returning the text deltas and the stream's error.
func readMessages(baseURL string) (string, error) {
	client := anthropicClient(baseURL)
	stream := client.Messages.NewStreaming(context.Background(), messageParams(), aoption.WithJSONSet("start_within", "default"))
	defer stream.Close()
	text := ""
	for stream.Next() {
		if e := stream.Current(); e.Type == "content_block_delta" {
			text += e.Delta.Text
		}
	}
	return text, stream.Err()
}

// streamReaders are the SDKs' streaming readers, each with the endpoint it
// reads and how it reports the in-band error.
var streamReaders = []struct {
	name      string
	path      string
	read      func(baseURL string) (string, error)
	wantFrame func(t *testing.T, err error)
}{
	{"openai-go chat completions", "/v1/chat/completions", readChat, wantOpenAIStreamError},
	{"openai-go responses", "/v1/responses", readResponses, wantOpenAIStreamError},
	{"anthropic-sdk-go messages", "/v1/messages", readMessages, func(t *testing.T, err error) {
		var apiErr *anthropic.Error
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "api_error", string(apiErr.Type()))
		assert.Contains(t, apiErr.RawJSON(), `"code":"upstream_stream_failed"`)
	}},
}

// wantOpenAIStreamError checks the error openai-go makes of the frame.
func wantOpenAIStreamError(t *testing.T, err error) {
	t.Helper()
	var streamErr *ssestream.StreamError
	require.ErrorAs(t, err, &streamErr)
	assert.Contains(t, []string{"", "error"}, streamErr.Event.Type, "chat's unnamed data line, or the Responses error event")
	assert.Contains(t, streamErr.Message, "upstream_stream_failed")
}

// Each SDK's streaming reader, through flexgate, reads a clean stream to
// its end without an error, and surfaces an error for a stream that the
// upstream cut short, which straight from the upstream it would take for
// a finished answer.
func TestSDKStreamReadersSeeACutStreamAsAnError(t *testing.T) {
	t.Parallel()
	for _, sdk := range streamReaders {
		f := fixture(t, sdk.path)
		t.Run(sdk.name+" reads a clean stream to its end", func(t *testing.T) {
			t.Parallel()
			text, err := sdk.read(startGateway(t, streamingUpstream(t, f.EndingWith(f.Terminal), false)))
			require.NoError(t, err)
			assert.Equal(t, "Hi there.", text)
		})
		for _, c := range cuts {
			t.Run(sdk.name+" sees an error when the stream "+c.name, func(t *testing.T) {
				t.Parallel()
				upstream := streamingUpstream(t, c.parts(f), c.abort)
				text, err := sdk.read(startGateway(t, upstream))
				require.Error(t, err, "a cut stream must not end as a success")
				sdk.wantFrame(t, err)
				assert.Equal(t, "Hi there.", text, "the events before the cut are read")

				if !c.abort {
					_, direct := sdk.read(upstream)
					assert.NoError(t, direct, "straight from the upstream the SDK takes the cut stream for a finished one")
				}
			})
		}
		t.Run(sdk.name+" gets the 502 when the stream is cut before its first byte", func(t *testing.T) {
			t.Parallel()
			_, err := sdk.read(startGateway(t, streamingUpstream(t, nil, true)))
			require.Error(t, err)
			var openaiErr *openai.Error
			var anthropicErr *anthropic.Error
			switch {
			case errors.As(err, &openaiErr):
				assert.Equal(t, http.StatusBadGateway, openaiErr.StatusCode)
				assert.Equal(t, "upstream_stream_failed", openaiErr.Code)
			case errors.As(err, &anthropicErr):
				assert.Equal(t, http.StatusBadGateway, anthropicErr.StatusCode)
				assert.Equal(t, "api_error", string(anthropicErr.Type()))
			default:
				t.Fatalf("want the SDK's API error, got %T: %v", err, err)
			}
		})
	}
}
