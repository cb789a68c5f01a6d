package stream

import (
	"bytes"
	"encoding/json"
)

// maxCaptured bounds the bytes kept of a top-level key or of the wanted
// key's string value: the longest name the reader compares with is 21
// bytes, and room is left for \u escapes.
const maxCaptured = 128

// topLevel follows one event's data as JSON, a piece at a time, and notes
// whether its top-level object holds the wanted key and, if so, what
// value. It keeps no more than two short captures, so an event of any size
// costs the same memory. It checks structure (strings, nesting, the
// object's end), not every JSON rule: for valid JSON its answer is what
// encoding/json would decode, the last of repeated keys winning.
type topLevel struct {
	want  string
	state uint8
	depth int  // nesting inside a top-level value
	esc   bool // the last byte read inside a string was an unpaired backslash

	key     [maxCaptured]byte
	keyLen  int
	keyOver bool

	wanted   bool // the value being read belongs to the wanted key
	found    bool // the wanted key was seen
	isNull   bool // its value was null
	isString bool // its value was a string, captured in val
	val      [maxCaptured]byte
	valLen   int
	valOver  bool
}

const (
	jsStart     uint8 = iota // before the top-level value
	jsFirstKey               // after '{': a key or '}'
	jsNextKey                // after ',': a key
	jsKey                    // inside a key
	jsColon                  // after a key
	jsValue                  // after ':'
	jsString                 // inside a top-level string value
	jsScalar                 // inside a top-level number or literal
	jsNested                 // inside an object or array value
	jsNestedStr              // inside a string within it
	jsAfter                  // after a value: ',' or '}'
	jsEnd                    // after the closing '}': only whitespace may follow
	jsBad                    // not an object, or broken: nothing to report
)

func (t *topLevel) reset(want string) {
	*t = topLevel{want: want}
}

// complete reports whether the data read so far is one whole object.
func (t *topLevel) complete() bool { return t.state == jsEnd }

// value returns the wanted key's string value, decoded; ok is false when
// the key is absent, not a string, or its value is too long to be a name.
func (t *topLevel) value() (v []byte, ok bool) {
	if !t.found || !t.isString || t.valOver {
		return nil, false
	}
	return unescape(t.val[:t.valLen])
}

// present reports whether the wanted key is there with a value other than
// null.
func (t *topLevel) present() bool { return t.found && !t.isNull }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// feed reads the next piece of the data.
func (t *topLevel) feed(p []byte) {
	for i := 0; i < len(p); {
		c := p[i]
		switch t.state {
		case jsStart:
			switch {
			case isSpace(c):
			case c == '{':
				t.state = jsFirstKey
			default:
				t.state = jsBad
			}
		case jsFirstKey, jsNextKey:
			switch {
			case isSpace(c):
			case c == '"':
				t.state, t.keyLen, t.keyOver = jsKey, 0, false
			case c == '}' && t.state == jsFirstKey:
				t.state = jsEnd
			default:
				t.state = jsBad
			}
		case jsKey:
			n, closed := t.capture(p[i:], &t.key, &t.keyLen, &t.keyOver)
			i += n
			if closed {
				t.state = jsColon
				t.wanted = t.keyIsWanted()
				if t.wanted {
					t.found, t.isNull, t.isString = true, false, false
				}
			}
			continue
		case jsColon:
			switch {
			case isSpace(c):
			case c == ':':
				t.state = jsValue
			default:
				t.state = jsBad
			}
		case jsValue:
			switch {
			case isSpace(c):
			case c == '"':
				t.state = jsString
				if t.wanted {
					t.isString, t.valLen, t.valOver = true, 0, false
				}
			case c == '{' || c == '[':
				t.state, t.depth = jsNested, 1
			case c == '}' || c == ']' || c == ',' || c == ':':
				t.state = jsBad
			default:
				t.state = jsScalar
				if t.wanted && c == 'n' { // only null starts with n
					t.isNull = true
				}
			}
		case jsString:
			var n int
			var closed bool
			if t.wanted {
				n, closed = t.capture(p[i:], &t.val, &t.valLen, &t.valOver)
			} else {
				n, closed = t.skipString(p[i:])
			}
			i += n
			if closed {
				t.state = jsAfter
			}
			continue
		case jsScalar:
			switch {
			case isSpace(c):
				t.state = jsAfter
			case c == ',':
				t.state = jsNextKey
			case c == '}':
				t.state = jsEnd
			}
		case jsNested:
			i += t.skipNested(p[i:])
			continue
		case jsNestedStr:
			n, closed := t.skipString(p[i:])
			i += n
			if closed {
				t.state = jsNested
			}
			continue
		case jsAfter:
			switch {
			case isSpace(c):
			case c == ',':
				t.state = jsNextKey
			case c == '}':
				t.state = jsEnd
			default:
				t.state = jsBad
			}
		case jsEnd:
			if !isSpace(c) {
				t.state = jsBad
			}
		case jsBad:
			return
		}
		i++
	}
}

// skipNested reads bytes of a nested value up to its end or the end of p,
// and returns how many it read.
func (t *topLevel) skipNested(p []byte) int {
	for i, c := range p {
		switch c {
		case '"':
			t.state = jsNestedStr
			return i + 1
		case '{', '[':
			t.depth++
		case '}', ']':
			t.depth--
			if t.depth == 0 {
				t.state = jsAfter
				return i + 1
			}
		}
	}
	return len(p)
}

// skipString reads string bytes up to the closing quote or the end of p;
// it returns how many it read and whether the string closed. Quotes are
// found with bytes.IndexByte, so long strings cost little.
func (t *topLevel) skipString(p []byte) (int, bool) {
	i := 0
	if t.esc {
		if len(p) == 0 {
			return 0, false
		}
		t.esc, i = false, 1 // the escaped byte
	}
	for {
		q := bytes.IndexByte(p[i:], '"')
		if q < 0 {
			t.esc = backslashesBefore(p, len(p), i)%2 == 1
			return len(p), false
		}
		q += i
		if backslashesBefore(p, q, i)%2 == 0 {
			return q + 1, true
		}
		i = q + 1
	}
}

// backslashesBefore counts the backslashes right before p[end], not
// looking before p[from].
func backslashesBefore(p []byte, end, from int) int {
	n := 0
	for j := end - 1; j >= from && p[j] == '\\'; j-- {
		n++
	}
	return n
}

// capture reads string bytes into buf up to the closing quote or the end
// of p, keeping at most len(buf) of them (over notes the rest); it returns
// how many it read and whether the string closed.
func (t *topLevel) capture(p []byte, buf *[maxCaptured]byte, n *int, over *bool) (int, bool) {
	for i, c := range p {
		if t.esc {
			t.esc = false
		} else if c == '\\' {
			t.esc = true
		} else if c == '"' {
			return i + 1, true
		}
		if *n < len(buf) {
			buf[*n] = c
			*n++
		} else {
			*over = true
		}
	}
	return len(p), false
}

func (t *topLevel) keyIsWanted() bool {
	if t.keyOver {
		return false
	}
	k, ok := unescape(t.key[:t.keyLen])
	return ok && string(k) == t.want
}

// unescape decodes the inside of a JSON string; raw text without a
// backslash is returned as it is.
func unescape(raw []byte) ([]byte, bool) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw, true
	}
	quoted := make([]byte, 0, len(raw)+2)
	quoted = append(append(append(quoted, '"'), raw...), '"')
	var s string
	if json.Unmarshal(quoted, &s) != nil {
		return nil, false
	}
	return []byte(s), true
}
