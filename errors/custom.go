package errors

// CustomCode is an error code outside the catalog, defined by an embedder:
// a rule of its own (such as a schema file's "temperature_too_high") that
// the writer must render like any catalog code. The catalog itself never
// changes; a custom code only travels on the Error that carries it.
type CustomCode struct {
	// Name is rendered as "code", such as "temperature_too_high".
	Name string
	// Status is the HTTP status, from 400 to 599.
	Status int
	// Type is rendered as "type"; empty means invalid_request_error.
	Type Type
	// Message is the default message, used when an occurrence has none.
	Message string
}

// customFallbackMessage is said when neither the occurrence nor its custom
// code has a message.
const customFallbackMessage = "The request does not meet this gateway's rules. Fix the field named by param."

// Valid reports whether c can be rendered: a name, and an error status
// (400 to 599). Write answers an Error with an invalid custom code as
// internal_error.
func (c *CustomCode) Valid() bool {
	return c != nil && c.Name != "" && c.Status >= 400 && c.Status <= 599
}

// typ returns the type to render, invalid_request_error when unset.
func (c *CustomCode) typ() Type {
	if c.Type == "" {
		return TypeInvalidRequest
	}
	return c.Type
}

// NewCustom returns an occurrence of the embedder's code c, naming param
// ("" renders as null) with message ("" means c's own message).
func NewCustom(c CustomCode, param, message string) *Error {
	return &Error{Custom: &c, Param: param, Message: message}
}
