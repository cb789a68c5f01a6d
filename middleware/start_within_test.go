package middleware_test

import (
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

func TestStartWithinAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		path      string
		body      string
		wantCode  string
		wantFacts string // start_within as the handler sees it
	}{
		{"a valid start_within passes", "/v1/responses", `{"model":"gpt-5.5","start_within":"auto"}`, "", "auto"},
		{"an absent start_within is missing_start_within", "/v1/responses", `{"model":"gpt-5.5"}`, "missing_start_within", ""},
		{"an invalid start_within is invalid_start_within", "/v1/responses", `{"model":"gpt-5.5","start_within":"soon"}`, "invalid_start_within", ""},
		{"a missing model is answered first: StartWithin runs Model's check", "/v1/responses", `{"start_within":"default"}`, "missing_model", ""},
		{"an unsupported parameter is answered first: StartWithin runs Parameters' checks", "/v1/chat/completions", `{"model":"gpt-5.5","seed":1,"start_within":"priority"}`, "unsupported_parameter", ""},
		{"a provider problem is left to a later check", "/v1/messages", `{"model":"claude-x","start_within":"00h-00m-30s"}`, "", "00h-00m-30s"},
	}
	g := newGuard(t, middleware.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var seen string
			h := g.StartWithin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				res, ok := middleware.ResultFrom(r.Context())
				require.True(t, ok)
				seen = res.StartWithin.String()
			}))
			rec := serve(h, post(tt.path, tt.body))
			code, _ := errorCode(t, rec)
			assert.Equal(t, tt.wantCode, code)
			assert.Equal(t, tt.wantFacts, seen)
		})
	}
}

// The per-request default may cost the embedder a lookup (an
// organisation's settings): it is asked at most once per request, however
// many middlewares judge start_within, and not at all when the body sends
// its own.
func TestDefaultStartWithinIsAskedAtMostOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		body      string
		wantCalls int32
		wantSW    string
	}{
		{"an absent start_within asks once", `{"model":"gpt-5.5"}`, 1, "priority"},
		{"a null start_within asks once", `{"model":"gpt-5.5","start_within":null}`, 1, "priority"},
		{"a sent start_within does not ask", `{"model":"gpt-5.5","start_within":"auto"}`, 0, "auto"},
		{"an invalid start_within does not ask", `{"model":"gpt-5.5","start_within":"soon"}`, 0, ""},
	}
	compositions := map[string]func(*middleware.Guard, http.Handler) http.Handler{
		"Handler": func(g *middleware.Guard, h http.Handler) http.Handler { return g.Handler(h) },
		"StartWithin, Provider and Billing stacked": func(g *middleware.Guard, h http.Handler) http.Handler {
			return g.StartWithin(g.Provider(g.Billing(h)))
		},
		"Provider alone": func(g *middleware.Guard, h http.Handler) http.Handler { return g.Provider(h) },
	}
	for _, tt := range tests {
		for compName, compose := range compositions {
			t.Run(tt.name+" through "+compName, func(t *testing.T) {
				t.Parallel()
				var calls atomic.Int32
				opts := middleware.Options{
					DefaultStartWithin: func(*http.Request) (validate.StartWithin, bool) {
						calls.Add(1)
						return validate.StartWithin{Mode: validate.ModePriority}, true
					},
					OrgOverdue: func(*http.Request) (bool, error) { return false, nil },
				}
				var seen string
				h := compose(newGuard(t, opts), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					res, _ := middleware.ResultFrom(r.Context())
					seen = res.StartWithin.String()
				}))
				serve(h, post("/v1/responses", tt.body))
				assert.Equal(t, tt.wantCalls, calls.Load(), "DefaultStartWithin calls")
				assert.Equal(t, tt.wantSW, seen)
			})
		}
	}
}

func TestDefaultStartWithinNotOKKeepsThePolicyDefault(t *testing.T) {
	t.Parallel()
	opts := middleware.Options{
		Policy:             validate.Policy{DefaultStartWithin: "auto"},
		DefaultStartWithin: func(*http.Request) (validate.StartWithin, bool) { return validate.StartWithin{}, false },
	}
	var res validate.Result
	h := newGuard(t, opts).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, _ = middleware.ResultFrom(r.Context())
	}))
	rec := serve(h, post("/v1/responses", `{"model":"gpt-5.5"}`))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "auto", res.StartWithin.String())
	assert.True(t, res.StartWithinDefaulted)
}

// The lookup gets the request, to find the organisation behind it.
func TestDefaultStartWithinSeesTheRequest(t *testing.T) {
	t.Parallel()
	opts := middleware.Options{
		DefaultStartWithin: func(r *http.Request) (validate.StartWithin, bool) {
			if r.Header.Get("X-Org") == "patient" {
				return validate.StartWithin{Mode: validate.ModeAuto}, true
			}
			return validate.StartWithin{}, false
		},
	}
	h := newGuard(t, opts).StartWithin(&okHandler{})
	r := post("/v1/responses", `{"model":"gpt-5.5"}`)
	r.Header.Set("X-Org", "patient")
	assert.Equal(t, http.StatusOK, serve(h, r).Code)
	code, _ := errorCode(t, serve(h, post("/v1/responses", `{"model":"gpt-5.5"}`)))
	assert.Equal(t, "missing_start_within", code)
}
