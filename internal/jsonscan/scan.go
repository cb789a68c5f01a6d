package jsonscan

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of arrays and objects a valid body may
// have: encoding/json's own limit, so that every body that passes here can
// be decoded by a handler that uses it.
const MaxDepth = 10_000

// Problem says why a body is not valid.
type Problem uint8

const (
	// None: the body is one valid JSON value in UTF-8.
	None Problem = iota
	// Syntax: the body breaks the JSON grammar (including an empty body, a
	// byte-order mark or bytes after the value).
	Syntax
	// InvalidUTF8: a string holds bytes that are not UTF-8.
	InvalidUTF8
	// TooDeep: the body nests more than MaxDepth arrays and objects.
	TooDeep
)

func (p Problem) String() string {
	switch p {
	case None:
		return "none"
	case Syntax:
		return "syntax"
	case InvalidUTF8:
		return "invalid UTF-8"
	case TooDeep:
		return "too deep"
	}
	return "unknown problem"
}

// Result is what Scan learned about a body.
type Result struct {
	// Problem is None for a valid body, otherwise the first problem in
	// reading order. A byte outside strings that cannot start a token is
	// a Syntax problem, whatever its encoding.
	Problem Problem
	// Offset is the index of the byte at which the problem was found, or
	// len(body) when the body ends too soon. It is 0 for a valid body.
	Offset int
	// Object reports whether the top-level value starts with '{'. It
	// tells an object from any other value only when Problem is None.
	Object bool
}

// Member is one member of the top-level object. Its slices share memory
// with the body passed to Scan, and their capacity ends with them, so that
// an append cannot write over the body.
type Member struct {
	// Key is the key's raw text between its quotes, escapes not decoded.
	Key []byte
	// KeyEscaped reports whether Key holds a backslash escape: only then
	// does it need decoding before it is compared with a name.
	KeyEscaped bool
	// Value is the value's raw text, without the whitespace around it.
	Value []byte
}

// Scan checks in one pass that body is exactly one JSON value, as
// encoding/json's Valid judges it, in valid UTF-8 and nested at most
// MaxDepth levels deep. When that value is an object, Scan calls member
// (if not nil) with each of its members in document order, repeated keys
// included.
//
// member may be called before a problem further on is found: a caller
// that collects members must drop them unless the Result has no Problem.
// Scan neither allocates nor recurses, and it does not keep member.
func Scan(body []byte, member func(Member)) Result {
	// kinds holds one bit for every container open, so that a closing
	// bracket is matched without recursion. It is declared here, not in
	// scanValue, so that it is cleared once a body rather than once a
	// member.
	var kinds stack
	var res Result
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		end, problem := scanValue(body, i, &kinds, 0)
		return finish(res, body, end, problem)
	}
	res.Object = true
	if i = skipSpace(body, i+1); i < len(body) && body[i] == '}' {
		return finish(res, body, i+1, None)
	}
	kinds.push(0, true)
	for {
		if i >= len(body) || body[i] != '"' {
			return fail(res, Syntax, min(i, len(body)))
		}
		keyStart := i + 1
		end, escaped, problem := scanString(body, i)
		if problem != None {
			return fail(res, problem, end)
		}
		keyEnd := end - 1
		if i = skipSpace(body, end); i >= len(body) || body[i] != ':' {
			return fail(res, Syntax, i)
		}
		valueStart := skipSpace(body, i+1)
		if i, problem = scanValue(body, valueStart, &kinds, 1); problem != None {
			return fail(res, problem, i)
		}
		if member != nil {
			member(Member{Key: body[keyStart:keyEnd:keyEnd], KeyEscaped: escaped, Value: body[valueStart:i:i]})
		}
		if i = skipSpace(body, i); i >= len(body) {
			return fail(res, Syntax, i)
		}
		switch body[i] {
		case ',':
			i = skipSpace(body, i+1)
		case '}':
			return finish(res, body, i+1, None)
		default:
			return fail(res, Syntax, i)
		}
	}
}

