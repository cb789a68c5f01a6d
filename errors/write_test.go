package errors

import (
	"encoding/json"
	stderrors "errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writtenBody is the error body as a client decodes it. Fields is kept as a
// map so a missing "param" key is told apart from a null one.
type writtenBody struct {
	Message string
	Type    string
	Code    string
	Param   any // nil for JSON null, else a string
}

// write runs Write on a recorder and decodes what it produced.
func write(t *testing.T, err error) (*httptest.ResponseRecorder, writtenBody) {
	t.Helper()
	rec := httptest.NewRecorder()
	Write(rec, err)
	return rec, decodeBody(t, rec.Body.Bytes())
}

func decodeBody(t *testing.T, raw []byte) writtenBody {
	t.Helper()
	require.Truef(t, json.Valid(raw), "body is not valid JSON: %q", raw)
	var outer map[string]map[string]any
	require.NoError(t, json.Unmarshal(raw, &outer))
	require.Len(t, outer, 1, "the body holds only the error object")
	fields, ok := outer["error"]
	require.True(t, ok, `the body has an "error" object`)
	for _, key := range []string{"message", "type", "code", "param"} {
		require.Containsf(t, fields, key, "the error object has %q", key)
	}
	require.Len(t, fields, 4)
	var b writtenBody
	b.Message, ok = fields["message"].(string)
	require.True(t, ok, "message is a string")
	b.Type, ok = fields["type"].(string)
	require.True(t, ok, "type is a string")
	b.Code, ok = fields["code"].(string)
	require.True(t, ok, "code is a string")
	b.Param = fields["param"]
	if b.Param != nil {
		_, ok = b.Param.(string)
		require.True(t, ok, "param is null or a string")
	}
	return b
}

// paramOf renders a catalog param as it is decoded: "" is null.
func paramOf(p string) any {
	if p == "" {
		return nil
	}
	return p
}

func TestWriteRendersEveryCodeByTheCatalog(t *testing.T) {
	t.Parallel()
	for _, c := range Codes() {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			rec, body := write(t, New(c, "", ""))
			r := byCode[c]
			assert.Equal(t, r.status, rec.Code)
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			assert.Equal(t, strconv.Itoa(rec.Body.Len()), rec.Header().Get("Content-Length"))
			assert.Equal(t, r.message, body.Message)
			assert.Equal(t, string(r.typ), body.Type)
			assert.Equal(t, c.String(), body.Code)
			assert.Equal(t, paramOf(r.param), body.Param)

			if c == MethodNotAllowed {
				assert.Equal(t, []string{"POST"}, rec.Header().Values("Allow"))
			} else {
				assert.Empty(t, rec.Header().Values("Allow"), "only a 405 says Allow")
			}
			if c != RateLimitExceeded {
				assert.Empty(t, rec.Header().Values("Retry-After"), "only a 429 says Retry-After")
			}
		})
	}
}

func TestWriteSetsRetryAfterForEachLimiter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"a plain rate_limit_exceeded is the per-organisation limiter", New(RateLimitExceeded, "", ""), "5"},
		{"the per-organisation limiter waits five seconds", RateLimited(RetryAfterPerOrg), "5"},
		{"the failed-authentication limiter waits a minute", RateLimited(RetryAfterAuthFlood), "60"},
		{"a part second rounds up, never down to zero", RateLimited(1500 * time.Millisecond), "2"},
		{"a custom message keeps the limiter's wait", New(RateLimitExceeded, "", "Slow down."), "5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, body := write(t, tt.err)
			assert.Equal(t, http.StatusTooManyRequests, rec.Code)
			assert.Equal(t, []string{tt.want}, rec.Header().Values("Retry-After"))
			assert.Equal(t, "rate_limit_exceeded", body.Code)
			assert.Equal(t, "rate_limit_error", body.Type)
		})
	}
}

func TestWriteRendersACustomParamAndMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		err         *Error
		wantMessage string
		wantParam   any
	}{
		{"a param overrides the code's default", New(UnsupportedParameter, "messages[0].content[2].cache_control", ""),
			byCode[UnsupportedParameter].message, "messages[0].content[2].cache_control"},
		{"a param fills a null default", New(InvalidJSON, "tools", ""),
			byCode[InvalidJSON].message, "tools"},
		{"a message overrides the catalog's and keeps the default param", New(MissingModel, "", "model must be a string, not a number."),
			"model must be a string, not a number.", "model"},
		{"a message and a param together", New(MissingMaxTokens, "max_output_tokens", "Set max_output_tokens."),
			"Set max_output_tokens.", "max_output_tokens"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, body := write(t, tt.err)
			assert.Equal(t, tt.err.Status(), rec.Code)
			assert.Equal(t, tt.wantMessage, body.Message)
			assert.Equal(t, tt.wantParam, body.Param)
			assert.Equal(t, tt.err.Code().String(), body.Code)
		})
	}
}

func TestWriteKeepsHostileTextValidJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
	}{
		{"quotes and backslashes", `say "hi" \ then \" leave`},
		{"control characters", "a\x00b\x01c\x1fd\ne\rf\tg\bh\fi\x7f"},
		{"html metacharacters", `</script><script>alert(1)&amp;</script>`},
		{"invalid UTF-8", "bad \xff\xfe bytes \xe2\x82 cut \xc0\xaf"},
		{"JavaScript line separators", "one\u2028two\u2029three"},
		{"a closing brace that tries to end the object", `"},"code":"forged","x":{"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, body := write(t, New(InvalidBody, tt.text, tt.text))
			raw := rec.Body.String()
			assert.True(t, utf8.ValidString(raw), "body is valid UTF-8")
			assert.NotContains(t, raw, "<", "HTML metacharacters are escaped")
			assert.NotContains(t, raw, "\u2028", "line separators are escaped")
			assert.Equal(t, "invalid_body", body.Code)
			if utf8.ValidString(tt.text) {
				assert.Equal(t, tt.text, body.Message)
				assert.Equal(t, tt.text, body.Param)
			}
		})
	}
}

func TestWriteAnswersOtherErrorsSafely(t *testing.T) {
	t.Parallel()
	wrapped := fmt.Errorf("validate: %w", New(UnsupportedParameter, "logit_bias", ""))
	tests := []struct {
		name      string
		err       error
		wantCode  string
		wantParam any
	}{
		{"a plain error is an internal error that does not leak its text", stderrors.New("boom"), "internal_error", nil},
		{"a wrapped Error keeps its code and param", wrapped, "unsupported_parameter", "logit_bias"},
		{"a doubly wrapped Error keeps its code", fmt.Errorf("outer: %w", wrapped), "unsupported_parameter", "logit_bias"},
		{"a nil *Error is an internal error", (*Error)(nil), "internal_error", nil},
		{"a nil error is an internal error", nil, "internal_error", nil},
		{"an Error built with a code outside the catalog is an internal error", New("boom", "boom", "boom"), "internal_error", nil},
		{"a plain error wrapped around boom still hides it", fmt.Errorf("boom: %w", stderrors.New("boom")), "internal_error", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, body := write(t, tt.err)
			assert.Equal(t, tt.wantCode, body.Code)
			assert.Equal(t, tt.wantParam, body.Param)
			assert.NotContains(t, rec.Body.String(), "boom")
			assert.Equal(t, byCode[Code(tt.wantCode)].status, rec.Code)
		})
	}
}

func TestMarshalJSONReturnsACopy(t *testing.T) {
	t.Parallel()
	for _, e := range []*Error{New(MissingModel, "", ""), New(UnsupportedParameter, "seed", "")} {
		first, err := e.MarshalJSON()
		require.NoError(t, err)
		want := string(first)
		for i := range first {
			first[i] = 'X'
		}
		again, err := e.MarshalJSON()
		require.NoError(t, err)
		assert.Equal(t, want, string(again))

		rec, _ := write(t, e)
		assert.Equal(t, want, rec.Body.String(), "Write renders what MarshalJSON does")
	}
}

func TestMarshalJSONEmbedsAsTheErrorBody(t *testing.T) {
	t.Parallel()
	raw, err := json.Marshal(struct{ E *Error }{New(InvalidStartWithin, "start_within", "")})
	require.NoError(t, err)
	var got struct{ E map[string]map[string]any }
	require.NoError(t, json.Unmarshal(raw, &got))
	assert.Equal(t, "invalid_start_within", got.E["error"]["code"])
}

func BenchmarkWrite(b *testing.B) {
	benchmarks := []struct {
		name string
		err  error
	}{
		{"default", New(MissingModel, "", "")},
		{"custom param", New(UnsupportedParameter, "messages[0].content[2].cache_control", "")},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			w := &discardWriter{header: http.Header{}}
			Write(w, bm.err)
			b.SetBytes(int64(w.n))
			b.ReportAllocs()
			for b.Loop() {
				clear(w.header)
				Write(w, bm.err)
			}
		})
	}
}

// discardWriter is a ResponseWriter that keeps nothing but the headers, so
// the benchmark measures Write rather than a recorder's buffer.
type discardWriter struct {
	header http.Header
	n      int
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) WriteHeader(int)     {}
func (w *discardWriter) Write(p []byte) (int, error) {
	w.n = len(p)
	return len(p), nil
}
