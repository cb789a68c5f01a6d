package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
)

// Parameters answers steps 8 and 9: a set service_tier on any endpoint
// (service_tier_not_allowed), then the endpoint's unsupported parameters
// (unsupported_parameter, unsupported_value, unsupported_generation_config)
// with the offending field's path as param. See the validate package for
// the lists.
func Parameters(opts Options) func(http.Handler) http.Handler {
	return newGuard(opts).middleware(parametersStage)
}

func parametersStage(g *guard, x *exchange, w http.ResponseWriter, r *http.Request) *apierrors.Error {
	if err := bodyStage(g, x, w, r); err != nil {
		return err
	}
	return g.validator.Parameters(&x.request)
}
