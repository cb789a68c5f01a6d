package jsonscan

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// The exhaustive tests run Scan on every input up to a small length over a
// small alphabet and compare each answer with the reference. Each alphabet
// aims at one part of the grammar, small enough that the longest inputs
// that exercise it take seconds.
var exhaustiveAlphabets = []struct {
	name     string
	alphabet string
	maxLen   int
}{
	// Every kind of byte the scanner tells apart: structure, strings and
	// escapes, numbers, a literal's first letter, whitespace, a UTF-8 lead
	// and continuation byte (é is C3 A9), a control byte and DEL.
	{"every kind of byte", "{}[]\"\\,:01-.et \xc3\xa9\x1f\x7f", 5},
	// Nesting, separators and values around them.
	{"structure", "{}[]\",:0", 7},
	// String interiors: escapes, \u digits, UTF-8 and control bytes.
	{"string interiors", "\"\\unb0a\xc3\xa9\x01\x7f", 6},
	// Numbers and what may follow them.
	{"numbers", "-012.eE+,]", 6},
}

func TestScanAgreesWithTheReferenceOnEveryShortInput(t *testing.T) {
	t.Parallel()
	for _, a := range exhaustiveAlphabets {
		// One subtest per first byte, so that both cores share the work.
		for first := range len(a.alphabet) {
			t.Run(a.name+"/"+string(a.alphabet[first]), func(t *testing.T) {
				t.Parallel()
				inputs := forEachInput(a.alphabet, first, a.maxLen-exhaustiveCut, func(body []byte) {
					checkShortInput(t, body)
				})
				t.Logf("%d inputs", inputs)
			})
		}
	}
}

// forEachInput calls check with every string of 1 to maxLen bytes over
// alphabet that starts with alphabet[first], and the empty string along
// with the first byte's strings. It reuses one buffer, like an odometer.
func forEachInput(alphabet string, first, maxLen int, check func([]byte)) int {
	inputs := 0
	if first == 0 {
		check(nil)
		inputs++
	}
	digits := make([]int, maxLen)
	body := make([]byte, maxLen)
	for length := 1; length <= maxLen; length++ {
		for k := range digits[:length] {
			digits[k] = 0
		}
		digits[0] = first
		for {
			for k, d := range digits[:length] {
				body[k] = alphabet[d]
			}
			check(body[:length])
			inputs++
			k := length - 1
			for k > 0 && digits[k] == len(alphabet)-1 {
				digits[k] = 0
				k--
			}
			if k == 0 {
				break
			}
			digits[k]++
		}
	}
	return inputs
}

// checkShortInput is checkAgainstReference made cheap enough to run
// millions of times: plain comparisons, and the member comparison only for
// the few valid objects.
func checkShortInput(t *testing.T, body []byte) {
	got := Scan(body, nil)
	if want := referenceResult(body); got != want {
		t.Fatalf("Scan(%q) = %+v, want %+v", body, got, want)
	}
	if valid := json.Valid(body) && utf8.Valid(body); valid != (got.Problem == None) {
		t.Fatalf("Scan(%q) = %+v, but json.Valid && utf8.Valid = %v", body, got, valid)
	}
	if got.Problem == None && got.Object {
		checkAgainstReference(t, body)
	}
}
