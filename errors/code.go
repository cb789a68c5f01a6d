package errors

import (
	"fmt"

	"github.com/flexinference/flexguard/internal/clienttext"
)

// Code is an error code, rendered as "code" in the body: one of the
// catalog's (the constants below), or an embedder's own (see CustomCode).
// The zero Code is not a code.
type Code string

// The catalog's codes, in the order of the catalog.
const (
	MissingAPIKey               Code = "missing_api_key"
	InvalidAPIKey               Code = "invalid_api_key"
	RateLimitExceeded           Code = "rate_limit_exceeded"
	PaymentRequired             Code = "payment_required"
	RequestTooLarge             Code = "request_too_large"
	NoBYOKKey                   Code = "no_byok_key"
	NoGeminiKey                 Code = "no_gemini_key"
	NoAnthropicKey              Code = "no_anthropic_key"
	MissingModel                Code = "missing_model"
	MissingStartWithin          Code = "missing_start_within"
	InvalidStartWithin          Code = "invalid_start_within"
	ModelNotFlexCapable         Code = "model_not_flex_capable"
	AutoUnsupportedForGemini    Code = "auto_unsupported_for_gemini"
	FlexUnsupportedForAnthropic Code = "flex_unsupported_for_anthropic"
	MissingMaxTokens            Code = "missing_max_tokens"
	ServiceTierNotAllowed       Code = "service_tier_not_allowed"
	UnsupportedParameter        Code = "unsupported_parameter"
	UnsupportedGenerationConfig Code = "unsupported_generation_config"
	UnsupportedValue            Code = "unsupported_value"
	InvalidJSON                 Code = "invalid_json"
	InvalidBody                 Code = "invalid_body"
	UnknownURL                  Code = "unknown_url"
	MethodNotAllowed            Code = "method_not_allowed"
	ClientClosedRequest         Code = "client_closed_request"
	InternalError               Code = "internal_error"
	UpstreamStreamFailed        Code = "upstream_stream_failed"
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
	code    Code
	status  int
	typ     Type
	param   string
	message string
}

// row is a catalog entry with its body rendered once, so that answering
// with a catalog default costs no encoding.
type row struct {
	entry
	body []byte
}

