package middleware_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/clienttext"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

func TestJSONBodyAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		path     string
		body     string
		wantCode string
	}{
		{"a JSON object passes", "/v1/responses", `{"anything":true}`, ""},
		{"an object without a model passes: the model is not JSONBody's to judge", "/v1/chat/completions", `{"seed":1}`, ""},
		{"invalid JSON is invalid_json", "/v1/responses", `{"model":`, "invalid_json"},
		{"an array is invalid_body", "/v1/responses", `[]`, "invalid_body"},
		{"an unknown path is unknown_url: JSONBody routes first", "/v1/other", `{}`, "unknown_url"},
		{"a body over the limit is request_too_large: JSONBody runs BodyLimit's check", "/v1/responses", `{"input":"` + strings.Repeat("x", 64) + `"}`, "request_too_large"},
	}
	g := newGuard(t, middleware.Options{Policy: validate.Policy{MaxBodyBytes: 64}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := serve(g.JSONBody(&okHandler{}), post(tt.path, tt.body))
			code, _ := errorCode(t, rec)
			assert.Equal(t, tt.wantCode, code)
		})
	}
}

// The handler reads the exact bytes the client sent, however it reads
// them, and the request's length fields agree with them.
func TestJSONBodyHandsOnTheExactBytes(t *testing.T) {
	t.Parallel()
	body := "{\"model\" : \"gpt-5.5\",\n \"input\":\"caf\u00e9\", \"input\":\"\\u00e9\"}"
	r := post("/v1/responses", body)
	r.ContentLength = -1
	r.TransferEncoding = []string{"chunked"}
	var (
		got, again, buffered []byte
		length               int64
		te                   []string
		result               validate.Result
		resultOK             bool
	)
	h := newGuard(t, middleware.Options{}).JSONBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		rc, err := r.GetBody()
		require.NoError(t, err)
		again, _ = io.ReadAll(rc)
		length, te = r.ContentLength, r.TransferEncoding
		buffered, _ = middleware.BodyFrom(r.Context())
		result, resultOK = middleware.ResultFrom(r.Context())
	}))
	require.Equal(t, http.StatusOK, serve(h, r).Code)
	assert.Equal(t, body, string(got))
	assert.Equal(t, body, string(again))
	assert.Equal(t, body, string(buffered))
	assert.Equal(t, int64(len(body)), length)
	assert.Empty(t, te, "a whole body is not sent chunked")
	require.True(t, resultOK)
	assert.Equal(t, validate.Responses, result.Endpoint)
	assert.Empty(t, result.Model, "JSONBody alone judges no model")
}

// countingWriter counts the Write calls it gets.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.writes++
	return c.Buffer.Write(p)
}

// io.Copy (and a reverse proxy) copies the buffered body with one Write,
// through its WriteTo, without an intermediate buffer.
func TestHandlerBodySupportsWriteTo(t *testing.T) {
	t.Parallel()
	body := `{"model":"gpt-5.5","start_within":"default","input":"` + strings.Repeat("x", 100_000) + `"}`
	var dst countingWriter
	var isWriterTo bool
	h := newGuard(t, middleware.Options{}).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, isWriterTo = r.Body.(io.WriterTo)
		n, err := io.Copy(&dst, r.Body)
		require.NoError(t, err)
		assert.Equal(t, int64(len(body)), n)
		// The body is consumed: a second copy has nothing left.
		n, err = io.Copy(io.Discard, r.Body)
		require.NoError(t, err)
		assert.Zero(t, n)
	}))
	require.Equal(t, http.StatusOK, serve(h, post("/v1/responses", body)).Code)
	assert.True(t, isWriterTo)
	assert.Equal(t, 1, dst.writes)
	assert.Equal(t, body, dst.String())
}

// A reading handler that stops halfway and then copies the rest gets the
// rest, not the whole body again.
func TestHandlerBodyMixesReadAndWriteTo(t *testing.T) {
	t.Parallel()
	body := `{"model":"gpt-5.5","start_within":"default"}`
	var got bytes.Buffer
	h := newGuard(t, middleware.Options{}).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		head := make([]byte, 10)
		n, _ := io.ReadFull(r.Body, head)
		got.Write(head[:n])
		_, _ = io.Copy(&got, r.Body)
	}))
	serve(h, post("/v1/responses", body))
	assert.Equal(t, body, got.String())
}

