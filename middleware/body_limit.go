package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
)

// BodyLimit answers steps 3 and 4 for handlers that read the body
// themselves: a declared Content-Length over Policy.MaxBodyBytes is
// request_too_large (413) before a byte of the body is read, and the body
// passed on fails with *http.MaxBytesError once more than the limit
// streams in. Exactly the limit passes.
//
// JSONBody and Chain enforce the limit themselves; BodyLimit is for
// putting the same limit in front of anything else.
func BodyLimit(opts Options) func(http.Handler) http.Handler {
	g := newGuard(opts)
	return func(next http.Handler) http.Handler {
		if next == nil {
			panic("flexguard/middleware: nil handler")
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := declaredLengthCheck(g, r); err != nil {
				g.reject(w, r, err)
				return
			}
			r2 := new(http.Request)
			*r2 = *r
			r2.Body = http.MaxBytesReader(serverWriter(w), r.Body, g.maxBodyBytes)
			next.ServeHTTP(w, r2)
		})
	}
}

// declaredLengthCheck is step 3: the declared Content-Length alone.
func declaredLengthCheck(g *guard, r *http.Request) *apierrors.Error {
	if r.ContentLength > g.maxBodyBytes {
		return apierrors.New(apierrors.RequestTooLarge)
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
