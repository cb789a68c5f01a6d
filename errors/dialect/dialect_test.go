package dialect_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/errors/dialect"
	"github.com/flexinference/flexguard/middleware"
)

// want is what a dialect must answer for one canonical code, written out
// by hand from the gateways' documentation, apart from the tables in the
// package.
type want struct {
	status int
	typ    string
	code   string
}

var wantFireworks = map[string]want{
	"missing_api_key":                {401, "unauthorized", ""},
	"invalid_api_key":                {401, "unauthorized", ""},
	"rate_limit_exceeded":            {429, "over_quota", ""},
	"payment_required":               {402, "payment_required", ""},
	"request_too_large":              {413, "payload_too_large", ""},
	"no_byok_key":                    {400, "bad_request", ""},
	"no_gemini_key":                  {400, "bad_request", ""},
	"no_anthropic_key":               {400, "bad_request", ""},
	"missing_model":                  {400, "bad_request", ""},
	"missing_start_within":           {400, "bad_request", ""},
	"invalid_start_within":           {400, "bad_request", ""},
	"model_not_flex_capable":         {400, "bad_request", ""},
	"auto_unsupported_for_gemini":    {400, "bad_request", ""},
	"flex_unsupported_for_anthropic": {400, "bad_request", ""},
	"missing_max_tokens":             {400, "bad_request", ""},
	"service_tier_not_allowed":       {400, "bad_request", ""},
	"unsupported_parameter":          {400, "bad_request", ""},
	"unsupported_generation_config":  {400, "bad_request", ""},
	"unsupported_value":              {400, "bad_request", ""},
	"invalid_json":                   {400, "bad_request", ""},
	"invalid_body":                   {400, "bad_request", ""},
	"unknown_url":                    {404, "not_found", ""},
	"method_not_allowed":             {405, "method_not_allowed", ""},
	"client_closed_request":          {408, "request_timeout", ""},
	"internal_error":                 {500, "internal_server_error", ""},
	"upstream_stream_failed":         {502, "bad_gateway", ""},
}

var wantMSKeys = map[string]want{
	"missing_api_key":                {401, "authentication_error", "missing_api_key"},
	"invalid_api_key":                {401, "authentication_error", "invalid_api_key"},
	"rate_limit_exceeded":            {429, "rate_limit_error", "rate_limit_exceeded"},
	"payment_required":               {403, "billing_error", "payment_required"},
	"request_too_large":              {400, "invalid_request_error", "request_too_large"},
	"no_byok_key":                    {400, "invalid_request_error", "no_byok_key"},
	"no_gemini_key":                  {400, "invalid_request_error", "no_gemini_key"},
	"no_anthropic_key":               {400, "invalid_request_error", "no_anthropic_key"},
	"missing_model":                  {400, "invalid_request_error", "missing_model"},
	"missing_start_within":           {400, "invalid_request_error", "missing_start_within"},
	"invalid_start_within":           {400, "invalid_request_error", "invalid_start_within"},
	"model_not_flex_capable":         {400, "invalid_request_error", "model_not_flex_capable"},
	"auto_unsupported_for_gemini":    {400, "invalid_request_error", "auto_unsupported_for_gemini"},
	"flex_unsupported_for_anthropic": {400, "invalid_request_error", "flex_unsupported_for_anthropic"},
	"missing_max_tokens":             {400, "invalid_request_error", "missing_max_tokens"},
	"service_tier_not_allowed":       {400, "invalid_request_error", "service_tier_not_allowed"},
	"unsupported_parameter":          {400, "invalid_request_error", "unsupported_parameter"},
	"unsupported_generation_config":  {400, "invalid_request_error", "unsupported_generation_config"},
	"unsupported_value":              {400, "invalid_request_error", "unsupported_value"},
	"invalid_json":                   {400, "invalid_request_error", "invalid_json"},
	"invalid_body":                   {400, "invalid_request_error", "invalid_body"},
	"unknown_url":                    {404, "invalid_request_error", "unknown_url"},
	"method_not_allowed":             {404, "invalid_request_error", "method_not_allowed"},
	"client_closed_request":          {400, "client_error", "client_closed_request"},
	"internal_error":                 {500, "api_error", "internal_error"},
	"upstream_stream_failed":         {502, "api_error", "upstream_stream_failed"},
}

