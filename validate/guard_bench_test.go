package validate

import (
	"bytes"
	"fmt"
	"testing"
	"unicode/utf8"

	"github.com/tidwall/gjson"
)

// ordinaryBody builds a chat request of about size bytes: a few hundred
// bytes of fields and a conversation of plain messages, nested three
// levels deep, the shape most traffic has.
func ordinaryBody(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"model":"gpt-5.5","start_within":"00h-00m-30s","max_completion_tokens":1024,"messages":[`)
	for i := 0; b.Len() < size-64; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		role := "user"
		if i%2 == 1 {
			role = "assistant"
		}
		fmt.Fprintf(&b, `{"role":%q,"content":[{"type":"text","text":"Message %d: the quick brown fox jumps over the lazy dog, \"quoted\" and [bracketed] {braced}."}]}`, role, i)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

var guardBodies = []struct {
	name string
	body []byte
}{
	{"2KB", ordinaryBody(2 << 10)},
	{"1MB", ordinaryBody(1 << 20)},
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
