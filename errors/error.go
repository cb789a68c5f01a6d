package errors

import (
	"errors"
	"time"
)

// Error is one occurrence of a code: what went wrong, where, and what to
// tell the client. Build one with New, RateLimited or CustomCode.New; read
// it with its accessors. An *Error is never mutated after it is built, so
// it may be shared.
type Error struct {
	code       Code
	status     int
	typ        Type
	message    string
	param      string
	retryAfter time.Duration
	row        *row // the catalog row, nil for an embedder's code
}

// How long a rate-limited client is told to wait.
const (
	RetryAfterAuthFlood = 60 * time.Second // failed-authentication limiter, per client
	RetryAfterPerOrg    = 5 * time.Second  // per-organisation request limiter, and the default
)

// New returns an occurrence of the catalog code with param naming the
// offending field and its own message; "" keeps the catalog's default for
// either. A rate_limit_exceeded error waits RetryAfterPerOrg (see
// RateLimited). A code outside the catalog is a bug in the caller, and is
// answered as internal_error so that it never reaches the client as text.
func New(code Code, param, message string) *Error {
	r, ok := byCode[code]
	if !ok {
		r = byCode[InternalError]
		param, message = "", ""
	}
	e := &Error{code: r.code, status: r.status, typ: r.typ, message: r.message, param: r.param, row: r}
	if param != "" {
		e.param = param
	}
	if message != "" {
		e.message = message
	}
	if r.status == 429 {
		e.retryAfter = RetryAfterPerOrg
	}
	return e
}

// RateLimited returns a rate_limit_exceeded error that tells the client to
// wait retryAfter (rounded up to whole seconds, at least one) in its
// Retry-After header: RetryAfterAuthFlood or RetryAfterPerOrg.
func RateLimited(retryAfter time.Duration) *Error {
	e := New(RateLimitExceeded, "", "")
	e.retryAfter = wholeSeconds(retryAfter)
	return e
}

// wholeSeconds rounds d up to whole seconds, at least one: Retry-After
// counts seconds, and a 429 always asks the client to wait.
func wholeSeconds(d time.Duration) time.Duration {
	if d < time.Second {
		return time.Second
	}
	return (d + time.Second - 1) / time.Second * time.Second
}

// Code returns the error's code, an embedder's own included.
func (e *Error) Code() Code { return e.code }

// Status returns the HTTP status the error is answered with.
func (e *Error) Status() int { return e.status }

// Type returns the error's type.
func (e *Error) Type() Type { return e.typ }

// Message returns the message the client is told.
func (e *Error) Message() string { return e.message }

// Param returns the path of the offending field, such as
// "messages[0].content[1].cache_control", or "" when the error names no
// field (the body then says "param": null).
func (e *Error) Param() string { return e.param }

// RetryAfter returns how long a rate-limited client is told to wait, in
// whole seconds; zero for an error whose status is not 429.
func (e *Error) RetryAfter() time.Duration { return e.retryAfter }

// Error implements the error interface: "flexguard: missing_model (param
// model): message".
func (e *Error) Error() string {
	s := "flexguard: " + string(e.code)
	if e.param != "" {
		s += " (param " + e.param + ")"
	}
	return s + ": " + e.message
}

// CodeOf returns the code of the *Error in err's chain: "" for a nil err,
// and InternalError for any other error, which is how Write answers it.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e != nil {
		return e.code
	}
	return InternalError
}
