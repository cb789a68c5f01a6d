package schemas_test

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"testing"

	"github.com/flexinference/flexguard/validate"
)

// FuzzSchemasAgainstRules mutates realistic bodies (adding, dropping,
// retyping and repeating fields, and appending blocks where the rules
// look) and fails on any body where the schemas and the fast path
// disagree under the contract of compareEngines, under the catalog's
// policy and under one that accepts no-op values. The raw argument is
// also judged as it is, so byte-level mutations reach both engines.
func FuzzSchemasAgainstRules(f *testing.F) {
	for i := range fuzzBases {
		f.Add(uint8(i), []byte{0, 3, 7, 2, 1, 4}, []byte(fuzzBases[i]))
	}
	f.Add(uint8(1), []byte{4, 9, 33, 0, 0, 14}, []byte(`{"model":"gpt-5.5","n":1.0}`))
	f.Add(uint8(3), []byte{3, 0, 30, 4, 2, 31}, []byte(`{"model":"claude-x","messages":[{"content":[{"type":"document","citations":{"enabled":true}}]}]}`))
	f.Add(uint8(2), []byte{0, 5, 34, 2, 0, 1}, []byte(`{"model":"gemini-3-pro","generation_config":{"seed":null,"seed":1}}`))
	f.Add(uint8(5), []byte{2, 3, 43, 0, 0, 44}, []byte(`{"model":"gpt-5.5","presence_penalty":-0.0e-7,"logit_bias":{ },"top_logprobs":0E0}`))
	f.Fuzz(func(t *testing.T, base uint8, ops []byte, raw []byte) {
		if len(ops) > 64 || len(raw) > 4096 {
			return
		}
		tree := parseOrdered(fuzzBases[int(base)%len(fuzzBases)])
		mutate(tree, ops)
		var buf bytes.Buffer
		tree.encode(&buf)
		for _, body := range [][]byte{buf.Bytes(), raw} {
			for _, ep := range validate.Endpoints() {
				for name, tw := range map[string]*twins{"catalog": catalogTwins, "accepting no-op values": noOpTwins} {
					fast, schema, agree, _ := compareEngines(tw, ep, body)
					if !agree {
						t.Errorf("%s, %s: fast path %q, schema %q\nbody: %s", name, ep, fast, schema, body)
					}
				}
			}
		}
	})
}

// fuzzBases are the realistic bodies the mutations start from.
var fuzzBases = []string{
	realisticChat,
	realisticMessages,
	`{"model":"gemini-3-flash","input":"Summarise this.","start_within":"00h-02m-00s","generation_config":{"temperature":0.2,"max_output_tokens":512}}`,
	`{"model":"gpt-5.5","input":[{"role":"user","content":"hi"}],"start_within":"auto","max_output_tokens":100}`,
	`{"model":"claude-opus-4","max_tokens":512,"system":"Be brief.","messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"file","file_id":"f1"}]}],"tools":[{"name":"t"}]}`,
	`{"model":"gpt-5.5","messages":[{"role":"user","content":"hi"}],"temperature":1,"top_p":1,"n":1,"presence_penalty":0,"frequency_penalty":0,"logit_bias":{},"logprobs":false,"top_logprobs":0,"stop":null}`,
}

// fuzzKeys are the field names the mutations add: every name a rule
// looks at, and a few near misses.
var fuzzKeys = []string{
	"model", "service_tier", "start_within", "presence_penalty", "frequency_penalty", "logit_bias",
	"logprobs", "top_logprobs", "seed", "stop", "prediction", "audio", "modalities", "web_search_options",
	"n", "top_k", "stop_sequences", "cache_control", "system", "tools", "messages", "content", "type",
	"citations", "enabled", "generation_config", "max_tokens", "max_output_tokens", "max_completion_tokens",
	"Model", "temperature",
}

// fuzzValues are the values the mutations put in: every kind, and the
// boundaries the rules draw.
var fuzzValues = func() []*ordered {
	var vs []*ordered
	for _, s := range []string{
		`null`, `true`, `false`, `0`, `1`, `1.0`, `1e0`, `2`, `-1`, `""`, `"x"`, `"text"`, `"audio"`,
		`"document"`, `"file"`, `"default"`, `"auto"`, `"priority"`, `"00h-00m-05s"`, `"00h-00m-04s"`,
		`"00h-10m-00s"`, `"00h-10m-01s"`, `"gpt-5.5"`, `"claude-x"`, `"gemini-3-pro"`, `[]`, `["text"]`,
		`["text","audio"]`, `{}`, `{"enabled":true}`, `{"enabled":false}`, `{"type":"ephemeral"}`,
		`[{"cache_control":{}}]`, `[{"type":"document","citations":{"enabled":true}}]`, `{"seed":1}`,
		`{"stop_sequences":null}`, `[{"content":[{"cache_control":{}}]}]`, `1.00000000000000000001`,
		`1e9999999`, `"00h-01m-60s"`, `[null]`, `{"0":{"content":[{"cache_control":{}}]}}`,
		`0.0`, `-0`, `0e5`, `-0.00E-9`, `0e9999999`, `0.5`, `1e-400`, `"0"`, `{"50256":-100}`, `{"1":0}`,
	} {
		vs = append(vs, parseOrdered(s))
	}
	return vs
}()

