package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/rules"
)

// Model runs JSONBody's checks, then answers missing_model when model is
// absent, null, not a string or "".
func (g *Guard) Model(next http.Handler) http.Handler {
	return g.through(pieceModel, "", next)
}

// ruleStage judges one step of the body rules.
func ruleStage(step rules.Step) stage {
	return func(g *Guard, x *exchange, _ http.ResponseWriter, _ *http.Request) *apierrors.Error {
		return g.engine.Judge(&x.request, step)
	}
}
