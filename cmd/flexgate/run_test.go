package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRunInProcess calls run as main does, without a process: the
// dispatcher and check's output, under the test's race detector.
func TestRunInProcess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantStatus int
		wantStdout string
		wantStderr string
	}{
		{"check passes a valid body from stdin", []string{"check", "-endpoint", "/v1/messages", "-"}, `{"model":"claude-sonnet-4","start_within":"default","max_tokens":64,"messages":[]}`, 0, "-: ok\n", ""},
		{"check fails a body without max_tokens", []string{"check", "-endpoint", "/v1/messages", "-"}, `{"model":"claude-sonnet-4","start_within":"default","messages":[]}`, 1, `"code":"missing_max_tokens","param":"max_tokens"}}` + "\n", ""},
		{"help prints the commands to stdout", []string{"help"}, "", 0, "flexgate check", ""},
		{"an unknown command is a usage error", []string{"lint"}, "", 2, "", `unknown command "lint"`},
		{"a bare unknown flag belongs to serve and is a usage error", []string{"-nope"}, "", 2, "", "Usage: flexgate serve"},
		{"an over-long unknown command is cut in the message", []string{strings.Repeat("a", 5000)}, "", 2, "", strings.Repeat("a", 61) + "…\""},
		{"serve with a certificate but no key is a usage error", []string{"serve", "-addr", "127.0.0.1:0", "-tls-cert", "cert.pem"}, "", 2, "", "-tls-cert and -tls-key go together"},
		{"serve with h2c and TLS is a usage error", []string{"serve", "-addr", "127.0.0.1:0", "-tls-cert", "c.pem", "-tls-key", "k.pem", "-h2c"}, "", 2, "", "-h2c is HTTP/2 without TLS"},
		{"serve with certificate files that do not exist cannot start", []string{"serve", "-addr", "127.0.0.1:0", "-tls-cert", "missing-cert.pem", "-tls-key", "missing-key.pem"}, "", 2, "", "missing-cert.pem"},
		{"serve with a metrics address it cannot listen on fails", []string{"serve", "-addr", "127.0.0.1:0", "-metrics-addr", "127.0.0.1:99999"}, "", 1, "", "cannot listen for metrics"},
		{"serve with a trusted proxy that is not a range is a usage error", []string{"serve", "-addr", "127.0.0.1:0", "-trusted-proxies", "10.0.0.0/8, nowhere"}, "", 2, "", `-trusted-proxies: flexguard/clientaddr: trusted proxy "nowhere"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			status := run(tc.args, strings.NewReader(tc.stdin), &stdout, &stderr)
			assert.Equal(t, tc.wantStatus, status, "stderr: %s", stderr.String())
			assert.Contains(t, stdout.String(), tc.wantStdout)
			assert.Contains(t, stderr.String(), tc.wantStderr)
			assert.Less(t, stderr.Len(), 4000, "messages do not repeat unbounded input")
		})
	}
}
