package middleware

import (
	"errors"
	"io"
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
)

// JSONBody answers steps 3 to 6: it reads the body once, within
// Policy.MaxBodyBytes (request_too_large), and requires one valid JSON
// object (invalid_json, invalid_body; see validate.CheckJSON). The handler
// then reads the exact bytes the client sent from r.Body, with r.GetBody
// and r.ContentLength to match, and later middlewares find them with
// BodyFrom.
//
// A client that goes away while its body is being read is reported to
// OnReject as client_closed_request and answered nothing.
func JSONBody(opts Options) func(http.Handler) http.Handler {
	return newGuard(opts).middleware(bodyStage)
}

// bodyStage routes if that has not happened, then reads and parses the
// body once.
func bodyStage(g *guard, x *exchange, w http.ResponseWriter, r *http.Request) *apierrors.Error {
	if x.bodyRead {
		return nil
	}
	if err := routeStage(g, x, w, r); err != nil {
		return err
	}
	if err := declaredLengthCheck(g, r); err != nil {
		return err
	}
	src := r.Body
	if src == nil { // a request built by hand; servers always set a Body
		src = http.NoBody
	}
	body, err := readLimited(w, src, r.ContentLength, g.maxBodyBytes)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return apierrors.New(apierrors.RequestTooLarge)
		}
		return apierrors.New(apierrors.ClientClosedRequest)
	}
	if err := g.validator.Parse(x.endpoint, body, &x.request); err != nil {
		return err
	}
	x.body, x.bodyRead = body, true
	return nil
}

// readLimited reads the body, failing with *http.MaxBytesError past limit.
// A declared length (at most limit: step 3 has run) is read straight into
// a buffer one byte longer, so the end of the body is seen without growing
// it: a server's body ends at its Content-Length, so no limit reader, and
// no allocation for one, is needed. A chunked body, and one that runs past
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
