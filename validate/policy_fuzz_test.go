package validate_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/flexinference/flexguard/validate"
)

// FuzzLoadPolicy: loading any file never panics; a file that loads gives
// a Policy that New accepts, and an error always names the package.
func FuzzLoadPolicy(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"max_body_bytes": 1000000, "default_start_within": "", "flex_models": {"openai": ["gpt-5.5", "o3"], "gemini": ["gemini-3-pro"]}}`,
		`{"max_body_bytes": -1}`,
		`{"default_start_within": "00h-00m-04s"}`,
		`{"flex_models": {"openai": ["gpt-*5"]}}`,
		`{"flex_models": {"anthropic": []}}`,
		`{"colour": "blue"}`,
		`{} {}`,
		`{"max_body_bytes": "big"}`,
		`{"provider_prefixes": {"anthropic": ["anthropic/", "us.anthropic.claude-"], "gemini": ["google/gemini-"], "openai": ["openai/", "openai."]}, "accept_no_op_defaults": true}`,
		`{"provider_prefixes": {"gemini": ["vertex_ai/"], "anthropic": ["vertex_ai/claude-"]}}`,
		`{"provider_prefixes": {"openai": ["claude-"]}}`,
		`{"provider_prefixes": {"anthropic": ["x/"], "gemini": ["x/"]}}`,
		`{"provider_prefixes": {"anthropic": [""]}}`,
		`{"provider_prefixes": {"openai": ["openai/*"]}}`,
		`{"provider_prefixes": {"bedrock": ["us."]}}`,
		`{"provider_prefixes": {"openai": "openai/"}}`,
		`{"provider_prefixes": ["openai/"]}`,
		`{"provider_prefixes": {"anthropic": null}, "accept_no_op_defaults": false}`,
		`{"accept_no_op_defaults": 1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, file []byte) {
		p, err := validate.LoadPolicy(bytes.NewReader(file))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "flexguard/validate: policy") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
		if _, err := validate.New(p); err != nil {
			t.Fatalf("LoadPolicy accepted a policy New refuses: %v", err)
		}
		if !json.Valid(file) {
			t.Fatalf("LoadPolicy accepted a file that is not JSON: %q", file)
		}
	})
}
