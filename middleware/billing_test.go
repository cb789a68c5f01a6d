package middleware_test

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

func TestBillingAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		body       string
		overdue    bool
		lookupErr  error
		wantStatus int
		wantCode   string
		wantAsked  int32
	}{
		{"an overdue organisation's duration on gpt-5.5 is payment_required", `{"model":"gpt-5.5","start_within":"00h-00m-30s"}`, true, nil, 402, "payment_required", 1},
		{"an overdue organisation's duration on gemini is payment_required", `{"model":"gemini-3-pro","start_within":"00h-00m-30s"}`, true, nil, 402, "payment_required", 1},
		{"an organisation in good standing passes", `{"model":"gpt-5.5","start_within":"00h-00m-30s"}`, false, nil, 200, "", 1},
		{"a failed lookup is internal_error", `{"model":"gpt-5.5","start_within":"00h-00m-30s"}`, false, errors.New("billing db: connection refused"), 500, "internal_error", 1},
		{"default is not billed and not looked up", `{"model":"gpt-5.5","start_within":"default"}`, true, nil, 200, "", 0},
		{"priority is not billed and not looked up", `{"model":"gpt-5.5","start_within":"priority"}`, true, nil, 200, "", 0},
		{"auto is not billed and not looked up", `{"model":"gpt-5.5","start_within":"auto"}`, true, nil, 200, "", 0},
		{"a claude model is not billed and not looked up", `{"model":"claude-x","start_within":"auto","max_output_tokens":64}`, true, nil, 200, "", 0},
		{"a model off the flex list is answered without a lookup", `{"model":"gemini-nope","start_within":"00h-00m-30s"}`, true, nil, 400, "model_not_flex_capable", 0},
		{"an invalid start_within is answered without a lookup", `{"model":"gpt-5.5","start_within":"soon"}`, true, nil, 400, "invalid_start_within", 0},
		{"a missing model is answered without a lookup", `{"start_within":"00h-00m-30s"}`, true, nil, 400, "missing_model", 0},
		{"a missing model is answered before an invalid start_within", `{"start_within":"soon"}`, true, nil, 400, "missing_model", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var asked atomic.Int32
			opts := middleware.Options{OrgOverdue: func(*http.Request) (bool, error) {
				asked.Add(1)
				return tt.overdue, tt.lookupErr
			}}
			rec := serve(newGuard(t, opts).Billing(&okHandler{}), post("/v1/responses", tt.body))
			require.Equal(t, tt.wantStatus, rec.Code, rec.Body.String())
			code, _ := errorCode(t, rec)
			assert.Equal(t, tt.wantCode, code)
			assert.Equal(t, tt.wantAsked, asked.Load())
			assert.NotContains(t, rec.Body.String(), "connection refused", "a lookup error's text stays inside the gateway")
		})
	}
}

// payment_required is the one billing_error; internal_error is an api_error.
func TestBillingErrorTypes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		overdue  bool
		err      error
		wantType string
	}{
		{"an overdue balance is a billing_error", true, nil, `"type":"billing_error"`},
		{"a failed lookup is an api_error", false, errors.New("x"), `"type":"api_error"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := middleware.Options{OrgOverdue: func(*http.Request) (bool, error) { return tt.overdue, tt.err }}
			rec := serve(newGuard(t, opts).Billing(&okHandler{}), post("/v1/responses", `{"model":"gpt-5.5","start_within":"00h-00m-30s"}`))
			assert.True(t, strings.Contains(rec.Body.String(), tt.wantType), rec.Body.String())
		})
	}
}

// With Options.HasProviderKey set, Billing asks the key store first: an
// organisation without a key is told so, not billed.
func TestBillingAsksForTheProviderKeyFirst(t *testing.T) {
	t.Parallel()
	var billingAsked atomic.Int32
	g := newGuard(t, middleware.Options{
		HasProviderKey: func(*http.Request, validate.Provider) (bool, error) { return false, nil },
		OrgOverdue: func(*http.Request) (bool, error) {
			billingAsked.Add(1)
			return true, nil
		},
	})
	rec := serve(g.Billing(&okHandler{}), post("/v1/responses", `{"model":"gpt-5.5","start_within":"00h-00m-30s"}`))
	code, _ := errorCode(t, rec)
	assert.Equal(t, "no_byok_key", code)
	assert.Zero(t, billingAsked.Load())
}
