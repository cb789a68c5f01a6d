package middleware

import (
	"errors"
	"io"
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
)

// JSONBody runs BodyLimit's checks, then reads the body once, within
// Policy.MaxBodyBytes (request_too_large), and requires one valid JSON
// object (invalid_json, invalid_body). The handler then reads the exact
// bytes the client sent from r.Body, with r.GetBody and r.ContentLength to
// match, and later middlewares find them with BodyFrom.
//
// A client that goes away while its body is being read is reported to
// OnReject as client_closed_request and answered nothing.
func (g *Guard) JSONBody(next http.Handler) http.Handler {
	return g.through(pieceJSONBody, "", next)
}

// jsonBodyStage reads the body and parses it.
func jsonBodyStage(g *Guard, x *exchange, w http.ResponseWriter, r *http.Request) *apierrors.Error {
	src := r.Body
	if src == nil { // a request built by hand; servers always set a Body
		src = http.NoBody
	}
	body, err := readLimited(w, src, r.ContentLength, g.engine.MaxBodyBytes())
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return apierrors.New(apierrors.RequestTooLarge, "", "")
		}
		return apierrors.New(apierrors.ClientClosedRequest, "", "")
	}
	if err := g.engine.Parse(x.endpoint, body, &x.request); err != nil {
		return err
	}
	x.body, x.bodyRead = body, true
	return nil
}

// readLimited reads the body, failing with *http.MaxBytesError past limit.
// A declared length (at most limit: BodyLimit's check has run) is read
// straight into a buffer one byte longer, so the end of the body is seen
// without growing it: a server's body ends at its Content-Length, so no
// limit reader, and no allocation for one, is needed. A chunked body, and one that runs past
// its declared length (a request built by hand), go through
// http.MaxBytesReader.
func readLimited(w http.ResponseWriter, src io.ReadCloser, declared, limit int64) ([]byte, error) {
	if declared < 0 {
		buf, _, err := readInto(make([]byte, 0, 512), http.MaxBytesReader(serverWriter(w), src, limit), true)
		return buf, err
	}
	buf, eof, err := readInto(make([]byte, 0, declared+1), src, false)
	if err != nil || eof {
		return buf, err
	}
	if int64(len(buf)) > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	buf, _, err = readInto(buf, http.MaxBytesReader(serverWriter(w), src, limit-int64(len(buf))), true)
	return buf, err
}

// readInto appends what src yields to buf until EOF (eof true). Without
// grow it stops when buf is full instead of reallocating it.
func readInto(buf []byte, src io.Reader, grow bool) (_ []byte, eof bool, err error) {
	for {
		if len(buf) == cap(buf) {
			if !grow {
				return buf, false, nil
			}
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, true, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
}