// finish judges what follows the top-level value, which ends at end (or
// failed there with problem): only whitespace may.
func finish(res Result, body []byte, end int, problem Problem) Result {
	if problem != None {
		return fail(res, problem, end)
	}
	if i := skipSpace(body, end); i < len(body) {
		return fail(res, Syntax, i)
	}
	return res
}

// stack holds the kind of every open container, a set bit for an object,
// the outermost in the lowest bit of its first word.
type stack [(MaxDepth + 63) / 64]uint64

// push records the kind of the container opened at depth (counted from 0).
func (s *stack) push(depth int, object bool) {
	if object {
		s[depth>>6] |= 1 << (depth & 63)
	} else {
		s[depth>>6] &^= 1 << (depth & 63)
	}
}

// object reports whether the container open at depth is an object.
func (s *stack) object(depth int) bool { return s[depth>>6]&(1<<(depth&63)) != 0 }

// scanValue crosses the value that starts at b[i], inside depth open
// containers, and returns the index just past it; on a problem, the offset
// where it was found. It is the loop that crosses every nested value, so
// it keeps no more state than it needs.
func scanValue(b []byte, i int, kinds *stack, depth int) (int, Problem) {
	var (
		base     = depth
		inObject bool // the innermost open container is an object
		c        byte
		problem  Problem
	)

value: // a value must start at i
	if i >= len(b) {
		return len(b), Syntax
	}
	c = b[i]
	switch c {
	case '"':
		if end, ok := shortString(b, i); ok {
			i = end
		} else if i, _, problem = scanString(b, i); problem != None {
			return i, problem
		}
		goto afterValue
	case '{', '[':
		if depth == MaxDepth {
			return i, TooDeep
		}
		inObject = c == '{'
		kinds.push(depth, inObject)
		depth++
		if i = skipSpace(b, i+1); i < len(b) && b[i] == c+2 { // '}' is '{'+2, ']' is '['+2
			i++
			goto closed
		}
		if inObject {
			goto key
		}
		goto value
	case 't':
		if i, problem = literal(b, i, "true"); problem != None {
			return i, problem
		}
		goto afterValue
	case 'f':
		if i, problem = literal(b, i, "false"); problem != None {
			return i, problem
		}
		goto afterValue
	case 'n':
		if i, problem = literal(b, i, "null"); problem != None {
			return i, problem
		}
		goto afterValue
	}
	if i, problem = scanNumber(b, i); problem != None {
		return i, problem
	}
	goto afterValue

key: // an object key must start at i
	if i >= len(b) || b[i] != '"' {
		return min(i, len(b)), Syntax
	}
	if end, ok := shortString(b, i); ok {
		i = end
	} else if i, _, problem = scanString(b, i); problem != None {
		return i, problem
	}
	if i = skipSpace(b, i); i >= len(b) || b[i] != ':' {
		return i, Syntax
	}
	i = skipSpace(b, i+1)
	goto value

closed: // a container has just been closed at i-1
	depth--
	inObject = depth > 0 && kinds.object(depth-1)

afterValue: // a value ends just before i
	if depth == base {
		return i, None
	}
	if i = skipSpace(b, i); i >= len(b) {
		return len(b), Syntax
	}
	switch c = b[i]; {
	case c == ',':
		i = skipSpace(b, i+1)
		if inObject {
			goto key
		}
		goto value
	case c == '}' && inObject, c == ']' && !inObject:
		i++
		goto closed
	}
	return i, Syntax
}

func fail(res Result, p Problem, offset int) Result {
	res.Problem, res.Offset = p, offset
	return res
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\n', '\r', '\t':
			i++
		default:
			return i
		}
	}
	return i
}

// literal checks that the literal word starts at b[i], whose first byte
// the caller has matched, and returns the index just past it, or the
// offset of the first byte that differs.
func literal(b []byte, i int, word string) (int, Problem) {
	if len(b)-i >= len(word) && string(b[i:i+len(word)]) == word {
		return i + len(word), None
	}
	for k := 1; k < len(word); k++ {
		if i+k >= len(b) {
			return len(b), Syntax
		}
		if b[i+k] != word[k] {
			return i + k, Syntax
		}
	}
	return len(b), Syntax // unreachable: the words differ from every prefix of themselves
}

