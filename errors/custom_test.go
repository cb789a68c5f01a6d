package errors_test

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
)

func TestNewCustomCodeChecksItsDefinition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		code    string
		status  int
		wantErr string
	}{
		{"a snake_case name with an error status is accepted", "temperature_too_high", 422, ""},
		{"a 5xx status is accepted", "quota_backend_down", 503, ""},
		{"an empty name is refused", "", 400, "snake_case"},
		{"an upper-case name is refused", "Temperature", 400, "snake_case"},
		{"a name with a quote is refused", `a"b`, 400, "snake_case"},
		{"a name longer than 64 bytes is refused", strings.Repeat("a", 65), 400, "snake_case"},
		{"a catalog name is refused", "method_not_allowed", 405, "catalog code"},
		{"a success status is refused", "odd", 200, "400 to 599"},
		{"a status past 599 is refused", "odd", 600, "400 to 599"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := apierrors.NewCustomCode(tt.code, tt.status, "", "")
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.True(t, strings.HasPrefix(err.Error(), "flexguard/errors: "))
			assert.LessOrEqual(t, len(err.Error()), 200)
		})
	}
}

func TestCustomCodesRenderLikeCatalogCodes(t *testing.T) {
	t.Parallel()
	tooHot, err := apierrors.NewCustomCode("temperature_too_high", 422, "", "temperature must be at most 1.")
	require.NoError(t, err)
	blocked, err := apierrors.NewCustomCode("org_blocked", 403, "permission_error", "")
	require.NoError(t, err)
	slowDown, err := apierrors.NewCustomCode("tenant_quota", 429, "", "Quota used up.")
	require.NoError(t, err)
	tests := []struct {
		name           string
		err            *apierrors.Error
		wantStatus     int
		wantRetryAfter string
		wantBody       string
	}{
		{"its name, status and default message, typed invalid_request_error", tooHot.New("temperature", ""), 422, "",
			`{"error":{"message":"temperature must be at most 1.","type":"invalid_request_error","code":"temperature_too_high","param":"temperature"}}`},
		{"an occurrence's own message replaces the code's", tooHot.New("temperature", "Lower it."), 422, "",
			`{"error":{"message":"Lower it.","type":"invalid_request_error","code":"temperature_too_high","param":"temperature"}}`},
		{"no param is null, no message is a generic one", blocked.New("", ""), 403, "",
			`{"error":{"message":"The request does not meet this gateway's rules. Fix the field named by param.","type":"permission_error","code":"org_blocked","param":null}}`},
		{"a custom 429 tells the client how long to wait", slowDown.New("", ""), 429, "5",
			`{"error":{"message":"Quota used up.","type":"invalid_request_error","code":"tenant_quota","param":null}}`},
		{"the zero CustomCode is answered as internal_error", apierrors.CustomCode{}.New("x", "leak"), 500, "",
			`{"error":{"message":"` + apierrors.New(apierrors.InternalError, "", "").Message() + `","type":"api_error","code":"internal_error","param":null}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			apierrors.Write(rec, tt.err)
			require.Equal(t, tt.wantStatus, rec.Code)
			assert.Equal(t, tt.wantStatus, tt.err.Status())
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			assert.Equal(t, tt.wantRetryAfter, rec.Header().Get("Retry-After"))
			assert.Empty(t, rec.Header().Get("Allow"))
			assert.JSONEq(t, tt.wantBody, rec.Body.String())
			marshalled, err := json.Marshal(tt.err)
			require.NoError(t, err)
			assert.JSONEq(t, tt.wantBody, string(marshalled))
		})
	}
}
