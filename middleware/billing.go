package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/rules"
)

// Billing runs ProviderKey's checks (when Options.HasProviderKey is set;
// every body rule in any case), then asks Options.OrgOverdue about a
// billable request (a duration start_within, the flex race, on an OpenAI
// or Gemini model): payment_required (402) when the organisation is
// overdue. Requests that are not billed pass without a lookup. A lookup
// error is internal_error: the gateway could not decide, which is neither
// the client's fault nor proof of a debt. It panics at setup when
// Options.OrgOverdue is nil.
func (g *Guard) Billing(next http.Handler) http.Handler {
	return g.through(pieceBilling, "Options.OrgOverdue", next)
}

func billingStage(g *Guard, x *exchange, _ http.ResponseWriter, r *http.Request) *apierrors.Error {
	res := x.request.Result()
	if res.StartWithin.Mode != rules.ModeDuration || res.Provider == rules.Anthropic {
		return nil
	}
	overdue, err := g.opts.OrgOverdue(x.hookRequest(r))
	switch {
	case err != nil:
		return apierrors.New(apierrors.InternalError, "", "The gateway could not check this organization's billing status. Retry shortly.")
	case overdue:
		return apierrors.New(apierrors.PaymentRequired, "", "")
	}
	return nil
}
