package middleware_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

func TestModelStandalone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		path         string
		body         string
		wantCode     string
		wantModel    string
		wantProvider validate.Provider
	}{
		{"a model string passes with its provider", "/v1/responses", `{"model":"gemini-3-pro"}`, "", "gemini-3-pro", validate.Gemini},
		{"a missing model is missing_model", "/v1/responses", `{"input":"hi"}`, "missing_model", "", 0},
		{"the last of a repeated model is judged", "/v1/responses", `{"model":"gpt-5.5","model":"claude-x"}`, "", "claude-x", validate.Anthropic},
		{"a missing start_within is not Model's to judge", "/v1/responses", `{"model":"gpt-5.5"}`, "", "gpt-5.5", validate.OpenAI},
		{"service_tier is not Model's to judge", "/v1/chat/completions", `{"model":"gpt-5.5","service_tier":"flex"}`, "", "gpt-5.5", validate.OpenAI},
		{"a missing token cap is not Model's to judge", "/v1/messages", `{"model":"claude-x"}`, "", "claude-x", validate.Anthropic},
		{"invalid JSON is still answered: Model reads the body first", "/v1/responses", `{`, "invalid_json", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var res validate.Result
			h := middleware.Model(middleware.Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var ok bool
				res, ok = middleware.ResultFrom(r.Context())
				require.True(t, ok)
			}))
			code, _ := errorCode(t, serve(h, post(tt.path, tt.body)))
			assert.Equal(t, tt.wantCode, code)
			assert.Equal(t, tt.wantModel, res.Model)
			assert.Equal(t, tt.wantProvider, res.Provider)
		})
	}
}

// readCounter counts the bytes read from a body.
type readCounter struct {
	r io.Reader
	n int
}

func (c *readCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func (c *readCounter) Close() error { return nil }

// Composed middlewares share one buffered body: the client's body is read
// once, however many of them judge it, and the handler still gets it all.
func TestComposedMiddlewaresReadTheBodyOnce(t *testing.T) {
	t.Parallel()
	body := `{"model":"claude-x","start_within":"default","max_tokens":5}`
	src := &readCounter{r: strings.NewReader(body)}
	r := post("/v1/messages", "")
	r.Body, r.ContentLength = src, int64(len(body))
	opts := middleware.Options{}
	var got []byte
	h := middleware.JSONBody(opts)(middleware.Model(opts)(middleware.Parameters(opts)(middleware.TokenCap(opts)(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got, _ = io.ReadAll(r.Body) })))))
	require.Equal(t, http.StatusOK, serve(h, r).Code)
	assert.Equal(t, len(body), src.n)
	assert.Equal(t, body, string(got))
}
