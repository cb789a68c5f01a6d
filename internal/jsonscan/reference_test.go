package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// The reference judges a body with encoding/json and unicode/utf8 alone:
// everything Scan promises is checked against it.

// referenceResult is what Scan must answer for body: the earlier of
// encoding/json's syntax error and the first invalid UTF-8 byte. On a tie
// (a non-ASCII byte outside any string) encoding/json's answer wins: the
// byte cannot start a token, whatever its encoding.
func referenceResult(body []byte) Result {
	res := Result{Object: bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{"))}
	jsonAt, jsonProblem := referenceSyntax(body)
	utfAt := firstInvalidUTF8(body)
	switch {
	case utfAt >= 0 && (jsonAt < 0 || utfAt < jsonAt):
		res.Problem, res.Offset = InvalidUTF8, utfAt
	case jsonAt >= 0:
		res.Problem, res.Offset = jsonProblem, jsonAt
	}
	return res
}

// referenceSyntax returns the offset of the byte at which encoding/json's
// scanner fails (len(body) when the body ends too soon), and whether it
// failed on depth; -1 when it accepts the body.
func referenceSyntax(body []byte) (int, Problem) {
	offset, message := jsonError(body)
	if offset < 0 {
		return -1, None
	}
	problem := Syntax
	if strings.Contains(message, "exceeded max depth") {
		problem = TooDeep
	}
	// The scanner counts a byte before failing on it, and fails at the end
	// of the body without counting anything: an offset of len(body) is
	// either. Another byte tells them apart: it moves only a failure at
	// the end.
	if offset == len(body) {
		if more, _ := jsonError(append(body[:len(body):len(body)], ' ')); more != len(body) {
			return len(body), problem
		}
	}
	return offset - 1, problem
}

// jsonError returns encoding/json's syntax error offset and message for
// body, or -1.
func jsonError(body []byte) (int, string) {
	var raw json.RawMessage
	err := json.Unmarshal(body, &raw)
	if err == nil {
		return -1, ""
	}
	var syntaxErr *json.SyntaxError
	if !errors.As(err, &syntaxErr) {
		panic("encoding/json failed with a non-syntax error: " + err.Error())
	}
	return int(syntaxErr.Offset), syntaxErr.Error()
}

// firstInvalidUTF8 returns the offset of the first byte that does not
// start a valid UTF-8 sequence, reading a character at a time; -1 when
// there is none.
func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// referenceDepth counts nesting with no grammar at all: brackets outside
// strings, strings delimited by quotes that no backslash escapes. It
// returns the deepest nesting seen and the offset of the first bracket
// that passes MaxDepth (-1 if none).
func referenceDepth(body []byte) (deepest, tooDeepAt int) {
	depth, tooDeepAt := 0, -1
	inString, escaped := false, false
	for i, c := range body {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"', !inString && c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
			if depth > MaxDepth && tooDeepAt < 0 {
				tooDeepAt = i
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest, tooDeepAt
}

// decodedMember is a top-level member with its key decoded.
type decodedMember struct {
	Key   string
	Value string
}

// referenceMembers lists the members of the valid object body as
// encoding/json's Decoder reads them: each key token, then the raw value.
func referenceMembers(t testing.TB, body []byte) []decodedMember {
	dec := json.NewDecoder(bytes.NewReader(body))
	open, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), open)
	var members []decodedMember
	for dec.More() {
		key, err := dec.Token()
		require.NoError(t, err)
		var value json.RawMessage
		require.NoError(t, dec.Decode(&value))
		members = append(members, decodedMember{Key: key.(string), Value: string(value)})
	}
	end, err := dec.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('}'), end)
	_, err = dec.Token()
	require.ErrorIs(t, err, io.EOF)
	return members
}

// scanMembers runs Scan and lists the members it handed out, keys decoded
// only when Scan says they hold an escape; it checks that flag on the way.
func scanMembers(t testing.TB, body []byte) (Result, []decodedMember) {
	var members []decodedMember
	res := Scan(body, func(m Member) {
		require.Equal(t, bytes.IndexByte(m.Key, '\\') >= 0, m.KeyEscaped, "KeyEscaped of key %q", m.Key)
		key := string(m.Key)
		if m.KeyEscaped {
			require.NoError(t, json.Unmarshal([]byte(`"`+key+`"`), &key), "key %q", m.Key)
		}
		members = append(members, decodedMember{Key: key, Value: string(m.Value)})
	})
	return res, members
}

// checkAgainstReference fails t unless Scan agrees with the reference on
// body in every respect: validity, problem, offset, kind of top-level
// value and, for a valid object, its members.
func checkAgainstReference(t testing.TB, body []byte) {
	t.Helper()
	got, members := scanMembers(t, body)
	want := referenceResult(body)
	require.Equal(t, want, got, "body %q", short(body))
	require.Equal(t, json.Valid(body) && utf8.Valid(body), got.Problem == None, "body %q", short(body))

	deepest, tooDeepAt := referenceDepth(body)
	if got.Problem == None {
		require.LessOrEqual(t, deepest, MaxDepth)
	}
	if got.Problem == TooDeep {
		require.Equal(t, tooDeepAt, got.Offset, "the first bracket past MaxDepth")
	}
	if got.Problem == None && got.Object {
		require.Equal(t, referenceMembers(t, body), members, "body %q", short(body))
	}
}

// short cuts a body for a failure message.
func short(body []byte) []byte {
	if len(body) > 200 {
		return append(body[:100:100], "…"+string(body[len(body)-100:])...)
	}
	return body
}
