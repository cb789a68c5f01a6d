package jsonscan

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"
)

// readBody reads one of the module's benchmark bodies. The path is
// relative to this package's directory, where tests run.
func readBody(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("..", "..", "testdata", "bodies", name))
}

func TestDenseBodyIsAValidObject(t *testing.T) {
	t.Parallel()
	body, err := readBody("chat_dense_1m.json")
	require.NoError(t, err)
	require.True(t, json.Valid(body))
	// The depth guard this package replaced walked a body exactly once it
	// held more than MaxDepth opening brackets: the dense body must.
	require.Greater(t, bytes.Count(body, []byte("{"))+bytes.Count(body, []byte("[")), MaxDepth)
	checkAgainstReference(t, body)
}

// benchBodies are the bodies every validator is measured on.
func benchBodies(b *testing.B) []struct {
	name string
	body []byte
} {
	chat, err := readBody("chat_2k.json")
	require.NoError(b, err)
	responses, err := readBody("responses_1m.json")
	require.NoError(b, err)
	dense, err := readBody("chat_dense_1m.json")
	require.NoError(b, err)
	return []struct {
		name string
		body []byte
	}{
		{"chat_2k", chat},
		{"responses_1m", responses},
		{"chat_dense_1m", dense},
	}
}

// BenchmarkValidate compares Scan with the validators it replaces or is
// measured against, on the same bodies.
func BenchmarkValidate(b *testing.B) {
	validators := []struct {
		name  string
		valid func([]byte) bool
	}{
		{"Scan", func(body []byte) bool { return Scan(body, nil).Problem == None }},
		{"gjson.ValidBytes", gjson.ValidBytes},
		{"json.Valid", json.Valid},
		{"utf8.Valid", utf8.Valid},
	}
	for _, body := range benchBodies(b) {
		for _, v := range validators {
			b.Run(body.name+"/"+v.name, func(b *testing.B) {
				require.True(b, v.valid(body.body))
				b.ReportAllocs()
				b.SetBytes(int64(len(body.body)))
				for b.Loop() {
					v.valid(body.body)
				}
			})
		}
	}
}

// BenchmarkScanMembers measures Scan as the rules will call it: with a
// closure that picks the top-level members it knows.
func BenchmarkScanMembers(b *testing.B) {
	for _, body := range benchBodies(b) {
		b.Run(body.name, func(b *testing.B) {
			var model, messages []byte
			b.ReportAllocs()
			b.SetBytes(int64(len(body.body)))
			for b.Loop() {
				res := Scan(body.body, func(m Member) {
					switch string(m.Key) {
					case "model":
						model = m.Value
					case "messages", "input":
						messages = m.Value
					}
				})
				if res.Problem != None || model == nil || messages == nil {
					b.Fatal("the body did not pass with its model and messages")
				}
			}
		})
	}
}
