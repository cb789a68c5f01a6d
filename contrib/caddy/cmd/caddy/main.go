// Command caddy is Caddy v2 with its standard modules and flexguard's
// handler, as xcaddy would build it:
//
//	go run ./contrib/caddy/cmd/caddy run --config Caddyfile
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"
	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/flexinference/flexguard/contrib/caddy"
)

func main() {
	caddycmd.Main()
}
