package middleware

import (
	"context"
	"strings"

	"github.com/flexinference/flexguard/internal/rules"
	"github.com/flexinference/flexguard/validate"
)

// ResultFrom returns what validation learned about the request whose
// context is ctx: its endpoint, model, provider and start_within. ok is
// false outside a flexguard middleware, before the body was read, and
// once the handler has returned. Facts whose checks have not run yet
// (behind a piece that stops before them) are zero. The Result is a copy:
// it may be kept after the request.
func ResultFrom(ctx context.Context) (res validate.Result, ok bool) {
	x, ok := ctx.Value(exchangeKey{}).(*exchange)
	if !ok || !x.bodyRead {
		return validate.Result{}, false
	}
	x.mu.Lock() // the model's bytes are the body's, until it is released
	defer x.mu.Unlock()
	if x.released {
		return validate.Result{}, false
	}
	r := x.request.Result()
	return validate.Result{
		Endpoint:             validateEndpoint(r.Endpoint),
		Model:                strings.Clone(r.Model),
		Provider:             validate.Provider(r.Provider),
		StartWithin:          validate.StartWithin{Mode: validate.Mode(r.StartWithin.Mode), Duration: r.StartWithin.Duration},
		StartWithinDefaulted: r.StartWithinDefaulted,
	}, true
}

// BodyFrom returns the request body that a flexguard middleware buffered,
// for later middlewares that want to read it without consuming r.Body.
// The bytes are shared, and like r.Body they are valid only until the
// handler returns, when their buffer serves another request: do not
// modify them, and copy what must outlive the request. ok is false
// outside a flexguard middleware, before the body was read and once the
// handler has returned.
func BodyFrom(ctx context.Context) (body []byte, ok bool) {
	x, ok := ctx.Value(exchangeKey{}).(*exchange)
	if !ok || !x.bodyRead {
		return nil, false
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.released {
		return nil, false
	}
	return x.body, true // the caller's use of body ends with the handler, as documented
}

// validateEndpoint converts the engine's endpoint to the public one.
func validateEndpoint(ep rules.Endpoint) validate.Endpoint { return validate.Endpoint(ep) }
