package middleware_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/clientaddr"
	"github.com/flexinference/flexguard/internal/conformance"
	"github.com/flexinference/flexguard/internal/conformance/guardcase"
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

// optionsFor turns a case's policy, org and key directives into Options:
// guardcase's, as every other entry point builds them, plus the keys.
func optionsFor(t *testing.T, c *conformance.Case) middleware.Options {
	t.Helper()
	opts, err := guardcase.Options(c)
	require.NoError(t, err)
	if c.Keys {
		keyOptionsFor(t, c, &opts)
	}
	return opts
}

// keyOptionsFor turns a case's key directives into Options.
func keyOptionsFor(t *testing.T, c *conformance.Case, opts *middleware.Options) {
	t.Helper()
	store := keyTable{}
	for _, k := range c.StoreKeys {
		rec := middleware.KeyRecord{Org: k.Org, Revoked: k.Revoked}
		if k.Limit > 0 {
			rec.RateLimit = middleware.LimitRule{Limit: k.Limit, Window: conformance.LimitWindow}
		}
		store.add(k.Key, rec)
	}
	opts.KeyStore = store
	if c.KeyStoreError {
		opts.KeyStore = failingStore{}
	}
	opts.AcceptXAPIKey = c.AcceptXAPIKey
	if c.OrgLimit > 0 {
		opts.DefaultOrgLimit = middleware.LimitRule{Limit: c.OrgLimit, Window: conformance.LimitWindow}
	}
	opts.AuthFlood.Limit = c.AuthFlood
	if c.TrustedProxies != "" {
		trusted, err := clientaddr.ParseTrusted(c.TrustedProxies)
		require.NoError(t, err)
		opts.TrustedProxies = trusted
	}
	if c.LimiterError {
		opts.AuthFloodLimiter, opts.OrgLimiter = failingLimiter{}, failingLimiter{}
	}
}

// sendPriors sends the requests a case says its client sent before it:
// @failures keyless ones, then @sent-before copies of its own.
func sendPriors(h http.Handler, c *conformance.Case) {
	for range c.Failures {
		r := httptest.NewRequest(http.MethodPost, conformance.FailureTarget, strings.NewReader(`{}`))
		r.RemoteAddr = net.JoinHostPort(c.ClientAddr(), "4711")
		for _, hd := range c.HeaderWithoutKey() {
			r.Header.Add(hd[0], hd[1])
		}
		serve(h, r)
	}
	for range c.SentBefore {
		serve(h, requestFor(c))
	}
}

// requestFor builds the case's request as a server would hand it over.
func requestFor(c *conformance.Case) *http.Request { return guardcase.Request(c) }

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func runThroughHandler(t *testing.T, c *conformance.Case) {
	opts := optionsFor(t, c)
	var (
		mu       sync.Mutex
		rejected []*apierrors.Error
		priors   = true // the handler runs for earlier requests too; judge only the case's
	)
	opts.OnReject = func(_ *http.Request, err *apierrors.Error) {
		if priors {
			return
		}
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
		caller   middleware.Caller
	)
	h := newGuard(t, opts).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if priors {
			return
		}
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
		caller, ok = middleware.CallerFrom(r.Context())
		require.Equal(t, c.Keys, ok, "the handler knows its caller when keys are on")
		w.WriteHeader(http.StatusOK)
	}))
	sendPriors(h, c)
	priors = false
	rec, aborted := serveAborting(h, requestFor(c))

	if c.WantStatus == http.StatusOK {
		require.True(t, handled, "the handler must run; got %d %s", rec.Code, rec.Body.String())
		assert.Empty(t, rejected)
		assert.Equal(t, c.Body, received, "the handler reads the exact bytes sent")
		assert.Equal(t, c.Body, again, "GetBody returns the exact bytes sent")
		assert.Equal(t, int64(len(c.Body)), length, "ContentLength matches the body")
		checkFacts(t, c.WantFacts, result, caller)
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
	require.NoError(t, c.CheckErrorAnswer(rec.Code, rec.Header(), rec.Body.Bytes()))
}

func checkFacts(t *testing.T, want map[string]string, got validate.Result, caller middleware.Caller) {
	t.Helper()
	actual := map[string]string{
		"endpoint":     got.Endpoint.String(),
		"model":        got.Model,
		"provider":     got.Provider.String(),
		"start_within": got.StartWithin.String(),
		"defaulted":    strconv.FormatBool(got.StartWithinDefaulted),
		"org":          caller.Org,
		"key_id":       caller.KeyID,
	}
	for k, v := range want {
		require.Contains(t, actual, k, "unknown fact %q", k)
		assert.Equal(t, v, actual[k], "fact %s", k)
	}
}
