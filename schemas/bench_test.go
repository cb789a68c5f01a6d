package schemas_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/flexinference/flexguard/schemas"
	"github.com/flexinference/flexguard/validate"
)

// benchBodies are the bodies both engines are timed on: a chat request of
// about 2 KB and a messages request of about 16 KB, both valid.
var benchBodies = []struct {
	name string
	ep   validate.Endpoint
	body []byte
}{
	{"chat_2KB", validate.ChatCompletions, []byte(grow(`{"model":"gpt-5.5","start_within":"00h-01m-00s","temperature":0.2,"n":1,"modalities":["text"],"messages":[`,
		`{"role":"user","content":"Please summarise the quarterly report in three bullet points, keeping the numbers exact."}`, `]}`, 2048))},
	{"messages_16KB", validate.Messages, []byte(grow(`{"model":"claude-sonnet-4","max_tokens":1024,"start_within":"default","system":[{"type":"text","text":"Answer briefly."}],"messages":[`,
		`{"role":"user","content":[{"type":"text","text":"Here is the next part of the contract; flag any clause about termination or renewal."},{"type":"document","source":{"type":"text","data":"Clause 7: either party may end this agreement with 30 days notice."},"citations":{"enabled":false}}]}`, `]}`, 16384))},
}

// grow repeats item between head and tail until the body reaches size.
func grow(head, item, tail string, size int) string {
	var b strings.Builder
	b.WriteString(head)
	for i := 0; b.Len()+len(item)+len(tail) <= size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(item)
	}
	b.WriteString(tail)
	return b.String()
}

func BenchmarkFastPathCheck(b *testing.B) {
	for _, bb := range benchBodies {
		b.Run(bb.name+"_"+strconv.Itoa(len(bb.body))+"B", func(b *testing.B) {
			if _, err := fastPath.Check(bb.ep, bb.body); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(bb.body)))
			for b.Loop() {
				_, _ = fastPath.Check(bb.ep, bb.body)
			}
		})
	}
}

func BenchmarkSchemaCheck(b *testing.B) {
	for _, bb := range benchBodies {
		b.Run(bb.name+"_"+strconv.Itoa(len(bb.body))+"B", func(b *testing.B) {
			if err := schemas.Canonical().Check(bb.ep, bb.body); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(bb.body)))
			for b.Loop() {
				_ = schemas.Canonical().Check(bb.ep, bb.body)
			}
		})
	}
}
