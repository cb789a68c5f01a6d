package clienttext

import (
	"strconv"
	"unicode/utf8"
)

// The bounds, in bytes, the marker included.
const (
	MaxValue = 64  // one value or key taken from the request
	MaxPath  = 256 // a whole param path
)

// marker shows where text was cut.
const marker = "…"

// Cut returns s unchanged when it fits in MaxValue bytes; otherwise its
// longest prefix that ends on a character boundary and leaves room for the
// marker, followed by the marker. Bytes that are not UTF-8 count as one
// character each.
func Cut(s string) string {
	if len(s) <= MaxValue {
		return s
	}
	return s[:boundaryAtOrBefore(s, MaxValue-len(marker))] + marker
}

// Quote returns Cut(s) as a Go/JSON-style double-quoted string, for a
// message that names the client's value.
func Quote(s string) string {
	return strconv.Quote(Cut(s))
}

// CutPath returns path unchanged when it fits in MaxPath bytes; otherwise
// the marker followed by the longest suffix that starts on a character
// boundary and fits. A path keeps its end because the end names the
// offending field.
func CutPath(path string) string {
	if len(path) <= MaxPath {
		return path
	}
	start := len(path) - (MaxPath - len(marker))
	for start < len(path) && !utf8.RuneStart(path[start]) {
		start++
	}
	return marker + path[start:]
}

// boundaryAtOrBefore returns the largest i <= n at which s can be cut
// without splitting a character: s[n] is not the middle of a multi-byte
// character, or the start of the character it belongs to.
func boundaryAtOrBefore(s string, n int) int {
	i := n
	for k := 1; k < utf8.UTFMax && i > 0 && !utf8.RuneStart(s[i]); k++ {
		i--
	}
	if !utf8.RuneStart(s[i]) {
		return n // stray continuation bytes, not a character to keep whole
	}
	return i
}
