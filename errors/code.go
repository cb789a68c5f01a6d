package errors

import "strconv"

// Code identifies one row of the catalog. The zero Code is not a valid code.
type Code uint8

// The catalog's codes, in the order of the specification's table.
const (
	_ Code = iota
	MissingAPIKey
	InvalidAPIKey
	RateLimitExceeded
	PaymentRequired
	RequestTooLarge
	NoBYOKKey
	NoGeminiKey
	NoAnthropicKey
	MissingModel
	MissingStartWithin
	InvalidStartWithin
	ModelNotFlexCapable
	AutoUnsupportedForGemini
	FlexUnsupportedForAnthropic
	MissingMaxTokens
	ServiceTierNotAllowed
	UnsupportedParameter
	UnsupportedGenerationConfig
	UnsupportedValue
	InvalidJSON
	InvalidBody
	UnknownURL
	MethodNotAllowed
	ClientClosedRequest
	InternalError
	UpstreamStreamFailed

	codeEnd // one past the last code; keeps Codes in step with the table
)

// Type is the error's category, rendered as "type" in the body.
type Type string

// The catalog's error types.
const (
	TypeAuthentication Type = "authentication_error"
	TypeRateLimit      Type = "rate_limit_error"
	TypeBilling        Type = "billing_error"
	TypeInvalidRequest Type = "invalid_request_error"
	TypeClient         Type = "client_error"
	TypeAPI            Type = "api_error"
)

// entry is one row of the catalog. An empty param renders as null.
type entry struct {
	name    string
	status  int
	typ     Type
	param   string
	message string
}

// catalog is the error table. Hold it against the specification line by
// line: the status numbers are literals on purpose.
var catalog = [codeEnd]entry{
	MissingAPIKey:     {"missing_api_key", 401, TypeAuthentication, "", "The request carries no API key. Put your key in the Authorization header, prefixed with the word Bearer and a space."},
	InvalidAPIKey:     {"invalid_api_key", 401, TypeAuthentication, "", "The gateway does not accept this API key: either it is not shaped like one of ours, or it was replaced or withdrawn. Take the key the dashboard shows now and send that one."},
	RateLimitExceeded: {"rate_limit_exceeded", 429, TypeRateLimit, "", "Too many requests. Wait the number of seconds given in the Retry-After header, then retry."},
	PaymentRequired:   {"payment_required", 402, TypeBilling, "", "Billable flex requests are paused for this organization: its balance is overdue or it has no payment method. Update billing on the dashboard, or use start_within default, priority or auto, which are not billed."},
	RequestTooLarge:   {"request_too_large", 413, TypeInvalidRequest, "", "The request body is larger than the gateway accepts. Send a smaller body; link large files by URL instead of inlining them as base64."},

	NoBYOKKey:      {"no_byok_key", 400, TypeInvalidRequest, "model", "Your organization has no usable OpenAI key. Add one on the dashboard under Settings, API keys."},
	NoGeminiKey:    {"no_gemini_key", 400, TypeInvalidRequest, "model", "Your organization has no usable Gemini key, which gemini-* models need. Add one on the dashboard under Settings, API keys."},
	NoAnthropicKey: {"no_anthropic_key", 400, TypeInvalidRequest, "model", "Your organization has no usable Anthropic key, which claude-* models need. Add one on the dashboard under Settings, API keys."},

	MissingModel:                {"missing_model", 400, TypeInvalidRequest, "model", `Name the model to run in a model field holding text, such as "gpt-5.5"; it is absent, null, empty or not text here.`},
	MissingStartWithin:          {"missing_start_within", 400, TypeInvalidRequest, "start_within", `start_within is required: it says how long the request may wait to start. Send "default", "priority", "auto" or a duration such as "00h-00m-30s".`},
	InvalidStartWithin:          {"invalid_start_within", 400, TypeInvalidRequest, "start_within", `start_within must be the string "default", "priority", "auto" or a duration HHh-MMm-SSs between 00h-00m-05s and 00h-10m-00s, for example "00h-00m-30s".`},
	ModelNotFlexCapable:         {"model_not_flex_capable", 400, TypeInvalidRequest, "model", `A duration start_within needs a flex-capable model, and this one is not on its provider's list. Pick a flex-capable model, or send start_within "default", "priority" or "auto".`},
	AutoUnsupportedForGemini:    {"auto_unsupported_for_gemini", 400, TypeInvalidRequest, "start_within", `start_within "auto" is not available for gemini-* models. Send "default", "priority" or a duration instead.`},
	FlexUnsupportedForAnthropic: {"flex_unsupported_for_anthropic", 400, TypeInvalidRequest, "start_within", `claude-* models have no flex tier, so a duration start_within cannot apply. Send "default", "priority" or "auto" instead.`},
	MissingMaxTokens:            {"missing_max_tokens", 400, TypeInvalidRequest, "max_tokens", "Anthropic models refuse requests without an output-token limit, and the gateway does not invent one. Add the limit field of this endpoint, named by param."},
	ServiceTierNotAllowed:       {"service_tier_not_allowed", 400, TypeInvalidRequest, "service_tier", "service_tier cannot be set: the gateway picks the tier from start_within. Remove service_tier and say what you want with start_within."},
	UnsupportedParameter:        {"unsupported_parameter", 400, TypeInvalidRequest, "", "This parameter is not supported on this endpoint. Remove the field named by param."},
	UnsupportedGenerationConfig: {"unsupported_generation_config", 400, TypeInvalidRequest, "generation_config.seed", "This generation_config field is not supported. Remove the field named by param."},
	UnsupportedValue:            {"unsupported_value", 400, TypeInvalidRequest, "n", `Each request yields exactly one completion here, so n can only be 1. Drop n, or set it to 1.`},
	InvalidJSON:                 {"invalid_json", 400, TypeInvalidRequest, "", "The request body is not valid JSON. Check for a trailing comma, an unquoted key, a truncated body or bytes that are not UTF-8."},
	InvalidBody:                 {"invalid_body", 400, TypeInvalidRequest, "", "The request body must be a JSON object. Wrap the fields in {...}."},
	UnknownURL:                  {"unknown_url", 404, TypeInvalidRequest, "", "Nothing is served at this path. The gateway answers four paths: /v1/responses, /v1/chat/completions, /v1/interactions and /v1/messages."},
	MethodNotAllowed:            {"method_not_allowed", 405, TypeInvalidRequest, "", "Requests to this path must use the POST method; resend it as POST, with the JSON request as its body."},
	ClientClosedRequest:         {"client_closed_request", 499, TypeClient, "", "The connection closed before the answer was ready. If your client gave up on a timer, lengthen it: a flex request can legitimately wait several minutes to start."},
	InternalError:               {"internal_error", 500, TypeAPI, "", "Something failed inside the gateway; this is not a problem with your request. Retry once, and contact support with the time of the request if it persists."},
	UpstreamStreamFailed:        {"upstream_stream_failed", 502, TypeAPI, "", "The provider's stream broke off before it completed. Retry once; if it keeps failing for one model, try another model or a shorter start_within."},
}

