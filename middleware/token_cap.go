package middleware

import "net/http"

// TokenCap runs Provider's checks, then answers missing_max_tokens for a
// claude-* request that does not set the endpoint's output-token cap
// (param: max_output_tokens, max_completion_tokens, max_tokens or
// generation_config.max_output_tokens). It is the last of the catalog's
// body rules.
func (g *Guard) TokenCap(next http.Handler) http.Handler {
	return g.through(pieceTokenCap, "", next)
}
