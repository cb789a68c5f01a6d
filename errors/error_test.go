package errors

import (
	stderrors "errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"a code with a default param names it", New(MissingModel),
			"flexguard: missing_model (param model): " + MissingModel.DefaultMessage()},
		{"a code with a null param leaves it out", New(InvalidJSON),
			"flexguard: invalid_json: " + InvalidJSON.DefaultMessage()},
		{"an occurrence's param replaces the default", NewParam(UnsupportedParameter, "tools[1].cache_control"),
			"flexguard: unsupported_parameter (param tools[1].cache_control): " + UnsupportedParameter.DefaultMessage()},
		{"an occurrence's message replaces the catalog's", NewMessage(InvalidStartWithin, "", "too long"),
			"flexguard: invalid_start_within (param start_within): too long"},
		{"an invalid code says so and falls back to the internal message", &Error{Code: 0},
			"flexguard: code(0): " + InternalError.DefaultMessage()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

func TestConstructors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  *Error
		want Error
	}{
		{"New keeps the catalog defaults", New(MissingModel), Error{Code: MissingModel}},
		{"New gives rate_limit_exceeded the per-organisation wait", New(RateLimitExceeded), Error{Code: RateLimitExceeded, RetryAfter: RetryAfterPerOrg}},
		{"NewParam names the field", NewParam(UnsupportedParameter, "seed"), Error{Code: UnsupportedParameter, Param: "seed"}},
		{"NewMessage sets both", NewMessage(InvalidBody, "x", "m"), Error{Code: InvalidBody, Param: "x", Message: "m"}},
		{"OrgRateLimited waits five seconds", OrgRateLimited(), Error{Code: RateLimitExceeded, RetryAfter: RetryAfterPerOrg}},
		{"AuthFloodLimited waits a minute", AuthFloodLimited(), Error{Code: RateLimitExceeded, RetryAfter: RetryAfterAuthFlood}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, *tt.got)
			assert.Equal(t, tt.want.Code.Status(), tt.got.Status())
			assert.Equal(t, tt.want.Code.Type(), tt.got.Type())
		})
	}
}

func TestErrorsIsMatchesByCode(t *testing.T) {
	t.Parallel()
	occurrence := NewMessage(UnsupportedParameter, "logit_bias", "logit_bias is not supported.")
	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"any occurrence matches the code's sentinel", occurrence, New(UnsupportedParameter), true},
		{"a wrapped occurrence matches", fmt.Errorf("chat: %w", occurrence), New(UnsupportedParameter), true},
		{"params and messages do not matter", NewParam(MissingModel, "a"), NewMessage(MissingModel, "b", "c"), true},
		{"different Retry-After waits are still the same code", AuthFloodLimited(), OrgRateLimited(), true},
		{"another code does not match", occurrence, New(UnsupportedValue), false},
		{"a plain error does not match", stderrors.New("unsupported_parameter"), New(UnsupportedParameter), false},
		{"an Error does not match a plain error", occurrence, stderrors.New("unsupported_parameter"), false},
		{"a nil *Error target does not match and does not panic", occurrence, (*Error)(nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, stderrors.Is(tt.err, tt.target))
		})
	}
}

func TestErrorsAsFindsTheOccurrence(t *testing.T) {
	t.Parallel()
	occurrence := NewParam(UnsupportedGenerationConfig, "generation_config.stop_sequences")
	var got *Error
	require.True(t, stderrors.As(fmt.Errorf("interactions: %w", occurrence), &got))
	assert.Same(t, occurrence, got)
}

func TestQuote(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 100)
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"a short value is quoted whole", "gpt-5.5", `"gpt-5.5"`},
		{"an empty value is an empty quote", "", `""`},
		{"exactly 64 bytes is not cut", long[:64], strconv.Quote(long[:64])},
		{"65 bytes are cut to 64 and marked", long[:65], `"` + long[:64] + `…"`},
		{"a long value is cut to 64 and marked", long, `"` + long[:64] + `…"`},
		{"control characters are escaped", "a\x00b\nc\x1b", `"a\x00b\nc\x1b"`},
		{"quotes and backslashes are escaped", `a"b\c`, `"a\"b\\c"`},
		{"a line separator is escaped", "a\u2028b", `"a\u2028b"`},
		{"invalid UTF-8 is escaped", "a\xffb", `"a\xffb"`},
		{"a two-byte rune straddling the cut is dropped whole", long[:63] + "é" + long, `"` + long[:63] + `…"`},
		{"a four-byte rune straddling the cut is dropped whole", long[:62] + "😀" + long, `"` + long[:62] + `…"`},
		{"a rune ending exactly at the cut is kept", long[:60] + "😀" + long, `"` + long[:60] + `😀…"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Quote(tt.in))
		})
	}
}

func TestQuoteNeverSplitsARune(t *testing.T) {
	t.Parallel()
	// Every alignment of every rune width against the 64-byte cut.
	for _, r := range []string{"é", "€", "😀"} {
		for pad := range 8 {
			in := strings.Repeat("x", pad) + strings.Repeat(r, 40)
			got := Quote(in)
			unquoted, err := strconv.Unquote(strings.TrimSuffix(got, `…"`) + `"`)
			require.NoError(t, err, got)
			assert.True(t, utf8.ValidString(unquoted), "Quote(%q) = %s", in, got)
			assert.LessOrEqual(t, len(unquoted), maxQuoted)
			assert.Greater(t, len(unquoted), maxQuoted-utf8.UTFMax)
			assert.True(t, strings.HasPrefix(in, unquoted))
			assert.True(t, strings.HasSuffix(got, `…"`))
		}
	}
}

func TestQuoteBoundsHostileInput(t *testing.T) {
	t.Parallel()
	// Every byte escaped as \xNN quadruples the size; the cut comes first.
	got := Quote(strings.Repeat("\x00", 1<<20))
	assert.LessOrEqual(t, len(got), 4*maxQuoted+len(`""…`))
}
