package extproc_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	filterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/contrib/extproc"
	"github.com/flexinference/flexguard/internal/conformance"
	"github.com/flexinference/flexguard/internal/conformance/guardcase"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// FuzzProcessorMatchesHandler: whatever the method, path, body and chunking,
// the processor answers every message Envoy sends and reaches the verdict
// Guard.Handler reaches on the same request: the same rejection, or a
// pass that forwards the exact bytes.
func FuzzProcessorMatchesHandler(f *testing.F) {
	f.Add("POST", "/v1/chat/completions", []byte(validChat), false, uint8(16))
	f.Add("POST", "/v1/messages", []byte(`{"model":"claude-x","start_within":"auto"}`), true, uint8(3))
	f.Add("GET", "/v1/responses", []byte(nil), false, uint8(1))
	f.Add("POST", "/v1/responses?x=1", []byte(`{"model":"gpt-5.5","start_within":"00h-00m-30s","input":"`+strings.Repeat("x", 80)+`"}`), true, uint8(7))
	f.Add("POST", "/v1/interactions", []byte(`[`), true, uint8(0))
	// One processor for the whole run; a small limit so that chunking
	// crosses it.
	policy := validate.Policy{MaxBodyBytes: 96}
	client := startProcessor(f, extproc.Options{Guard: middleware.Options{Policy: policy}})
	f.Fuzz(func(t *testing.T, method, target string, body []byte, streamed bool, chunk uint8) {
		if strings.Trim(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != "" || method == "" ||
			strings.ContainsAny(target, " \r\n\x00#") {
			return // not a request line Envoy would pass on
		}
		if _, err := url.ParseRequestURI(target); err != nil {
			return // nor a path it would
		}
		e := envoy{mode: filterv3.ProcessingMode_BUFFERED}
		if streamed {
			e = envoy{mode: filterv3.ProcessingMode_STREAMED, chunk: int(chunk%32) + 1}
		}
		res := e.do(t, client, httpRequest{method: method, target: target, length: lengthOf(len(body)), body: body})

		c := &conformance.Case{Method: method, Target: target, ContentLength: -1, Body: body}
		direct, err := guardcase.Answer(c, middleware.Options{Policy: policy})
		require.NoError(t, err)
		if direct.Code == http.StatusNoContent {
			require.Nil(t, res.immediate, "Guard.Handler passes it; the processor answered %s", res.immediate.GetBody())
			assert.Equal(t, string(body), string(res.forwarded))
			return
		}
		require.NotNil(t, res.immediate, "Guard.Handler answers %d %s; the processor let it go on", direct.Code, direct.Body)
		assert.Equal(t, direct.Code, int(res.immediate.GetStatus().GetCode()))
		assert.Equal(t, direct.Body.String(), string(res.immediate.GetBody()))
	})
}
