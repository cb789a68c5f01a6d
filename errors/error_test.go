package errors

import (
	stderrors "errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		got         *Error
		wantCode    Code
		wantStatus  int
		wantParam   string
		wantMessage string
		wantWait    time.Duration
	}{
		{"the catalog defaults stay when param and message are empty", New(MissingModel, "", ""),
			MissingModel, 400, "model", byCode[MissingModel].message, 0},
		{"a param names the exact field", New(UnsupportedParameter, "messages[0].content[1].cache_control", ""),
			UnsupportedParameter, 400, "messages[0].content[1].cache_control", byCode[UnsupportedParameter].message, 0},
		{"a message replaces the catalog's and keeps the default param", New(InvalidStartWithin, "", "too long"),
			InvalidStartWithin, 400, "start_within", "too long", 0},
		{"rate_limit_exceeded waits the per-organisation time", New(RateLimitExceeded, "", ""),
			RateLimitExceeded, 429, "", byCode[RateLimitExceeded].message, RetryAfterPerOrg},
		{"a code outside the catalog is answered as internal_error", New("no_such_code", "x", "leak"),
			InternalError, 500, "", byCode[InternalError].message, 0},
		{"the zero code is answered as internal_error", New("", "", ""),
			InternalError, 500, "", byCode[InternalError].message, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.wantCode, tt.got.Code())
			assert.Equal(t, tt.wantStatus, tt.got.Status())
			assert.Equal(t, tt.wantParam, tt.got.Param())
			assert.Equal(t, tt.wantMessage, tt.got.Message())
			assert.Equal(t, tt.wantWait, tt.got.RetryAfter())
		})
	}
}

func TestRateLimited(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		wait time.Duration
		want time.Duration
	}{
		{"the failed-authentication limiter waits a minute", RetryAfterAuthFlood, 60 * time.Second},
		{"the per-organisation limiter waits five seconds", RetryAfterPerOrg, 5 * time.Second},
		{"a part second rounds up", 1500 * time.Millisecond, 2 * time.Second},
		{"no wait still asks for one second", 0, time.Second},
		{"a negative wait still asks for one second", -time.Hour, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := RateLimited(tt.wait)
			assert.Equal(t, RateLimitExceeded, e.Code())
			assert.Equal(t, 429, e.Status())
			assert.Equal(t, TypeRateLimit, e.Type())
			assert.Equal(t, tt.want, e.RetryAfter())
		})
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"a code with a default param names it", New(MissingModel, "", ""),
			"flexguard: missing_model (param model): " + byCode[MissingModel].message},
		{"a code with a null param leaves it out", New(InvalidJSON, "", ""),
			"flexguard: invalid_json: " + byCode[InvalidJSON].message},
		{"an occurrence's param and message are used", New(UnsupportedParameter, "tools[1].cache_control", "Remove it."),
			"flexguard: unsupported_parameter (param tools[1].cache_control): Remove it."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

func TestCodeOf(t *testing.T) {
	t.Parallel()
	occurrence := New(UnsupportedGenerationConfig, "generation_config.stop_sequences", "")
	custom, err := NewCustomCode("temperature_too_high", 422, "", "")
	require.NoError(t, err)
	tests := []struct {
		name string
		err  error
		want Code
	}{
		{"nil has no code", nil, ""},
		{"an *Error has its code", occurrence, UnsupportedGenerationConfig},
		{"a wrapped *Error has its code", fmt.Errorf("interactions: %w", occurrence), UnsupportedGenerationConfig},
		{"an embedder's code is its own name", custom.New("temperature", ""), "temperature_too_high"},
		{"any other error is an internal error", stderrors.New("boom"), InternalError},
		{"a nil *Error is an internal error", (*Error)(nil), InternalError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, CodeOf(tt.err))
		})
	}
}

func TestErrorsAsFindsTheOccurrence(t *testing.T) {
	t.Parallel()
	occurrence := New(UnsupportedGenerationConfig, "generation_config.stop_sequences", "")
	var got *Error
	require.True(t, stderrors.As(fmt.Errorf("interactions: %w", occurrence), &got))
	assert.Same(t, occurrence, got)
}
