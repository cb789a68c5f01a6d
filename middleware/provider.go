package middleware

import "net/http"

// Provider runs StartWithin's checks, then judges the model's provider
// against start_within: a duration on claude-*
// (flex_unsupported_for_anthropic), auto on gemini-*
// (auto_unsupported_for_gemini), and a duration on a model missing from
// its provider's flex allow-list (model_not_flex_capable).
func (g *Guard) Provider(next http.Handler) http.Handler {
	return g.through(pieceProvider, "", next)
}
