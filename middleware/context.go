package middleware

import (
	"context"

	"github.com/flexinference/flexguard/validate"
)

// ResultFrom returns what validation learned about the request whose
// context is ctx: its endpoint, model, provider and start_within. ok is
// false outside a flexguard middleware or before the body was read. Fields
// whose rules have not run (in a custom composition) are zero.
func ResultFrom(ctx context.Context) (res validate.Result, ok bool) {
	x, ok := ctx.Value(exchangeKey{}).(*exchange)
	if !ok || !x.bodyRead {
		return validate.Result{}, false
	}
	return x.request.Result(), true
}

// BodyFrom returns the request body that a flexguard middleware buffered,
// for later middlewares that want to read it without consuming r.Body.
// The bytes are shared: do not modify them.
func BodyFrom(ctx context.Context) (body []byte, ok bool) {
	x, ok := ctx.Value(exchangeKey{}).(*exchange)
	if !ok || !x.bodyRead {
		return nil, false
	}
	return x.body, true
}