// catalog is the error table. Hold it against the catalog line by line:
// the status numbers are literals on purpose.
var catalog = [...]entry{
	{MissingAPIKey, 401, TypeAuthentication, "", "The request carries no API key. Put your key in the Authorization header, prefixed with the word Bearer and a space."},
	{InvalidAPIKey, 401, TypeAuthentication, "", "The gateway does not accept this API key: either it is not shaped like one of ours, or it was replaced or withdrawn. Take the key the dashboard shows now and send that one."},
	{RateLimitExceeded, 429, TypeRateLimit, "", "Too many requests. Wait the number of seconds given in the Retry-After header, then retry."},
	{PaymentRequired, 402, TypeBilling, "", "Billable flex requests are paused for this organization: its balance is overdue or it has no payment method. Update billing on the dashboard, or use start_within default, priority or auto, which are not billed."},
	{RequestTooLarge, 413, TypeInvalidRequest, "", "The request body is larger than the gateway accepts. Send a smaller body; link large files by URL instead of inlining them as base64."},
	{NoBYOKKey, 400, TypeInvalidRequest, "model", "Your organization has no usable OpenAI key. Add one on the dashboard under Settings, API keys."},
	{NoGeminiKey, 400, TypeInvalidRequest, "model", "Your organization has no usable Gemini key, which gemini-* models need. Add one on the dashboard under Settings, API keys."},
	{NoAnthropicKey, 400, TypeInvalidRequest, "model", "Your organization has no usable Anthropic key, which claude-* models need. Add one on the dashboard under Settings, API keys."},
	{MissingModel, 400, TypeInvalidRequest, "model", `Name the model to run in a model field holding text, such as "gpt-5.5"; it is absent, null, empty or not text here.`},
	{MissingStartWithin, 400, TypeInvalidRequest, "start_within", `start_within is required: it says how long the request may wait to start. Send "default", "priority", "auto" or a duration such as "00h-00m-30s".`},
	{InvalidStartWithin, 400, TypeInvalidRequest, "start_within", `start_within must be the string "default", "priority", "auto" or a duration HHh-MMm-SSs between 00h-00m-05s and 00h-10m-00s, for example "00h-00m-30s".`},
	{ModelNotFlexCapable, 400, TypeInvalidRequest, "model", `A duration start_within needs a flex-capable model, and this one is not on its provider's list. Pick a flex-capable model, or send start_within "default", "priority" or "auto".`},
	{AutoUnsupportedForGemini, 400, TypeInvalidRequest, "start_within", `start_within "auto" is not available for gemini-* models. Send "default", "priority" or a duration instead.`},
	{FlexUnsupportedForAnthropic, 400, TypeInvalidRequest, "start_within", `claude-* models have no flex tier, so a duration start_within cannot apply. Send "default", "priority" or "auto" instead.`},
	{MissingMaxTokens, 400, TypeInvalidRequest, "max_tokens", "Anthropic models refuse requests without an output-token limit, and the gateway does not invent one. Add the limit field of this endpoint, named by param."},
	{ServiceTierNotAllowed, 400, TypeInvalidRequest, "service_tier", "service_tier cannot be set: the gateway picks the tier from start_within. Remove service_tier and say what you want with start_within."},
	{UnsupportedParameter, 400, TypeInvalidRequest, "", "This parameter is not supported on this endpoint. Remove the field named by param."},
	{UnsupportedGenerationConfig, 400, TypeInvalidRequest, "generation_config.seed", "This generation_config field is not supported. Remove the field named by param."},
	{UnsupportedValue, 400, TypeInvalidRequest, "n", `Each request yields exactly one completion here, so n can only be 1. Drop n, or set it to 1.`},
	{InvalidJSON, 400, TypeInvalidRequest, "", "The request body is not valid JSON. Check for a trailing comma, an unquoted key, a truncated body or bytes that are not UTF-8."},
	{InvalidBody, 400, TypeInvalidRequest, "", "The request body must be a JSON object. Wrap the fields in {...}."},
	{UnknownURL, 404, TypeInvalidRequest, "", "Nothing is served at this path. The gateway answers four paths: /v1/responses, /v1/chat/completions, /v1/interactions and /v1/messages."},
	{MethodNotAllowed, 405, TypeInvalidRequest, "", "Requests to this path must use the POST method; resend it as POST, with the JSON request as its body."},
	{ClientClosedRequest, 499, TypeClient, "", "The connection closed before the answer was ready. If your client gave up on a timer, lengthen it: a flex request can legitimately wait several minutes to start."},
	{InternalError, 500, TypeAPI, "", "Something failed inside the gateway; this is not a problem with your request. Retry once, and contact support with the time of the request if it persists."},
	{UpstreamStreamFailed, 502, TypeAPI, "", "The provider's stream broke off before it completed. Retry once; if it keeps failing for one model, try another model or a shorter start_within."},
}

// byCode finds a catalog code's row.
var byCode = func() map[Code]*row {
	m := make(map[Code]*row, len(catalog))
	for _, e := range catalog {
		m[e.code] = &row{entry: e, body: appendBody(nil, e.code, e.typ, e.message, e.param)}
	}
	return m
}()

// Codes returns the catalog's codes, in catalog order.
func Codes() []Code {
	codes := make([]Code, len(catalog))
	for i := range catalog {
		codes[i] = catalog[i].code
	}
	return codes
}

// ParseCode returns the catalog code named name, such as "missing_model".
// A name outside the catalog is an error, an embedder's own code included:
// only the catalog knows a code's status.
func ParseCode(name string) (Code, error) {
	if _, ok := byCode[Code(name)]; !ok {
		return "", fmt.Errorf("flexguard/errors: %s is not a catalog code", clienttext.Quote(name))
	}
	return Code(name), nil
}

// String returns the code as the body renders it, such as "missing_model".
func (c Code) String() string { return string(c) }

// MarshalText renders the code by name.
func (c Code) MarshalText() ([]byte, error) { return []byte(c), nil }

// UnmarshalText reads a catalog code by name, as ParseCode does.
func (c *Code) UnmarshalText(text []byte) error {
	code, err := ParseCode(string(text))
	if err != nil {
		return err
	}
	*c = code
	return nil
}
