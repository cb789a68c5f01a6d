package rules

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/clienttext"
)

// nestedArrays returns {"a": [[...]]} whose total depth, the object
// included, is depth.
func nestedArrays(depth int) []byte {
	arrays := depth - 1
	return []byte(`{"a": ` + strings.Repeat("[", arrays) + strings.Repeat("]", arrays) + `}`)
}

func TestCheckJSON(t *testing.T) {
	t.Parallel()
	const valid apierrors.Code = ""
	cases := []struct {
		name string
		body []byte
		want apierrors.Code
	}{
		{"an empty object is valid", []byte(`{}`), valid},
		{"an object with surrounding whitespace is valid", []byte(" \t\r\n{\"model\":\"gpt-5.5\"} \n"), valid},
		{"an empty body is not JSON", []byte(``), apierrors.InvalidJSON},
		{"whitespace alone is not JSON", []byte(" \n\t "), apierrors.InvalidJSON},
		{"a byte-order mark before the object is not JSON", []byte("\xef\xbb\xbf{}"), apierrors.InvalidJSON},
		{"trailing garbage after the object is not JSON", []byte(`{}x`), apierrors.InvalidJSON},
		{"a second object after the first is not JSON", []byte(`{}{}`), apierrors.InvalidJSON},
		{"a truncated object is not JSON", []byte(`{"model":"gpt-5`), apierrors.InvalidJSON},
		{"a trailing comma is not JSON", []byte(`{"a":1,}`), apierrors.InvalidJSON},
		{"a byte 0xff inside a string is not UTF-8", []byte("{\"a\":\"\xff\"}"), apierrors.InvalidJSON},
		{"an overlong encoding inside a string is not UTF-8", []byte("{\"a\":\"\xc0\xaf\"}"), apierrors.InvalidJSON},
		{"an encoded lone surrogate inside a string is not UTF-8", []byte("{\"a\":\"\xed\xa0\x80\"}"), apierrors.InvalidJSON},
		{"an invalid byte inside a key is not UTF-8", []byte("{\"\xff\":1}"), apierrors.InvalidJSON},
		{"an escaped lone surrogate is valid JSON", []byte(`{"a":"\ud800"}`), valid},
		{"multi-byte UTF-8 is valid", []byte(`{"a":"héllo 😀"}`), valid},
		{"a top-level array is not an object", []byte(`[]`), apierrors.InvalidBody},
		{"a top-level string is not an object", []byte(`"{}"`), apierrors.InvalidBody},
		{"a top-level number is not an object", []byte(`42`), apierrors.InvalidBody},
		{"a top-level true is not an object", []byte(`true`), apierrors.InvalidBody},
		{"a top-level null is not an object", []byte(` null `), apierrors.InvalidBody},
		{"nesting exactly 10,000 deep is valid", nestedArrays(MaxDepth), valid},
		{"nesting 10,001 deep is not JSON", nestedArrays(MaxDepth + 1), apierrors.InvalidJSON},
		{"brackets inside a string do not count as nesting", []byte(`{"a":"` + strings.Repeat("[[[[", 20_000) + `"}`), valid},
		{"escaped quotes do not end the string that hides brackets", []byte(`{"a":"\"` + strings.Repeat("[", 20_000) + `\\"}`), valid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := CheckJSON(tc.body)
			if tc.want == valid {
				assert.Nil(t, err)
				return
			}
			require.NotNil(t, err)
			assert.Equal(t, tc.want, err.Code())
			assert.Empty(t, err.Param(), "invalid_json and invalid_body have a null param")
		})
	}
}

