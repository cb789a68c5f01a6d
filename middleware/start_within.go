package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
)

// StartWithin answers step 10: start_within, or the default when the body
// leaves it out or null, must be "default", "priority", "auto" or a
// duration from 00h-00m-05s to 00h-10m-00s (missing_start_within,
// invalid_start_within). The default is Options.DefaultStartWithin's for
// the request when it has one, else the policy's.
func StartWithin(opts Options) func(http.Handler) http.Handler {
	return newGuard(opts).middleware(startWithinStage)
}

func startWithinStage(g *guard, x *exchange, w http.ResponseWriter, r *http.Request) *apierrors.Error {
	if err := bodyStage(g, x, w, r); err != nil {
		return err
	}
	g.resolveDefault(x, r)
	return g.validator.StartWithin(&x.request)
}

// resolveDefault asks Options.DefaultStartWithin once per request, before
// any rule judges start_within, and only when the body leaves it out or
// null: the lookup may cost the embedder a round trip, and a sent value
// makes its answer irrelevant.
func (g *guard) resolveDefault(x *exchange, r *http.Request) {
	if x.defaultResolved || g.opts.DefaultStartWithin == nil || x.request.StartWithinSent() {
		return
	}
	x.defaultResolved = true
	if sw, ok := g.opts.DefaultStartWithin(r); ok {
		x.request.SetDefaultStartWithin(sw)
	}
}
