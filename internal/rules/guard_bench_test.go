package rules

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// conversation builds a chat request of about size bytes: a few fields
// and a conversation of user and assistant turns of textBytes of text
// each (filler drawn from text), nested three levels deep, the shape most
// traffic has.
func conversation(size, textBytes int, text string) []byte {
	turn := strings.Repeat(text, textBytes/len(text)+1)[:textBytes]
	var b bytes.Buffer
	b.WriteString(`{"model":"gpt-5.5","start_within":"00h-00m-30s","max_completion_tokens":1024,"messages":[`)
	for i := 0; b.Len() < size-textBytes-64; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		role := "user"
		if i%2 == 1 {
			role = "assistant"
		}
		fmt.Fprintf(&b, `{"role":%q,"content":[{"type":"text","text":"%d: %s"}]}`, role, i, turn)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

const (
	prose = `The quick brown fox jumps over the lazy dog, and \"quotes\" it. `
	code  = `func f(a []int) map[string]int { return map[string]int{\"n\": len(a)} }\n`
)

// guardBodies are ordinary bodies. With at most 10,000 opening brackets
// (the first three) the guard is one vectorised count. The last two have
// more, and so take the exact walk: a conversation of 8,000 short turns,
// and a megabyte of source code; they are the guard's worst case among
// ordinary bodies.
var guardBodies = []struct {
	name string
	body []byte
}{
	{"2KB", conversation(2<<10, 200, prose)},
	{"1MB-1KB-turns", conversation(1<<20, 1000, prose)},
	{"1MB-one-document", conversation(1<<20, 1<<20-200, prose)},
	{"1MB-120B-turns", conversation(1<<20, 40, prose)},
	{"1MB-of-code", conversation(1<<20, 1<<20-200, code)},
}

// BenchmarkCheckJSONWithGuard is CheckJSON: the depth guard, then gjson's
// validator and the UTF-8 check.
func BenchmarkCheckJSONWithGuard(b *testing.B) {
	for _, c := range guardBodies {
		b.Run(c.name, func(b *testing.B) {
			if err := CheckJSON(c.body); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				_ = CheckJSON(c.body)
			}
		})
	}
}

// BenchmarkCheckJSONWithoutGuard is the same work minus tooDeep: the
// baseline the guard's cost is measured against.
func BenchmarkCheckJSONWithoutGuard(b *testing.B) {
	for _, c := range guardBodies {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				_ = gjson.ValidBytes(c.body) && utf8.Valid(c.body)
			}
		})
	}
}

// BenchmarkTooDeep is the guard alone, on ordinary bodies and on the
// worst case it must still answer quickly: a body of nothing but '['.
func BenchmarkTooDeep(b *testing.B) {
	cases := append(guardBodies[:len(guardBodies):len(guardBodies)], struct {
		name string
		body []byte
	}{"1MB-of-[", bytes.Repeat([]byte{'['}, 1<<20)})
	b.Run("byte-walk-1MB-of-code", func(b *testing.B) { // a byte-at-a-time walk, for scale
		body := guardBodies[4].body
		b.ReportAllocs()
		b.SetBytes(int64(len(body)))
		for b.Loop() {
			_ = referenceTooDeep(body)
		}
	})
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				_ = tooDeep(c.body)
			}
		})
	}
}
