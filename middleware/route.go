package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/rules"
)

// Route answers unknown_url (404) for a path that is not one of the four
// endpoints, and method_not_allowed (405, with Allow: POST) for any method
// but POST. The query string is ignored; a trailing slash is another path,
// and so is an endpoint spelled with percent-escapes (/v1%2Fresponses,
// /v1/respons%65s): the path is judged as sent, so that a router or proxy
// behind the Guard, which may use the escaped form, gets the very path
// that was judged. With Options.Endpoint set, Route checks only the
// method: the router in front has matched the path.
func (g *Guard) Route(next http.Handler) http.Handler {
	return g.through(pieceRoute, "", next)
}

func routeStage(g *Guard, x *exchange, _ http.ResponseWriter, r *http.Request) *apierrors.Error {
	ep := rules.Endpoint(g.opts.Endpoint)
	if ep == 0 {
		var ok bool
		if ep, ok = rules.EndpointOf(r.URL.EscapedPath()); !ok {
			return apierrors.New(apierrors.UnknownURL, "", "")
		}
	}
	if r.Method != http.MethodPost {
		return apierrors.New(apierrors.MethodNotAllowed, "", "")
	}
	x.endpoint = ep
	return nil
}
