package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/validate"
)

// Billing answers the second half of step 13 with the embedder's lookup,
// Options.OrgOverdue: a billable request (a duration start_within, the
// flex race, on an OpenAI or Gemini model) from an overdue organisation
// gets payment_required (402). Requests that are not billed (default,
// priority and auto routing, and every claude-* model) pass without a
// lookup. A lookup error is internal_error: the gateway could not decide,
// which is neither the client's fault nor proof of a debt.
// It panics if Options.OrgOverdue is nil.
func Billing(opts Options) func(http.Handler) http.Handler {
	if opts.OrgOverdue == nil {
		panic("flexguard/middleware: Billing needs Options.OrgOverdue")
	}
	return newGuard(opts).middleware(billingStage)
}

func billingStage(g *guard, x *exchange, w http.ResponseWriter, r *http.Request) *apierrors.Error {
	// Every body rule first (steps 7 to 12), so that the order of checks
	// holds when Billing is mounted alone and no lookup is spent on a body
	// that will be refused.
	if err := rulesStage(g, x, w, r); err != nil {
		return err
	}
	res := x.request.Result()
	if !res.StartWithin.IsFlex() || res.Provider == validate.Anthropic {
		return nil
	}
	overdue, err := g.opts.OrgOverdue(r)
	switch {
	case err != nil:
		return apierrors.NewMessage(apierrors.InternalError, "", "The gateway could not check this organization's billing status. Retry shortly.")
	case overdue:
		return apierrors.New(apierrors.PaymentRequired)
	}
	return nil
}
