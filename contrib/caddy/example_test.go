package flexguardcaddy_test

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
	_ "github.com/caddyserver/caddy/v2/modules/standard"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// TestREADMECaddyfileAdapts adapts the README's Caddyfile, so the
// configuration a reader copies is one Caddy accepts.
func TestREADMECaddyfileAdapts(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	blocks := regexp.MustCompile("(?s)```caddyfile\n(.*?)```").FindAllSubmatch(readme, -1)
	require.Len(t, blocks, 1, "the README has one Caddyfile")
	adapted, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt(blocks[0][1], nil)
	require.NoError(t, err)
	assert.Empty(t, warnings)
	assert.Contains(t, string(adapted), `{"dialect":"fireworks","handler":"flexguard","policy_file":"policy.json","strict_duplicate_keys":true}`)
}
