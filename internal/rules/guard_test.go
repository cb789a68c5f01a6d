package rules

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// referenceTooDeep is the plain byte-at-a-time walk that tooDeep must
// agree with: brackets outside strings, strings ended by a quote that an
// odd run of backslashes does not escape.
func referenceTooDeep(body []byte) bool {
	depth, inString := 0, false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			if depth++; depth > MaxDepth {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}

func TestTooDeepAgreesWithAPlainWalk(t *testing.T) {
	t.Parallel()
	deep := func(n int, open, close string) string {
		return strings.Repeat(open, n) + strings.Repeat(close, n)
	}
	cases := []struct {
		name string
		body string
		want bool
	}{
		{"an ordinary megabyte is not too deep", string(guardBodies[3].body), false},
		{"exactly 10,000 arrays are not too deep", deep(MaxDepth, "[", "]"), false},
		{"10,001 arrays are too deep", deep(MaxDepth+1, "[", "]"), true},
		{"10,001 objects are too deep", deep(MaxDepth+1, `{"a":`, "}"), true},
		{"10,001 unclosed brackets are too deep", strings.Repeat("[", MaxDepth+1), true},
		{"brackets inside a string do not count", `["` + strings.Repeat("[", 2*MaxDepth) + `"]`, false},
		{"an escaped quote does not end the string", `["\"` + strings.Repeat("[", 2*MaxDepth) + `"]`, false},
		{"an escaped backslash before a quote does end it", `["\\"` + strings.Repeat("[", MaxDepth+1), true},
		{"closes inside a string do not hide depth", strings.Repeat(`["]]]",`, MaxDepth+1), true},
		{"many shallow arrays are not too deep", "[" + strings.Repeat("[1],", 3*MaxDepth) + "1]", false},
		{"depth reached late after many shallow arrays", strings.Repeat("[],", 2*MaxDepth) + strings.Repeat("[", MaxDepth+1), true},
		{"a trailing backslash ends the walk", strings.Repeat("[", MaxDepth+1) + `"\`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, c.want, referenceTooDeep([]byte(c.body)), "the reference")
			assert.Equal(t, c.want, tooDeep([]byte(c.body)))
		})
	}
}

// FuzzTooDeep checks tooDeep (string skipping, early exit) against the
// plain walk. The fuzzer's inputs are short, so each is also tried
// repeated past the point where the exact walk runs.
func FuzzTooDeep(f *testing.F) {
	for _, seed := range []string{`[`, `{"a":[`, `"[\"`, `[\\"`, `]`, `["]"]`, `[[1],`, "[\"\\\\\\\"[\"", `{"a":"\u005b"}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, chunk []byte) {
		if len(chunk) == 0 {
			return
		}
		for _, body := range [][]byte{chunk, bytes.Repeat(chunk, 2*MaxDepth/len(chunk)+1)} {
			if got, want := tooDeep(body), referenceTooDeep(body); got != want {
				t.Fatalf("tooDeep=%v, the plain walk %v, on %d repeats of %q", got, want, len(body)/len(chunk), chunk)
			}
		}
	})
}
