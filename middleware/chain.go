package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
)

// Chain is the whole specification in one middleware, in the order of
// checks: Route, the body (JSONBody), Model, Parameters, StartWithin,
// Provider, TokenCap, then Schema when opts has embedder schemas, then
// ProviderKey and Billing when their lookups are set in opts. It is what a gateway puts in front of its handlers.
//
// Running the stages in one closure shares one exchange and one copy of
// the request between them: composing the separate middlewares gives the
// same answers at a few more allocations.
func Chain(opts Options) func(http.Handler) http.Handler {
	stages := []stage{routeStage, bodyStage, rulesStage}
	if opts.Schemas != nil {
		stages = append(stages, schemaStage)
	}
	if opts.HasProviderKey != nil {
		stages = append(stages, providerKeyStage)
	}
	if opts.OrgOverdue != nil {
		stages = append(stages, billingStage)
	}
	return newGuard(opts).middleware(stages...)
}

// rulesStage runs steps 7 to 12 in order.
func rulesStage(g *guard, x *exchange, w http.ResponseWriter, r *http.Request) *apierrors.Error {
	if err := bodyStage(g, x, w, r); err != nil {
		return err
	}
	g.resolveDefault(x, r)
	return g.validator.CheckAll(&x.request)
}
