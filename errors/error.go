package errors

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Error is one occurrence of a catalog code: what went wrong, where, and
// what to tell the client.
//
// A zero Message or Param means the code's catalog default, so
// &Error{Code: MissingModel} renders exactly like New(MissingModel).
type Error struct {
	Code Code
	// Message overrides the catalog message when not empty.
	Message string
	// Param names the offending field as a path ("messages[0].content[1]
	// .cache_control"); empty means the code's default param, which may be
	// null.
	Param string
	// RetryAfter is sent as the Retry-After header of a rate_limit_exceeded
	// answer, rounded up to whole seconds; zero means the per-organisation
	// wait. Other codes ignore it.
	RetryAfter time.Duration
	// Custom, when not nil, is the embedder's own code, rendered instead of
	// Code (which is then ignored): its name, status, type and default
	// message. It has no default param.
	Custom *CustomCode
}

// How long a rate-limited client is told to wait.
const (
	RetryAfterAuthFlood = 60 * time.Second // failed-authentication limiter, per client IP
	RetryAfterPerOrg    = 5 * time.Second  // per-organisation request limiter
)

// New returns an occurrence of code with the catalog's message and param.
// A rate_limit_exceeded error gets the per-organisation Retry-After; use
// [AuthFloodLimited] for the failed-authentication limiter.
func New(code Code) *Error {
	e := &Error{Code: code}
	if code == RateLimitExceeded {
		e.RetryAfter = RetryAfterPerOrg
	}
	return e
}

// NewParam returns an occurrence of code that names param as the
// offending field.
func NewParam(code Code, param string) *Error {
	e := New(code)
	e.Param = param
	return e
}

// NewMessage returns an occurrence of code with its own message and param
// ("" keeps the code's default param).
func NewMessage(code Code, param, message string) *Error {
	e := New(code)
	e.Param = param
	e.Message = message
	return e
}

// AuthFloodLimited is the rate_limit_exceeded answer of the
// failed-authentication limiter: Retry-After 60 seconds.
func AuthFloodLimited() *Error {
	return &Error{Code: RateLimitExceeded, RetryAfter: RetryAfterAuthFlood}
}

// OrgRateLimited is the rate_limit_exceeded answer of the per-organisation
// limiter: Retry-After 5 seconds.
func OrgRateLimited() *Error {
	return &Error{Code: RateLimitExceeded, RetryAfter: RetryAfterPerOrg}
}

// RetryAfterSeconds is the Retry-After value of a rate_limit_exceeded
// answer: RetryAfter rounded up to whole seconds, or the per-organisation
// wait when RetryAfter is not positive, because every 429 tells the client
// how long to wait.
func (e *Error) RetryAfterSeconds() int {
	wait := e.RetryAfter
	if wait <= 0 {
		wait = RetryAfterPerOrg
	}
	return int((wait + time.Second - 1) / time.Second)
}

// Error implements the error interface: "flexguard: missing_model (param
// model): message".
func (e *Error) Error() string {
	s := "flexguard: " + e.Name()
	if p := e.ParamOrNull(); p != "" {
		s += " (param " + p + ")"
	}
	return s + ": " + e.MessageText()
}

// Name returns the code as rendered in the body: the custom code's name, or
// the catalog code's.
func (e *Error) Name() string {
	if e.Custom != nil {
		return e.Custom.Name
	}
	return e.Code.String()
}

// Status returns the HTTP status of the error's code.
func (e *Error) Status() int {
	if e.Custom != nil {
		return e.Custom.Status
	}
	return e.Code.Status()
}

// Type returns the error type of the error's code.
func (e *Error) Type() Type {
	if e.Custom != nil {
		return e.Custom.typ()
	}
	return e.Code.Type()
}

// ParamOrNull returns the param to render: the occurrence's own, else the
// code's default; "" renders as null.
func (e *Error) ParamOrNull() string {
	if e.Param != "" || e.Custom != nil {
		return e.Param
	}
	return e.Code.DefaultParam()
}

// MessageText returns the message to render: the occurrence's own, else the
// code's default.
func (e *Error) MessageText() string {
	switch {
	case e.Message != "":
		return e.Message
	case e.Custom == nil:
		return e.Code.DefaultMessage()
	case e.Custom.Message != "":
		return e.Custom.Message
	default:
		return customFallbackMessage
	}
}

// Is reports whether target is an *Error with the same code, so
// errors.Is(err, apierrors.New(apierrors.MissingModel)) matches any
// occurrence of missing_model. Custom codes match by name.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t == nil || e == nil || (t.Custom == nil) != (e.Custom == nil) { // a nil *Error has no code
		return false
	}
	if e.Custom != nil {
		return t.Custom.Name == e.Custom.Name
	}
	return t.Code == e.Code
}

// maxQuoted bounds how much of a client value a message may repeat.
const maxQuoted = 64

// Quote renders a client-supplied value for a message: JSON-quoted, cut to
// 64 bytes (on a rune boundary, marked with "…") so that a message never
// echoes unbounded input.
func Quote(s string) string {
	cut := false
	if len(s) > maxQuoted {
		s = s[:maxQuoted]
		if i := lastRuneStart(s); !utf8.FullRuneInString(s[i:]) {
			s = s[:i] // do not split a multi-byte character
		}
		cut = true
	}
	q := strconv.Quote(s)
	if cut {
		q = q[:len(q)-1] + `…"`
	}
	return q
}

// lastRuneStart returns the index where the last (possibly partial) rune of
// s begins.
func lastRuneStart(s string) int {
	i := len(s) - 1
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return i
}
