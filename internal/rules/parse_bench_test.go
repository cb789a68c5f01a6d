package rules

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
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

// parseBodies are ordinary bodies, from string-heavy to bracket-dense: a
// conversation of 8,000 short turns (the fourth) has more than MaxDepth
// brackets, and a megabyte of source code is dense with characters that
// a string scan must stop at.
var parseBodies = []struct {
	name string
	body []byte
}{
	{"2KB", conversation(2<<10, 200, prose)},
	{"1MB-1KB-turns", conversation(1<<20, 1000, prose)},
	{"1MB-one-document", conversation(1<<20, 1<<20-200, prose)},
	{"1MB-120B-turns", conversation(1<<20, 40, prose)},
	{"1MB-of-code", conversation(1<<20, 1<<20-200, code)},
}

// BenchmarkParse is Engine.Parse: the one pass that checks the JSON and
// indexes the top-level members.
func BenchmarkParse(b *testing.B) {
	e := newEngine(b, Config{MaxBodyBytes: 2 << 20})
	for _, c := range parseBodies {
		b.Run(c.name, func(b *testing.B) {
			var r Request
			if err := e.Parse(ChatCompletions, c.body, &r); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				_ = e.Parse(ChatCompletions, c.body, &r)
			}
		})
	}
}
