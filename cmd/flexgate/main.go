package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/flexinference/flexguard/internal/clienttext"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK      = 0
	exitFailed  = 1 // a body failed its check, or the server could not run
	exitUsage   = 2 // bad flags or arguments, a bad policy file, an unreadable input
	usageHeader = `flexgate is the flexguard reference gateway and offline request checker.

Usage:
  flexgate [serve] [-addr 127.0.0.1:8080] [-policy FILE] [-upstream URL] [-strict] [-dialect NAME]
                   [-trusted-proxies CIDR,...] [-tls-cert FILE -tls-key FILE | -h2c]
                   [-keys FILE [-accept-x-api-key] [-auth-flood N] [-redis URL [-redis-timeout D]]]
  flexgate check [-policy FILE] [-strict] -endpoint PATH FILE...
  flexgate keygen -org ID

Run "flexgate serve -h", "flexgate check -h" or "flexgate keygen -h" for
the flags of each.
`
)

// run is the whole command behind main, so that tests can call it: it
// returns the exit status instead of exiting.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && !isHelp(args[0])) {
		// Bare flags belong to serve: "flexgate -addr :9090".
		return serve(args, stderr)
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stderr)
	case "check":
		return check(args[1:], stdin, stdout, stderr)
	case "keygen":
		return keygen(args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usageHeader)
		return exitOK
	default:
		fmt.Fprintf(stderr, "flexgate: unknown command %s\n\n%s", clienttext.Quote(args[0]), usageHeader)
		return exitUsage
	}
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}
