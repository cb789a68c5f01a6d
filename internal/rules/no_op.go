package rules

// noOps holds, for each refused parameter that has one, the test for a
// value that asks the provider for nothing: the value Config's
// AcceptNoOpDefaults lets through. A parameter without a test has no such
// value and is refused whenever set. Package validate documents the table
// and its sources; the canonical schemas hold the same values.
var noOps = [numFields]func(raw string) bool{
	fieldPresencePenalty:  isZero,
	fieldFrequencyPenalty: isZero,
	fieldLogitBias:        isEmptyObject,
	fieldLogprobs:         isFalse,
	fieldTopLogprobs:      isZero,
}

// isNoOp reports whether raw, the set value of f, asks for nothing.
func isNoOp(f field, raw string) bool {
	test := noOps[f]
	return test != nil && test(raw)
}

// isZero reports whether the raw value is the JSON number 0 in any exact
// spelling (0, -0, 0.0, 0e7, -0.00E-3): a mantissa of zeros, whatever
// its sign or exponent, since a zero mantissa stays zero at any scale. The
// test reads digits, never a float, and never allocates.
func isZero(raw string) bool {
	digits := raw
	if digits != "" && digits[0] == '-' {
		digits = digits[1:]
	}
	if digits == "" || digits[0] < '0' || digits[0] > '9' {
		return false // a string, a literal, or none
	}
	for i := 0; i < len(digits); i++ {
		switch c := digits[i]; {
		case c == 'e' || c == 'E':
			return true // the exponent cannot make a zero mantissa anything else
		case c != '0' && c != '.':
			return false
		}
	}
	return true
}

// isEmptyObject reports whether the raw value is an object without
// members, whatever the whitespace inside its braces.
func isEmptyObject(raw string) bool {
	return len(raw) >= 2 && raw[0] == '{' && skipSpace(raw, 1) == len(raw)-1
}

// isFalse reports whether the raw value is the literal false.
func isFalse(raw string) bool { return raw == "false" }
