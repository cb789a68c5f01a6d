package guardcase

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/flexinference/flexguard/internal/conformance"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// Options returns the middleware.Options the case asks for: its
// policy and strictness, and organisation lookups that answer as its
// directives say. Every entry point that builds a Guard from a case
// (Caddy, the Envoy processor) builds the same one. The keys and limits
// directives are not among them: such cases need a key store, limiters
// and earlier requests of their own.
func Options(c *conformance.Case) (middleware.Options, error) {
	var opts middleware.Options
	if c.Policy != "" {
		p, err := validate.LoadPolicy(strings.NewReader(c.Policy))
		if err != nil {
			return opts, err
		}
		opts.Policy = p
	}
	opts.Policy.StrictDuplicateKeys = c.Strict
	if c.OrgDefault != "" {
		sw, err := validate.ParseStartWithin(c.OrgDefault)
		if err != nil {
			return opts, err
		}
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
	return opts, nil
}

// Request builds the case's request as a server hands it to a handler:
// its method, target, headers and body, chunked or with the declared
// length, and for @disconnect a body that breaks off after its bytes.
func Request(c *conformance.Case) *http.Request {
	var body io.Reader = bytes.NewReader(c.Body)
	if c.Disconnect {
		body = io.MultiReader(body, brokenReader{})
	}
	r := httptest.NewRequest(c.Method, c.Target, body)
	r.RemoteAddr = net.JoinHostPort(c.ClientAddr(), "4711")
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

// brokenReader is a body whose client went away.
type brokenReader struct{}

func (brokenReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// Answer answers the case with Guard.Handler built from opts, in
// process, in front of a handler that answers 204 No Content: the answer
// other entry points are held to.
func Answer(c *conformance.Case, opts middleware.Options) (*httptest.ResponseRecorder, error) {
	g, err := middleware.New(opts)
	if err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	g.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})).ServeHTTP(rec, Request(c))
	return rec, nil
}