// A client that streams its body chunked reaches an upstream behind a
// reverse proxy as one body with a Content-Length, byte for byte.
func TestReverseProxyForwardsTheExactBytesWithALength(t *testing.T) {
	t.Parallel()
	type seen struct {
		body          []byte
		contentLength int64
		te            []string
		header        string
	}
	upstreamSaw := make(chan seen, 1)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		upstreamSaw <- seen{b, r.ContentLength, r.TransferEncoding, r.Header.Get("Content-Length")}
		_, _ = io.WriteString(w, "upstream ok")
	}))
	defer upstream.Close()
	target, err := url.Parse(upstream.URL)
	require.NoError(t, err)

	var gatewaySawChunked atomic.Bool
	guarded := newGuard(t, middleware.Options{}).Handler(httputil.NewSingleHostReverseProxy(target))
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gatewaySawChunked.Store(len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked")
		guarded.ServeHTTP(w, r)
	}))
	defer gateway.Close()

	// Odd spacing, escapes and a repeated key: proof that nothing re-encodes.
	body := "{\"model\":\"x\", \"model\" :\"gpt-5.5\",\n\t\"start_within\":\"00h-00m-30s\",\"input\":\"\\u00e9 caf\u00e9\"}"
	// A reader that is not a bytes or strings reader makes the client
	// send the body chunked.
	resp, err := gateway.Client().Post(gateway.URL+"/v1/responses", "application/json", io.MultiReader(strings.NewReader(body)))
	require.NoError(t, err)
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(answer))
	assert.Equal(t, "upstream ok", string(answer))
	assert.True(t, gatewaySawChunked.Load(), "the client must have sent the body chunked")

	got := <-upstreamSaw
	assert.Equal(t, body, string(got.body))
	assert.Equal(t, int64(len(body)), got.contentLength)
	assert.Empty(t, got.te, "the upstream must not get the body chunked")
}

// A client that goes away mid-body is told nothing: OnReject hears of it
// as client_closed_request, the ErrorWriter is never called, and the
// handler aborts (http.ErrAbortHandler) rather than return, which a
// server would answer with an empty 200.
func TestClientClosedRequestIsNeverWritten(t *testing.T) {
	t.Parallel()
	mounts := map[string]func(*middleware.Guard, http.Handler) http.Handler{
		"Handler":  (*middleware.Guard).Handler,
		"JSONBody": (*middleware.Guard).JSONBody,
		"Model":    (*middleware.Guard).Model,
	}
	for name, mount := range mounts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var rj rejections
			var written int
			opts := middleware.Options{
				OnReject: rj.record,
				ErrorWriter: func(http.ResponseWriter, *http.Request, *apierrors.Error) {
					written++
				},
			}
			next := &okHandler{}
			r := post("/v1/responses", "")
			r.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"model":"gpt`), errReader{io.ErrUnexpectedEOF}))
			r.ContentLength = 1000
			rec, aborted := serveAborting(mount(newGuard(t, opts), next), r)
			assert.True(t, aborted)
			assert.Zero(t, next.calls.Load())
			assert.Zero(t, written, "the ErrorWriter is not called for a client that has gone")
			assert.Zero(t, rec.Body.Len())
			assert.Empty(t, rec.Header())
			require.Equal(t, int32(1), rj.n.Load())
			assert.Equal(t, apierrors.ClientClosedRequest, rj.last.Load().Code())
		})
	}
}

// A request built by hand may have no Body at all: it is an empty body.
func TestJSONBodyWithANilBodyIsInvalidJSON(t *testing.T) {
	t.Parallel()
	r := post("/v1/responses", "")
	r.Body = nil
	rec := serve(newGuard(t, middleware.Options{}).JSONBody(&okHandler{}), r)
	code, _ := errorCode(t, rec)
	assert.Equal(t, "invalid_json", code)
}

// Strict mode names the repeated key's path.
func TestJSONBodyStrictModeNamesTheRepeatedKey(t *testing.T) {
	t.Parallel()
	g := newGuard(t, middleware.Options{Policy: validate.Policy{StrictDuplicateKeys: true}})
	rec := serve(g.JSONBody(&okHandler{}), post("/v1/responses", `{"model":"a","model":"b"}`))
	code, param := errorCode(t, rec)
	assert.Equal(t, "invalid_json", code)
	assert.Equal(t, "model", param)
}

// unreadBody fails the test when anything reads it.
type unreadBody struct{ t *testing.T }

func (b unreadBody) Read([]byte) (int, error) {
	b.t.Error("the body of an encoded request was read")
	return 0, io.EOF
}

func (unreadBody) Close() error { return nil }

// A body with a content coding other than identity is invalid_json before
// a byte of it is read, and the message names the coding, cut to its
// bound.
func TestAnEncodedBodyIsRefusedUnread(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("z", 10_000)
	tests := []struct {
		name     string
		codings  []string // header lines
		wantName string   // the coding the message names
	}{
		{"gzip is named", []string{"gzip"}, `"gzip"`},
		{"an unknown coding is named", []string{"bogus"}, `"bogus"`},
		{"the first coding that is not identity is named", []string{"identity, , br", "gzip"}, `"br"`},
		{"a coding on a second header line counts", []string{"identity", "deflate"}, `"deflate"`},
		{"a coding of 10,000 bytes is cut in the message", []string{long}, `"` + long[:clienttext.MaxValue-len("…")] + `…"`},
	}
	g := newGuard(t, middleware.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := post("/v1/responses", "")
			r.Body = unreadBody{t}
			r.ContentLength = 44
			r.Header["Content-Encoding"] = tt.codings
			next := &okHandler{}
			rec := serve(g.Handler(next), r)
			assert.Zero(t, next.calls.Load())
			require.Equal(t, http.StatusBadRequest, rec.Code)
			code, param, message := errorBody(t, rec)
			assert.Equal(t, "invalid_json", code)
			assert.Empty(t, param)
			assert.Contains(t, message, "Content-Encoding "+tt.wantName)
			assert.Less(t, len(message), 400)
		})
	}
}