var wantGIP = map[string]want{
	"missing_api_key":                {401, "unauthorized", "missing_api_key"},
	"invalid_api_key":                {401, "unauthorized", "invalid_api_key"},
	"rate_limit_exceeded":            {429, "too_many_requests", "rate_limit_exceeded"},
	"payment_required":               {403, "forbidden", "unauthorized"},
	"request_too_large":              {400, "bad_request", "invalid_request"},
	"no_byok_key":                    {400, "bad_request", "invalid_argument"},
	"no_gemini_key":                  {400, "bad_request", "invalid_argument"},
	"no_anthropic_key":               {400, "bad_request", "invalid_argument"},
	"missing_model":                  {400, "bad_request", "invalid_argument"},
	"missing_start_within":           {400, "bad_request", "invalid_argument"},
	"invalid_start_within":           {400, "bad_request", "invalid_argument"},
	"model_not_flex_capable":         {400, "bad_request", "invalid_argument"},
	"auto_unsupported_for_gemini":    {400, "bad_request", "invalid_argument"},
	"flex_unsupported_for_anthropic": {400, "bad_request", "invalid_argument"},
	"missing_max_tokens":             {400, "bad_request", "invalid_argument"},
	"service_tier_not_allowed":       {400, "bad_request", "invalid_argument"},
	"unsupported_parameter":          {400, "bad_request", "invalid_argument"},
	"unsupported_generation_config":  {400, "bad_request", "invalid_argument"},
	"unsupported_value":              {400, "bad_request", "invalid_argument"},
	"invalid_json":                   {400, "bad_request", "invalid_request"},
	"invalid_body":                   {400, "bad_request", "invalid_request"},
	"unknown_url":                    {404, "not_found", "not_found"},
	"method_not_allowed":             {404, "not_found", "not_found"},
	"client_closed_request":          {400, "bad_request", "invalid_request"},
	"internal_error":                 {500, "internal_server_error", "internal_error"},
	"upstream_stream_failed":         {502, "bad_gateway", "stream_terminated"},
}

// The dialects' body shapes, decoded strictly: a field the shape does not
// have fails the decode. Pointers tell an absent field from an empty one.
type (
	fireworksBody struct {
		Error struct {
			Object  *string `json:"object"`
			Type    *string `json:"type"`
			Message *string `json:"message"`
			Param   *string `json:"param"`
		} `json:"error"`
	}
	codedBody struct { // mskeys and gip: the same three fields
		Error struct {
			Message *string `json:"message"`
			Type    *string `json:"type"`
			Code    *string `json:"code"`
		} `json:"error"`
	}
)

// decoded is a rendered body reduced to what the expectations compare.
type decoded struct {
	typ, code, message, param string
	hasParam                  bool
}

func decodeStrict(t *testing.T, body []byte, into any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(into), "body %s", body)
}

func decodeFireworks(t *testing.T, body []byte) decoded {
	var b fireworksBody
	decodeStrict(t, body, &b)
	e := b.Error
	require.NotNil(t, e.Object)
	require.Equal(t, "error", *e.Object)
	require.NotNil(t, e.Type)
	require.NotNil(t, e.Message)
	d := decoded{typ: *e.Type, message: *e.Message, hasParam: true}
	if e.Param != nil {
		d.param = *e.Param
	}
	require.Contains(t, string(body), `"param":`, "param is always present, null or not")
	return d
}

func decodeCoded(t *testing.T, body []byte) decoded {
	var b codedBody
	decodeStrict(t, body, &b)
	e := b.Error
	require.NotNil(t, e.Type)
	require.NotNil(t, e.Code)
	require.NotNil(t, e.Message)
	return decoded{typ: *e.Type, code: *e.Code, message: *e.Message}
}

