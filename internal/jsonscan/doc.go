// Package jsonscan validates a request body in one pass and hands out the
// members of its top-level object, so that the body rules need no second
// walk over it.
//
// Scan judges validity exactly as encoding/json's Valid does, and adds
// what Valid leaves out: every byte must be UTF-8 (Valid lets any byte
// through inside strings), and nesting deeper than MaxDepth fails with a
// problem of its own rather than as a plain syntax error. A body is valid
// here exactly when json.Valid and utf8.Valid both accept it. Escapes are
// checked for their grammar only: an escaped lone surrogate ("\ud800") is
// valid, as it is for encoding/json, which decodes it to U+FFFD.
//
// It does not recurse, so no body can exhaust the stack, and it does not
// allocate. String interiors, most of a typical body, are crossed eight
// bytes at a time with word arithmetic, stopping only at a quote, a
// backslash or a control byte; non-ASCII text is checked afterwards with
// utf8.Valid, and only in strings that have any.
//
// gjson's validator is not used: it walks strings a byte at a time, lets
// invalid UTF-8 through, recurses without a depth limit, and tells
// nothing of where or why a body failed.
package jsonscan
