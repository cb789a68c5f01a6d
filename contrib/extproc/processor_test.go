package extproc_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	filterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/flexinference/flexguard/contrib/extproc"
	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/errors/dialect"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

var (
	buffered = envoy{mode: filterv3.ProcessingMode_BUFFERED}
	streamed = envoy{mode: filterv3.ProcessingMode_STREAMED, chunk: 16}
)

const validChat = `{"model":"gpt-5.5","start_within":"auto","messages":[{"role":"user","content":"hi"}]}`

func post(body string) httpRequest {
	return httpRequest{method: "POST", target: "/v1/chat/completions", length: lengthOf(len(body)), body: []byte(body)}
}

func TestNewRefusesBadOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    extproc.Options
		wantErr string
	}{
		{"an upper-case header prefix", extproc.Options{HeaderPrefix: "X-Flexguard-"}, `flexguard/extproc: HeaderPrefix "X-Flexguard-" is not the start of a lower-case header name`},
		{"a header prefix with a space", extproc.Options{HeaderPrefix: "x flexguard-"}, "is not the start of a lower-case header name"},
		{"a negative body limit", extproc.Options{Guard: middleware.Options{Policy: validate.Policy{MaxBodyBytes: -1}}}, "flexguard/extproc: flexguard/middleware:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := extproc.New(tt.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

// TestProtocol drives the processor message by message as Envoy does and
// checks what the client and the upstream get.
func TestProtocol(t *testing.T) {
	t.Parallel()
	smallLimit := middleware.Options{Policy: validate.Policy{MaxBodyBytes: 64}}
	tests := []struct {
		name  string
		guard middleware.Options
		envoy envoy
		req   httpRequest

		wantStatus int    // 0: the request goes on
		wantCode   string // for a rejection
		wantSent   int    // body messages sent before the answer; -1 to skip the check
		wantHeader map[string]string
		wantMeta   map[string]string
	}{
		{
			name: "headers that end the stream are judged whole: GET is 405 with Allow", envoy: buffered,
			req: httpRequest{method: "GET", target: "/v1/chat/completions"}, wantStatus: 405, wantCode: "method_not_allowed",
		},
		{
			name: "headers that end the stream are judged whole: POST without a body is invalid_json", envoy: buffered,
			req: httpRequest{method: "POST", target: "/v1/chat/completions", length: "0"}, wantStatus: 400, wantCode: "invalid_json",
		},
		{
			name: "an unknown path is answered at the headers, before the body", envoy: buffered,
			req: httpRequest{method: "POST", target: "/v1/embeddings", length: "2", body: []byte("{}")}, wantStatus: 404, wantCode: "unknown_url",
		},
		{
			name: "a declared length over the limit is 413 at the headers", envoy: streamed, guard: smallLimit,
			req: post(strings.Repeat(" ", 65) + "{}"), wantStatus: 413, wantCode: "request_too_large",
		},
		{
			name: "a streamed body over the limit is 413 at the chunk that crosses it", envoy: streamed, guard: smallLimit,
			req:        httpRequest{method: "POST", target: "/v1/chat/completions", body: []byte(strings.Repeat(" ", 200) + "{}")},
			wantStatus: 413, wantCode: "request_too_large", wantSent: 64/16 + 1,
		},
		{
			name: "a buffered body over the limit is 413", envoy: buffered, guard: smallLimit,
			req:        httpRequest{method: "POST", target: "/v1/chat/completions", body: []byte(strings.Repeat(" ", 200) + "{}")},
			wantStatus: 413, wantCode: "request_too_large", wantSent: 1,
		},
		{
			name: "a buffered pass carries the facts as headers, replacing the client's", envoy: buffered,
			req: func() httpRequest {
				r := post(validChat)
				r.header = [][2]string{{"X-Flexguard-Model", "gpt-4o"}, {"X-Flexguard-Provider", "gemini"}, {"X-Other", "kept"}}
				return r
			}(),
			wantSent: 1,
			wantHeader: map[string]string{"x-flexguard-endpoint": "/v1/chat/completions", "x-flexguard-model": "gpt-5.5",
				"x-flexguard-provider": "openai", "x-flexguard-start-within": "auto", "x-other": "kept"},
			wantMeta: map[string]string{"endpoint": "/v1/chat/completions", "model": "gpt-5.5", "provider": "openai", "start_within": "auto"},
		},
		{
			name: "a streamed pass removes the client's fact headers and carries the facts as metadata", envoy: streamed,
			req: func() httpRequest {
				r := post(validChat)
				r.header = [][2]string{{"X-Flexguard-Model", "gpt-4o"}}
				return r
			}(),
			wantSent:   (len(validChat) + 15) / 16,
			wantHeader: map[string]string{"x-flexguard-model": "", "x-flexguard-provider": ""},
			wantMeta:   map[string]string{"endpoint": "/v1/chat/completions", "model": "gpt-5.5", "provider": "openai", "start_within": "auto"},
		},
		{
			name: "a model that cannot be a header value is left out of the headers", envoy: buffered,
			req:        post(`{"model":"gpt-5.5\nx-admin: 1","start_within":"auto","messages":[]}`),
			wantSent:   1,
			wantHeader: map[string]string{"x-flexguard-model": "", "x-flexguard-provider": "openai"},
			wantMeta:   map[string]string{"model": "gpt-5.5\nx-admin: 1"},
		},
		{
			name: "a buffered body followed by trailers is judged at the body and goes on", envoy: buffered,
			req: func() httpRequest {
				r := post(validChat)
				r.trailer = true
				return r
			}(),
			wantSent: 1, wantHeader: map[string]string{"x-flexguard-model": "gpt-5.5"},
		},
		{
			name: "a streamed body that ends in trailers is judged at the trailers", envoy: streamed,
			req: func() httpRequest {
				r := post(`{"start_within":"auto"}`)
				r.trailer = true
				return r
			}(),
			wantStatus: 400, wantCode: "missing_model", wantSent: -1,
		},
		{
			name: "a streamed body that ends in trailers and passes cannot be forwarded: internal_error", envoy: streamed,
			req: func() httpRequest {
				r := post(validChat)
				r.trailer = true
				return r
			}(),
			wantStatus: 500, wantCode: "internal_error", wantSent: -1,
		},
		{
			name: "without protocol_config, Options.StreamedBody selects STREAMED", envoy: envoy{mode: filterv3.ProcessingMode_STREAMED, chunk: 16, quiet: true},
			guard: middleware.Options{}, req: post(validChat), wantSent: (len(validChat) + 15) / 16,
			wantMeta: map[string]string{"model": "gpt-5.5"},
		},
		{
			name: "the Guard's dialect shapes the immediate response", envoy: buffered,
			guard: middleware.Options{ErrorWriter: dialect.GIP}, req: post(`{"start_within":"auto"}`),
			wantStatus: 400, wantCode: "invalid_argument", wantSent: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var (
				mu       sync.Mutex
				rejected []string
			)
			guard := tt.guard
			guard.OnReject = func(_ *http.Request, err *apierrors.Error) {
				mu.Lock()
				defer mu.Unlock()
				rejected = append(rejected, err.Code().String())
			}
			client := startProcessor(t, extproc.Options{Guard: guard, StreamedBody: tt.envoy.quiet})
			res := tt.envoy.do(t, client, tt.req)
			if tt.wantSent >= 0 {
				assert.Equal(t, tt.wantSent, res.sent, "body messages sent")
			}
			if tt.wantStatus != 0 {
				require.NotNil(t, res.immediate, "want an immediate response")
				assert.Equal(t, tt.wantStatus, int(res.immediate.GetStatus().GetCode()))
				assert.Contains(t, string(res.immediate.GetBody()), `"code":"`+tt.wantCode+`"`)
				assert.Equal(t, "application/json", immediateHeader(res.immediate).Get("Content-Type"))
				if tt.wantStatus == http.StatusMethodNotAllowed {
					assert.Equal(t, "POST", immediateHeader(res.immediate).Get("Allow"))
				}
				mu.Lock()
				assert.Len(t, rejected, 1, "OnReject hears of the rejection")
				mu.Unlock()
				return
			}
			require.Nil(t, res.immediate, "want the request to go on; got %s", res.immediate.GetBody())
			assert.Equal(t, tt.req.body, res.forwarded, "the upstream gets the exact bytes sent")
			for name, want := range tt.wantHeader {
				assert.Equal(t, want, res.header.Get(name), "upstream header %s", name)
			}
			for k, want := range tt.wantMeta {
				assert.Equal(t, want, res.metadata[k], "metadata %s", k)
			}
		})
	}
}

// TestPipelinedChunks: Envoy sends STREAMED chunks as they arrive,
// without waiting for the answer to the one before; the processor answers
// each in order, and only the last carries the body on.
func TestPipelinedChunks(t *testing.T) {
	t.Parallel()
	client := startProcessor(t, extproc.Options{})
	stream, err := client.Process(t.Context())
	require.NoError(t, err)
	body := []byte(validChat)
	msgs := []*extprocv3.ProcessingRequest{{
		ProtocolConfig: &extprocv3.ProtocolConfiguration{RequestBodyMode: filterv3.ProcessingMode_STREAMED},
		Request: &extprocv3.ProcessingRequest_RequestHeaders{RequestHeaders: &extprocv3.HttpHeaders{Headers: &corev3.HeaderMap{Headers: []*corev3.HeaderValue{
			{Key: ":method", RawValue: []byte("POST")}, {Key: ":path", RawValue: []byte("/v1/chat/completions")},
		}}}},
	}}
	for i := 0; i < len(body); i += 10 {
		end := min(i+10, len(body))
		msgs = append(msgs, &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestBody{
			RequestBody: &extprocv3.HttpBody{Body: body[i:end], EndOfStream: end == len(body)},
		}})
	}
	for _, m := range msgs {
		require.NoError(t, stream.Send(m))
	}
	resp, err := stream.Recv()
	require.NoError(t, err)
	require.NotNil(t, resp.GetRequestHeaders())
	for i := 1; i < len(msgs); i++ {
		resp, err := stream.Recv()
		require.NoError(t, err)
		require.NotNil(t, resp.GetRequestBody(), "answer %d", i)
		m := resp.GetRequestBody().GetResponse().GetBodyMutation()
		if i < len(msgs)-1 {
			assert.True(t, m.GetClearBody(), "chunk %d is held back", i)
		} else {
			assert.Equal(t, body, m.GetBody(), "the last chunk carries the whole body")
		}
	}
	require.NoError(t, stream.CloseSend())
}

