package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/schemas"
)

// Schema judges the body against the embedder's own JSON Schema rules,
// Options.Schemas, after the canonical rules have passed: a failing rule
// answers with the embedder's code, status and param (see
// schemas.Compile). The body is decoded once, only for endpoints the Set
// has schemas for. It panics if Options.Schemas is nil.
//
// The schema path costs far more than the canonical rules (a decode into
// maps and a schema walk; see the README's Performance section), so keep
// to the fast path what it can say.
func Schema(opts Options) func(http.Handler) http.Handler {
	if opts.Schemas == nil {
		panic("flexguard/middleware: Schema needs Options.Schemas")
	}
	return newGuard(opts).middleware(schemaStage)
}

func schemaStage(g *guard, x *exchange, w http.ResponseWriter, r *http.Request) *apierrors.Error {
	if err := rulesStage(g, x, w, r); err != nil {
		return err
	}
	if x.schemasJudged || !g.opts.Schemas.Covers(x.endpoint) {
		return nil
	}
	x.schemasJudged = true
	v, err := schemas.Decode(x.body)
	if err != nil {
		return err
	}
	return g.opts.Schemas.CheckValue(x.endpoint, v)
}
