package errors

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tidwall/gjson"
)

// Write renders err to w as the JSON error body with its status. An error
// that is not (and does not wrap) an *Error is answered as internal_error,
// so a bug never leaks its text to the client.
//
// Write sets Content-Type and Content-Length, Allow: POST on a
// method_not_allowed and Retry-After on a 429; it must be called before
// anything else is written to w.
func Write(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) || e == nil {
		e = New(InternalError, "", "")
	}
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["X-Content-Type-Options"] = noSniff
	if e.code == MethodNotAllowed {
		h["Allow"] = allowPOST
	}
	if e.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int(e.retryAfter.Seconds())))
	}
	body := e.body()
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(e.status)
	_, _ = w.Write(body)
}

// Header values shared by every response; never modified.
var (
	contentTypeJSON = []string{"application/json"}
	noSniff         = []string{"nosniff"}
	allowPOST       = []string{"POST"}
)

// MarshalJSON renders e as the whole error body, {"error":{...}}.
func (e *Error) MarshalJSON() ([]byte, error) {
	return append([]byte(nil), e.body()...), nil // a default body is shared
}

// body returns the JSON body of e, shared when it is a catalog default.
func (e *Error) body() []byte {
	if e.row != nil && e.message == e.row.message && e.param == e.row.param {
		return e.row.body
	}
	return appendBody(make([]byte, 0, 128+len(e.message)+len(e.param)), e.code, e.typ, e.message, e.param)
}

// appendBody appends {"error":{"message":...,"type":...,"code":...,"param":...}}
// and a newline.
func appendBody(dst []byte, code Code, typ Type, message, param string) []byte {
	dst = append(dst, `{"error":{"message":`...)
	dst = gjson.AppendJSONString(dst, message)
	dst = append(dst, `,"type":`...)
	dst = gjson.AppendJSONString(dst, string(typ)) // an embedder's type and code are its own text
	dst = append(dst, `,"code":`...)
	dst = gjson.AppendJSONString(dst, string(code))
	dst = append(dst, `,"param":`...)
	if param == "" {
		dst = append(dst, "null"...)
	} else {
		dst = gjson.AppendJSONString(dst, param)
	}
	return append(dst, "}}\n"...)
}