// ordered is a JSON value that keeps its members in order, repeats
// included, so that mutations can produce repeated keys.
type ordered struct {
	kind  byte // 'o' object, 'a' array, 's' scalar
	keys  []string
	elems []*ordered // members' values or array elements
	raw   string     // a scalar's JSON text
}

func parseOrdered(s string) *ordered {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	v, err := readOrdered(dec)
	if err != nil {
		panic("bad fuzz base " + s + ": " + err.Error())
	}
	return v
}

func readOrdered(dec *json.Decoder) (*ordered, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok := tok.(type) {
	case json.Delim:
		n := &ordered{kind: 'a'}
		if tok == '{' {
			n.kind = 'o'
		}
		for dec.More() {
			if n.kind == 'o' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string))
			}
			e, err := readOrdered(dec)
			if err != nil {
				return nil, err
			}
			n.elems = append(n.elems, e)
		}
		if _, err := dec.Token(); err != nil && err != io.EOF {
			return nil, err
		}
		return n, nil
	case json.Number:
		return &ordered{kind: 's', raw: string(tok)}, nil
	default:
		b, _ := json.Marshal(tok)
		return &ordered{kind: 's', raw: string(b)}, nil
	}
}

func (n *ordered) clone() *ordered {
	c := *n
	c.keys = append([]string(nil), n.keys...)
	c.elems = make([]*ordered, len(n.elems))
	for i, e := range n.elems {
		c.elems[i] = e.clone()
	}
	return &c
}

func (n *ordered) encode(buf *bytes.Buffer) {
	switch n.kind {
	case 's':
		buf.WriteString(n.raw)
	case 'a', 'o':
		open, end := byte('['), byte(']')
		if n.kind == 'o' {
			open, end = '{', '}'
		}
		buf.WriteByte(open)
		for i, e := range n.elems {
			if i > 0 {
				buf.WriteByte(',')
			}
			if n.kind == 'o' {
				buf.WriteString(strconv.Quote(n.keys[i]))
				buf.WriteByte(':')
			}
			e.encode(buf)
		}
		buf.WriteByte(end)
	}
}

// containers lists n and every object and array inside it, depth first.
func (n *ordered) containers(list []*ordered) []*ordered {
	if n.kind == 's' {
		return list
	}
	list = append(list, n)
	for _, e := range n.elems {
		list = e.containers(list)
	}
	return list
}

// mutate applies ops, three bytes at a time: what to do, where, and with
// which key or value.
func mutate(root *ordered, ops []byte) {
	for len(ops) >= 3 {
		op, where, what := ops[0], int(ops[1]), int(ops[2])
		ops = ops[3:]
		targets := root.containers(nil)
		t := targets[where%len(targets)]
		value := fuzzValues[what%len(fuzzValues)].clone()
		key := fuzzKeys[what%len(fuzzKeys)]
		switch op % 6 {
		case 0: // add a member, or an element
			if t.kind == 'o' {
				t.keys = append(t.keys, key)
			}
			t.elems = append(t.elems, value)
		case 1: // drop one
			if len(t.elems) > 0 {
				i := what % len(t.elems)
				if t.kind == 'o' {
					t.keys = append(t.keys[:i], t.keys[i+1:]...)
				}
				t.elems = append(t.elems[:i], t.elems[i+1:]...)
			}
		case 2: // retype one
			if len(t.elems) > 0 {
				t.elems[where%len(t.elems)] = value
			}
		case 3: // repeat a member with another value, after it
			if t.kind == 'o' && len(t.elems) > 0 {
				i := where % len(t.elems)
				t.keys = append(t.keys, t.keys[i])
				t.elems = append(t.elems, value)
			}
		case 4: // repeat a member with its own value, before it
			if t.kind == 'o' && len(t.elems) > 0 {
				i := what % len(t.elems)
				t.keys = append([]string{t.keys[i]}, t.keys...)
				t.elems = append([]*ordered{t.elems[i].clone()}, t.elems...)
			}
		case 5: // add a member named by the key list with an object around a value
			if t.kind == 'o' {
				inner := &ordered{kind: 'o', keys: []string{fuzzKeys[where%len(fuzzKeys)]}, elems: []*ordered{value}}
				t.keys = append(t.keys, key)
				t.elems = append(t.elems, inner)
			}
		}
	}
}
