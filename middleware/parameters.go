package middleware

import "net/http"

// Parameters runs Model's checks, then answers service_tier_not_allowed
// for a set service_tier, and the endpoint's unsupported parameters
// (unsupported_parameter, unsupported_value, unsupported_generation_config)
// with the offending field's path as param. Package validate lists them.
func (g *Guard) Parameters(next http.Handler) http.Handler {
	return g.through(pieceParameters, "", next)
}