var dialects = []struct {
	name   string
	want   map[string]want
	decode func(*testing.T, []byte) decoded
}{
	{"fireworks", wantFireworks, decodeFireworks},
	{"mskeys", wantMSKeys, decodeCoded},
	{"gip", wantGIP, decodeCoded},
}

func render(t *testing.T, w dialect.Writer, err *apierrors.Error) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	w(rec, httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil), err)
	return rec
}

func TestEveryCodeRendersAsTheDialectsNearestStatusAndCode(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		require.Len(t, d.want, len(apierrors.Codes()), "%s: the expectation covers the whole catalog", d.name)
		writer, ok := dialect.ByName(d.name)
		require.True(t, ok, d.name)
		for _, code := range apierrors.Codes() {
			t.Run(d.name+"/"+code.String(), func(t *testing.T) {
				t.Parallel()
				exp, ok := d.want[code.String()]
				require.True(t, ok, "no expectation for %s", code)

				err := apierrors.New(code, "", "")
				rec := render(t, writer, err)
				assert.Equal(t, exp.status, rec.Code)
				assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
				assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
				assert.Equal(t, rec.Body.Len(), atoi(t, rec.Header().Get("Content-Length")))

				got := d.decode(t, rec.Body.Bytes())
				assert.Equal(t, exp.typ, got.typ)
				assert.Equal(t, exp.code, got.code)
				assert.Equal(t, err.Message(), got.message, "the canonical message is kept")
				if got.hasParam {
					assert.Equal(t, err.Param(), got.param)
				}

				if exp.status == http.StatusMethodNotAllowed {
					assert.Equal(t, "POST", rec.Header().Get("Allow"))
				} else {
					assert.Empty(t, rec.Header().Values("Allow"))
				}
				if exp.status == http.StatusTooManyRequests {
					assert.Equal(t, "5", rec.Header().Get("Retry-After"))
				} else {
					assert.Empty(t, rec.Header().Values("Retry-After"))
				}
			})
		}
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	require.NoError(t, json.Unmarshal([]byte(s), &n), "not a number: %q", s)
	return n
}

func TestAnOccurrencesOwnMessageAndParamAreKept(t *testing.T) {
	t.Parallel()
	err := apierrors.New(apierrors.UnsupportedParameter, "messages[0].content[1].cache_control",
		`cache_control is not supported here; remove it. Quote: "x\"y"`)
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			w, _ := dialect.ByName(d.name)
			got := d.decode(t, render(t, w, err).Body.Bytes())
			assert.Equal(t, err.Message(), got.message)
			if got.hasParam {
				assert.Equal(t, err.Param(), got.param)
			}
		})
	}
}

func TestRetryAfterRoundsUpToWholeSeconds(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			w, _ := dialect.ByName(d.name)
			rec := render(t, w, apierrors.RateLimited(1500*time.Millisecond))
			assert.Equal(t, "2", rec.Header().Get("Retry-After"))
			rec = render(t, w, apierrors.RateLimited(apierrors.RetryAfterAuthFlood))
			assert.Equal(t, "60", rec.Header().Get("Retry-After"))
			rec = render(t, w, apierrors.New(apierrors.RateLimitExceeded, "", ""))
			assert.Equal(t, "5", rec.Header().Get("Retry-After"), "every 429 says how long to wait: the per-organisation wait by default")
		})
	}
}

