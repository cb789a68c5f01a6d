package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/validate"
)

// soakRequest is one request of the soak and the answer it must get.
type soakRequest struct {
	kind       string
	method     string
	path       string
	body       []byte
	chunked    bool
	wantStatus int
	wantCode   string // "" for a pass, checked against the echo
}

// soakMix builds the kinds of request the soak sends to a gateway whose
// body limit is limit, each with its expected answer. Valid bodies are
// built per request, so that every checksum is of fresh bytes.
func soakMix(limit int) []func(rng *rand.Rand) soakRequest {
	endpoints := []string{"/v1/responses", "/v1/chat/completions", "/v1/interactions", "/v1/messages"}
	reject := func(kind, path, body string, status int, code string) func(*rand.Rand) soakRequest {
		return func(*rand.Rand) soakRequest {
			return soakRequest{kind: kind, method: http.MethodPost, path: path, body: []byte(body), wantStatus: status, wantCode: code}
		}
	}
	oversized := []byte(`{"model":"gpt-5.5","input":"` + strings.Repeat("x", limit+1) + `"}`)
	deep := bytes.Repeat([]byte{'['}, limit)
	hugeModel := `{"model":"gpt-4o-` + strings.Repeat("m", min(100<<10, limit/2)) + `","start_within":"00h-00m-30s"}`
	return []func(*rand.Rand) soakRequest{
		// Valid, of sizes from a few bytes to half the limit.
		func(rng *rand.Rand) soakRequest {
			ep := endpoints[rng.IntN(len(endpoints))]
			model := []string{"gpt-5.5", "gpt-5-mini", "gemini-3-pro"}[rng.IntN(3)]
			if ep == "/v1/messages" { // claude needs a cap, and no duration
				model = "claude-opus-4"
			}
			start := "00h-00m-30s"
			if model == "claude-opus-4" {
				start = "priority"
			}
			filler := make([]byte, rng.IntN(limit/2))
			for i := range filler {
				filler[i] = 'a' + byte(rng.IntN(26))
			}
			body := fmt.Sprintf(`{"model":%q,"start_within":%q,"max_tokens":64,"generation_config":{"max_output_tokens":64},"max_output_tokens":64,"max_completion_tokens":64,"metadata":{"filler":%q}}`, model, start, filler)
			return soakRequest{kind: "valid", method: http.MethodPost, path: ep, body: []byte(body), chunked: rng.IntN(4) == 0, wantStatus: 200}
		},
		reject("missing_model", "/v1/responses", `{"start_within":"auto"}`, 400, "missing_model"),
		reject("trailing comma", "/v1/chat/completions", `{"model":"gpt-5.5",}`, 400, "invalid_json"),
		reject("not an object", "/v1/responses", `[1,2,3]`, 400, "invalid_body"),
		reject("service_tier", "/v1/messages", `{"model":"claude-opus-4","service_tier":"flex"}`, 400, "service_tier_not_allowed"),
		reject("bad start_within", "/v1/interactions", `{"model":"gemini-3-pro","start_within":"00h-10m-01s"}`, 400, "invalid_start_within"),
		reject("duration on claude", "/v1/messages", `{"model":"claude-opus-4","start_within":"00h-00m-30s","max_tokens":5}`, 400, "flex_unsupported_for_anthropic"),
		reject("no token cap", "/v1/messages", `{"model":"claude-opus-4","start_within":"auto"}`, 400, "missing_max_tokens"),
		reject("unknown path", "/v1/models", `{}`, 404, "unknown_url"),
		reject("escaped path", "/v1/respons%65s", `{"model":"gpt-5.5","start_within":"auto"}`, 404, "unknown_url"),
		func(*rand.Rand) soakRequest {
			return soakRequest{kind: "GET", method: http.MethodGet, path: "/v1/responses", wantStatus: 405, wantCode: "method_not_allowed"}
		},
		// Oversized, declared and streamed.
		func(rng *rand.Rand) soakRequest {
			return soakRequest{kind: "oversized", method: http.MethodPost, path: "/v1/responses", body: oversized, chunked: rng.IntN(2) == 0, wantStatus: 413, wantCode: "request_too_large"}
		},
		// Hostile.
		reject("open brackets to the limit", "/v1/responses", string(deep), 400, "invalid_json"),
		reject("invalid UTF-8", "/v1/responses", "{\"model\":\"gpt-5.5\",\"input\":\"\xc3\x28\"}", 400, "invalid_json"),
		reject("a long model name", "/v1/responses", hugeModel, 400, "model_not_flex_capable"),
		reject("smuggled claude", "/v1/responses", `{"model":"gpt-5.5","mod\u0065l":"claude-opus-4","start_within":"00h-00m-30s","max_output_tokens":5}`, 400, "flex_unsupported_for_anthropic"),
		func(*rand.Rand) soakRequest {
			return soakRequest{kind: "smuggled gpt", method: http.MethodPost, path: "/v1/responses",
				body: []byte(`{"model":"claude-opus-4","model":"gpt-5.5","start_within":"00h-00m-30s"}`), wantStatus: 200}
		},
	}
}

