package jsonscan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScanJudgesEdgeCasesAsEncodingJSONAndUTF8Do(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		problem Problem
		offset  int
	}{
		{"an empty body is a syntax error at its end", "", Syntax, 0},
		{"a body of whitespace only is a syntax error at its end", " \t\r\n", Syntax, 4},
		{"a byte-order mark is a syntax error at its first byte", "\ufeff{}", Syntax, 0},
		{"an empty object is valid", "{}", None, 0},
		{"an object surrounded by whitespace is valid", " \n{ \"a\" : 1 }\r\n\t", None, 0},
		{"trailing garbage is a syntax error where it starts", `{} x`, Syntax, 3},
		{"a second value is a syntax error", `{}{}`, Syntax, 2},
		{"a truncated object fails at its end", `{"a":1`, Syntax, 6},
		{"a truncated key fails at its end", `{"a`, Syntax, 3},
		{"a missing colon fails at the value", `{"a" 1}`, Syntax, 5},
		{"a trailing comma in an object fails at the brace", `{"a":1,}`, Syntax, 7},
		{"a trailing comma in an array fails at the bracket", `[1,]`, Syntax, 3},
		{"a key that is not a string fails", `{1:2}`, Syntax, 1},
		{"a mismatched bracket fails", `{"a":[1}`, Syntax, 7},
		{"a mismatched brace fails", `[{"a":1]`, Syntax, 7},
		{"a top-level string is valid", `"x"`, None, 0},
		{"a top-level number is valid", `12`, None, 0},
		{"true is valid", `true`, None, 0},
		{"false is valid", ` false `, None, 0},
		{"null is valid", `null`, None, 0},
		{"a misspelt literal fails at the first wrong byte", `[tru]`, Syntax, 4},
		{"a truncated literal fails at the end", `nul`, Syntax, 3},
		{"a literal followed by a letter fails at the letter", `nullx`, Syntax, 4},
		{"a capitalised literal fails at its first byte", `True`, Syntax, 0},

		{"zero is a number", `[0]`, None, 0},
		{"a negative zero is a number", `[-0]`, None, 0},
		{"a leading zero fails at the next digit", `[01]`, Syntax, 2},
		{"a negative leading zero fails at the next digit", `[-01]`, Syntax, 3},
		{"a lone minus fails at the byte after it", `[-]`, Syntax, 2},
		{"a minus at the end fails at the end", `-`, Syntax, 1},
		{"a plus sign fails", `[+1]`, Syntax, 1},
		{"a trailing dot fails at the byte after it", `[1.]`, Syntax, 3},
		{"a leading dot fails", `[.5]`, Syntax, 1},
		{"a fraction is a number", `[1.50]`, None, 0},
		{"an exponent is a number", `[1e5, 1E+5, 1e-05, 0.5e0]`, None, 0},
		{"an exponent without digits fails", `[1e]`, Syntax, 3},
		{"an exponent with a sign and no digits fails", `[1e+]`, Syntax, 4},
		{"a dot after an exponent fails", `[1e5.0]`, Syntax, 4},
		{"a second dot fails", `[1.2.3]`, Syntax, 4},
		{"hexadecimal fails", `[0x1]`, Syntax, 2},
		{"a number cut short at the end fails at the end", `1e`, Syntax, 2},

		{"every simple escape is valid", `"\" \\ \/ \b \f \n \r \t"`, None, 0},
		{"a unicode escape is valid", `"\u00e9\uABCD"`, None, 0},
		{"a lone high surrogate escape is valid", `"\ud800"`, None, 0},
		{"a lone low surrogate escape is valid", `"\udc00x"`, None, 0},
		{"a reversed surrogate pair of escapes is valid", `"\udc00\ud800"`, None, 0},
		{"an unknown escape fails at its letter", `"\x41"`, Syntax, 2},
		{"a unicode escape with a bad hex digit fails there", `"\u12g4"`, Syntax, 5},
		{"a short unicode escape fails at the quote", `"\u12"`, Syntax, 5},
		{"a unicode escape cut by the end fails at the end", `"\u12`, Syntax, 5},
		{"a backslash at the end fails at the end", `"\`, Syntax, 2},
		{"an unterminated string fails at the end", `"abc`, Syntax, 4},
		{"an escaped quote does not end a string", `"\"`, Syntax, 3},
		{"DEL is allowed in a string", "\"\x7f\"", None, 0},

		{"non-ASCII text is valid", `{"é":"日本語 🙂"}`, None, 0},
		{"a truncated two-byte sequence fails at its first byte", "\"a\xc3\"", InvalidUTF8, 2},
		{"a truncated multi-byte sequence at the end fails at its first byte", "\"abcdefghij\xe6\x97", InvalidUTF8, 11},
		{"an overlong encoding of a slash fails", "\"\xc0\xaf\"", InvalidUTF8, 1},
		{"an overlong three-byte encoding fails", "\"\xe0\x80\xaf\"", InvalidUTF8, 1},
		{"a surrogate half encoded in UTF-8 fails", "\"\xed\xa0\x80\"", InvalidUTF8, 1},
		{"a code point past U+10FFFF fails", "\"\xf4\x90\x80\x80\"", InvalidUTF8, 1},
		{"a lone continuation byte fails", "\"abc\x80\"", InvalidUTF8, 4},
		{"the byte 0xff fails", "[\"x\",\"\xff\"]", InvalidUTF8, 6},
		{"invalid UTF-8 in a key fails", "{\"k\xff\":1}", InvalidUTF8, 3},
		{"invalid UTF-8 deep in a long string fails where it is", "\"" + strings.Repeat("abcdefgh", 5) + "\xff\"", InvalidUTF8, 41},
		{"invalid UTF-8 far into a long string fails where it is", "\"" + strings.Repeat("abcdefgh", 40) + "é\xff\"", InvalidUTF8, 323},
		{"a control byte far into a long string fails where it is", "\"" + strings.Repeat("abcdefgh", 40) + "abc\x1f\"", Syntax, 324},
		{"a control byte in any word of a block far into a long string fails where it is", "\"" + strings.Repeat("abcdefgh", 40) + "abcdefgh12345678\x7fcdefg\x01" + strings.Repeat("abcdefgh", 40) + "\"", Syntax, 343},
		{"a control byte after non-ASCII text in a long string fails where it is", "\"" + strings.Repeat("abcdefgh", 40) + "é\x00\"", Syntax, 323},
		{"a bad escape far into a long string fails at its letter", "\"" + strings.Repeat("abcdefgh", 40) + `\q"`, Syntax, 322},
		{"a long string cut by the end fails at the end", "\"" + strings.Repeat("abcdefgh", 40), Syntax, 321},
		{"a long string with escapes spread through it is valid", "\"" + strings.Repeat(strings.Repeat("abcdefgh", 25)+`\n`, 40) + "\"", None, 0},
		{"invalid UTF-8 before a control byte is found first", "\"\xff\x01\"", InvalidUTF8, 1},
		{"a control byte before invalid UTF-8 is found first", "\"\x01\xff\"", Syntax, 1},
		{"invalid UTF-8 outside a string is a syntax error", "[\xff]", Syntax, 1},
		{"valid UTF-8 outside a string is a syntax error", "[é]", Syntax, 1},
		{"invalid UTF-8 after the value is a syntax error", "{}\xff", Syntax, 2},
		{"a non-ASCII byte in a unicode escape is a syntax error", "\"\\u12\xe9\"", Syntax, 5},

		{"brackets inside strings do not nest", `["[[[{{{", "]]]}}}"]`, None, 0},
		{"a quote escaped after a backslash pair ends the string", `["\\"]`, None, 0},
	}
	for b := byte(0); b < 0x20; b++ {
		tests = append(tests, struct {
			name    string
			body    string
			problem Problem
			offset  int
		}{fmt.Sprintf("the control byte %#02x in a string fails", b), "{\"a\":\"xy" + string(rune(b)) + "\"}", Syntax, 8})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Scan([]byte(tt.body), nil)
			assert.Equal(t, tt.problem, got.Problem, "problem")
			assert.Equal(t, tt.offset, got.Offset, "offset")
			checkAgainstReference(t, []byte(tt.body))
		})
	}
}

