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
// its buffer: a server's body ends at its Content-Length, so no limit
// reader, and no allocation for one, is needed. Only a body that runs past
// its declared length (a request built by hand) goes on through
// http.MaxBytesReader for what the limit has left.
func readLimited(w http.ResponseWriter, src io.ReadCloser, declared, limit int64) ([]byte, error) {
	if declared < 0 {
		return readBody(http.MaxBytesReader(serverWriter(w), src, limit), declared)
	}
	buf := make([]byte, 0, declared+1)
	for len(buf) < cap(buf) {
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
	// One byte more than declared has arrived.
	rest := http.MaxBytesReader(serverWriter(w), src, limit-int64(len(buf)))
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := rest.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// readBody reads src to its end into one buffer. With the length declared
// the buffer is allocated once, one byte over, so that the end of the body
// is seen without growing it; a chunked body grows as it streams.
func readBody(src io.Reader, declared int64) ([]byte, error) {
	size := 512
	if declared >= 0 {
		size = int(declared) + 1
	}
	buf := make([]byte, 0, size)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
