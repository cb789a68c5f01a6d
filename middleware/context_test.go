package middleware_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

func TestResultFromAndBodyFromOutsideTheMiddleware(t *testing.T) {
	t.Parallel()
	type key struct{}
	contexts := map[string]context.Context{
		"a background context":        context.Background(),
		"a context with other values": context.WithValue(context.Background(), key{}, "x"),
	}
	for name, ctx := range contexts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res, ok := middleware.ResultFrom(ctx)
			assert.False(t, ok)
			assert.Zero(t, res)
			body, ok := middleware.BodyFrom(ctx)
			assert.False(t, ok)
			assert.Nil(t, body)
		})
	}
}

// Behind Route alone nothing has read the body, so there is nothing to
// report yet.
func TestResultFromBeforeTheBodyIsRead(t *testing.T) {
	t.Parallel()
	var resultOK, bodyOK bool
	h := newGuard(t, middleware.Options{}).Route(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, resultOK = middleware.ResultFrom(r.Context())
		_, bodyOK = middleware.BodyFrom(r.Context())
	}))
	require.Equal(t, http.StatusOK, serve(h, post("/v1/responses", `{}`)).Code)
	assert.False(t, resultOK)
	assert.False(t, bodyOK)
}

// A middleware between flexguard and the handler can replace the
// request's context; values flexguard put there survive a derived context.
func TestResultFromThroughADerivedContext(t *testing.T) {
	t.Parallel()
	type key struct{}
	var res validate.Result
	var ok bool
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, ok = middleware.ResultFrom(r.Context())
	})
	between := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), key{}, 1)))
	})
	h := newGuard(t, middleware.Options{}).Handler(between)
	require.Equal(t, http.StatusOK, serve(h, post("/v1/interactions", `{"model":"gemini-3-pro","start_within":"00h-01m-00s"}`)).Code)
	require.True(t, ok)
	assert.Equal(t, validate.Result{
		Endpoint:    validate.Interactions,
		Model:       "gemini-3-pro",
		Provider:    validate.Gemini,
		StartWithin: validate.StartWithin{Mode: validate.ModeDuration, Duration: 60_000_000_000},
	}, res)
}

// The request's own context values stay visible behind the middleware.
func TestTheRequestContextIsKept(t *testing.T) {
	t.Parallel()
	type key struct{}
	var got any
	h := newGuard(t, middleware.Options{}).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Context().Value(key{})
	}))
	r := post("/v1/responses", `{"model":"gpt-5.5","start_within":"auto"}`)
	r = r.WithContext(context.WithValue(r.Context(), key{}, "trace-1"))
	require.Equal(t, http.StatusOK, serve(h, r).Code)
	assert.Equal(t, "trace-1", got)
}

// The body's buffer serves another request once the handler returns:
// what the handler kept from ResultFrom stays as it was, BodyFrom's bytes
// cannot be grown into what the buffer held before, and both answer no
// more after the handler.
func TestWhatOutlivesTheHandler(t *testing.T) {
	t.Parallel()
	var (
		kept     []validate.Result
		contexts []context.Context
	)
	h := newGuard(t, middleware.Options{}).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, ok := middleware.ResultFrom(r.Context())
		require.True(t, ok)
		kept = append(kept, res)
		contexts = append(contexts, r.Context())
		body, ok := middleware.BodyFrom(r.Context())
		require.True(t, ok)
		assert.Equal(t, len(body), cap(body), "the bytes past the body are another request's")
	}))
	models := []string{"gpt-5.5", "o3", "gpt-5-mini"}
	for _, model := range models {
		body := `{"model":"` + model + `","start_within":"auto","input":"` + strings.Repeat("z", 100) + `"}`
		rec := serve(h, post("/v1/responses", body))
		require.Equal(t, http.StatusOK, rec.Code)
	}
	for i, model := range models {
		assert.Equal(t, model, kept[i].Model, "a Result is a copy")
		_, ok := middleware.ResultFrom(contexts[i])
		assert.False(t, ok, "ResultFrom after the handler returned")
		_, ok = middleware.BodyFrom(contexts[i])
		assert.False(t, ok, "BodyFrom after the handler returned")
	}
}