// nest wraps inner in depth levels of containers, alternating arrays and
// objects ({"k":[{"k":[...]}]}).
func nest(depth int, inner string) string {
	var open, close strings.Builder
	for d := 0; d < depth; d++ {
		if d%2 == 0 {
			open.WriteString(`{"k":`)
		} else {
			open.WriteString(`[`)
		}
	}
	for d := depth - 1; d >= 0; d-- {
		if d%2 == 0 {
			close.WriteString(`}`)
		} else {
			close.WriteString(`]`)
		}
	}
	return open.String() + inner + close.String()
}

func TestScanAllowsMaxDepthLevelsAndNoMore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		problem Problem
	}{
		{"arrays exactly MaxDepth deep pass", strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth), None},
		{"arrays one level deeper fail", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), TooDeep},
		{"objects and arrays exactly MaxDepth deep pass", nest(MaxDepth, "1"), None},
		{"objects and arrays one level deeper fail", nest(MaxDepth+1, "1"), TooDeep},
		{"an empty object as the deepest level passes", nest(MaxDepth-1, "{}"), None},
		{"an empty array one level too deep fails", nest(MaxDepth, "[]"), TooDeep},
		{"a body too deep and truncated is too deep", strings.Repeat(`[`, MaxDepth+1), TooDeep},
		{"a body truncated before it is too deep is a syntax error", strings.Repeat(`[`, MaxDepth), Syntax},
		{"many shallow containers in a row pass", "[" + strings.Repeat("[[]],{},", MaxDepth) + "0]", None},
		{"brackets in strings do not count", nest(MaxDepth, `"`+strings.Repeat("[{", MaxDepth)+`"`), None},
		{"escaped quotes do not end the string that hides brackets", nest(MaxDepth, `"\"`+strings.Repeat("[", 10)+`\\"`), None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Scan([]byte(tt.body), nil)
			require.Equal(t, tt.problem, got.Problem)
			checkAgainstReference(t, []byte(tt.body))
		})
	}
}