// scanNumber crosses the number that starts at b[i] and returns the index
// just past it, or the offset of the first byte that cannot continue it.
// A byte that may follow a number (a digit after a leading 0, say) is
// left to the caller, as encoding/json's scanner does.
func scanNumber(b []byte, i int) (int, Problem) {
	n := len(b)
	if b[i] == '-' {
		if i++; i >= n {
			return n, Syntax
		}
	}
	switch c := b[i]; {
	case c == '0':
		i++
	case '1' <= c && c <= '9':
		i = digits(b, i+1)
	default:
		return i, Syntax
	}
	if i < n && b[i] == '.' {
		if i++; i >= n || !isDigit(b[i]) {
			return i, Syntax
		}
		i = digits(b, i+1)
	}
	if i < n && (b[i] == 'e' || b[i] == 'E') {
		if i++; i < n && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= n || !isDigit(b[i]) {
			return i, Syntax
		}
		i = digits(b, i+1)
	}
	return i, None
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

// Word-at-a-time constants: a byte's lowest and highest bit in each lane.
const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
)

// specials sets the high bit of the lowest byte of x that is a quote, a
// backslash or a control byte, and leaves every lower byte clear; it is
// zero when there is no such byte. Each test subtracts one from every
// byte lane: a lane below the bound wraps to set its high bit, and a
// borrow only ever reaches lanes above a byte that matched. Bytes with the
// high bit set (non-ASCII) never match.
func specials(x uint64) uint64 {
	quote := x ^ (lows * '"')
	backslash := x ^ (lows * '\\')
	return ((quote - lows) | (backslash - lows) | (x - lows*0x20)) &^ x & highs
}

// controls sets the high bit of the lowest byte of x below 0x20, and
// leaves every lower byte clear, as specials does for control bytes alone.
func controls(x uint64) uint64 { return (x - lows*0x20) &^ x & highs }

// shortString crosses the string whose opening quote is at b[i] when it
// is plain ASCII without escapes and ends within the next eight bytes, as
// most keys and many values do, and returns the index just past it; ok is
// false for any other string, which scanString then crosses. It is small
// enough to be inlined: a short string costs no call.
func shortString(b []byte, i int) (end int, ok bool) {
	if len(b)-i < 10 {
		return 0, false
	}
	x := binary.LittleEndian.Uint64(b[i+1 : i+9])
	// The first byte that is not plain ASCII, or the one after the eight.
	end = i + 1 + bits.TrailingZeros64(specials(x)|x&highs)>>3
	return end + 1, b[end] == '"'
}

// scanString crosses the string whose opening quote is at b[i]. It returns
// the index just past the closing quote and whether the string holds an
// escape; on a problem, the offset of the byte where it was found.
func scanString(b []byte, i int) (end int, escaped bool, problem Problem) {
	i++
	checked := i // bytes before checked are known to be UTF-8
	quote := -1  // where the next quote is, once a long run has looked
	var high uint64
	for {
		// Cross plain ASCII and non-ASCII bytes eight at a time, gathering
		// the high bits to learn whether UTF-8 needs checking at all. A
		// string still going after a few words is likely long: it is
		// crossed a block of four words at a time, one branch a block, and
		// after a few blocks plainRun crosses the rest of it.
		for words := 0; i+8 <= len(b); words++ {
			if words == 4 {
				for blocks := 0; i+32 <= len(b); blocks++ {
					if blocks == 4 {
						var run uint64
						i, run = plainRun(b, i, &quote)
						high |= run
						goto special
					}
					// One bounds check a block: the loads below index an array.
					block := (*[32]byte)(b[i : i+32])
					x0 := binary.LittleEndian.Uint64(block[0:8])
					x1 := binary.LittleEndian.Uint64(block[8:16])
					x2 := binary.LittleEndian.Uint64(block[16:24])
					x3 := binary.LittleEndian.Uint64(block[24:32])
					if specials(x0)|specials(x1)|specials(x2)|specials(x3) != 0 {
						break
					}
					high |= x0 | x1 | x2 | x3
					i += 32
				}
				if i+8 > len(b) {
					break
				}
			}
			x := binary.LittleEndian.Uint64(b[i : i+8])
			if m := specials(x); m != 0 {
				stop := bits.TrailingZeros64(m) // the high bit of the special byte
				high |= x & (1<<stop - 1)
				i += stop >> 3
				goto special
			}
			high |= x
			i += 8
		}
		for ; i < len(b); i++ {
			if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
				break
			}
			high |= uint64(b[i])
		}
	special:
		// b[i] is ASCII (or the end), so b[checked:i] ends on a character
		// boundary and can be checked on its own.
		if high&highs != 0 {
			if !utf8.Valid(b[checked:i]) {
				return firstInvalid(b, checked), escaped, InvalidUTF8
			}
			high = 0
		}
		if i >= len(b) {
			return len(b), escaped, Syntax
		}
		switch b[i] {
		case '"':
			return i + 1, escaped, None
		case '\\':
			escaped = true
			if i++; i >= len(b) {
				return len(b), escaped, Syntax
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				for k := 0; k < 4; k++ {
					if i++; i >= len(b) {
						return len(b), escaped, Syntax
					}
					if !isHex(b[i]) {
						return i, escaped, Syntax
					}
				}
				i++
			default:
				return i, escaped, Syntax
			}
			checked = i
		default: // a control byte
			return i, escaped, Syntax
		}
	}
}

