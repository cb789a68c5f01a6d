package middleware

import "net/http"

// Handler is the whole order of checks in front of next: routing, keys
// and limits when Options.KeyStore is set, the body, every body rule,
// then the embedder's schemas and the organisation lookups when Options
// sets them. It is what a gateway puts in front of
// its handlers:
//
//	guard, err := middleware.New(middleware.Options{Policy: policy})
//	if err != nil {
//		log.Fatal(err)
//	}
//	http.ListenAndServe(addr, guard.Handler(gateway))
func (g *Guard) Handler(next http.Handler) http.Handler {
	last := numPieces - 1
	for last > 0 && g.last[last] < 0 {
		last--
	}
	return g.through(last, "", next)
}
