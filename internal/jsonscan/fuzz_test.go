package jsonscan

import (
	"strings"
	"testing"
)

// Each fuzz target builds a body and requires Scan to agree with the
// reference on it in every respect (checkAgainstReference): validity as
// json.Valid && utf8.Valid, the problem and its offset, the kind of value,
// the depth, and the members of a valid object as encoding/json's Decoder
// reads them. Their seeds are in testdata/fuzz.

// FuzzScan feeds arbitrary bodies.
func FuzzScan(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAgainstReference(t, body)
	})
}

// FuzzScanObject builds an object of two members from raw key and value
// text, so that most inputs reach the members: keys with escapes, values
// of every kind, and repeated keys.
func FuzzScanObject(f *testing.F) {
	f.Fuzz(func(t *testing.T, key1, value1, key2, value2 string) {
		body := `{"` + key1 + `":` + value1 + `,"` + key2 + `":` + value2 + `}`
		checkAgainstReference(t, []byte(body))
	})
}

// FuzzScanString puts raw text in a string after padding bytes, so that
// every byte of the text meets the word-at-a-time loops at every position
// in a word and a block; the high bits of padding put up to a few hundred
// plain bytes before the text, so that it also meets the long-string path.
func FuzzScanString(f *testing.F) {
	f.Fuzz(func(t *testing.T, padding uint8, text []byte) {
		lead := strings.Repeat("plain text, ", int(padding/32)*4) // 0 to 336 bytes
		body := strings.Repeat(" ", int(padding%32)) + `{"k":"` + lead + string(text) + `"}`
		checkAgainstReference(t, []byte(body))
	})
}

// FuzzScanNested wraps raw text in about MaxDepth containers, arrays and
// objects in an order the fuzzer picks, so that the depth limit is met
// with every kind of value and mistake at the bottom.
func FuzzScanNested(f *testing.F) {
	f.Fuzz(func(t *testing.T, extra int8, kinds uint64, inner []byte) {
		depth := MaxDepth + int(extra)%8 // MaxDepth-7 to MaxDepth+7
		var open, close strings.Builder
		for d := range depth {
			if kinds>>(d%64)&1 == 1 {
				open.WriteString(`{"k":`)
			} else {
				open.WriteString(`[`)
			}
		}
		for d := depth - 1; d >= 0; d-- {
			if kinds>>(d%64)&1 == 1 {
				close.WriteString(`}`)
			} else {
				close.WriteString(`]`)
			}
		}
		checkAgainstReference(t, []byte(open.String()+string(inner)+close.String()))
	})
}
