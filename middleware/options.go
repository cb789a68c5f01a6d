package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/schemas"
	"github.com/flexinference/flexguard/validate"
)

// Options configures every middleware in this package; each reads the
// fields it needs. The zero Options is the specification's gateway: route
// by path, the built-in policy, the canonical error body, no org-state
// checks. Build one Options and hand it to each middleware you compose.
type Options struct {
	// Policy is the body limit, the default start_within and the flex
	// allow-lists. Default: the zero Policy, the built-in one. A
	// malformed policy makes the constructor panic: load untrusted files
	// with validate.LoadPolicy, which returns the error instead.
	Policy validate.Policy

	// Endpoint, when set, is the endpoint this middleware guards, and no
	// path check runs: for mounting per route inside a router that has
	// matched the path already (chi, http.ServeMux patterns). Default:
	// route by r.URL.Path, answering unknown_url for any other path.
	Endpoint validate.Endpoint

	// DefaultStartWithin resolves a default start_within per request (an
	// organisation's own setting); when it returns ok, its value replaces
	// the policy's default for that request. Like the policy's, it
	// applies only when the body leaves start_within out or null.
	// Default: nil, the policy's default alone.
	DefaultStartWithin func(r *http.Request) (sw validate.StartWithin, ok bool)

	// HasProviderKey reports whether the organisation behind r has a key
	// for the provider (step 13). false, or an error, is answered
	// no_byok_key, no_gemini_key or no_anthropic_key: a failed lookup
	// fails closed. Default: nil, no key check.
	HasProviderKey func(r *http.Request, p validate.Provider) (bool, error)

	// OrgOverdue reports whether the organisation behind r has an overdue
	// balance (step 13). It is asked only for billable requests (a
	// duration start_within on an OpenAI or Gemini model); true is
	// answered payment_required, an error internal_error. Default: nil,
	// no billing check.
	OrgOverdue func(r *http.Request) (bool, error)

	// Schemas are the embedder's own body rules, as JSON Schema files with
	// their own codes (see schemas.Compile), judged after the canonical
	// body rules and before the org-state lookups. Default: nil, none.
	Schemas *schemas.Set

	// ErrorWriter renders a rejection, to answer in a gateway's own error
	// shape. It is not called for client_closed_request: nobody is
	// listening. Default: apierrors.Write.
	ErrorWriter func(w http.ResponseWriter, r *http.Request, err *apierrors.Error)

	// OnReject is told of every rejection, client_closed_request included,
	// before the error is written: for metrics and logs. It must not
	// write to the response. Default: nil.
	OnReject func(r *http.Request, err *apierrors.Error)
}

// guard is Options checked and precomputed: what every request of one
// middleware shares.
type guard struct {
	validator    *validate.Validator
	endpoint     validate.Endpoint
	maxBodyBytes int64
	opts         Options
}

// newGuard checks opts; a programmer error panics here, never per request.
func newGuard(opts Options) *guard {
	v, err := validate.New(opts.Policy)
	if err != nil {
		panic("flexguard/middleware: " + err.Error())
	}
	if opts.Endpoint != 0 && opts.Endpoint.Path() == "" {
		panic("flexguard/middleware: Options.Endpoint is not one of the validate endpoints")
	}
	if opts.ErrorWriter == nil {
		opts.ErrorWriter = writeCanonical
	}
	return &guard{validator: v, endpoint: opts.Endpoint, maxBodyBytes: v.MaxBodyBytes(), opts: opts}
}

func writeCanonical(w http.ResponseWriter, _ *http.Request, err *apierrors.Error) {
	apierrors.Write(w, err)
}

// reject answers err: it tells OnReject, then writes the error, except to
// a client that has gone.
func (g *guard) reject(w http.ResponseWriter, r *http.Request, err *apierrors.Error) {
	if g.opts.OnReject != nil {
		g.opts.OnReject(r, err)
	}
	if err.Code != apierrors.ClientClosedRequest {
		g.opts.ErrorWriter(w, r, err)
	}
}

// stage is one part of the order of checks that runs on an exchange; it
// runs what it depends on first, and nothing twice.
type stage func(g *guard, x *exchange, w http.ResponseWriter, r *http.Request) *apierrors.Error

// middleware builds a func(http.Handler) http.Handler that runs stages in
// order, answers the first failure, and otherwise calls next with the
// request as validation left it.
func (g *guard) middleware(stages ...stage) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic("flexguard/middleware: nil handler")
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			x, fresh := exchangeOf(r)
			hadBody := x.bodyRead
			for _, run := range stages {
				if err := run(g, x, w, r); err != nil {
					g.reject(w, r, err)
					return
				}
			}
			next.ServeHTTP(w, x.handOn(r, fresh, !hadBody && x.bodyRead))
		})
	}
}
