package dialect

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
)

// MSKeys answers in the shape of the gateway whose proxy keys start with
// ms- and billing keys with mk- (its documentation never names it). Its
// error object has message, type and code and no param:
//
//	{"error":{"message":"...","type":"invalid_request_error","code":"missing_model"}}
//
// It lists statuses but no codes, so the code stays the canonical one and
// only the status moves to the nearest one it lists.
func MSKeys(w http.ResponseWriter, _ *http.Request, err *apierrors.Error) {
	write(w, msKeysTable, msKeysShape, err)
}

var msKeysShape = shape{messageFirst: true, code: true}

// msKeysTable holds every canonical code against the statuses that gateway
// lists: 400, 401, 403, 404, 429, 500, 502 and 503.
var msKeysTable = table{
	apierrors.MissingAPIKey:     {401, "authentication_error", "missing_api_key"},
	apierrors.InvalidAPIKey:     {401, "authentication_error", "invalid_api_key"},
	apierrors.RateLimitExceeded: {429, "rate_limit_error", "rate_limit_exceeded"},
	// No 402 here: this gateway reports an insufficient balance as 403.
	apierrors.PaymentRequired: {403, "billing_error", "payment_required"},
	// No 413 either: an oversized body is an invalid request body.
	apierrors.RequestTooLarge: {400, "invalid_request_error", "request_too_large"},

	apierrors.NoBYOKKey:      {400, "invalid_request_error", "no_byok_key"},
	apierrors.NoGeminiKey:    {400, "invalid_request_error", "no_gemini_key"},
	apierrors.NoAnthropicKey: {400, "invalid_request_error", "no_anthropic_key"},

	apierrors.MissingModel:                {400, "invalid_request_error", "missing_model"},
	apierrors.MissingStartWithin:          {400, "invalid_request_error", "missing_start_within"},
	apierrors.InvalidStartWithin:          {400, "invalid_request_error", "invalid_start_within"},
	apierrors.ModelNotFlexCapable:         {400, "invalid_request_error", "model_not_flex_capable"},
	apierrors.AutoUnsupportedForGemini:    {400, "invalid_request_error", "auto_unsupported_for_gemini"},
	apierrors.FlexUnsupportedForAnthropic: {400, "invalid_request_error", "flex_unsupported_for_anthropic"},
	apierrors.MissingMaxTokens:            {400, "invalid_request_error", "missing_max_tokens"},
	apierrors.ServiceTierNotAllowed:       {400, "invalid_request_error", "service_tier_not_allowed"},
	apierrors.UnsupportedParameter:        {400, "invalid_request_error", "unsupported_parameter"},
	apierrors.UnsupportedGenerationConfig: {400, "invalid_request_error", "unsupported_generation_config"},
	apierrors.UnsupportedValue:            {400, "invalid_request_error", "unsupported_value"},
	apierrors.InvalidJSON:                 {400, "invalid_request_error", "invalid_json"},
	apierrors.InvalidBody:                 {400, "invalid_request_error", "invalid_body"},
	apierrors.UnknownURL:                  {404, "invalid_request_error", "unknown_url"},
	// No 405: there is no resource that answers this method, its 404.
	apierrors.MethodNotAllowed: {404, "invalid_request_error", "method_not_allowed"},
	// No 499: the client's own doing is nearest to its generic 400.
	apierrors.ClientClosedRequest:  {400, "client_error", "client_closed_request"},
	apierrors.InternalError:        {500, "api_error", "internal_error"},
	apierrors.UpstreamStreamFailed: {502, "api_error", "upstream_stream_failed"},
}
