package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
)

// Schema runs TokenCap's checks, then judges the body against the
// embedder's own JSON Schema rules, Options.Schemas: a failing rule answers
// with the embedder's code, status and param (see schemas.Compile). It
// panics at setup when Options.Schemas is nil.
//
// The schema path costs far more than the catalog's rules (a decode into
// maps and a schema walk), so keep on the fast path what it can say.
func (g *Guard) Schema(next http.Handler) http.Handler {
	return g.through(pieceSchema, "Options.Schemas", next)
}

func schemaStage(g *Guard, x *exchange, _ http.ResponseWriter, _ *http.Request) *apierrors.Error {
	if err := g.opts.Schemas.Check(validateEndpoint(x.endpoint), x.body); err != nil {
		return asAPIError(err)
	}
	return nil
}
