package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/clienttext"
	"github.com/flexinference/flexguard/validate"
)

const checkSynopsis = `Usage: flexgate check [-policy FILE] [-strict] -endpoint PATH FILE...

Validates request bodies offline with the rules the server applies, the
size limit included. For each FILE ("-" reads standard input) it prints
"FILE: ok" or "FILE: " and the JSON error body the server would send.
Exit status: 0 when every body passes, 1 when any fails, 2 on a usage
error, a bad policy file or a file that cannot be read.

Flags:
`

func check(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", checkSynopsis, stderr)
	endpointPath := fs.String("endpoint", "", "the endpoint `PATH` the bodies are sent to, such as /v1/chat/completions (required)")
	policyPath := fs.String("policy", "", "policy `FILE`; default: the built-in policy")
	strict := fs.Bool("strict", false, "reject any JSON object that repeats a key (invalid_json)")
	if status := parseFlags(fs, args); status >= 0 {
		return status
	}
	if *endpointPath == "" {
		return usageError(fs, stderr, "-endpoint is required")
	}
	ep, ok := validate.EndpointOf(*endpointPath)
	if !ok {
		return usageError(fs, stderr, "-endpoint %s is not one of /v1/responses, /v1/chat/completions, /v1/interactions, /v1/messages", clienttext.Quote(*endpointPath))
	}
	if fs.NArg() == 0 {
		return usageError(fs, stderr, "no files to check")
	}
	policy, err := loadPolicy(*policyPath, *strict)
	if err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	v, err := validate.New(policy)
	if err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	limit := policy.MaxBodyBytes
	if limit == 0 {
		limit = validate.DefaultMaxBodyBytes
	}

	status := exitOK
	for _, name := range fs.Args() {
		body, err := readUpTo(name, stdin, limit+1)
		if err != nil {
			fmt.Fprintf(stderr, "flexgate check: %v\n", err)
			status = exitUsage
			continue
		}
		if _, err := v.Check(ep, body); err != nil {
			var e *apierrors.Error
			if !errors.As(err, &e) {
				e = apierrors.New(apierrors.InternalError, "", "")
			}
			rendered, _ := e.MarshalJSON()
			fmt.Fprintf(stdout, "%s: %s\n", name, bytes.TrimSpace(rendered))
			if status == exitOK {
				status = exitFailed
			}
			continue
		}
		fmt.Fprintf(stdout, "%s: ok\n", name)
	}
	return status
}

// readUpTo reads at most limit bytes of the file name, or of stdin for
// "-": one byte over the body limit is enough to know a body is too large,
// and a huge file is never loaded whole.
func readUpTo(name string, stdin io.Reader, limit int64) ([]byte, error) {
	var src io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		src = f
	}
	body, err := io.ReadAll(io.LimitReader(src, limit))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return body, nil
}
