package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
)

// BodyLimit routes, then answers request_too_large (413) for a declared
// Content-Length over Policy.MaxBodyBytes before a byte of the body is
// read, and hands on a body that fails with *http.MaxBytesError once more
// than the limit streams in. Exactly the limit passes. It is for handlers
// that read the body themselves: JSONBody and everything after it enforce
// the limit as they read.
func (g *Guard) BodyLimit(next http.Handler) http.Handler {
	if next == nil { // through sees only the wrapper below, never nil
		panic("flexguard/middleware: nil handler")
	}
	limit := g.engine.MaxBodyBytes()
	return g.through(pieceBodyLimit, "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if body, read := BodyFrom(r.Context()); read && int64(len(body)) <= limit {
			next.ServeHTTP(w, r) // buffered by a piece in front, within the limit
			return
		}
		r2 := new(http.Request)
		*r2 = *r
		r2.Body = http.MaxBytesReader(serverWriter(w), r.Body, limit)
		next.ServeHTTP(w, r2)
	}))
}

// declaredLengthStage is request_too_large on the declared Content-Length
// alone, before any byte of the body is read.
func declaredLengthStage(g *Guard, _ *exchange, _ http.ResponseWriter, r *http.Request) *apierrors.Error {
	if r.ContentLength > g.engine.MaxBodyBytes() {
		return apierrors.New(apierrors.RequestTooLarge, "", "")
	}
	return nil
}

// serverWriter unwraps w to the writer the server created. After an
// overflow, http.MaxBytesReader tells that writer to close the connection
// rather than drain the rest of the body; a wrapper in between (a logging
// or metrics ResponseWriter) would swallow the request.
func serverWriter(w http.ResponseWriter) http.ResponseWriter {
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return w
		}
		inner := u.Unwrap()
		if inner == nil {
			return w
		}
		w = inner
	}
}