func TestScanHandsOutEachTopLevelMemberInDocumentOrder(t *testing.T) {
	t.Parallel()
	body := []byte(` { "model" : "gpt" ,"mod\u0065l":null, "messages":[{"role":"user","content":"hi"}],` +
		`"n":1.5e3,"o":{"model":"inner"},"e":{},"a":[],"t":true,"model":"last"} `)
	var keys, values []string
	var escaped []bool
	res := Scan(body, func(m Member) {
		keys = append(keys, string(m.Key))
		escaped = append(escaped, m.KeyEscaped)
		values = append(values, string(m.Value))
	})
	require.Equal(t, Result{Object: true}, res)
	assert.Equal(t, []string{"model", `mod\u0065l`, "messages", "n", "o", "e", "a", "t", "model"}, keys)
	assert.Equal(t, []bool{false, true, false, false, false, false, false, false, false}, escaped)
	assert.Equal(t, []string{`"gpt"`, "null", `[{"role":"user","content":"hi"}]`, "1.5e3", `{"model":"inner"}`, "{}", "[]", "true", `"last"`}, values)
	checkAgainstReference(t, body)
}

func TestScanHandsOutMembersThatAnAppendCannotWriteOver(t *testing.T) {
	t.Parallel()
	body := []byte(`{"a":"b","c":[1]}`)
	Scan(body, func(m Member) {
		_ = append(m.Key, 'x')
		_ = append(m.Value, 'x')
	})
	assert.Equal(t, `{"a":"b","c":[1]}`, string(body))
}

func TestScanHandsOutNoMemberOfAnythingButAnObject(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`[{"a":1}]`, `"{\"a\":1}"`, `{}`, `7`} {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			called := false
			res := Scan([]byte(body), func(Member) { called = true })
			require.Equal(t, None, res.Problem)
			assert.Equal(t, body[0] == '{', res.Object)
			assert.False(t, called)
		})
	}
}

func TestScanAllocatesNothing(t *testing.T) {
	body, err := readBody("chat_2k.json")
	require.NoError(t, err)
	var messages []byte
	allocs := testing.AllocsPerRun(100, func() {
		// A closure that writes to its caller's state, as the rules' will.
		res := Scan(body, func(m Member) {
			if string(m.Key) == "messages" {
				messages = m.Value
			}
		})
		if res.Problem != None {
			panic(res.Problem.String())
		}
	})
	assert.Zero(t, allocs)
	assert.NotEmpty(t, messages)
}
