package flexguardcaddy_test

import (
	"encoding/json"
	"fmt"
	"log"

	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/flexinference/flexguard/contrib/caddy"
)

// The flexguard directive adapts to the http.handlers.flexguard module,
// placed before reverse_proxy without an order option.
func Example() {
	caddyfile := `:8080 {
	reverse_proxy 127.0.0.1:9000 {
		header_up X-Flexguard-Model {flexguard.model}
	}
	flexguard {
		policy /etc/flexguard/policy.json
		dialect fireworks
	}
}`
	adapted, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfile), nil)
	if err != nil {
		log.Fatal(err)
	}
	var config struct {
		Apps struct {
			HTTP struct {
				Servers map[string]struct {
					Routes []struct {
						Handle []json.RawMessage `json:"handle"`
					} `json:"routes"`
				} `json:"servers"`
			} `json:"http"`
		} `json:"apps"`
	}
	if err := json.Unmarshal(adapted, &config); err != nil {
		log.Fatal(err)
	}
	for _, h := range config.Apps.HTTP.Servers["srv0"].Routes[0].Handle {
		var handler struct {
			Name string `json:"handler"`
		}
		_ = json.Unmarshal(h, &handler)
		if handler.Name == "flexguard" {
			fmt.Println(string(h))
		} else {
			fmt.Println(handler.Name)
		}
	}
	// Output:
	// {"dialect":"fireworks","handler":"flexguard","policy_file":"/etc/flexguard/policy.json"}
	// reverse_proxy
}
