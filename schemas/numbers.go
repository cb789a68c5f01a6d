package schemas

import (
	"encoding/json"
	"strconv"
	"strings"
)

// jsonschema/v5 compares numbers with math/big: every const, enum,
// integer type, minimum or maximum parses the client's number with
// big.Rat.SetString. A number such as 1e1000000 costs tens of
// milliseconds there, and one such as 1e9999999 fails to parse, which the
// library dereferences as nil and panics. tameNumbers rewrites, before
// validation, the few numbers that would hurt: the result compares with
// any constant a schema may hold (up to 34 significant digits, exponent
// within ±1000) exactly as the original does.

// Bounds beyond which a number is rewritten.
const (
	maxSignificant = 34   // digits kept; a decimal128's precision
	maxExponent    = 1000 // |decimal exponent| kept
	tameAbove      = 40   // numbers this short (and with a small exponent) are left alone
)

// tameNumbers rewrites, in place, the numbers of v that would be costly or
// fatal to compare, and returns v (which changes only when v itself is
// such a number).
func tameNumbers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if needsTaming(e) {
				v[k] = tameNumbers(e)
			} else if isComposite(e) {
				tameNumbers(e)
			}
		}
	case []any:
		for i, e := range v {
			if needsTaming(e) {
				v[i] = tameNumbers(e)
			} else if isComposite(e) {
				tameNumbers(e)
			}
		}
	case json.Number:
		if risky(string(v)) {
			return tame(string(v))
		}
	}
	return v
}

func isComposite(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

func needsTaming(v any) bool {
	n, ok := v.(json.Number)
	return ok && risky(string(n))
}

// risky reports whether big.Rat would pay for s: a long number, or an
// exponent of five digits or more.
func risky(s string) bool {
	if len(s) > tameAbove {
		return true
	}
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return false
	}
	digits := strings.TrimLeft(strings.TrimLeft(s[i+1:], "+-"), "0")
	return len(digits) > 4
}

// tame returns a short number that orders against every constant of up to
// maxSignificant digits (and exponent within ±maxExponent) as s does: the
// first maxSignificant significant digits, then a sticky 1 when more
// followed, so the result equals no such constant unless s did; magnitudes
// past the exponent bound are clamped.
func tame(s string) json.Number {
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	mantissa, exponent := s, int64(0)
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mantissa = s[:i]
		exponent = saturatingExponent(s[i+1:])
	}
	intPart, frac, _ := strings.Cut(mantissa, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	leadingZeros := len(intPart) + len(frac) - len(digits)
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		return "0"
	}
	// The value is 0.digits × 10^point.
	point := int64(len(intPart)) - int64(leadingZeros) + exponent
	if len(digits) > maxSignificant {
		digits = digits[:maxSignificant] + "1"
	}
	switch {
	case point > maxExponent+1:
		digits, point = "1", maxExponent+1 // 1e1000: above every constant
	case point < -maxExponent:
		digits, point = "1", -maxExponent // 1e-1001: closer to 0 than every constant but 0
	}
	return json.Number(sign + "0." + digits + "e" + strconv.FormatInt(point, 10))
}

// saturatingExponent parses an exponent's digits, stopping at a magnitude
// far past any bound.
func saturatingExponent(s string) int64 {
	negative := s != "" && s[0] == '-'
	s = strings.TrimLeft(s, "+-")
	var n int64
	for i := 0; i < len(s) && n < 1e12; i++ {
		n = n*10 + int64(s[i]-'0')
	}
	if negative {
		return -n
	}
	return n
}
