package flexguardcaddy

import (
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
)

func init() {
	httpcaddyfile.RegisterHandlerDirective("flexguard", parseCaddyfile)
	httpcaddyfile.RegisterDirectiveOrder("flexguard", httpcaddyfile.After, "forward_auth")
}

// UnmarshalCaddyfile reads the directive:
//
//	flexguard {
//		policy FILE
//		dialect NAME
//		strict
//		endpoint PATH
//	}
//
// The block and each subdirective are optional; `flexguard` alone guards
// the four endpoints with the built-in policy.
func (h *Handler) UnmarshalCaddyfile(d *caddyfile.Dispenser) error {
	d.Next() // the directive's name
	if d.NextArg() {
		return d.ArgErr()
	}
	for d.NextBlock(0) {
		switch d.Val() {
		case "policy":
			if !d.AllArgs(&h.PolicyFile) {
				return d.ArgErr()
			}
		case "dialect":
			if !d.AllArgs(&h.Dialect) {
				return d.ArgErr()
			}
		case "endpoint":
			if !d.AllArgs(&h.Endpoint) {
				return d.ArgErr()
			}
		case "strict":
			if d.NextArg() {
				return d.ArgErr()
			}
			h.StrictDuplicateKeys = true
		default:
			return d.Errf("flexguard: unknown subdirective %q; want policy, dialect, strict or endpoint", d.Val())
		}
	}
	return nil
}

func parseCaddyfile(h httpcaddyfile.Helper) (caddyhttp.MiddlewareHandler, error) {
	var handler Handler
	err := handler.UnmarshalCaddyfile(h.Dispenser)
	return &handler, err
}

// Interface guard.
var _ caddyfile.Unmarshaler = (*Handler)(nil)
