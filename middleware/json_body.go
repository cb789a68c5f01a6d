package middleware

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/clienttext"
)

// JSONBody runs BodyLimit's checks, then reads the body once, within
// Policy.MaxBodyBytes (request_too_large), and requires one valid JSON
// object (invalid_json, invalid_body). The handler then reads the exact
// bytes the client sent from r.Body, with r.GetBody and r.ContentLength to
// match, and later middlewares find them with BodyFrom.
//
// A body sent with a Content-Encoding other than identity is invalid_json
// before a byte of it is read: it is never decoded, so never forwarded.
// A body that cannot be read to its end is never passed on:
// broken framing (a malformed chunk) is invalid_json, and the connection
// is closed after the answer; a client that goes away, or stalls past the
// server's read timeout, is reported to OnReject as client_closed_request
// and the connection is aborted without an answer (see Guard).
func (g *Guard) JSONBody(next http.Handler) http.Handler {
	return g.through(pieceJSONBody, "", next)
}

// jsonBodyStage refuses an encoded body, then reads the body and parses it.
func jsonBodyStage(g *Guard, x *exchange, w http.ResponseWriter, r *http.Request) *apierrors.Error {
	if coding, encoded := contentCoding(r.Header); encoded {
		return apierrors.New(apierrors.InvalidJSON, "", "The request body is sent with Content-Encoding "+clienttext.Quote(coding)+
			"; the gateway neither decodes nor forwards encoded bodies. Send the JSON as it is, without a Content-Encoding header.")
	}
	src := r.Body
	if src == nil { // a request built by hand; servers always set a Body
		src = http.NoBody
	}
	body, pooled, err := readLimited(w, src, r.ContentLength, g.engine.MaxBodyBytes())
	if err != nil {
		return unreadable(w, r, err)
	}
	if err := g.engine.Parse(x.endpoint, body, &x.request); err != nil {
		pooled.release()
		return err
	}
	// Capped at its length: the pooled buffer beyond it held another
	// request's bytes.
	x.body, x.pooled, x.bodyRead = body[:len(body):len(body)], pooled, true
	return nil
}

// contentCoding returns the first content coding of h that is not
// identity. Empty list elements are skipped, as HTTP allows.
func contentCoding(h http.Header) (coding string, encoded bool) {
	for _, line := range h["Content-Encoding"] {
		for c := range strings.SplitSeq(line, ",") {
			if c = strings.Trim(c, " \t"); c != "" && !strings.EqualFold(c, "identity") {
				return c, true
			}
		}
	}
	return "", false
}

// unreadable judges a body read that failed. Over the limit is
// request_too_large. A client that has gone or stalled is
// client_closed_request. Anything else broke the body's framing while the
// connection still works: invalid_json, and the connection closes after
// the answer, since what follows the broken body cannot be told apart
// from a next request.
func unreadable(w http.ResponseWriter, r *http.Request, err error) *apierrors.Error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return apierrors.New(apierrors.RequestTooLarge, "", "")
	}
	if clientGone(r, err) {
		return apierrors.New(apierrors.ClientClosedRequest, "", "")
	}
	w.Header().Set("Connection", "close")
	if len(r.TransferEncoding) > 0 {
		return apierrors.New(apierrors.InvalidJSON, "", "The request body's chunked transfer encoding is malformed, so the body cannot be read to its end. "+
			"Send well-formed chunks, or the whole body with a Content-Length.")
	}
	return apierrors.New(apierrors.InvalidJSON, "", "The request body cannot be read to its end: its framing is broken, for example it stops short of its Content-Length. "+
		"Send the whole body, with a Content-Length that matches it.")
}

// clientGone reports whether a failed body read means the client went
// away or stalled past the server's read timeout, as opposed to framing
// that broke on a working connection. net/http's framing errors are
// unexported, so the test is by what is exported: a server cancels the
// request's context when its connection fails (HTTP/1) or its stream is
// reset or its connection lost (HTTP/2); a body cut short is
// io.ErrUnexpectedEOF; a read timeout is os.ErrDeadlineExceeded; a reset
// or closed socket is a net.Error or net.ErrClosed.
func clientGone(r *http.Request, err error) bool {
	if r.Context().Err() != nil {
		return true
	}
	var netErr net.Error
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, net.ErrClosed) || errors.As(err, &netErr)
}
