package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
)

// TokenCap answers step 12: a claude-* request must set the endpoint's
// output-token cap (missing_max_tokens, param naming the field:
// max_output_tokens, max_completion_tokens, max_tokens or
// generation_config.max_output_tokens).
func TokenCap(opts Options) func(http.Handler) http.Handler {
	return newGuard(opts).middleware(tokenCapStage)
}

func tokenCapStage(g *guard, x *exchange, w http.ResponseWriter, r *http.Request) *apierrors.Error {
	if err := bodyStage(g, x, w, r); err != nil {
		return err
	}
	return g.validator.TokenCap(&x.request)
}