// plainRun crosses the bytes of a string from b[i] up to the first quote,
// backslash or control byte, and returns its index (len(b) if there is
// none) with the bytes crossed ORed together, for their high bits. Quote
// and backslash are found with bytes.IndexByte, which the standard library
// vectorises; only control bytes are left to look for a word at a time,
// with one subtraction a word while the text is plain ASCII. *quote keeps
// where the next quote is between calls on one string, so that a string
// with many escapes is searched for its quote once, not once an escape.
func plainRun(b []byte, i int, quote *int) (end int, high uint64) {
	if *quote < i {
		*quote = len(b)
		if q := bytes.IndexByte(b[i:], '"'); q >= 0 {
			*quote = i + q
		}
	}
	end = *quote
	if k := bytes.IndexByte(b[i:end], '\\'); k >= 0 {
		end = i + k
	}
	// No quote or backslash before end: look for the first control byte,
	// a block of four words at a time while the text is plain ASCII. In a
	// block, a byte below 0x20 wraps its lane's subtraction to set the
	// high bit; so does a non-ASCII byte, with or without it. Either way
	// the block is looked at again, a word at a time.
	for i+32 <= end {
		block := (*[32]byte)(b[i : i+32])
		x0 := binary.LittleEndian.Uint64(block[0:8])
		x1 := binary.LittleEndian.Uint64(block[8:16])
		x2 := binary.LittleEndian.Uint64(block[16:24])
		x3 := binary.LittleEndian.Uint64(block[24:32])
		if ((x0-lows*0x20)|x0|(x1-lows*0x20)|x1|(x2-lows*0x20)|x2|(x3-lows*0x20)|x3)&highs == 0 {
			i += 32
			continue
		}
		for stop := i + 32; i < stop; i += 8 {
			x := binary.LittleEndian.Uint64(b[i : i+8])
			if m := controls(x); m != 0 {
				stop := bits.TrailingZeros64(m)
				return i + stop>>3, high | x&(1<<stop-1)
			}
			high |= x
		}
	}
	for ; i+8 <= end; i += 8 {
		x := binary.LittleEndian.Uint64(b[i : i+8])
		if m := controls(x); m != 0 {
			stop := bits.TrailingZeros64(m)
			return i + stop>>3, high | x&(1<<stop-1)
		}
		high |= x
	}
	for ; i < end; i++ {
		if b[i] < 0x20 {
			return i, high
		}
		high |= uint64(b[i])
	}
	return end, high
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// firstInvalid returns the offset of the first byte at or after i that
// does not start a valid UTF-8 sequence. It runs only on a body already
// known to fail, so it can go a character at a time.
func firstInvalid(b []byte, i int) int {
	for i < len(b) {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return i
}
