package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
)

// Model answers step 7: model must be a non-empty string
// (missing_model). It reads and checks the body first if no earlier
// flexguard middleware has.
func Model(opts Options) func(http.Handler) http.Handler {
	return newGuard(opts).middleware(modelStage)
}

func modelStage(g *guard, x *exchange, w http.ResponseWriter, r *http.Request) *apierrors.Error {
	if err := bodyStage(g, x, w, r); err != nil {
		return err
	}
	return g.validator.Model(&x.request)
}
