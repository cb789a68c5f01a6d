package middleware_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// Mounted per route inside an http.ServeMux, with Options.Endpoint naming
// the endpoint, Handler checks no path: the mux has matched it.
func TestMountingPerRouteInAServeMux(t *testing.T) {
	t.Parallel()
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, _ := middleware.ResultFrom(r.Context())
		fmt.Fprintf(w, "%s %s", res.Endpoint, res.Model)
	})
	chat := newGuard(t, middleware.Options{Endpoint: validate.ChatCompletions})
	mux := http.NewServeMux()
	mux.Handle("POST /v1/chat/completions", chat.Handler(handler))
	mux.Handle("POST /internal/{tenant}/chat", chat.Handler(handler))
	mux.Handle("POST /unrouted/chat", newGuard(t, middleware.Options{}).Handler(handler))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close) // the parallel subtests run after this function returns

	const valid = `{"model":"gpt-5.5","start_within":"default","messages":[]}`
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		wantBody   string
	}{
		{"the endpoint's own pattern passes", http.MethodPost, "/v1/chat/completions", valid, 200, "/v1/chat/completions gpt-5.5"},
		{"a pattern with a wildcard passes as the named endpoint", http.MethodPost, "/internal/acme/chat", valid, 200, "/v1/chat/completions gpt-5.5"},
		{"the endpoint's rules apply under any path", http.MethodPost, "/internal/acme/chat", `{"model":"gpt-5.5","start_within":"default","seed":1}`, 400, `"param":"seed"`},
		{"without Endpoint the path is checked and this one is unknown", http.MethodPost, "/unrouted/chat", valid, 404, `"code":"unknown_url"`},
		{"the mux answers a method its pattern does not allow", http.MethodGet, "/v1/chat/completions", "", 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			require.NoError(t, err)
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.wantStatus, resp.StatusCode, string(body))
			assert.Contains(t, string(body), tt.wantBody)
		})
	}
}

// An ErrorWriter renders rejections in the embedder's own shape, with what
// the canonical error knows.
func TestErrorWriterRendersACustomShape(t *testing.T) {
	t.Parallel()
	g := newGuard(t, middleware.Options{
		ErrorWriter: func(w http.ResponseWriter, r *http.Request, err *apierrors.Error) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(err.Status())
			_ = json.NewEncoder(w).Encode(map[string]any{
				"type":    err.Code(),
				"code":    err.Status(),
				"field":   err.Param(),
				"path":    r.URL.Path,
				"message": err.Message(),
			})
		},
	})
	tests := []struct {
		name       string
		path       string
		body       string
		wantStatus int
		wantType   string
		wantField  string
	}{
		{"a body rule", "/v1/chat/completions", `{"model":"gpt-5.5","seed":1}`, 400, "unsupported_parameter", "seed"},
		{"an unknown path", "/v2/x", `{}`, 404, "unknown_url", ""},
		{"a body over the limit", "/v1/responses", strings.Repeat(" ", validate.DefaultMaxBodyBytes+1), 413, "request_too_large", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := serve(g.Handler(&okHandler{}), post(tt.path, tt.body))
			require.Equal(t, tt.wantStatus, rec.Code)
			var got map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
			assert.Equal(t, tt.wantType, got["type"])
			assert.Equal(t, float64(tt.wantStatus), got["code"])
			assert.Equal(t, tt.wantField, got["field"])
			assert.Equal(t, tt.path, got["path"])
			assert.NotEmpty(t, got["message"])
			assert.NotContains(t, got, "error", "the canonical shape is not written as well")
		})
	}
}

// OnReject hears of each rejection exactly once, before it is written,
// and of no pass: through Handler, and through a stack of every piece,
// where several middlewares could each have told it.
func TestOnRejectOncePerRejection(t *testing.T) {
	t.Parallel()
	mounts := map[string]func(*middleware.Guard, middleware.Options, http.Handler) http.Handler{
		"Handler": func(g *middleware.Guard, _ middleware.Options, h http.Handler) http.Handler { return g.Handler(h) },
		"a stack of every piece": func(g *middleware.Guard, opts middleware.Options, h http.Handler) http.Handler {
			return stack(h, piecesOf(g, opts)...)
		},
	}
	bodies := []struct {
		name      string
		body      string
		wantCalls int32
	}{
		{"a pass", `{"model":"gpt-5.5","start_within":"default"}`, 0},
		{"a body rule", `{"model":"gpt-5.5"}`, 1},
		{"invalid JSON", `{`, 1},
		{"an organisation check", `{"model":"gpt-5.5","start_within":"00h-00m-30s"}`, 1},
	}
	for mountName, mount := range mounts {
		for _, b := range bodies {
			t.Run(b.name+" through "+mountName, func(t *testing.T) {
				t.Parallel()
				var rj rejections
				var writtenAfterReject bool
				opts := middleware.Options{
					OnReject:   rj.record,
					OrgOverdue: func(*http.Request) (bool, error) { return true, nil },
					ErrorWriter: func(w http.ResponseWriter, _ *http.Request, err *apierrors.Error) {
						writtenAfterReject = rj.n.Load() == 1 && rj.last.Load() == err
						apierrors.Write(w, err)
					},
				}
				serve(mount(newGuard(t, opts), opts, &okHandler{}), post("/v1/responses", b.body))
				assert.Equal(t, b.wantCalls, rj.n.Load())
				if b.wantCalls > 0 {
					assert.True(t, writtenAfterReject, "OnReject is told before the error is written")
				}
			})
		}
	}
}

// Handler runs the organisation checks only when their lookups are set:
// the zero Options is the body rules alone, and a billable request passes.
func TestHandlerWithoutLookupsSkipsTheOrganisationChecks(t *testing.T) {
	t.Parallel()
	h := newGuard(t, middleware.Options{}).Handler(&okHandler{})
	rec := serve(h, post("/v1/responses", `{"model":"gpt-5.5","start_within":"00h-00m-30s"}`))
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
}

// One Handler serves many requests at once; nothing of one leaks into
// another.
func TestHandlerIsSafeForConcurrentRequests(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	seen := map[string]string{}
	h := newGuard(t, middleware.Options{}).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, _ := middleware.ResultFrom(r.Context())
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		seen[res.Model] = string(b)
	}))
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			body := fmt.Sprintf(`{"model":"m-%d","start_within":"default"}`, i)
			serve(h, post("/v1/responses", body))
		})
	}
	wg.Wait()
	require.Len(t, seen, 64)
	for model, body := range seen {
		assert.Contains(t, body, `"`+model+`"`)
	}
}