// TestStreamClosedWithAnError: messages the processor cannot judge close
// the stream with an error status, for Envoy to fail the request.
func TestStreamClosedWithAnError(t *testing.T) {
	t.Parallel()
	headers := &extprocv3.HttpHeaders{Headers: &corev3.HeaderMap{Headers: []*corev3.HeaderValue{
		{Key: ":method", RawValue: []byte("POST")}, {Key: ":path", RawValue: []byte("/v1/responses")},
	}}}
	tests := []struct {
		name     string
		first    *extprocv3.ProcessingRequest
		second   *extprocv3.ProcessingRequest // sent after the first is answered
		wantCode codes.Code
		wantMsg  string
	}{
		{
			name:     "a second request's headers on the same stream",
			first:    &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestHeaders{RequestHeaders: headers}},
			second:   &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestHeaders{RequestHeaders: headers}},
			wantCode: codes.InvalidArgument,
			wantMsg:  "a message out of order",
		},
		{
			name:     "a body without its headers",
			first:    &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestBody{RequestBody: &extprocv3.HttpBody{Body: []byte("{}"), EndOfStream: true}}},
			wantCode: codes.FailedPrecondition,
			wantMsg:  "request headers must be sent first",
		},
		{
			name: "a body mode the processor cannot judge a whole body in",
			first: &extprocv3.ProcessingRequest{
				ProtocolConfig: &extprocv3.ProtocolConfiguration{RequestBodyMode: filterv3.ProcessingMode_BUFFERED_PARTIAL},
				Request:        &extprocv3.ProcessingRequest_RequestHeaders{RequestHeaders: headers},
			},
			wantCode: codes.FailedPrecondition,
			wantMsg:  "request_body_mode BUFFERED_PARTIAL is not supported",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stream, err := startProcessor(t, extproc.Options{}).Process(t.Context())
			require.NoError(t, err)
			require.NoError(t, stream.Send(tt.first))
			if tt.second != nil {
				resp, err := stream.Recv()
				require.NoError(t, err)
				require.NotNil(t, resp.GetRequestHeaders(), "the first request's headers are answered")
				require.NoError(t, stream.Send(tt.second))
			}
			_, err = stream.Recv()
			require.Error(t, err)
			assert.Equal(t, tt.wantCode, status.Code(err))
			assert.Contains(t, err.Error(), tt.wantMsg)
		})
	}
}