// Codes returns every code in catalog order.
func Codes() []Code {
	codes := make([]Code, 0, codeEnd-1)
	for c := Code(1); c < codeEnd; c++ {
		codes = append(codes, c)
	}
	return codes
}

// valid reports whether c names a row of the catalog.
func (c Code) valid() bool { return c > 0 && c < codeEnd }

// String returns the code as it appears in the error body, such as
// "missing_model".
func (c Code) String() string {
	if !c.valid() {
		return "code(" + strconv.Itoa(int(c)) + ")"
	}
	return catalog[c].name
}

// Status returns the HTTP status the code is answered with.
func (c Code) Status() int {
	if !c.valid() {
		return catalog[InternalError].status
	}
	return catalog[c].status
}

// Type returns the code's error type.
func (c Code) Type() Type {
	if !c.valid() {
		return catalog[InternalError].typ
	}
	return catalog[c].typ
}

// DefaultParam returns the field the code names when an occurrence does not
// name a more exact one; "" means the code's param is null.
func (c Code) DefaultParam() string {
	if !c.valid() {
		return ""
	}
	return catalog[c].param
}

// DefaultMessage returns the code's catalog message.
func (c Code) DefaultMessage() string {
	if !c.valid() {
		return catalog[InternalError].message
	}
	return catalog[c].message
}

// CodeOf returns the code whose body name is name, such as "missing_model".
func CodeOf(name string) (Code, bool) {
	for c := Code(1); c < codeEnd; c++ {
		if catalog[c].name == name {
			return c, true
		}
	}
	return 0, false
}

// MarshalText renders the code by its name, so codes read well in JSON and
// logs.
func (c Code) MarshalText() ([]byte, error) { return []byte(c.String()), nil }
