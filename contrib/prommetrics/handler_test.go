package prommetrics_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/middleware"
)

func TestRequestDurationIsLabelledAsOpenTelemetrySays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		method     string
		handler    http.HandlerFunc
		ctx        func() context.Context
		wantMethod string
		wantStatus string
		wantPanic  any
	}{
		{"a known method is kept", "POST", nil, nil, "POST", "200", nil},
		{"QUERY is known", "QUERY", nil, nil, "QUERY", "200", nil},
		{"an unknown method is _OTHER", "PURGE", nil, nil, "_OTHER", "200", nil},
		{"methods are case-sensitive", "post", nil, nil, "_OTHER", "200", nil},
		{"a written status is the label", "POST", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusCreated) }, nil, "POST", "201", nil},
		{"an informational status is not the final one", "POST", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusAccepted)
		}, nil, "POST", "202", nil},
		{"a body without a status is 200", "POST", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "hi") }, nil, "POST", "200", nil},
		{"a flush without a status is 200", "POST", func(w http.ResponseWriter, r *http.Request) {
			require.NoError(t, http.NewResponseController(w).Flush())
		}, canceled, "POST", "200", nil},
		{"nothing written to a client that went away is 499", "POST", func(http.ResponseWriter, *http.Request) {}, canceled, "POST", "499", nil},
		{"an abort before any answer is 499, and goes on up", "POST", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }, nil, "POST", "499", http.ErrAbortHandler},
		{"an abort after the status keeps it", "POST", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusOK)
			panic(http.ErrAbortHandler)
		}, nil, "POST", "200", http.ErrAbortHandler},
		{"another panic before any answer is 500, and goes on up", "POST", func(http.ResponseWriter, *http.Request) { panic("bug") }, nil, "POST", "500", "bug"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, reg := registered(t)
			next := http.Handler(tt.handler)
			if tt.handler == nil {
				next = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
			}
			r := httptest.NewRequest(tt.method, "/v1/responses", nil)
			if tt.ctx != nil {
				r = r.WithContext(tt.ctx())
			}
			panicked := func() (v any) {
				defer func() { v = recover() }()
				m.Handler(next).ServeHTTP(httptest.NewRecorder(), r)
				return nil
			}()
			assert.Equal(t, tt.wantPanic, panicked)
			assert.Equal(t, map[string]float64{
				"http_request_method=" + tt.wantMethod + ",http_response_status_code=" + tt.wantStatus + ",http_route=/v1/responses": 1,
			}, series(t, reg, duration))
		})
	}
}

// canceled is a context whose client has gone.
func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func TestRequestDurationHasOpenTelemetrysBuckets(t *testing.T) {
	t.Parallel()
	m, reg := registered(t)
	m.Handler(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	f := family(t, reg, duration)
	require.NotNil(t, f)
	assert.Equal(t, dto.MetricType_HISTOGRAM, f.GetType())
	var bounds []float64
	for _, b := range f.GetMetric()[0].GetHistogram().GetBucket() {
		bounds = append(bounds, b.GetUpperBound())
	}
	// http.server.request.duration's explicit bucket boundaries in
	// OpenTelemetry's HTTP metrics semantic conventions.
	assert.Equal(t, []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}, bounds)
}

// A client that goes away mid-body is aborted by the Guard: a
// client_closed_request rejection and a 499 duration.
func TestAClientGoneMidBodyIs499(t *testing.T) {
	t.Parallel()
	m, reg := registered(t)
	h := guarded(t, m, middleware.Options{}, http.NotFoundHandler())
	r := httptest.NewRequest("POST", "/v1/messages", io.MultiReader(strings.NewReader(`{"model":`), errReader{io.ErrUnexpectedEOF}))
	r.ContentLength = 100
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() { h.ServeHTTP(httptest.NewRecorder(), r) })
	assert.Equal(t, map[string]float64{"code=client_closed_request,endpoint=/v1/messages,status=499": 1}, series(t, reg, rejections))
	assert.Equal(t, map[string]float64{"http_request_method=POST,http_response_status_code=499,http_route=/v1/messages": 1}, series(t, reg, duration))
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// The wrapped writer hides nothing a streaming handler needs: a flush
// through http.ResponseController reaches the client at once.
func TestHandlerLetsAFlushThrough(t *testing.T) {
	t.Parallel()
	m, _ := registered(t)
	flushed := make(chan struct{})
	g, err := middleware.New(m.Instrument(middleware.Options{}))
	require.NoError(t, err)
	srv := httptest.NewServer(m.Handler(g.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "first\n")
		assert.NoError(t, http.NewResponseController(w).Flush())
		<-flushed
	}))))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { // a failed flush leaves the handler waiting
		select {
		case <-flushed:
		default:
			close(flushed)
		}
	})

	// Bounded: without the flush the line comes only when the handler
	// returns, which it does not until the line has come.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", srv.URL+"/v1/chat/completions", strings.NewReader(validChat))
	require.NoError(t, err)
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	line := make([]byte, len("first\n"))
	_, err = io.ReadFull(res.Body, line)
	close(flushed)
	require.NoError(t, err, "the flush reached the client while the handler waited")
	assert.Equal(t, "first\n", string(line))
	_ = res.Body.Close()
}