func TestCheckJSONHostileInputIsCheap(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		body []byte
	}{
		{"a megabyte of opening brackets", []byte(strings.Repeat("[", 1_000_000))},
		{"450,000 nested arrays", []byte(strings.Repeat("[", 450_000) + strings.Repeat("]", 450_000))},
		{"450,000 nested objects", []byte(strings.Repeat(`{"a":`, 450_000) + "1" + strings.Repeat("}", 450_000))},
		{"a megabyte of backslashes in an unterminated string", []byte(`{"a":"` + strings.Repeat(`\`, 1_000_000))},
		// A long string is searched for its quote once, not once an escape.
		{"eight megabytes of text with an escape every 200 bytes and a bad one at the end",
			[]byte(`{"a":"` + strings.Repeat(strings.Repeat("a", 198)+`\n`, 40_000) + `\q"}`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			err := CheckJSON(tc.body)
			elapsed := time.Since(start)
			require.NotNil(t, err)
			assert.Equal(t, apierrors.InvalidJSON, err.Code())
			assert.Less(t, elapsed, hostileBound, "hostile input must be rejected quickly")
		})
	}
}

func TestDuplicateKey(t *testing.T) {
	t.Parallel()
	longKey := strings.Repeat("k", 200)
	cases := []struct {
		name      string
		body      string
		wantPath  string
		wantFound bool
	}{
		{"an object without repeats has none", `{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}`, "", false},
		{"a repeated top-level key is named", `{"model":"a","model":"b"}`, "model", true},
		{"a repeat deep in messages is named by its path",
			`{"messages":[{"content":[{"type":"text"},{"type":"text","type":"image"}]}]}`, "messages[0].content[1].type", true},
		{"a repeat in an object in an array in an object is named", `{"a":{"b":[1,{"c":1,"c":2}]}}`, "a.b[1].c", true},
		{"escapes are decoded before keys are compared", `{"a":1,"\u0061":2}`, "a", true},
		{"the same letters in another case are different keys", `{"a":1,"A":2}`, "", false},
		{"the first repeat in document order is the one named", `{"x":{"y":1,"y":2},"x":3}`, "x.y", true},
		{"an object with more members than the small buffer still finds repeats",
			`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"k3":3}`,
			"k3", true},
		{"a very long repeated key is cut in the path", `{"` + longKey + `":1,"` + longKey + `":2}`, strings.Repeat("k", clienttext.MaxValue-len("…")) + "…", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Nil(t, CheckJSON([]byte(tc.body)))
			path, found := DuplicateKey([]byte(tc.body))
			assert.Equal(t, tc.wantFound, found)
			assert.Equal(t, tc.wantPath, path)
		})
	}
}

// referenceDepth is the deepest nesting of b, counting brackets outside
// strings; it tracks escapes one byte at a time, unlike the code under
// test.
func referenceDepth(b []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{
		``, ` `, `{}`, `[]`, `"x"`, `1`, `true`, `null`, "\xef\xbb\xbf{}", `{}x`, `{"a":`,
		"{\"a\":\"\xff\"}", "{\"a\":\"\xed\xa0\x80\"}", `{"a":"\ud800"}`, `{"a":[1,2,{"b":null}]}`,
		`{"a":"[[[["}`, `{"a":"\"[["}`, `[[[]]]`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":1e}`,
		`{"a":"\x"}`, "{\"a\":\"\t\"}", `{"a" 1}`, `{,}`, `[1,]`, `{"a":tru}`,
	} {
		f.Add([]byte(s))
	}
	e, err := Compile(Config{})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, body []byte) {
		err := CheckJSON(body)
		want := referenceDepth(body) <= MaxDepth && utf8.Valid(body) && json.Valid(body)
		gotValid := err == nil || err.Code() != apierrors.InvalidJSON
		require.Equal(t, want, gotValid, "body %q: CheckJSON said %v", body, err)

		// Parse makes the same check in the pass that indexes the members.
		var r Request
		perr := e.Parse(ChatCompletions, body, &r)
		if int64(len(body)) > e.MaxBodyBytes() {
			return
		}
		require.Equal(t, codeOf(err), codeOf(perr), "body %q", body)
		if !gotValid {
			require.Equal(t, Request{}, r, "the members seen before the problem are dropped")
			return
		}
		var v any
		require.NoError(t, decodeUsingNumbers(body, &v))
		obj, isObject := v.(map[string]any)
		if !isObject {
			require.NotNil(t, err)
			require.Equal(t, apierrors.InvalidBody, err.Code())
			return
		}
		require.Nil(t, err)
		// The index holds, for every field the rules know, the raw text of
		// the value the decoder keeps: the last of repeated keys, found
		// under its decoded name.
		for f, name := range fieldNames {
			raw := r.fields[f]
			want, present := obj[name]
			if !present {
				require.Empty(t, raw, "%s is not in %q", name, body)
				continue
			}
			var got any
			require.NoError(t, decodeUsingNumbers([]byte(raw), &got), "%s: %q", name, raw)
			require.Equal(t, want, got, "%s in %q", name, body)
		}
	})
}

// decodeUsingNumbers decodes like json.Unmarshal but keeps numbers as
// json.Number, so that a valid number too large for a float64 (1e700) is
// not an error.
func decodeUsingNumbers(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

func TestDuplicateKeyHostileInputIsCheap(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("[", MaxDepth-1)
	undeep := strings.Repeat("]", MaxDepth-1)
	cases := []struct {
		name string
		body string
	}{
		{"a deep nest around a long string", deep + `"` + strings.Repeat("a", 960_000) + `"` + undeep},
		{"a deep nest around escaped quotes", deep + `"` + strings.Repeat(`\"`, 480_000) + `"` + undeep},
		{"a deep nest of objects", `{"a":` + strings.Repeat(`{"b":`, MaxDepth-2) + `"` + strings.Repeat(`\"`, 400_000) + `"` + strings.Repeat("}", MaxDepth-1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.NotEqual(t, apierrors.InvalidJSON, codeOf(CheckJSON([]byte(tc.body))))
			start := time.Now()
			_, found := DuplicateKey([]byte(tc.body))
			elapsed := time.Since(start)
			assert.False(t, found)
			assert.Less(t, elapsed, hostileBound, "the walk must be linear, not rescan each level")
		})
	}
}

func codeOf(err *apierrors.Error) apierrors.Code {
	if err == nil {
		return ""
	}
	return err.Code()
}

// referenceDuplicate reports whether any object in b repeats a key, using
// encoding/json's tokenizer.
func referenceDuplicate(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	type frame struct {
		keys      map[string]bool
		expectKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.keys != nil && top.expectKey {
			if key, ok := tok.(string); ok {
				if top.keys[key] {
					return true
				}
				top.keys[key] = true
				top.expectKey = false
				continue
			}
		}
		if top != nil && top.keys != nil {
			top.expectKey = true // a value ends here or opens below
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{keys: map[string]bool{}, expectKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}

func FuzzDuplicateKey(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a":1,"a":2}`, `{"a":{"b":1},"c":{"b":2}}`, `{"a":1,"\u0061":2}`, `[{"x":[1,{"y":1,"y":2}]}]`,
		`{"\ud800":1,"\udbff":2}`, `{"a":[{"a":1}],"b":"\"{\"a\":1,\"a\":2}"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if codeOf(CheckJSON(body)) == apierrors.InvalidJSON {
			return
		}
		_, found := DuplicateKey(body)
		require.Equal(t, referenceDuplicate(body), found, "%q", body)
	})
}