// run sends the request to the gateway at base and checks the answer: the
// status, and the code of an error or, for a pass, that the echo got the
// exact bytes sent.
func (req soakRequest) run(ctx context.Context, client *http.Client, base string) error {
	var src io.Reader = bytes.NewReader(req.body)
	if req.chunked {
		src = io.MultiReader(src)
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, base+req.path, src)
	if err != nil {
		return fmt.Errorf("%s: %w", req.kind, err)
	}
	if req.chunked {
		hr.ContentLength = -1
	}
	resp, err := client.Do(hr)
	if err != nil {
		return fmt.Errorf("%s: %w", req.kind, err)
	}
	got, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != req.wantStatus {
		return fmt.Errorf("%s: status %d (want %d), %v: %.200s", req.kind, resp.StatusCode, req.wantStatus, err, got)
	}
	if req.wantCode == "" {
		var echo echoAnswer
		sum := sha256.Sum256(req.body)
		if json.Unmarshal(got, &echo) != nil || echo.SHA256 != hex.EncodeToString(sum[:]) || echo.Bytes != int64(len(req.body)) {
			return fmt.Errorf("%s: the echo did not get the bytes sent: %.200s", req.kind, got)
		}
		return nil
	}
	var e struct{ Error struct{ Code string } }
	if json.Unmarshal(got, &e) != nil || e.Error.Code != req.wantCode {
		return fmt.Errorf("%s: want %s, got %.200s", req.kind, req.wantCode, got)
	}
	return nil
}

// soakSample is the flexgate process's size at one moment.
type soakSample struct {
	at         string
	goroutines int
	rssKiB     int
}

// TestSoak runs 64 clients against a flexgate gateway, run in this process,
// for FLEXGUARD_SOAK_DURATION (default 60s) with a mix of valid, invalid,
// oversized and hostile requests. Every answer must be the expected one,
// every passed body must reach the echo byte for byte, and the process's
// goroutines and memory (the clients' included) must not grow while it
// runs. Set FLEXGUARD_SOAK=1 to run it.
func TestSoak(t *testing.T) {
	if os.Getenv("FLEXGUARD_SOAK") != "1" {
		t.Skip("set FLEXGUARD_SOAK=1 to run the soak test")
	}
	duration := 60 * time.Second
	if raw := os.Getenv("FLEXGUARD_SOAK_DURATION"); raw != "" {
		d, err := time.ParseDuration(raw)
		require.NoError(t, err, "FLEXGUARD_SOAK_DURATION")
		duration = d
	}
	const clients = 64
	p := startInProcess(t, testConfig())

	sample := func(at string) soakSample {
		n := runtime.NumGoroutine()
		status, err := os.ReadFile("/proc/self/status")
		require.NoError(t, err)
		m := regexp.MustCompile(`VmRSS:\s+(\d+) kB`).FindSubmatch(status)
		require.NotNil(t, m)
		rss, _ := strconv.Atoi(string(m[1]))
		return soakSample{at: at, goroutines: n, rssKiB: rss}
	}
	samples := []soakSample{sample("start")}

	mix := soakMix(validate.DefaultMaxBodyBytes)
	transport := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: clients, DisableCompression: true}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	var (
		counts   sync.Map // kind -> *atomic.Int64
		total    atomic.Int64
		wrong    atomic.Int64
		mu       sync.Mutex
		examples []string
	)
	fail := func(format string, args ...any) {
		wrong.Add(1)
		mu.Lock()
		defer mu.Unlock()
		if len(examples) < 10 {
			examples = append(examples, fmt.Sprintf(format, args...))
		}
	}
	end := time.Now().Add(duration)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 0x50a6))
			for time.Now().Before(end) {
				req := mix[rng.IntN(len(mix))](rng)
				n, _ := counts.LoadOrStore(req.kind, new(atomic.Int64))
				n.(*atomic.Int64).Add(1)
				total.Add(1)
				if err := req.run(context.Background(), client, p.base); err != nil {
					fail("%v", err)
				}
			}
		})
	}
	for i := 1; i <= 3; i++ { // three samples under load
		wait := time.Until(end.Add(-duration + duration*time.Duration(i)/4))
		if wait > 0 {
			time.Sleep(wait) // a sampling schedule, not an assertion
		}
		samples = append(samples, sample(fmt.Sprintf("%d%%", 25*i)))
	}
	wg.Wait()
	transport.CloseIdleConnections()
	// The server's connection goroutines end once it sees the clients'
	// connections close: poll for that, within a bound.
	last := sample("end")
	for deadline := time.Now().Add(10 * time.Second); last.goroutines > samples[0].goroutines+4 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond) // a poll interval, not an assertion
		last = sample("end")
	}
	samples = append(samples, last)

	var report strings.Builder
	fmt.Fprintf(&report, "soak: %d clients, %v, %d requests, %d wrong\n", clients, duration, total.Load(), wrong.Load())
	var kinds []string
	counts.Range(func(k, _ any) bool { kinds = append(kinds, k.(string)); return true })
	slices.Sort(kinds)
	for _, k := range kinds {
		n, _ := counts.Load(k)
		fmt.Fprintf(&report, "  %-20s %d\n", k, n.(*atomic.Int64).Load())
	}
	for _, s := range samples {
		fmt.Fprintf(&report, "  flexgate at %-5s goroutines %4d  RSS %6d KiB\n", s.at, s.goroutines, s.rssKiB)
	}
	t.Log(report.String())
	for _, e := range examples {
		t.Error(e)
	}
	assert.Zero(t, wrong.Load(), "wrong answers")
	assert.Positive(t, total.Load())

	// Flat: under load, later samples stay near the first one under load;
	// after it, the goroutines are back near the start.
	firstLoaded := samples[1]
	for _, s := range samples[2:4] {
		assert.LessOrEqual(t, s.goroutines, 3*clients+firstLoaded.goroutines, "goroutines at %s", s.at)
		assert.LessOrEqual(t, s.rssKiB, 2*firstLoaded.rssKiB+64<<10, "RSS at %s", s.at)
	}
	assert.LessOrEqual(t, last.goroutines, samples[0].goroutines+4, "goroutines after the load")
	assert.LessOrEqual(t, last.rssKiB, 2*firstLoaded.rssKiB+64<<10, "RSS after the load")
}
