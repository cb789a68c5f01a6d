// Command gen writes the benchmark request bodies in testdata/bodies: one
// realistic body per endpoint and size, from a fixed seed so that every run
// writes the same bytes. Run it from the repository root:
//
//	go run ./testdata/bodies/gen
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// words is the vocabulary of the filler prose: plain technical English, so
// the bodies look like what a gateway sees.
var words = strings.Fields(`the a an of to in for on with from by and or but not is are was
be this that these those it its we you they our your their request response model token
latency queue priority service tier flex budget deadline retry error timeout gateway provider
function tool call result argument schema field value string number array object nested
summary report table chart customer order invoice shipment warehouse region quarter revenue
forecast anomaly metric dashboard alert incident outage deploy rollback migration database
index query cache shard replica cluster node pod container image build test release branch
commit review merge conflict issue ticket sprint backlog estimate please could would should
explain describe compare list outline draft rewrite translate classify extract verify`)

type gen struct{ rng *rand.Rand }

// sentence returns n words as a sentence.
func (g *gen) sentence(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = words[g.rng.IntN(len(words))]
	}
	s := strings.Join(ws, " ")
	return strings.ToUpper(s[:1]) + s[1:] + "."
}

// prose returns sentences cut to size bytes, so that the generator can
// hit a body size to the byte.
func (g *gen) prose(size int) string {
	var b strings.Builder
	for b.Len() < size {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(g.sentence(6 + g.rng.IntN(12)))
	}
	return b.String()[:size]
}

// richProse is prose with the escapes a decoder must handle: newlines,
// quotes, tabs and backslashes.
func (g *gen) richProse(size int) string {
	var b strings.Builder
	for b.Len() < size {
		switch g.rng.IntN(8) {
		case 0:
			b.WriteString("\n\n")
		case 1:
			b.WriteString(` "` + g.sentence(3) + `" `)
		case 2:
			b.WriteString("\n\t- " + g.sentence(5))
		case 3:
			b.WriteString(` C:\\build\\out `)
		default:
			b.WriteString(" " + g.sentence(6+g.rng.IntN(12)))
		}
	}
	return b.String()[:size]
}

// encode writes v as compact JSON, without HTML escaping, as clients send.
func encode(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n")
}

// sized builds a body with build(fill) and adjusts fill until the body is
// within tolerance of target bytes.
func sized(target, tolerance int, build func(fill int) []byte) []byte {
	fill := target / 2
	for range 50 {
		b := build(fill)
		d := target - len(b)
		if d >= -tolerance && d <= tolerance {
			return b
		}
		fill += d / 2
		if fill < 0 {
			fill = 0
		}
	}
	panic(fmt.Sprintf("gen: no fill reaches %d bytes", target))
}

type obj = map[string]any // encoding/json sorts map keys: the output is stable

func functionTool(name, description string) obj {
	return obj{"type": "function", "function": obj{
		"name": name, "description": description,
		"parameters": obj{
			"type": "object",
			"properties": obj{
				"query":  obj{"type": "string", "description": "What to look up."},
				"limit":  obj{"type": "integer", "minimum": 1, "maximum": 50},
				"region": obj{"type": "string", "enum": []string{"eu", "us", "apac"}},
			},
			"required": []string{"query"},
		},
	}}
}

func chat2k(seed uint64) []byte {
	return sized(2048, 8, func(fill int) []byte {
		g := &gen{rand.New(rand.NewPCG(seed, 1))}
		return encode(obj{
			"model":        "gpt-5.5",
			"start_within": "00h-00m-30s",
			"temperature":  0.7,
			"messages": []obj{
				{"role": "system", "content": "You are a support assistant for a logistics company. Answer briefly and cite order numbers."},
				{"role": "user", "content": g.prose(200)},
				{"role": "assistant", "content": g.prose(300)},
				{"role": "user", "content": g.prose(fill)},
			},
			"tools": []obj{functionTool("lookup_order", "Find an order by number or customer name.")},
		})
	})
}

