package middleware

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"

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
	readAt   int // the handler's position in body
	request  rules.Request

	// The body's buffer outlives the handler while a read of it is in
	// progress: a transport's write loop may still be sending it upstream
	// when a proxying handler returns (net/http allows RoundTrip to read a
	// body after it returns). mu guards these fields once the handler has
	// the body; see borrow and release.
	mu       sync.Mutex
	body     []byte
	pooled   *bodyBuffer // body's buffer, pooled again once released and no read is in progress
	readers  int         // reads of body in progress
	released bool        // the handler has returned: body is gone for new reads

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

// release ends the body's life once the handler it was read for has
// returned: ResultFrom and BodyFrom answer no more, and reads fail. The
// buffer goes back to its pool now, or when the last read in progress
// ends.
func (x *exchange) release() {
	x.mu.Lock()
	x.released = true
	x.recycleLocked()
	x.mu.Unlock()
}

// borrow returns the body for one read, or ok false once it is released.
// Each successful borrow is paired with giveBack.
func (x *exchange) borrow() (body []byte, ok bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.released {
		return nil, false
	}
	x.readers++
	return x.body, true
}

// giveBack ends a read that borrow began.
func (x *exchange) giveBack() {
	x.mu.Lock()
	x.readers--
	x.recycleLocked()
	x.mu.Unlock()
}

// recycleLocked returns the buffer to its pool once the body is released
// and nobody reads it.
func (x *exchange) recycleLocked() {
	if x.released && x.readers == 0 && x.body != nil {
		x.pooled.release()
		x.pooled, x.body = nil, nil
	}
}

// errBodyReleased is what a read of the body gets after the handler has
// returned, as net/http's own request bodies fail then.
var errBodyReleased = errors.New("flexguard/middleware: read of a request body after its handler returned")

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
func (x *exchange) Read(p []byte) (int, error) { return x.readFrom(&x.readAt, p) }

// WriteTo writes the rest of the body to w in one call, so io.Copy (and a
// reverse proxy) skips its intermediate buffer.
func (x *exchange) WriteTo(w io.Writer) (int64, error) { return x.writeFrom(&x.readAt, w) }

// Close does nothing: the server closes the connection's body.
func (x *exchange) Close() error { return nil }

// readFrom reads the body from *at on into p. The copy is made under the
// lock, so the buffer cannot be recycled during it.
func (x *exchange) readFrom(at *int, p []byte) (int, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.released {
		return 0, errBodyReleased
	}
	if *at >= len(x.body) {
		return 0, io.EOF
	}
	n := copy(p, x.body[*at:])
	*at += n
	return n, nil
}

// writeFrom writes the body from *at on to w. The lock is not held
// during w.Write, which may wait on a network; the buffer stays out of
// its pool until it returns.
func (x *exchange) writeFrom(at *int, w io.Writer) (int64, error) {
	body, ok := x.borrow()
	if !ok {
		return 0, errBodyReleased
	}
	defer x.giveBack()
	n, err := w.Write(body[*at:])
	*at += n
	return int64(n), err
}

// getBody serves http.Request.GetBody: a fresh reader over the same bytes,
// with the same lifetime.
func (x *exchange) getBody() (io.ReadCloser, error) { return &bodyCopy{x: x}, nil }

// bodyCopy is a reader of the body from its start, for GetBody.
type bodyCopy struct {
	x  *exchange
	at int
}

func (b *bodyCopy) Read(p []byte) (int, error)         { return b.x.readFrom(&b.at, p) }
func (b *bodyCopy) WriteTo(w io.Writer) (int64, error) { return b.x.writeFrom(&b.at, w) }
func (b *bodyCopy) Close() error                       { return nil }
