package errors_test

import (
	"encoding/json"
	stderrors "errors"
	"net/http/httptest"
	"testing"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteRendersCustomCodes(t *testing.T) {
	t.Parallel()
	tooHot := apierrors.CustomCode{Name: "temperature_too_high", Status: 422, Message: "temperature must be at most 1."}
	tests := []struct {
		name       string
		err        *apierrors.Error
		wantStatus int
		wantBody   string
	}{
		{
			name:       "a custom code renders its name, status and default message with the invalid_request_error type",
			err:        apierrors.NewCustom(tooHot, "temperature", ""),
			wantStatus: 422,
			wantBody:   `{"error":{"message":"temperature must be at most 1.","type":"invalid_request_error","code":"temperature_too_high","param":"temperature"}}`,
		},
		{
			name:       "an occurrence's own message replaces the custom code's",
			err:        apierrors.NewCustom(tooHot, "temperature", "Lower it."),
			wantStatus: 422,
			wantBody:   `{"error":{"message":"Lower it.","type":"invalid_request_error","code":"temperature_too_high","param":"temperature"}}`,
		},
		{
			name:       "a custom code without param renders param as null and falls back to a generic message",
			err:        apierrors.NewCustom(apierrors.CustomCode{Name: "org_blocked", Status: 403, Type: "permission_error"}, "", ""),
			wantStatus: 403,
			wantBody:   `{"error":{"message":"The request does not meet this gateway's rules. Fix the field named by param.","type":"permission_error","code":"org_blocked","param":null}}`,
		},
		{
			name:       "an embedder's text in name and type is escaped",
			err:        apierrors.NewCustom(apierrors.CustomCode{Name: `a"b`, Status: 400, Type: `t"y`}, "", "m"),
			wantStatus: 400,
			wantBody:   `{"error":{"message":"m","type":"t\"y","code":"a\"b","param":null}}`,
		},
		{
			name:       "a custom code with a status outside 400 to 599 is answered as internal_error",
			err:        apierrors.NewCustom(apierrors.CustomCode{Name: "odd", Status: 200}, "", ""),
			wantStatus: 500,
		},
		{
			name:       "a custom code without a name is answered as internal_error",
			err:        apierrors.NewCustom(apierrors.CustomCode{Status: 400}, "", ""),
			wantStatus: 500,
		},
		{
			name:       "a custom code named like a catalog code with 405 gets no Allow header but still renders",
			err:        apierrors.NewCustom(apierrors.CustomCode{Name: "method_not_allowed", Status: 405}, "", "no"),
			wantStatus: 405,
			wantBody:   `{"error":{"message":"no","type":"invalid_request_error","code":"method_not_allowed","param":null}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			apierrors.Write(rec, tt.err)
			require.Equal(t, tt.wantStatus, rec.Code)
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			assert.Empty(t, rec.Header().Get("Allow"))
			if tt.wantStatus == 500 {
				assert.Contains(t, rec.Body.String(), `"code":"internal_error"`)
				return
			}
			assert.JSONEq(t, tt.wantBody, rec.Body.String())
			assert.True(t, json.Valid(rec.Body.Bytes()))
			marshalled, err := json.Marshal(tt.err)
			require.NoError(t, err)
			assert.JSONEq(t, tt.wantBody, string(marshalled))
		})
	}
}

func TestCustomCodesMatchByName(t *testing.T) {
	t.Parallel()
	a := apierrors.NewCustom(apierrors.CustomCode{Name: "temperature_too_high", Status: 400}, "temperature", "")
	tests := []struct {
		name   string
		target error
		want   bool
	}{
		{"the same custom name matches whatever the status", apierrors.NewCustom(apierrors.CustomCode{Name: "temperature_too_high", Status: 422}, "", ""), true},
		{"another custom name does not match", apierrors.NewCustom(apierrors.CustomCode{Name: "top_p_too_high", Status: 400}, "", ""), false},
		{"a catalog code does not match a custom one", apierrors.New(apierrors.InvalidBody), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, stderrors.Is(a, tt.target))
			assert.Equal(t, tt.want, stderrors.Is(tt.target, a))
		})
	}
	assert.Equal(t, "flexguard: temperature_too_high (param temperature): The request does not meet this gateway's rules. Fix the field named by param.", a.Error())
	assert.Equal(t, 400, a.Status())
	assert.Equal(t, apierrors.TypeInvalidRequest, a.Type())
}

func TestCatalogErrorsRenderAsBefore(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	apierrors.Write(rec, apierrors.New(apierrors.MethodNotAllowed))
	assert.Equal(t, 405, rec.Code)
	assert.Equal(t, "POST", rec.Header().Get("Allow"))
	assert.JSONEq(t, `{"error":{"message":"Requests to this path must use the POST method; resend it as POST, with the JSON request as its body.","type":"invalid_request_error","code":"method_not_allowed","param":null}}`, rec.Body.String())
}
