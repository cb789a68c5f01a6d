package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
)

// saysTooDeep reports whether err is the invalid_json that names the depth
// limit.
func saysTooDeep(err *apierrors.Error) bool {
	return err != nil && err.Code() == apierrors.InvalidJSON && err.Message() == tooDeepMessage
}

// The depth is counted in the one pass that checks the JSON, as a parser
// counts it: brackets outside strings, and the first problem in reading
// order is the one named.
func TestCheckJSONCountsDepthAsAParserDoes(t *testing.T) {
	t.Parallel()
	deep := func(n int, open, close string) string {
		return strings.Repeat(open, n) + strings.Repeat(close, n)
	}
	const valid apierrors.Code = ""
	cases := []struct {
		name        string
		body        string
		wantCode    apierrors.Code
		wantTooDeep bool
	}{
		{"an ordinary megabyte of short turns passes", string(parseBodies[3].body), valid, false},
		{"an object nesting exactly 10,000 levels passes", string(nestedArrays(MaxDepth)), valid, false},
		{"exactly 10,000 arrays are not too deep", deep(MaxDepth, "[", "]"), apierrors.InvalidBody, false},
		{"10,001 arrays are too deep", deep(MaxDepth+1, "[", "]"), apierrors.InvalidJSON, true},
		{"10,001 objects are too deep", deep(MaxDepth+1, `{"a":`, "}"), apierrors.InvalidJSON, true},
		{"10,001 unclosed brackets are too deep", strings.Repeat("[", MaxDepth+1), apierrors.InvalidJSON, true},
		{"brackets inside a string do not count", `["` + strings.Repeat("[", 2*MaxDepth) + `"]`, apierrors.InvalidBody, false},
		{"an escaped quote does not end the string", `["\"` + strings.Repeat("[", 2*MaxDepth) + `"]`, apierrors.InvalidBody, false},
		{"an escaped backslash before a quote does end it", `["\\",` + deep(MaxDepth, "[", "]") + `]`, apierrors.InvalidJSON, true},
		{"closes inside a string do not hide depth", strings.Repeat(`["]]]",`, MaxDepth+1), apierrors.InvalidJSON, true},
		{"many shallow arrays are not too deep", "[" + strings.Repeat("[1],", 3*MaxDepth) + "1]", apierrors.InvalidBody, false},
		{"depth reached late after many shallow arrays", "[" + strings.Repeat("[],", 2*MaxDepth) + strings.Repeat("[", MaxDepth), apierrors.InvalidJSON, true},
		{"a trailing backslash after the limit changes nothing", strings.Repeat("[", MaxDepth+1) + `"\`, apierrors.InvalidJSON, true},
		{"a syntax error before the limit is the problem named", "[}" + strings.Repeat("[", MaxDepth+1), apierrors.InvalidJSON, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := CheckJSON([]byte(c.body))
			assert.Equal(t, c.wantCode, codeOf(err))
			assert.Equal(t, c.wantTooDeep, saysTooDeep(err), "the message: %v", err)
			assert.Equal(t, c.wantTooDeep, decoderTooDeep([]byte(c.body)), "encoding/json's verdict")
		})
	}
}

// decoderTooDeep reports whether encoding/json's first complaint about
// body is its nesting limit.
func decoderTooDeep(body []byte) bool {
	var raw json.RawMessage
	var syntax *json.SyntaxError
	err := json.Unmarshal(body, &raw)
	return errors.As(err, &syntax) && strings.HasSuffix(syntax.Error(), "exceeded max depth")
}

// FuzzTooDeep checks that CheckJSON names the depth limit exactly when
// encoding/json's first complaint is its own nesting limit. The fuzzer's
// inputs are short, so each is also tried repeated past the limit. Bodies
// that are not UTF-8 are left out: encoding/json lets invalid UTF-8 in
// strings through, so the first complaints may differ there.
func FuzzTooDeep(f *testing.F) {
	for _, seed := range []string{`[`, `{"a":[`, `"[\"`, `[\\"`, `]`, `["]"]`, `[[1],`, "[\"\\\\\\\"[\"", `{"a":"\u005b"}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, chunk []byte) {
		if len(chunk) == 0 || !utf8.Valid(chunk) {
			return
		}
		for _, body := range [][]byte{chunk, bytes.Repeat(chunk, 2*MaxDepth/len(chunk)+1)} {
			err := CheckJSON(body)
			require.Equal(t, decoderTooDeep(body), saysTooDeep(err),
				"CheckJSON said %v on %d repeats of %q", err, len(body)/len(chunk), chunk)
		}
	})
}
