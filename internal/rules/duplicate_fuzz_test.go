package rules

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/clienttext"
)

// FuzzDuplicateKeyPath checks DuplicateKey against a reference built on
// encoding/json's tokenizer: on every body CheckJSON accepts, it must not
// panic, must agree on whether some object repeats a key, and must name
// the same path to the first repeated key in document order. (main's
// FuzzDuplicateKey checks the first two; this one adds the path.)
func FuzzDuplicateKeyPath(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"model":"gpt-5.5"}`,
		`{"model":"gpt-5.5","model":"claude-x"}`,
		`{"model":"gpt-5.5","mod\u0065l":"claude-x"}`,
		`{"model":"gpt-5.5","MODEL":"claude-x"}`,
		`{"a":{"b":1,"b":2}}`,
		`{"a":[{"b":1},{"b":1,"c":2,"b":3}]}`,
		`{"a":"{\"b\":1,\"b\":2}"}`,
		`{"\u00e9":1,"é":2}`,
		`{"\ud83d\ude00":1,"😀":2}`,
		`{"":1,"":2}`,
		`[{"a":1},{"a":1}]`,
		`{"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"k1":18}`,
		` { "a" : [ 1 , { "x" : null , "x" : true } ] } `,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if CheckJSON(body) != nil && !validNonObject(body) {
			return
		}
		path, found := DuplicateKey(body)
		wantPath, wantFound, err := referenceDuplicatePath(body)
		if err != nil {
			t.Fatalf("CheckJSON accepted a body encoding/json rejects: %v\n%q", err, body)
		}
		if found != wantFound {
			t.Fatalf("DuplicateKey found=%v (%q), reference found=%v (%q)\nbody: %q", found, path, wantFound, wantPath, body)
		}
		if path != wantPath { // both rendered by clienttext.Path: this checks the walk
			t.Fatalf("DuplicateKey path %q, reference %q\nbody: %q", path, wantPath, body)
		}
		if len(path) > clienttext.MaxPath {
			t.Fatalf("path of %d bytes is longer than the bound", len(path))
		}
	})
}

// validNonObject reports whether body is valid JSON whose top level is not
// an object: DuplicateKey must handle those too, since it walks any value.
func validNonObject(body []byte) bool {
	err := CheckJSON(body)
	return err != nil && err.Code() == apierrors.InvalidBody
}

// referenceDuplicatePath walks body with json.Decoder.Token, in document order,
// and returns the rendered path of the first key an object repeats.
func referenceDuplicatePath(body []byte) (path string, found bool, err error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // 1e999 is valid JSON, if not a valid float64
	var p clienttext.Path
	found, err = referencePathValue(dec, &p)
	if err != nil {
		return "", false, err
	}
	if found {
		return p.String(), true, nil
	}
	return "", false, nil
}

// referencePathValue reads one value from dec. On a repeated key it stops, leaving
// the path in p.
func referencePathValue(dec *json.Decoder, p *clienttext.Path) (bool, error) {
	tok, err := dec.Token()
	if err != nil {
		return false, err
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return false, nil
	}
	switch delim {
	case '{':
		seen := map[string]bool{}
		for dec.More() {
			keyTok, err := dec.Token()
			if err != nil {
				return false, err
			}
			key := keyTok.(string)
			mark := p.Len()
			p.Key(key)
			if seen[key] {
				return true, nil
			}
			seen[key] = true
			if found, err := referencePathValue(dec, p); found || err != nil {
				return found, err
			}
			p.Truncate(mark)
		}
	case '[':
		for i := 0; dec.More(); i++ {
			mark := p.Len()
			p.Index(i)
			if found, err := referencePathValue(dec, p); found || err != nil {
				return found, err
			}
			p.Truncate(mark)
		}
	}
	if _, err := dec.Token(); err != nil && err != io.EOF { // the closing delimiter
		return false, err
	}
	return false, nil
}
