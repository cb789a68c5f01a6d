package middleware_test

import (
	"bytes"
	"context"
	"io"
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

// gatedWriter is a writer whose first Write waits for the gate, as a
// transport's write to a slow upstream does, and then keeps what it got.
type gatedWriter struct {
	entered, gate chan struct{}
	got           []byte
}

func (w *gatedWriter) Write(p []byte) (int, error) {
	if w.got == nil {
		close(w.entered)
		<-w.gate
	}
	w.got = append(w.got, p...)
	return len(p), nil
}

// A proxy's transport may still be sending the body upstream when the
// handler returns (RoundTrip may read a body after it returns). The bytes
// it sends must stay the client's, whatever requests come after, and a
// read that starts after the handler has returned fails rather than see
// another request's bytes.
func TestAReadThatOutlivesTheHandlerSeesOnlyItsOwnBody(t *testing.T) {
	t.Parallel()
	bodyOf := func(fill string) string {
		return `{"model":"gpt-5.5","start_within":"auto","input":"` + strings.Repeat(fill, 3000) + `"}`
	}
	first := bodyOf("a")
	w := &gatedWriter{entered: make(chan struct{}), gate: make(chan struct{})}
	copied := make(chan error, 1)
	var (
		keptBody    io.Reader
		keptGetBody func() (io.ReadCloser, error)
	)
	g := newGuard(t, middleware.Options{})
	inFlight := g.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		go func() {
			_, err := io.Copy(w, r.Body)
			copied <- err
		}()
		<-w.entered // the write is in progress when the handler returns
		keptBody, keptGetBody = r.Body, r.GetBody
	}))
	require.Equal(t, http.StatusOK, serve(inFlight, post("/v1/responses", first)).Code)

	// Later requests of the same size take buffers from the pool and fill
	// them with their own bytes.
	drain := g.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) }))
	for i := range 50 {
		require.Equal(t, http.StatusOK, serve(drain, post("/v1/responses", bodyOf(string(rune('b'+i%20))))).Code)
	}
	close(w.gate)
	require.NoError(t, <-copied)
	assert.Equal(t, first, string(w.got), "the write in progress sent the client's bytes")

	n, err := keptBody.Read(make([]byte, 16))
	assert.Zero(t, n)
	assert.Error(t, err, "a read after the handler returned")
	rc, err := keptGetBody()
	require.NoError(t, err)
	got, err := io.ReadAll(rc)
	assert.Empty(t, got)
	assert.Error(t, err, "a GetBody reader after the handler returned")
}

func TestGetBodyReadsTheWholeBodyAgainDuringTheHandler(t *testing.T) {
	t.Parallel()
	body := `{"model":"gpt-5.5","start_within":"auto","input":"hi"}`
	var first, again []byte
	h := newGuard(t, middleware.Options{}).Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		first, _ = io.ReadAll(r.Body)
		rc, err := r.GetBody()
		require.NoError(t, err)
		var b bytes.Buffer
		_, err = io.Copy(&b, rc) // through WriteTo
		require.NoError(t, err)
		again = b.Bytes()
	}))
	require.Equal(t, http.StatusOK, serve(h, post("/v1/responses", body)).Code)
	assert.Equal(t, body, string(first))
	assert.Equal(t, body, string(again))
}
