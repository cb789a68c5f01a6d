package middleware_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/conformance"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// TestConformanceThroughHandler runs every conformance case through
// Guard.Handler, as a gateway mounts it.
func TestConformanceThroughHandler(t *testing.T) {
	t.Parallel()
	cases, err := conformance.Load(conformance.Dir())
	require.NoError(t, err)
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			runThroughHandler(t, c)
		})
	}
}

// optionsFor turns a case's policy and org directives into Options.
func optionsFor(t *testing.T, c *conformance.Case) middleware.Options {
	t.Helper()
	var opts middleware.Options
	if c.Policy != "" {
		p, err := validate.LoadPolicy(strings.NewReader(c.Policy))
		require.NoError(t, err)
		opts.Policy = p
	}
	opts.Policy.StrictDuplicateKeys = c.Strict
	if c.OrgDefault != "" {
		sw, err := validate.ParseStartWithin(c.OrgDefault)
		require.NoError(t, err)
		opts.DefaultStartWithin = func(*http.Request) (validate.StartWithin, bool) { return sw, true }
	}
	if len(c.NoKey) > 0 || c.KeyLookupError {
		opts.HasProviderKey = func(_ *http.Request, p validate.Provider) (bool, error) {
			if c.KeyLookupError {
				return true, errors.New("key store unreachable")
			}
			for _, missing := range c.NoKey {
				if missing == p.String() {
					return false, nil
				}
			}
			return true, nil
		}
	}
	if c.Overdue || c.BillingError {
		opts.OrgOverdue = func(*http.Request) (bool, error) {
			if c.BillingError {
				return false, errors.New("billing store unreachable")
			}
			return true, nil
		}
	}
	return opts
}

// requestFor builds the case's request as a server would hand it over.
func requestFor(c *conformance.Case) *http.Request {
	var body io.Reader = bytes.NewReader(c.Body)
	if c.Disconnect {
		body = io.MultiReader(bytes.NewReader(c.Body), errReader{io.ErrUnexpectedEOF})
	}
	r := httptest.NewRequest(c.Method, c.Target, body)
	for _, h := range c.Header {
		r.Header.Add(h[0], h[1])
	}
	switch {
	case c.Chunked:
		r.ContentLength = -1
		r.TransferEncoding = []string{"chunked"}
	case c.ContentLength >= 0:
		r.ContentLength = c.ContentLength
	case c.Disconnect:
		r.ContentLength = int64(len(c.Body)) + 100 // the client promised more
	}
	return r
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func runThroughHandler(t *testing.T, c *conformance.Case) {
	opts := optionsFor(t, c)
	var (
		mu       sync.Mutex
		rejected []*apierrors.Error
	)
	opts.OnReject = func(_ *http.Request, err *apierrors.Error) {
		mu.Lock()
		defer mu.Unlock()
		rejected = append(rejected, err)
	}
	var (
		handled  bool
		received []byte
		again    []byte
		length   int64
		result   validate.Result
	)
	h := newGuard(t, opts).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handled = true
		var err error
		received, err = io.ReadAll(r.Body)
		require.NoError(t, err)
		require.NotNil(t, r.GetBody, "GetBody must be set")
		rc, err := r.GetBody()
		require.NoError(t, err)
		again, _ = io.ReadAll(rc)
		length = r.ContentLength
		assert.Empty(t, r.TransferEncoding, "the buffered body must not be sent chunked")
		var ok bool
		result, ok = middleware.ResultFrom(r.Context())
		require.True(t, ok, "the handler sees what validation learned")
		w.WriteHeader(http.StatusOK)
	}))
	rec, aborted := serveAborting(h, requestFor(c))

	if c.WantStatus == http.StatusOK {
		require.True(t, handled, "the handler must run; got %d %s", rec.Code, rec.Body.String())
		assert.Empty(t, rejected)
		assert.Equal(t, c.Body, received, "the handler reads the exact bytes sent")
		assert.Equal(t, c.Body, again, "GetBody returns the exact bytes sent")
		assert.Equal(t, int64(len(c.Body)), length, "ContentLength matches the body")
		checkFacts(t, c.WantFacts, result)
		return
	}
	require.False(t, handled, "the handler must not run")
	require.Len(t, rejected, 1, "OnReject hears of every rejection once")
	assert.Equal(t, c.WantStatus, rejected[0].Status())
	assert.Equal(t, c.WantCode, rejected[0].Code().String())
	assert.Equal(t, c.WantParam, rejected[0].Param())
	if c.WantCode == apierrors.ClientClosedRequest.String() {
		assert.True(t, aborted, "the connection of a client that has gone is aborted")
		assert.Zero(t, rec.Body.Len(), "nothing is written to a client that has gone")
		assert.Empty(t, rec.Header(), "nothing is written to a client that has gone")
		return
	}
	assert.False(t, aborted, "an answered rejection does not abort")
	checkErrorResponse(t, rec, c.WantStatus, c.WantCode, c.WantParam)
}

// checkErrorResponse checks the wire form of an error answer.
func checkErrorResponse(t *testing.T, rec *httptest.ResponseRecorder, status int, code, param string) {
	t.Helper()
	require.NoError(t, conformance.CheckErrorAnswer(rec.Code, rec.Header(), rec.Body.Bytes(), status, code, param))
}

func checkFacts(t *testing.T, want map[string]string, got validate.Result) {
	t.Helper()
	actual := map[string]string{
		"endpoint":     got.Endpoint.String(),
		"model":        got.Model,
		"provider":     got.Provider.String(),
		"start_within": got.StartWithin.String(),
		"defaulted":    strconv.FormatBool(got.StartWithinDefaulted),
	}
	for k, v := range want {
		require.Contains(t, actual, k, "unknown fact %q", k)
		assert.Equal(t, v, actual[k], "fact %s", k)
	}
}
