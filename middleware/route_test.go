package middleware_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

func TestRouteAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		target     string
		endpoint   validate.Endpoint
		wantStatus int
		wantCode   string
	}{
		{"POST to an endpoint passes", http.MethodPost, "/v1/responses", 0, 200, ""},
		{"the query string is ignored", http.MethodPost, "/v1/messages?beta=true", 0, 200, ""},
		{"an unknown path is unknown_url", http.MethodPost, "/v1/models", 0, 404, "unknown_url"},
		{"a trailing slash is unknown_url", http.MethodPost, "/v1/chat/completions/", 0, 404, "unknown_url"},
		{"an endpoint with an escaped slash is unknown_url", http.MethodPost, "/v1%2Fresponses", 0, 404, "unknown_url"},
		{"an endpoint with an escaped letter is unknown_url", http.MethodPost, "/v1/respons%65s", 0, 404, "unknown_url"},
		{"an escaped query is still ignored", http.MethodPost, "/v1/responses?next=%2Fv1%2Fmessages", 0, 200, ""},
		{"GET on an endpoint is method_not_allowed", http.MethodGet, "/v1/interactions", 0, 405, "method_not_allowed"},
		{"GET on an unknown path is unknown_url", http.MethodGet, "/nowhere", 0, 404, "unknown_url"},
		{"with Endpoint set any path passes", http.MethodPost, "/internal/chat", validate.ChatCompletions, 200, ""},
		{"with Endpoint set the method is still checked", http.MethodDelete, "/internal/chat", validate.ChatCompletions, 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			next := &okHandler{}
			h := newGuard(t, middleware.Options{Endpoint: tt.endpoint}).Route(next)
			r := post(tt.target, "{}")
			r.Method = tt.method
			rec := serve(h, r)
			require.Equal(t, tt.wantStatus, rec.Code, rec.Body.String())
			code, _ := errorCode(t, rec)
			assert.Equal(t, tt.wantCode, code)
			if tt.wantStatus == http.StatusMethodNotAllowed {
				assert.Equal(t, "POST", rec.Header().Get("Allow"))
			}
		})
	}
}

// Route judges only the request line: the handler gets the body unread,
// whatever it holds, and nothing has been learned about it yet.
func TestRouteLeavesTheBodyAlone(t *testing.T) {
	t.Parallel()
	var got []byte
	var resultOK bool
	h := newGuard(t, middleware.Options{}).Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		_, resultOK = middleware.ResultFrom(r.Context())
	}))
	rec := serve(h, post("/v1/responses", "not json at all"))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "not json at all", string(got))
	assert.False(t, resultOK, "Route reads no body, so there is no result")
}
