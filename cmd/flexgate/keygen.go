package main

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/flexinference/flexguard/cmd/flexgate/internal/keysfile"
	"github.com/flexinference/flexguard/internal/apikey"
	"github.com/flexinference/flexguard/internal/clienttext"
)

const keygenSynopsis = `Usage: flexgate keygen -org ID

Prints a new API key (its secret from crypto/rand) on the first line, and
on the second the entry to add to the "keys" list of the keys file given
to "flexgate serve -keys": the key's SHA-256 and its organisation. The
key itself is stored nowhere: hand it to the client now.

Flags:
`

// maxOrg bounds an organisation id: it goes into log lines.
const maxOrg = 128

func keygen(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("keygen", keygenSynopsis, stderr)
	org := fs.String("org", "", "the `ID` of the organisation the key belongs to, as the keys file's \"orgs\" names it")
	if status := parseFlags(fs, args); status >= 0 {
		return status
	}
	switch {
	case fs.NArg() > 0:
		return usageError(fs, stderr, "unexpected argument %s", clienttext.Quote(fs.Arg(0)))
	case *org == "":
		return usageError(fs, stderr, "-org is required")
	case len(*org) > maxOrg || strings.ContainsFunc(*org, unicode.IsControl):
		return usageError(fs, stderr, "-org must be at most %d bytes without control characters", maxOrg)
	}
	key := apikey.Generate()
	fmt.Fprintln(stdout, key)
	fmt.Fprintln(stdout, keysfile.Line(apikey.Digest(key), *org))
	fmt.Fprintf(stderr, "flexgate keygen: add the second line to \"keys\" in the keys file; %s needs an entry under \"orgs\". The key is stored nowhere: hand it over now.\n", clienttext.Quote(*org))
	return exitOK
}