// TestEmbedderCodesKeepTheirStatusInEveryDialect renders a custom code, as
// an embedder's schema produces it, in each dialect: its own status and
// name, never internal_error.
func TestEmbedderCodesKeepTheirStatusInEveryDialect(t *testing.T) {
	t.Parallel()
	tooHot, err := apierrors.NewCustomCode("temperature_too_high", 422, "", "")
	require.NoError(t, err)
	custom := tooHot.New("temperature", "temperature must be at most 1.")
	wantType := map[string]string{"fireworks": "unprocessable_entity", "gip": "unprocessable_entity", "mskeys": "invalid_request_error", "flexinference": "invalid_request_error"}
	wantCode := map[string]string{"fireworks": "", "gip": "temperature_too_high", "mskeys": "temperature_too_high", "flexinference": "temperature_too_high"}
	for _, name := range dialect.Names() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w, _ := dialect.ByName(name)
			rec := render(t, w, custom)
			require.Equal(t, 422, rec.Code, rec.Body.String())
			var body struct {
				Error map[string]any `json:"error"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
			assert.Equal(t, wantType[name], body.Error["type"])
			if wantCode[name] == "" {
				assert.NotContains(t, body.Error, "code")
			} else {
				assert.Equal(t, wantCode[name], body.Error["code"])
			}
			assert.Equal(t, "temperature must be at most 1.", body.Error["message"])
		})
	}
}

func TestANilOrUnknownErrorIsAnsweredAsInternalError(t *testing.T) {
	t.Parallel()
	for _, name := range dialect.Names() {
		w, _ := dialect.ByName(name)
		for _, err := range []*apierrors.Error{nil, apierrors.New("no_such_code", "", "secret detail"), apierrors.CustomCode{}.New("", "secret detail")} {
			rec := render(t, w, err)
			assert.Equal(t, http.StatusInternalServerError, rec.Code, name)
			assert.NotContains(t, rec.Body.String(), "secret detail", name)
			assert.Contains(t, rec.Body.String(), apierrors.New(apierrors.InternalError, "", "").Message()[:20], name)
		}
	}
}

func TestByNameKnowsEveryListedNameAndNothingElse(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []string{"fireworks", "flexinference", "gip", "mskeys"}, dialect.Names())
	for _, name := range dialect.Names() {
		w, ok := dialect.ByName(name)
		assert.True(t, ok, name)
		assert.NotNil(t, w, name)
	}
	for _, name := range []string{"", "Fireworks", "openai", " gip"} {
		_, ok := dialect.ByName(name)
		assert.False(t, ok, "%q", name)
	}
}

func TestFlexInferenceIsTheCanonicalWriter(t *testing.T) {
	t.Parallel()
	for _, code := range apierrors.Codes() {
		want := httptest.NewRecorder()
		apierrors.Write(want, apierrors.New(code, "", ""))
		got := render(t, dialect.FlexInference, apierrors.New(code, "", ""))
		assert.Equal(t, want.Code, got.Code, code.String())
		assert.Equal(t, want.Header(), got.Header(), code.String())
		assert.Equal(t, want.Body.String(), got.Body.String(), code.String())
	}
}

func TestADialectPlugsIntoTheMiddlewareChain(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, dialect, method, body string
		status                      int
		allow                       string
		fragment                    string
	}{
		{"fireworks keeps 405 and its Allow header", "fireworks", http.MethodGet, "", 405, "POST", `"type":"method_not_allowed"`},
		{"mskeys answers a wrong method as 404 without Allow", "mskeys", http.MethodGet, "", 404, "", `"code":"method_not_allowed"`},
		{"gip answers a missing model as invalid_argument", "gip", http.MethodPost, `{"start_within":"default"}`, 400, "", `"code":"invalid_argument"`},
		{"fireworks keeps the param of an unsupported parameter", "fireworks", http.MethodPost, `{"model":"gpt-5.5","start_within":"default","seed":1}`, 400, "", `"param":"seed"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w, ok := dialect.ByName(tc.dialect)
			require.True(t, ok)
			guard, err := middleware.New(middleware.Options{ErrorWriter: w})
			require.NoError(t, err)
			h := guard.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				t.Error("a rejected request reached the handler")
			}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, "/v1/chat/completions", strings.NewReader(tc.body)))
			assert.Equal(t, tc.status, rec.Code)
			assert.Equal(t, tc.allow, rec.Header().Get("Allow"))
			assert.Contains(t, rec.Body.String(), tc.fragment)
		})
	}
}
