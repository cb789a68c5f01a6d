package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/flexinference/flexguard/validate"
)

// parseFlags parses args into fs. It returns -1 when parsing succeeded, or
// the exit status to stop with: 0 after -h, 2 after a bad flag (fs has
// printed the problem and its usage to stderr).
func parseFlags(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	return -1
}

// newFlagSet returns a flag set that reports to stderr and prints usage,
// the synopsis first.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// loadPolicy reads the policy file at path ("" for the built-in policy)
// and applies strict.
func loadPolicy(path string, strict bool) (validate.Policy, error) {
	var p validate.Policy
	if path != "" {
		var err error
		if p, err = validate.LoadPolicyFile(path); err != nil {
			return p, err
		}
	}
	p.StrictDuplicateKeys = strict
	return p, nil
}

// usageError prints a usage problem and the flag set's usage.
func usageError(fs *flag.FlagSet, stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "flexgate %s: %s\n\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.Usage()
	return exitUsage
}
