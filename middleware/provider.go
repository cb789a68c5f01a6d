package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
)

// Provider answers step 11, the model's provider against start_within: a
// duration on claude-* (flex_unsupported_for_anthropic), auto on gemini-*
// (auto_unsupported_for_gemini), and a duration on a model missing from
// its provider's flex allow-list (model_not_flex_capable). It needs a
// valid model and start_within, and judges them first if no earlier
// middleware has.
func Provider(opts Options) func(http.Handler) http.Handler {
	return newGuard(opts).middleware(providerStage)
}

func providerStage(g *guard, x *exchange, w http.ResponseWriter, r *http.Request) *apierrors.Error {
	if err := bodyStage(g, x, w, r); err != nil {
		return err
	}
	g.resolveDefault(x, r)
	return g.validator.Provider(&x.request)
}
