package testbodies

import (
	"os"
	"path/filepath"
	"runtime"

	"github.com/flexinference/flexguard/validate"
)

// Body is one benchmark body and the endpoint it is sent to.
type Body struct {
	Name     string // the file name without .json: the sub-benchmark name
	Endpoint validate.Endpoint
	Bytes    []byte
}

// Names lists the bodies from the smallest to the largest, with their
// endpoints. chat_dense_1m is the bracket-dense one: short turns, the
// opposite of responses_1m's long strings at nearly the same size.
var Names = []struct {
	Name     string
	Endpoint validate.Endpoint
}{
	{"chat_2k", validate.ChatCompletions},
	{"messages_16k", validate.Messages},
	{"responses_128k", validate.Responses},
	{"chat_dense_1m", validate.ChatCompletions},
	{"responses_1m", validate.Responses},
}

// Dir is the directory the bodies are in, found from this file's place in
// the source tree, so that tests of any package (or module) can read it.
func Dir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("flexguard/internal/testbodies: no caller information")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "bodies")
}

// Load reads every body.
func Load() ([]Body, error) {
	bodies := make([]Body, 0, len(Names))
	for _, n := range Names {
		b, err := os.ReadFile(filepath.Join(Dir(), n.Name+".json"))
		if err != nil {
			return nil, err
		}
		bodies = append(bodies, Body{Name: n.Name, Endpoint: n.Endpoint, Bytes: b})
	}
	return bodies, nil
}