func messages16k(seed uint64) []byte {
	return sized(16*1024, 16, func(fill int) []byte {
		g := &gen{rand.New(rand.NewPCG(seed, 2))}
		tool := func(name string) obj {
			return obj{"name": name, "description": g.prose(120), "input_schema": obj{
				"type":       "object",
				"properties": obj{"path": obj{"type": "string"}, "pattern": obj{"type": "string"}},
				"required":   []string{"path"},
			}}
		}
		var msgs []obj
		for i := range 4 {
			id := fmt.Sprintf("toolu_%02d%08x", i, g.rng.Uint32())
			msgs = append(msgs,
				obj{"role": "user", "content": []obj{{"type": "text", "text": g.prose(fill / 8)}}},
				obj{"role": "assistant", "content": []obj{
					{"type": "text", "text": g.prose(200)},
					{"type": "tool_use", "id": id, "name": "read_file", "input": obj{"path": fmt.Sprintf("src/module_%d.go", i)}},
				}},
				obj{"role": "user", "content": []obj{
					{"type": "tool_result", "tool_use_id": id, "content": []obj{{"type": "text", "text": g.prose(fill / 8)}}},
				}},
			)
		}
		msgs = append(msgs, obj{"role": "user", "content": "Summarise what you found in three bullet points."})
		return encode(obj{
			"model":        "claude-sonnet-4",
			"max_tokens":   2048,
			"start_within": "priority",
			"system": []obj{
				{"type": "text", "text": "You are a careful code reviewer."},
				{"type": "text", "text": g.prose(400)},
			},
			"tools":    []obj{tool("read_file"), tool("grep"), tool("list_dir")},
			"messages": msgs,
		})
	})
}

func responses128k(seed uint64) []byte {
	return sized(128*1024, 64, func(fill int) []byte {
		g := &gen{rand.New(rand.NewPCG(seed, 3))}
		var input []obj
		for i := range 8 {
			role := "user"
			kind := "input_text"
			if i%2 == 1 {
				role, kind = "assistant", "output_text"
			}
			input = append(input, obj{"type": "message", "role": role,
				"content": []obj{{"type": kind, "text": g.richProse(fill / 8)}}})
		}
		return encode(obj{
			"model":             "gpt-5.5",
			"start_within":      "auto",
			"instructions":      "Answer as a senior site reliability engineer.",
			"max_output_tokens": 4096,
			"input":             input,
		})
	})
}

func responses1m(seed uint64) []byte {
	const target = 999_000
	build := func(imageBytes int) []byte {
		img := make([]byte, imageBytes)
		r := rand.New(rand.NewPCG(seed, 5))
		for i := range img {
			img[i] = byte(r.Uint32())
		}
		return encode(obj{
			"model":        "gpt-5.5",
			"start_within": "00h-05m-00s",
			"input": []obj{{"type": "message", "role": "user", "content": []obj{
				{"type": "input_text", "text": "What is wrong with the wiring in this photo?"},
				{"type": "input_image", "image_url": "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(img)},
			}}},
		})
	}
	return sized(target, 4, build)
}

// chatDense1m is the opposite of the string-heavy bodies: a chat request
// of many short turns, a sentence each, so that a bracket and a few short
// strings come every hundred bytes or so. A third of the turns send their
// text as content parts, as clients also do.
func chatDense1m(seed uint64) []byte {
	return sized(998_000, 256, func(fill int) []byte {
		g := &gen{rand.New(rand.NewPCG(seed, 6))}
		var msgs []obj
		size := 0 // of the messages array as encoded
		for turn := 0; size < fill; turn++ {
			role := "user"
			if turn%2 == 1 {
				role = "assistant"
			}
			var content any = g.sentence(3 + g.rng.IntN(14))
			if turn%3 == 2 {
				content = []obj{{"type": "text", "text": content}}
			}
			msg := obj{"role": role, "content": content}
			msgs = append(msgs, msg)
			size += len(encode(msg)) + 1
		}
		return encode(obj{
			"model":                 "gpt-5.5",
			"start_within":          "auto",
			"max_completion_tokens": 256,
			"messages":              msgs,
		})
	})
}

func main() {
	dir := "testdata/bodies"
	if _, err := os.Stat(dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen: run from the repository root:", err)
		os.Exit(1)
	}
	const seed = 20260601
	for name, body := range map[string][]byte{
		"chat_2k.json":        chat2k(seed),
		"messages_16k.json":   messages16k(seed),
		"responses_128k.json": responses128k(seed),
		"responses_1m.json":   responses1m(seed),
		"chat_dense_1m.json":  chatDense1m(seed),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		fmt.Printf("%-20s %8d bytes\n", name, len(body))
	}
}
