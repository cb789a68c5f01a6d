package errors

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/tidwall/gjson"
)

// Write renders err to w as the JSON error body with the code's status.
// An error that is not (and does not wrap) an *Error is answered as
// internal_error, so a bug never leaks its text to the client.
//
// Write sets Content-Type, and Allow on a 405 and Retry-After on a 429; it
// must be called before anything else is written to w.
func Write(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) || e == nil || !e.Renderable() {
		e = &Error{Code: InternalError}
	}
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	h["X-Content-Type-Options"] = noSniff
	switch {
	case e.Custom != nil: // an embedder's code gets no catalog header
	case e.Code == MethodNotAllowed:
		h["Allow"] = allowPOST
	case e.Code == RateLimitExceeded:
		h.Set("Retry-After", strconv.Itoa(e.RetryAfterSeconds()))
	}
	body := e.body()
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(e.Status())
	_, _ = w.Write(body)
}

// Header values shared by every response; never modified.
var (
	contentTypeJSON = []string{"application/json"}
	noSniff         = []string{"nosniff"}
	allowPOST       = []string{"POST"}
)

// defaultBodies holds each code's body with its catalog message and param,
// rendered once: the common case costs no encoding.
var defaultBodies = func() (bodies [codeEnd][]byte) {
	for c := Code(1); c < codeEnd; c++ {
		bodies[c] = appendBody(nil, c.String(), c.Type(), c.DefaultMessage(), c.DefaultParam())
	}
	return bodies
}()

// Renderable reports whether e names a code a writer can render: a catalog
// code, or a valid custom one. Writers answer anything else as
// internal_error.
func (e *Error) Renderable() bool {
	if e.Custom != nil {
		return e.Custom.Valid()
	}
	return e.Code.valid()
}

// body returns the JSON body of e.
func (e *Error) body() []byte {
	msg, param := e.MessageText(), e.ParamOrNull()
	if e.Custom == nil && msg == e.Code.DefaultMessage() && param == e.Code.DefaultParam() {
		return defaultBodies[e.Code]
	}
	return appendBody(make([]byte, 0, 128+len(msg)+len(param)), e.Name(), e.Type(), msg, param)
}

// MarshalJSON renders e as the full error body, {"error":{...}}.
func (e *Error) MarshalJSON() ([]byte, error) {
	return append([]byte(nil), e.body()...), nil // the default bodies are shared
}

// appendBody appends {"error":{"message":...,"type":...,"code":...,"param":...}}.
func appendBody(dst []byte, name string, typ Type, message, param string) []byte {
	dst = append(dst, `{"error":{"message":`...)
	dst = gjson.AppendJSONString(dst, message)
	dst = append(dst, `,"type":`...)
	dst = gjson.AppendJSONString(dst, string(typ)) // a custom type and name are the embedder's text
	dst = append(dst, `,"code":`...)
	dst = gjson.AppendJSONString(dst, name)
	dst = append(dst, `,"param":`...)
	if param == "" {
		dst = append(dst, "null"...)
	} else {
		dst = gjson.AppendJSONString(dst, param)
	}
	return append(dst, "}}\n"...)
}
