package middleware

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/flexinference/flexguard/internal/rules"
)

// exchange is one request's trip through the middlewares: what each stage
// learned, shared through the request context. It is the context value
// (no separate context.WithValue), and once the body is buffered it is
// also the body the handler reads, so a request that passes costs one
// exchange and one shallow copy of the request, and borrows a body buffer
// from a pool until the handler returns.
type exchange struct {
	context.Context // the request's own context; Value is overridden

	guard *Guard // whose stages these are
	done  int    // how many of the guard's stages have passed

	endpoint rules.Endpoint // zero until routed
	caller   Caller         // zero until a key passed KeysAndLimits
	hooked   *http.Request  // the request the embedder's hooks get; see hookRequest

	bodyRead bool
	body     []byte
	pooled   *bodyBuffer // body's buffer, pooled again once the handler returns
	released bool        // the handler has returned and body is gone
	readAt   int         // the handler's position in body
	request  rules.Request

	// How the answer went, once Stream has watched it.
	stream      StreamResult
	streamEnded bool
}

// exchangeKey is the context key of the exchange.
type exchangeKey struct{}

// Value returns the exchange itself for exchangeKey, and defers to the
// request's context for any other key.
func (x *exchange) Value(key any) any {
	if key == (exchangeKey{}) {
		return x
	}
	return x.Context.Value(key)
}

// exchangeOf returns the exchange an earlier middleware of g started, or a
// new one (fresh) that is not yet in the request's context. Another
// Guard's exchange is not g's: its stages and options differ, so g starts
// over, reading the body that Guard hands on.
func (g *Guard) exchangeOf(r *http.Request) (x *exchange, fresh bool) {
	if x, ok := r.Context().Value(exchangeKey{}).(*exchange); ok && x.guard == g {
		return x, false
	}
	return &exchange{Context: r.Context(), guard: g}, true
}

// release gives the body's buffer back once the handler it was read for
// has returned. The body and what the rules took from it are gone then:
// ResultFrom and BodyFrom answer no more.
func (x *exchange) release() {
	x.pooled.release()
	x.pooled, x.body, x.released = nil, nil, true
}

// handOn returns the request to pass on: r itself when nothing changed,
// else a shallow copy carrying the exchange as its context and, when the
// body was buffered here, the buffered body with consistent length fields.
func (x *exchange) handOn(r *http.Request, fresh, bodyBuffered bool) *http.Request {
	if !fresh && !bodyBuffered {
		return r
	}
	var r2 *http.Request
	if fresh {
		r2 = r.WithContext(x) // a shallow copy already
	} else {
		r2 = new(http.Request)
		*r2 = *r
	}
	if bodyBuffered {
		r2.Body = x
		r2.GetBody = x.getBody
		r2.ContentLength = int64(len(x.body))
		// The body is whole now; a proxy must not send it chunked.
		r2.TransferEncoding = nil
	}
	return r2
}

// hookRequest returns r as the embedder's hooks get it: with the exchange
// in its context, so that CallerFrom and ResultFrom answer there. A first
// piece's request does not carry it yet; the copy is made once.
func (x *exchange) hookRequest(r *http.Request) *http.Request {
	if r.Context().Value(exchangeKey{}) == x {
		return r
	}
	if x.hooked == nil {
		x.hooked = r.WithContext(x)
	}
	return x.hooked
}

// Read reads the buffered body: the exact bytes the client sent.
func (x *exchange) Read(p []byte) (int, error) {
	if x.readAt >= len(x.body) {
		return 0, io.EOF
	}
	n := copy(p, x.body[x.readAt:])
	x.readAt += n
	return n, nil
}

// WriteTo writes the rest of the body to w in one call, so io.Copy (and a
// reverse proxy) skips its intermediate buffer.
func (x *exchange) WriteTo(w io.Writer) (int64, error) {
	n, err := w.Write(x.body[x.readAt:])
	x.readAt += n
	return int64(n), err
}

// Close does nothing: the server closes the connection's body.
func (x *exchange) Close() error { return nil }

// getBody serves http.Request.GetBody: a fresh reader over the same bytes.
func (x *exchange) getBody() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(x.body)), nil
}
