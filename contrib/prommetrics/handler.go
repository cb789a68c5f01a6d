package prommetrics

import (
	"net/http"
	"strconv"
	"time"
)

// statusClientClosed is the status label of a request answered with
// nothing because its client went away: the catalog's
// client_closed_request.
const statusClientClosed = 499

// Handler measures every request through next into
// http_server_request_duration_seconds, from the moment it reaches
// Handler until next returns, labelled with its method, its route (one
// of the four endpoints, or "other") and the status its client got. Put
// it outside the Guard, so that rejections are timed as well as the
// answers that pass:
//
//	metrics.Handler(guard.Stream(proxy))
//
// The ResponseWriter next gets implements Unwrap (and Flush), so that
// http.ResponseController and the Guard reach the server's own. A panic
// in next goes on up once the request is measured. It panics on a nil
// next.
func (m *Metrics) Handler(next http.Handler) http.Handler {
	if next == nil {
		panic("flexguard/prommetrics: nil handler")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			recovered := recover()
			m.duration.WithLabelValues(methodLabel(r.Method), endpointLabel(r), strconv.Itoa(rec.statusOf(r, recovered))).
				Observe(time.Since(start).Seconds())
			if recovered != nil {
				panic(recovered)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// methodLabel is method when OpenTelemetry's HTTP semantic conventions
// know it (RFC 9110's methods, PATCH and QUERY), else "_OTHER": a client
// may send any token as a method, and must not make series.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete,
		http.MethodConnect, http.MethodOptions, http.MethodTrace, http.MethodPatch, "QUERY":
		return method
	}
	return "_OTHER"
}

// statusRecorder notes the status of the answer on its way to the client.
type statusRecorder struct {
	http.ResponseWriter
	status int // zero until the answer's final status is sent
}

func (w *statusRecorder) WriteHeader(code int) {
	// An informational status (100 Continue, 103 Early Hints) comes
	// before the final one; 101 is final.
	if w.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(p []byte) (int, error) {
	w.started()
	return w.ResponseWriter.Write(p)
}

// FlushError is what http.ResponseController.Flush calls: a flush sends
// the status line, 200 unless one was written.
func (w *statusRecorder) FlushError() error {
	w.started()
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush implements http.Flusher, for handlers that look for it.
func (w *statusRecorder) Flush() { _ = w.FlushError() }

// Unwrap lets http.ResponseController, and the Guard, reach the
// ResponseWriter behind.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// started notes net/http's implicit 200 for a body written, or flushed,
// before any status.
func (w *statusRecorder) started() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
}

// statusOf is the status label of r's answer, once the handler has
// returned or panicked with recovered.
func (w *statusRecorder) statusOf(r *http.Request, recovered any) int {
	switch {
	case w.status != 0:
		return w.status
	case recovered == http.ErrAbortHandler:
		// The Guard aborts a request whose client went away mid-body.
		return statusClientClosed
	case recovered != nil:
		return http.StatusInternalServerError
	case r.Context().Err() != nil:
		// The client went before the answer started; the server's 200
		// goes nowhere.
		return statusClientClosed
	}
	return http.StatusOK
}
