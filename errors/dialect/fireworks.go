package dialect

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
)

// Fireworks answers in the shape of Fireworks' inference API:
// Fireworks names its errors by status, so the body's type is the status
// name from its table in snake case ("over_quota"), inside the
// OpenAI-compatible envelope with "object":"error" and param:
//
//	{"error":{"object":"error","type":"bad_request","message":"...","param":"model"}}
func Fireworks(w http.ResponseWriter, _ *http.Request, err *apierrors.Error) {
	write(w, fireworksTable, fireworksShape, err)
}

var fireworksShape = shape{object: true, param: true, typeFromStatus: true}

// fireworksTable holds every canonical code against Fireworks' status
// table: status and error name ("Bad Request" → "bad_request").
var fireworksTable = table{
	apierrors.MissingAPIKey:     {401, "unauthorized", ""},
	apierrors.InvalidAPIKey:     {401, "unauthorized", ""},
	apierrors.RateLimitExceeded: {429, "over_quota", ""},
	apierrors.PaymentRequired:   {402, "payment_required", ""},
	apierrors.RequestTooLarge:   {413, "payload_too_large", ""},

	// The organisation lacks a provider key: a setup problem the client
	// fixes, not the "account status" of 412, which Fireworks keeps for a
	// LoRA that failed to load.
	apierrors.NoBYOKKey:      {400, "bad_request", ""},
	apierrors.NoGeminiKey:    {400, "bad_request", ""},
	apierrors.NoAnthropicKey: {400, "bad_request", ""},

	apierrors.MissingModel:       {400, "bad_request", ""},
	apierrors.MissingStartWithin: {400, "bad_request", ""},
	apierrors.InvalidStartWithin: {400, "bad_request", ""},
	// The model exists; only the tier asked for does not fit it. Fireworks'
	// 403 and 404 say the model is unknown, which would mislead.
	apierrors.ModelNotFlexCapable:         {400, "bad_request", ""},
	apierrors.AutoUnsupportedForGemini:    {400, "bad_request", ""},
	apierrors.FlexUnsupportedForAnthropic: {400, "bad_request", ""},
	apierrors.MissingMaxTokens:            {400, "bad_request", ""},
	apierrors.ServiceTierNotAllowed:       {400, "bad_request", ""},
	apierrors.UnsupportedParameter:        {400, "bad_request", ""},
	apierrors.UnsupportedGenerationConfig: {400, "bad_request", ""},
	apierrors.UnsupportedValue:            {400, "bad_request", ""},
	apierrors.InvalidJSON:                 {400, "bad_request", ""},
	apierrors.InvalidBody:                 {400, "bad_request", ""},
	apierrors.UnknownURL:                  {404, "not_found", ""},
	apierrors.MethodNotAllowed:            {405, "method_not_allowed", ""},
	// Fireworks has no 499; a client that gave up is nearest to its
	// Request Timeout. Never written in practice: nobody is listening.
	apierrors.ClientClosedRequest:  {408, "request_timeout", ""},
	apierrors.InternalError:        {500, "internal_server_error", ""},
	apierrors.UpstreamStreamFailed: {502, "bad_gateway", ""},
}
