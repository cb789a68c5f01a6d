package main

import (
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/conformance"
)

// writeBody writes body to a file in a temporary directory.
func writeBody(t *testing.T, name string, body []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, body, 0o600))
	return path
}

// parseCheckLine splits one line of check's output into the file name and
// the verdict, and for a failure decodes the error body.
func parseCheckLine(t *testing.T, line, file string) (ok bool, code string, param any) {
	t.Helper()
	verdict, found := strings.CutPrefix(line, file+": ")
	require.True(t, found, "want %q to start with the file name", line)
	if verdict == "ok" {
		return true, "", nil
	}
	var body struct {
		Error map[string]any `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(verdict), &body), verdict)
	require.Contains(t, body.Error, "param", "param is always present")
	assert.NotEmpty(t, body.Error["message"])
	assert.NotEmpty(t, body.Error["type"])
	code, _ = body.Error["code"].(string)
	return false, code, body.Error["param"]
}

// TestCheckConformance runs every conformance case that is only a body and
// a policy through "flexgate check".
func TestCheckConformance(t *testing.T) {
	t.Parallel()
	cases, err := conformance.Load(conformance.Dir())
	require.NoError(t, err)
	for _, c := range cases {
		if c.UsesTransport() || c.UsesOrgHooks() {
			continue
		}
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			file := writeBody(t, "body.json", c.Body)
			args := []string{"-endpoint", c.Path()}
			if c.Policy != "" {
				args = append(args, "-policy", writePolicy(t, c.Policy))
			}
			if c.Strict {
				args = append(args, "-strict")
			}
			stdout, stderr, code := runCheck(t, nil, append(args, file)...)

			if c.WantCode == "unknown_url" {
				// A file has no path: an unknown endpoint is a usage error.
				assert.Equal(t, 2, code)
				assert.Empty(t, stdout)
				assert.Contains(t, stderr, "-endpoint")
				return
			}
			lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
			require.Len(t, lines, 1, "one line per file: %q (stderr %q)", stdout, stderr)
			ok, gotCode, gotParam := parseCheckLine(t, lines[0], file)
			if c.WantStatus == 200 {
				assert.True(t, ok, "want ok, got %s", lines[0])
				assert.Equal(t, 0, code)
				return
			}
			require.False(t, ok)
			assert.Equal(t, c.WantCode, gotCode)
			if c.WantParam == "" {
				assert.Nil(t, gotParam)
			} else {
				assert.Equal(t, c.WantParam, gotParam)
			}
			assert.Equal(t, 1, code)
		})
	}
}

// TestCheckCommandLine covers standard input, several files and every
// usage error.
func TestCheckCommandLine(t *testing.T) {
	t.Parallel()
	valid := []byte(`{"model":"gpt-5.5","start_within":"default","input":"hi"}`)
	good := writeBody(t, "good.json", valid)
	bad := writeBody(t, "bad.json", []byte(`{"model":"gpt-5.5"}`))
	badPolicy := writePolicy(t, `{"max_body_bytes": 10, "colour": "blue"}`)
	missing := filepath.Join(t.TempDir(), "missing.json")
	taken, err := net.Listen("tcp", "127.0.0.1:0") // a port flexgate cannot have
	require.NoError(t, err)
	t.Cleanup(func() { _ = taken.Close() })

	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantStatus int
		wantStdout string // exact, when not empty
		wantStderr string // a substring, when not empty
	}{
		{
			name:       "a valid body from standard input is ok",
			args:       []string{"check", "-endpoint", "/v1/responses", "-"},
			stdin:      string(valid),
			wantStatus: 0,
			wantStdout: "-: ok\n",
		},
		{
			name:       "an invalid body from standard input prints its error and exits 1",
			args:       []string{"check", "-endpoint", "/v1/responses", "-"},
			stdin:      `{"model":"gpt-5.5","start_within":"soon"}`,
			wantStatus: 1,
			wantStdout: `-: {"error":{"message":`,
		},
		{
			name:       "every file passing exits 0",
			args:       []string{"check", "-endpoint", "/v1/responses", good, good},
			wantStatus: 0,
			wantStdout: good + ": ok\n" + good + ": ok\n",
		},
		{
			name:       "a file that cannot be read exits 2 and the others are still checked",
			args:       []string{"check", "-endpoint", "/v1/responses", missing, good},
			wantStatus: 2,
			wantStdout: good + ": ok\n",
			wantStderr: "missing.json",
		},
		{name: "no -endpoint is a usage error", args: []string{"check", good}, wantStatus: 2, wantStderr: "-endpoint is required"},
		{name: "an unknown endpoint is a usage error", args: []string{"check", "-endpoint", "/v1/embeddings", good}, wantStatus: 2, wantStderr: "/v1/embeddings"},
		{name: "a trailing slash on the endpoint is a usage error", args: []string{"check", "-endpoint", "/v1/responses/", good}, wantStatus: 2, wantStderr: "-endpoint"},
		{name: "no files is a usage error", args: []string{"check", "-endpoint", "/v1/responses"}, wantStatus: 2, wantStderr: "no files"},
		{name: "a policy file with an unknown key is a usage error", args: []string{"check", "-policy", badPolicy, "-endpoint", "/v1/responses", good}, wantStatus: 2, wantStderr: "colour"},
		{name: "a policy file that does not exist is a usage error", args: []string{"check", "-policy", missing, "-endpoint", "/v1/responses", good}, wantStatus: 2, wantStderr: "missing.json"},
		{name: "an unknown flag is a usage error", args: []string{"check", "-verbose", "-endpoint", "/v1/responses", good}, wantStatus: 2, wantStderr: "-verbose"},
		{name: "-h prints check's usage and exits 0", args: []string{"check", "-h"}, wantStatus: 0, wantStderr: "Usage: flexgate check"},
		{name: "-h after serve prints serve's usage and exits 0", args: []string{"serve", "-h"}, wantStatus: 0, wantStderr: "Usage: flexgate serve"},
		{name: "-h alone prints both commands and exits 0", args: []string{"-h"}, wantStatus: 0},
		{name: "an unknown subcommand is a usage error", args: []string{"validate", good}, wantStatus: 2, wantStderr: `unknown command "validate"`},
		{name: "serve with a bad policy file is a usage error", args: []string{"serve", "-addr", "127.0.0.1:0", "-policy", badPolicy}, wantStatus: 2, wantStderr: "colour"},
		{name: "serve with an upstream that is not a URL is a usage error", args: []string{"serve", "-addr", "127.0.0.1:0", "-upstream", "localhost:9000"}, wantStatus: 2, wantStderr: "-upstream"},
		{name: "serve with an unknown dialect is a usage error naming the known ones", args: []string{"serve", "-addr", "127.0.0.1:0", "-dialect", "klingon"}, wantStatus: 2, wantStderr: "fireworks, flexinference, gip, mskeys"},
		{name: "serve with a stray argument is a usage error", args: []string{"serve", "-addr", "127.0.0.1:0", "extra"}, wantStatus: 2, wantStderr: `unexpected argument "extra"`},
		{name: "serve on an address it cannot take exits 1", args: []string{"serve", "-addr", taken.Addr().String()}, wantStatus: 1, wantStderr: "cannot listen"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, status := runFlexgate(t, []byte(tc.stdin), tc.args...)
			assert.Equal(t, tc.wantStatus, status, "stdout %q\nstderr %q", stdout, stderr)
			switch {
			case strings.HasSuffix(tc.wantStdout, "\n"):
				assert.Equal(t, tc.wantStdout, stdout)
			case tc.wantStdout != "":
				assert.True(t, strings.HasPrefix(stdout, tc.wantStdout), "stdout %q", stdout)
			}
			if tc.wantStderr != "" {
				assert.Contains(t, stderr, tc.wantStderr)
			}
		})
	}

	t.Run("several files print one verdict each, in order", func(t *testing.T) {
		t.Parallel()
		stdout, _, status := runCheck(t, nil, "-endpoint", "/v1/responses", good, bad, good)
		assert.Equal(t, 1, status)
		lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
		require.Len(t, lines, 3)
		ok, _, _ := parseCheckLine(t, lines[0], good)
		assert.True(t, ok)
		ok, code, param := parseCheckLine(t, lines[1], bad)
		assert.False(t, ok)
		assert.Equal(t, "missing_start_within", code)
		assert.Equal(t, "start_within", param)
		ok, _, _ = parseCheckLine(t, lines[2], good)
		assert.True(t, ok)
	})
	t.Run("standard input's error names its code and param", func(t *testing.T) {
		t.Parallel()
		stdout, _, status := runCheck(t, []byte(`{"model":"gpt-5.5","start_within":"soon"}`), "-endpoint", "/v1/responses", "-")
		assert.Equal(t, 1, status)
		_, code, param := parseCheckLine(t, strings.TrimSuffix(stdout, "\n"), "-")
		assert.Equal(t, "invalid_start_within", code)
		assert.Equal(t, "start_within", param)
	})
	t.Run("a policy's smaller limit is request_too_large", func(t *testing.T) {
		t.Parallel()
		policy := writePolicy(t, `{"max_body_bytes": 20}`)
		stdout, _, status := runCheck(t, nil, "-policy", policy, "-endpoint", "/v1/responses", good)
		assert.Equal(t, 1, status)
		_, code, param := parseCheckLine(t, strings.TrimSuffix(stdout, "\n"), good)
		assert.Equal(t, "request_too_large", code)
		assert.Nil(t, param)
	})
	t.Run("a file far over the limit is request_too_large", func(t *testing.T) {
		t.Parallel()
		huge := writeBody(t, "huge.json", []byte(`{"model":"gpt-5.5","input":"`+strings.Repeat("z", 3_000_000)+`"}`))
		stdout, _, status := runCheck(t, nil, "-endpoint", "/v1/responses", huge)
		assert.Equal(t, 1, status)
		_, code, _ := parseCheckLine(t, strings.TrimSuffix(stdout, "\n"), huge)
		assert.Equal(t, "request_too_large", code)
	})
	t.Run("strict mode rejects a repeated key that the default accepts", func(t *testing.T) {
		t.Parallel()
		twice := writeBody(t, "twice.json", []byte(`{"model":"gpt-4o","start_within":"default","model":"gpt-5.5"}`))
		stdout, _, status := runCheck(t, nil, "-endpoint", "/v1/responses", twice)
		assert.Equal(t, 0, status, stdout)
		stdout, _, status = runCheck(t, nil, "-strict", "-endpoint", "/v1/responses", twice)
		assert.Equal(t, 1, status)
		_, code, param := parseCheckLine(t, strings.TrimSuffix(stdout, "\n"), twice)
		assert.Equal(t, "invalid_json", code)
		assert.Equal(t, "model", param)
	})
}

// TestCheckWithTheOptionsForRealClients runs "flexgate check" with a policy
// file that turns on provider_prefixes and accept_no_op_defaults, and with
// policy files that get them wrong.
func TestCheckWithTheOptionsForRealClients(t *testing.T) {
	t.Parallel()
	policy := writePolicy(t, `{
  "provider_prefixes": {
    "anthropic": ["anthropic/", "us.anthropic.claude-", "global.anthropic.claude-"],
    "openai": ["openai/"]
  },
  "accept_no_op_defaults": true
}`)
	litellm := writeBody(t, "litellm.json", []byte(`{"model":"anthropic/claude-haiku-4-5","start_within":"auto","messages":[]}`))
	bedrock := writeBody(t, "bedrock.json", []byte(`{"model":"global.anthropic.claude-opus-4-6-v1","start_within":"00h-00m-30s","max_tokens":64,"messages":[]}`))
	playground := writeBody(t, "playground.json", []byte(`{"model":"openai/gpt-5.5","start_within":"00h-00m-30s","messages":[],"presence_penalty":0,"frequency_penalty":0,"logit_bias":{}}`))
	files := []string{litellm, bedrock, playground}

	stdout, stderr, status := runCheck(t, nil, append([]string{"-policy", policy, "-endpoint", "/v1/chat/completions"}, files...)...)
	assert.Equal(t, 1, status, stderr)
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 3)
	_, code, param := parseCheckLine(t, lines[0], litellm)
	assert.Equal(t, "missing_max_tokens", code)
	assert.Equal(t, "max_completion_tokens", param)
	_, code, _ = parseCheckLine(t, lines[1], bedrock)
	assert.Equal(t, "flex_unsupported_for_anthropic", code)
	ok, _, _ := parseCheckLine(t, lines[2], playground)
	assert.True(t, ok, lines[2])

	// The built-in policy judges the same files as the catalog does.
	stdout, _, status = runCheck(t, nil, append([]string{"-endpoint", "/v1/chat/completions"}, files...)...)
	assert.Equal(t, 1, status)
	lines = strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	require.Len(t, lines, 3)
	ok, _, _ = parseCheckLine(t, lines[0], litellm)
	assert.True(t, ok, "an unknown prefix is OpenAI's: no cap needed")
	_, code, _ = parseCheckLine(t, lines[1], bedrock)
	assert.Equal(t, "model_not_flex_capable", code)
	_, code, param = parseCheckLine(t, lines[2], playground)
	assert.Equal(t, "unsupported_parameter", code)
	assert.Equal(t, "presence_penalty", param)

	for _, bad := range []struct{ file, wantStderr string }{
		{`{"provider_prefixes": {"anthropic": ["x/"], "openai": ["x/"]}}`, "provider_prefixes.openai[0]"},
		{`{"provider_prefixes": {"bedrock": ["us."]}}`, `unknown provider "bedrock"`},
		{`{"provider_prefixes": {"gemini": [""]}}`, "provider_prefixes.gemini[0] is empty"},
		{`{"accept_no_op_defaults": "yes"}`, "accept_no_op_defaults"},
	} {
		stdout, stderr, status := runCheck(t, nil, "-policy", writePolicy(t, bad.file), "-endpoint", "/v1/chat/completions", playground)
		assert.Equal(t, 2, status, "a bad policy file is a usage error: %s", bad.file)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, bad.wantStderr)
	}
}
