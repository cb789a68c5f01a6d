package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/rules"
)

// StartWithin runs Parameters' checks, then judges start_within, or the
// default when the body leaves it out or null: missing_start_within,
// invalid_start_within. The default is Options.DefaultStartWithin's for the
// request when it has one, else the policy's.
func (g *Guard) StartWithin(next http.Handler) http.Handler {
	return g.through(pieceStartWithin, "", next)
}

// startWithinStage asks Options.DefaultStartWithin only when the body
// leaves start_within out or null: the lookup may cost the embedder a
// round trip, and a sent value makes its answer irrelevant.
func startWithinStage(g *Guard, x *exchange, _ http.ResponseWriter, r *http.Request) *apierrors.Error {
	if g.opts.DefaultStartWithin != nil && !x.request.StartWithinSent() {
		if sw, ok := g.opts.DefaultStartWithin(x.hookRequest(r)); ok {
			x.request.SetDefaultStartWithin(rules.StartWithin{Mode: rules.Mode(sw.Mode), Duration: sw.Duration})
		}
	}
	return g.engine.Judge(&x.request, rules.StepStartWithin)
}
