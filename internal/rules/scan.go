package rules

import (
	"encoding/json"
	"strings"
)

// The helpers in this file walk JSON that has already passed CheckJSON.
// They hand out raw value text without decoding it, so visiting a member
// costs no allocation however long its value is (gjson's ForEach decodes
// every string it passes, which allocates for any string with an escape).

// forEachMember calls fn with the key and raw value text of each member of
// the object obj, in document order, until fn returns false. Keys are
// unescaped, so "mod\u0065l" is seen as "model", as a decoder sees it. A
// value that is not an object has no members.
func forEachMember(obj string, fn func(key, value string) bool) {
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return
	}
	i++
	for {
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return // '}': the end of the object
		}
		keyEnd := stringEnd(obj, i)
		key := decodeString(obj[i:keyEnd])
		i = skipSpace(obj, keyEnd) // the ':'
		i = skipSpace(obj, i+1)
		valueEnd := valueEnd(obj, i)
		if !fn(key, obj[i:valueEnd]) {
			return
		}
		i = skipSpace(obj, valueEnd)
		if i < len(obj) && obj[i] == ',' {
			i++
		}
	}
}

// forEachElement calls fn with the index and raw text of each element of
// the array arr until fn returns false. A value that is not an array has no
// elements.
func forEachElement(arr string, fn func(index int, value string) bool) {
	i := skipSpace(arr, 0)
	if i >= len(arr) || arr[i] != '[' {
		return
	}
	i++
	for index := 0; ; index++ {
		i = skipSpace(arr, i)
		if i >= len(arr) || arr[i] == ']' {
			return
		}
		end := valueEnd(arr, i)
		if !fn(index, arr[i:end]) {
			return
		}
		i = skipSpace(arr, end)
		if i < len(arr) && arr[i] == ',' {
			i++
		}
	}
}

// member returns the raw value of the LAST member of obj named key, or ""
// when there is none: the value a decoder keeps.
func member(obj, key string) string {
	var last string
	forEachMember(obj, func(k, v string) bool {
		if k == key {
			last = v
		}
		return true
	})
	return last
}

// isSet reports whether a raw value counts as set: present and not null.
func isSet(raw string) bool { return raw != "" && raw != "null" }

// stringValue decodes a raw JSON string; ok is false for any other kind of
// value (or none).
func stringValue(raw string) (s string, ok bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	return decodeString(raw), true
}

// decodeString decodes a raw JSON string, allocating only when it holds an
// escape. Escapes are decoded by encoding/json itself, so the rules judge
// exactly the string the handler decodes: gjson differs on a lone
// surrogate escape followed by another \u escape ("\ud800\u0041"), which
// it swallows whole where encoding/json keeps the second character.
func decodeString(raw string) string {
	inner := raw[1 : len(raw)-1]
	if strings.IndexByte(inner, '\\') < 0 {
		return inner
	}
	var s string
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return inner // unreachable: raw has passed CheckJSON
	}
	return s
}

// decodeKey decodes a key's raw text between its quotes when it holds an
// escape, the way decodeString decodes a whole raw string.
func decodeKey(inner string) string {
	return decodeString(`"` + inner + `"`)
}

func skipSpace(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// valueEnd returns the index just past the value that starts at s[i].
func valueEnd(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '"':
		return stringEnd(s, i)
	case '{', '[':
		return compositeEnd(s, i)
	}
	for ; i < len(s); i++ { // a number or a literal
		switch s[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
}

// stringEnd returns the index just past the string whose opening quote is
// at s[i]. It jumps from quote to quote with IndexByte, so a long string
// costs a memchr, not a byte loop.
func stringEnd(s string, i int) int {
	i++
	for {
		j := strings.IndexByte(s[i:], '"')
		if j < 0 {
			return len(s)
		}
		i += j
		backslashes := 0
		for k := i - 1; s[k] == '\\'; k-- { // stops at the opening quote at the latest
			backslashes++
		}
		i++
		if backslashes%2 == 0 {
			return i
		}
	}
}

// compositeEnd returns the index just past the object or array at s[i].
func compositeEnd(s string, i int) int {
	depth := 0
	for i < len(s) {
		switch s[i] {
		case '"':
			i = stringEnd(s, i)
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
		i++
	}
	return len(s)
}
