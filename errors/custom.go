package errors

import (
	"fmt"

	"github.com/flexinference/flexguard/internal/clienttext"
)

// CustomCode is an error code of the embedder's own, outside the catalog:
// a rule of its own (a schema file's "temperature_too_high", say) answered
// like any catalog code, in every dialect. Build one with NewCustomCode;
// the zero CustomCode answers internal_error.
type CustomCode struct {
	code    Code
	status  int
	typ     Type
	message string
}

// NewCustomCode checks and returns an embedder's code: name must be
// snake_case ("temperature_too_high", at most 64 bytes) and not a catalog
// code; status an error status from 400 to 599. An empty typ means
// invalid_request_error; message is the default message ("" gives a
// generic one that points at param).
func NewCustomCode(name string, status int, typ Type, message string) (CustomCode, error) {
	switch {
	case !snakeCase(name):
		return CustomCode{}, fmt.Errorf("flexguard/errors: code name %s must be snake_case, such as \"temperature_too_high\"", clienttext.Quote(name))
	case byCode[Code(name)] != nil:
		return CustomCode{}, fmt.Errorf("flexguard/errors: %q is a catalog code; its status and type are the catalog's", name)
	case status < 400 || status > 599:
		return CustomCode{}, fmt.Errorf("flexguard/errors: code %q: status %d is not an error status from 400 to 599", name, status)
	}
	if typ == "" {
		typ = TypeInvalidRequest
	}
	if message == "" {
		message = "The request does not meet this gateway's rules. Fix the field named by param."
	}
	return CustomCode{code: Code(name), status: status, typ: typ, message: message}, nil
}

// New returns an occurrence of c naming param ("" for null), with its own
// message ("" keeps c's default). A 429 waits RetryAfterPerOrg.
func (c CustomCode) New(param, message string) *Error {
	if c.code == "" {
		return New(InternalError, "", "")
	}
	e := &Error{code: c.code, status: c.status, typ: c.typ, message: c.message, param: param}
	if message != "" {
		e.message = message
	}
	if c.status == 429 {
		e.retryAfter = RetryAfterPerOrg
	}
	return e
}

// snakeCase reports whether s is a code name: a lowercase letter, then
// lowercase letters, digits and underscores, 64 bytes at most.
func snakeCase(s string) bool {
	if s == "" || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
