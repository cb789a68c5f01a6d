// Package jsonscan validates a request body in one pass and hands out the
// members of its top-level object, so that the body rules need no second
// walk over it.
//
// # What is valid
//
// A body is valid exactly when json.Valid and utf8.Valid both accept it:
// Scan follows encoding/json's grammar to the byte, and adds what Valid
// leaves out, UTF-8 inside strings (Valid lets any byte through there).
// Nesting deeper than MaxDepth, encoding/json's own limit, is invalid for
// both. Escapes are checked for their grammar only, as encoding/json does:
// an escaped lone surrogate ("\ud800") is valid, and decodes to U+FFFD.
// There is no deliberate difference from encoding/json on validity.
//
// # Why a body failed
//
// A Result names the first problem in reading order, so that the error
// message can differ, and the offset of the byte where it was found
// (len(body) when the body ends too soon). Problems are a syntax error,
// invalid UTF-8 in a string, and nesting past MaxDepth; encoding/json
// fails on the first and the last at the same byte, calling both syntax
// errors, and lets the second through. A non-ASCII byte outside any string
// is a syntax error, whatever its encoding.
//
// # Members
//
// Scan calls a function with each member of a top-level object: the key's
// raw text with a flag that tells whether it holds an escape (only then
// does it need decoding), and the value's raw text. A caller picks the
// members it knows with a closure that writes to its own variables; such a
// closure does not escape, so a call costs no allocation. Members seen
// before a problem must be dropped.
//
// # How it is fast
//
// Scan does not recurse, so no body can exhaust the stack: a bit set
// holds the kind of each open container. String interiors, most of a
// typical body, are crossed eight bytes at a time with word arithmetic,
// stopping only at a quote, a backslash or a control byte. A string still
// going after a few blocks of words is likely long (a document, an image in
// base64): its next quote and backslash are found with bytes.IndexByte,
// which the standard library vectorises, and the bytes before them are
// checked for control bytes with one subtraction a word. Non-ASCII text is
// checked with utf8.Valid afterwards, and only in strings that have any.
// Structure is walked a byte at a time: a body dense with short strings
// and brackets costs more per byte than one made of long strings.
//
// gjson's validator is not used: it walks strings a byte at a time, lets
// invalid UTF-8 through, recurses without a depth limit, and tells nothing
// of where or why a body failed.
package jsonscan
