package interop_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
	"github.com/stretchr/testify/require"
)

// startGateway starts a flexguard gateway on loopback for the length of the
// test and returns its base URL, such as "http://127.0.0.1:40123". With
// upstream "" it answers every valid request with an echo; otherwise it
// proxies valid requests to upstream unchanged, streams included.
//
// This is the one function to change when cmd/flexgate lands on main: build
// the binary into t.TempDir(), run `flexgate serve -addr 127.0.0.1:0
// [-upstream URL]`, and return the address from its `listening on
// http://ADDR` line on stderr. Until then it stands in with the same
// middleware chain flexgate serves.
func startGateway(t *testing.T, upstream string) string {
	t.Helper()
	var next http.Handler = http.HandlerFunc(echo)
	if upstream != "" {
		target, err := url.Parse(upstream)
		require.NoError(t, err)
		proxy := httputil.NewSingleHostReverseProxy(target)
		proxy.FlushInterval = -1 // pass server-sent events through as they come
		next = proxy
	}
	srv := httptest.NewServer(middleware.Chain(middleware.Options{})(next))
	t.Cleanup(srv.Close)
	return srv.URL
}

// echo answers a request that passed validation with what it received, in
// the manner of flexgate's built-in upstream.
func echo(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"object":   "flexgate.echo",
		"endpoint": r.URL.Path,
		"bytes":    len(body),
	})
}

// sentBody records the body a client sent; install its middleware on one
// request with the SDK's WithMiddleware option.
type sentBody struct{ bytes []byte }

func (s *sentBody) middleware(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		_ = req.Body.Close()
		s.bytes = b
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	return next(req)
}

// expectedRejection is what the gateway must answer for body at ep, asked
// of the validator directly: the SDK's parse is held against it, message
// included, and against the code and param the test case names.
func expectedRejection(t *testing.T, ep validate.Endpoint, body []byte) *apierrors.Error {
	t.Helper()
	v, err := validate.New(validate.Policy{})
	require.NoError(t, err)
	_, rejection := v.Check(ep, body)
	require.NotNil(t, rejection, "the validator passes the body the SDK sent: %.300s", body)
	return rejection
}
