package dialect

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
)

// GIP answers in the shape of the gateway whose apps are "GIP apps": type,
// code and message, no param, with codes from its own list.
// The type is the status's reason phrase in snake case, as its example
// "bad_request" is:
//
//	{"error":{"type":"bad_request","code":"invalid_argument","message":"..."}}
func GIP(w http.ResponseWriter, _ *http.Request, err *apierrors.Error) {
	write(w, gipTable, gipShape, err)
}

var gipShape = shape{typeFromStatus: true, code: true}

// gipTable holds every canonical code against that gateway's statuses (400,
// 401, 403, 404, 409, 429, 500, 502, 503) and codes. Its split: a body it
// cannot read is invalid_request; a readable body with a field that is
// missing or does not fit the API or model is invalid_argument.
var gipTable = table{
	apierrors.MissingAPIKey:     {401, "unauthorized", "missing_api_key"},
	apierrors.InvalidAPIKey:     {401, "unauthorized", "invalid_api_key"},
	apierrors.RateLimitExceeded: {429, "too_many_requests", "rate_limit_exceeded"},
	// No 402 and no billing code: the key is known but may not use the
	// resource now, its 403 unauthorized. Not 429 rate_limit_exceeded,
	// which it marks retryable: waiting does not settle a bill.
	apierrors.PaymentRequired: {403, "forbidden", "unauthorized"},
	// Its invalid_request names size among the causes.
	apierrors.RequestTooLarge: {400, "bad_request", "invalid_request"},

	// The account cannot serve this model as configured: a field (model)
	// that does not fit, not a model it has never heard of.
	apierrors.NoBYOKKey:      {400, "bad_request", "invalid_argument"},
	apierrors.NoGeminiKey:    {400, "bad_request", "invalid_argument"},
	apierrors.NoAnthropicKey: {400, "bad_request", "invalid_argument"},

	apierrors.MissingModel:       {400, "bad_request", "invalid_argument"},
	apierrors.MissingStartWithin: {400, "bad_request", "invalid_argument"},
	apierrors.InvalidStartWithin: {400, "bad_request", "invalid_argument"},
	// The model exists, so not unknown_model (404).
	apierrors.ModelNotFlexCapable:         {400, "bad_request", "invalid_argument"},
	apierrors.AutoUnsupportedForGemini:    {400, "bad_request", "invalid_argument"},
	apierrors.FlexUnsupportedForAnthropic: {400, "bad_request", "invalid_argument"},
	apierrors.MissingMaxTokens:            {400, "bad_request", "invalid_argument"},
	apierrors.ServiceTierNotAllowed:       {400, "bad_request", "invalid_argument"},
	apierrors.UnsupportedParameter:        {400, "bad_request", "invalid_argument"},
	apierrors.UnsupportedGenerationConfig: {400, "bad_request", "invalid_argument"},
	apierrors.UnsupportedValue:            {400, "bad_request", "invalid_argument"},
	apierrors.InvalidJSON:                 {400, "bad_request", "invalid_request"},
	apierrors.InvalidBody:                 {400, "bad_request", "invalid_request"},
	apierrors.UnknownURL:                  {404, "not_found", "not_found"},
	// No 405: its not_found is "the requested endpoint does not exist",
	// and no endpoint answers this method.
	apierrors.MethodNotAllowed: {404, "not_found", "not_found"},
	// No 499 and no code for it; the request's own fault, its generic 400.
	apierrors.ClientClosedRequest: {400, "bad_request", "invalid_request"},
	apierrors.InternalError:       {500, "internal_server_error", "internal_error"},
	// Its stream_terminated: the model's side ended the stream early.
	apierrors.UpstreamStreamFailed: {502, "bad_gateway", "stream_terminated"},
}
