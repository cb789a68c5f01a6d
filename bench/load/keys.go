package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/flexinference/flexguard/internal/apikey"
	"github.com/flexinference/flexguard/internal/redisserver"
	"github.com/flexinference/flexguard/internal/testbodies"
)

// Keys and limits as the load sees them: organisations, each with one key
// and a limit a steady client stays under, in two halves so that the
// throughput and the latency runs never share counts in Redis.
const (
	orgs          = 2000
	orgLimit      = 600
	orgWindowSecs = 60
)

// writeKeysFile writes a keys file of orgs organisations and returns its
// path and the keys, the i-th of org_i.
func writeKeysFile(dir string) (string, []string, error) {
	keys := make([]string, orgs)
	var entries, settings []string
	for i := range keys {
		keys[i] = apikey.Generate()
		entries = append(entries, fmt.Sprintf(`{"sha256":%q,"org":"org_%d"}`, apikey.Digest(keys[i]), i))
		settings = append(settings, fmt.Sprintf(`"org_%d":{"provider_keys":["openai","gemini","anthropic"],"rate_limit":{"requests":%d,"window_seconds":%d}}`,
			i, orgLimit, orgWindowSecs))
	}
	path := filepath.Join(dir, "keys.json")
	src := `{"keys":[` + strings.Join(entries, ",") + `],"orgs":{` + strings.Join(settings, ",") + `}}`
	return path, keys, os.WriteFile(path, []byte(src), 0o600)
}

// compareKeys measures flexgate without keys, with keys and in-process
// limiters, and with keys and limiters in Redis: throughput over conns
// connections, and latency over one connection, where the p50 difference
// is the time keys add to a request.
func compareKeys(bin, redisURL string, chat testbodies.Body, bodies [][]byte, conns, maxRequests, latencyRequests int, d time.Duration) error {
	dir, err := os.MkdirTemp("", "flexguard-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	keysPath, keys, err := writeKeysFile(dir)
	if err != nil {
		return err
	}
	if redisURL == "" {
		port, err := redisserver.FreePort()
		if err != nil {
			return err
		}
		stop, err := redisserver.Launch(dir, port)
		if err != nil {
			return fmt.Errorf("starting redis-server: %w", err)
		}
		defer stop()
		redisURL = fmt.Sprintf("redis://127.0.0.1:%d/0", port)
	}
	servers := []struct {
		name string
		args []string
	}{
		{"flexgate", nil},
		{"keys", []string{"-keys", keysPath}},
		{"keys+redis", []string{"-keys", keysPath, "-redis", redisURL}},
	}
	half := orgs / 2
	phases := []struct {
		name     string
		conns    int
		requests int
		d        time.Duration
		keys     []string
	}{
		{"throughput", conns, maxRequests, d, keys[:half]},
		{"latency", 1, latencyRequests, 10 * d, keys[half:]},
	}
	results := map[string]map[string]result{}
	for _, phase := range phases {
		results[phase.name] = map[string]result{}
		auth := func(i int) string { return "Bearer " + phase.keys[i%len(phase.keys)] }
		for _, s := range servers {
			addr, stop, err := startServer(bin, func(addr string) []string {
				return append([]string{"serve", "-addr", addr}, s.args...)
			})
			if err != nil {
				return err
			}
			res, err := drive(s.name, "http://"+addr+chat.Endpoint.String(), bodies, auth, phase.conns, phase.requests, phase.d)
			stop()
			if err != nil {
				return fmt.Errorf("%s, %s: %w", phase.name, s.name, err)
			}
			results[phase.name][s.name] = res
		}
	}
	fmt.Printf("load (keys): %d organisations with one key each, each limited to %d requests per %d s; %d-byte chat bodies, 80%% valid; each server in its own process, Redis on loopback\n",
		orgs, orgLimit, orgWindowSecs, len(chat.Bytes))
	for _, phase := range phases {
		fmt.Printf("%s: %d connection(s), %s or %d requests per server\n", phase.name, phase.conns, phase.d, phase.requests)
		fmt.Printf("%-12s %10s %10s %10s %10s  %s\n", "server", "requests", "req/s", "p50", "p99", "statuses")
		for _, s := range servers {
			r := results[phase.name][s.name]
			fmt.Printf("%-12s %10d %10.0f %10s %10s  %v\n", r.name, r.requests, r.rate(),
				r.percentile(50).Round(time.Microsecond), r.percentile(99).Round(time.Microsecond), r.statuses)
		}
	}
	through, lat := results["throughput"], results["latency"]
	for _, name := range []string{"keys", "keys+redis"} {
		fmt.Printf("ratio %s/flexgate req/s: %.3f\n", name, through[name].rate()/through["flexgate"].rate())
	}
	for _, name := range []string{"keys", "keys+redis"} {
		fmt.Printf("added p50 latency %s: %d us\n", name, (lat[name].percentile(50) - lat["flexgate"].percentile(50)).Microseconds())
	}
	return nil
}
