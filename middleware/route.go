package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/validate"
)

// Route answers steps 1 and 2 of the order of checks: a path that is not
// one of the four endpoints is unknown_url (404), and any method but POST
// on an endpoint is method_not_allowed (405, with Allow: POST). The query
// string is ignored; a trailing slash is another path.
//
// With Options.Endpoint set, Route checks only the method: the router in
// front has matched the path.
func Route(opts Options) func(http.Handler) http.Handler {
	return newGuard(opts).middleware(routeStage)
}

func routeStage(g *guard, x *exchange, _ http.ResponseWriter, r *http.Request) *apierrors.Error {
	if x.endpoint != 0 {
		return nil
	}
	ep := g.endpoint
	if ep == 0 {
		var ok bool
		if ep, ok = validate.EndpointOf(r.URL.Path); !ok {
			return apierrors.New(apierrors.UnknownURL)
		}
	}
	if r.Method != http.MethodPost {
		return apierrors.New(apierrors.MethodNotAllowed)
	}
	x.endpoint = ep
	return nil
}
