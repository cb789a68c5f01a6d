package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/apikey"
	"github.com/flexinference/flexguard/internal/redisserver"
)

// fleetLimit is the fleet organisation's limit per hour: long enough
// that no test outlives its window.
const fleetLimit = 10

// fleet is two flexgate processes that share one redis-server, with
// one key per organisation of its keys file.
type fleet struct {
	redis     *redisserver.Server
	instances [2]*process
	client    *http.Client
	keys      map[string]string // by organisation
}

// startFleet starts a redis-server and two flexgate processes on it. Each
// trusts loopback as a proxy, so that requests name their client in
// X-Forwarded-For.
func startFleet(t *testing.T) *fleet {
	t.Helper()
	f := &fleet{redis: redisserver.Start(t), client: newClient(t), keys: map[string]string{}}
	limits := map[string]int{"org_fleet": fleetLimit, "org_outage": 3, "org_open": 0}
	var entries []string
	var orgs []string
	for org, limit := range limits {
		key := apikey.Generate()
		f.keys[org] = key
		entries = append(entries, fmt.Sprintf(`{"sha256":%q,"org":%q}`, apikey.Digest(key), org))
		settings := `"provider_keys":["openai"]`
		if limit > 0 {
			settings += fmt.Sprintf(`,"rate_limit":{"requests":%d,"window_seconds":3600}`, limit)
		}
		orgs = append(orgs, fmt.Sprintf(`%q:{%s}`, org, settings))
	}
	path := filepath.Join(t.TempDir(), "keys.json")
	src := `{"keys":[` + strings.Join(entries, ",") + `],"orgs":{` + strings.Join(orgs, ",") + `}}`
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
	for i := range f.instances {
		// A patient timeout: on a busy machine a slow answer would count
		// as an outage and let requests through uncounted. A killed
		// server refuses connections at once whatever the timeout.
		f.instances[i] = startServe(t, "-addr", "127.0.0.1:0", "-keys", path, "-redis", f.redis.URL(),
			"-redis-timeout", "5s", "-trusted-proxies", "127.0.0.1/32")
	}
	return f
}

// send sends a valid body to instance i%2 from client, with the key of
// org ("" for none).
func (f *fleet) send(t *testing.T, i int, org, client string) answer {
	t.Helper()
	a, err := f.trySend(i, org, client)
	require.NoError(t, err)
	return a
}

// trySend is send for goroutines other than the test's: it reports what
// went wrong instead of stopping the test.
func (f *fleet) trySend(i int, org, client string) (answer, error) {
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	defer cancel()
	body := strings.NewReader(`{"model":"gpt-5.5","start_within":"default"}`)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.instances[i%2].base+"/v1/responses", body)
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("X-Forwarded-For", client)
	if org != "" {
		req.Header.Set("Authorization", "Bearer "+f.keys[org])
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: got}, err
}

// awaitRecovery sends requests to instance i until it logs that its
// limiter works again: the circuit breaker in front of Redis lets a call
// through only once its cooldown has passed.
func (f *fleet) awaitRecovery(t *testing.T, i int) {
	t.Helper()
	p := f.instances[i]
	deadline := time.Now().Add(patience)
	for !strings.Contains(p.log.String(), "rate limiter recovered") {
		require.True(t, time.Now().Before(deadline), "instance %d did not recover:\n%s", i, p.log)
		require.Equal(t, http.StatusOK, f.send(t, i, "org_open", "192.0.2.99").status)
		_, changed := p.log.snapshot()
		select {
		case <-changed:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// statuses counts the statuses of answers, and checks that every 429
// tells the client to wait retryAfter.
func statuses(t *testing.T, answers []answer, retryAfter string) map[int]int {
	t.Helper()
	count := map[int]int{}
	for _, a := range answers {
		count[a.status]++
		if a.status == http.StatusTooManyRequests {
			assert.Equal(t, retryAfter, a.header.Get("Retry-After"))
		}
	}
	return count
}

func TestAFleetOfTwoSharesItsLimitsThroughRedis(t *testing.T) {
	t.Parallel()
	f := startFleet(t)

	t.Run("an organisation limited to N gets exactly N of 3N requests spread over both instances", func(t *testing.T) {
		const workers = 6
		answers := make([]answer, 3*fleetLimit)
		errs := make([]error, len(answers))
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := w; i < len(answers); i += workers {
					answers[i], errs[i] = f.trySend(i, "org_fleet", fmt.Sprintf("198.51.100.%d", w))
				}
			})
		}
		wg.Wait()
		require.NoError(t, errors.Join(errs...))
		assert.Equal(t, map[int]int{200: fleetLimit, 429: 2 * fleetLimit}, statuses(t, answers, "5"))
	})

	t.Run("a client that fails authentication on one instance is blocked on the other", func(t *testing.T) {
		const failing = "203.0.113.50"
		for range 20 {
			requireError(t, f.send(t, 0, "", failing), http.StatusUnauthorized, "missing_api_key", "")
		}
		for i := range 2 {
			a := f.send(t, i, "org_open", failing)
			require.NoError(t, checkRateLimited(a, "60"), "instance %d", i)
		}
		assert.Equal(t, http.StatusOK, f.send(t, 1, "org_open", "203.0.113.51").status, "another client passes")
	})

	t.Run("while Redis is down requests are answered, and counting resumes when it is back", func(t *testing.T) {
		// Counting works: the organisation's limit of 3 holds over both.
		var before []answer
		for i := range 4 {
			before = append(before, f.send(t, i, "org_outage", "192.0.2.10"))
		}
		require.Equal(t, map[int]int{200: 3, 429: 1}, statuses(t, before, "5"))

		// A steady stream of requests through both instances while Redis
		// is killed.
		var (
			stop       atomic.Bool
			wg         sync.WaitGroup
			mu         sync.Mutex
			streamed   []answer
			streamErrs []error
			answered   = make(chan struct{}, 1<<16)
		)
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				a, err := f.trySend(i, "org_open", "192.0.2.11")
				mu.Lock()
				streamed, streamErrs = append(streamed, a), append(streamErrs, err)
				mu.Unlock()
				answered <- struct{}{}
			}
		})
		awaitAnswers := func(n int) {
			for range n {
				select {
				case <-answered:
				case <-time.After(patience):
					t.Fatal("the stream of requests stalled")
				}
			}
		}
		awaitAnswers(5)
		f.redis.Kill()
		for i := range 2 {
			f.instances[i].waitLog(t, func(l string) bool { return strings.Contains(l, "rate limiter failing") })
		}
		for len(answered) > 0 {
			<-answered
		}
		awaitAnswers(5) // sent after both instances saw Redis fail
		// Fail open: an organisation over its limit gets through.
		var during []answer
		for i := range 12 {
			during = append(during, f.send(t, i, "org_outage", "192.0.2.10"))
		}
		assert.Equal(t, map[int]int{200: 12}, statuses(t, during, ""))
		stop.Store(true)
		wg.Wait()
		mu.Lock()
		require.NoError(t, errors.Join(streamErrs...))
		assert.NotEmpty(t, streamed)
		t.Logf("%d requests streamed across the outage", len(streamed))
		assert.Equal(t, map[int]int{200: len(streamed)}, statuses(t, streamed, ""), "every request of the stream was answered")
		mu.Unlock()

		f.redis.Restart() // empty: the counts of before are gone
		for i := range 2 {
			f.awaitRecovery(t, i)
		}
		var after []answer
		for i := range 5 {
			after = append(after, f.send(t, i, "org_outage", "192.0.2.10"))
		}
		assert.Equal(t, map[int]int{200: 3, 429: 2}, statuses(t, after, "5"))
		for i, p := range f.instances {
			log := p.log.String()
			assert.Equal(t, 1, strings.Count(log, "rate limiter failing"), "instance %d logs the outage once", i)
			assert.Equal(t, 1, strings.Count(log, "rate limiter recovered"), "instance %d logs the recovery once", i)
		}
	})
}

// checkRateLimited checks a 429 with the given Retry-After.
func checkRateLimited(a answer, retryAfter string) error {
	if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") != retryAfter {
		return fmt.Errorf("got %d with Retry-After %q, want 429 with %q: %s", a.status, a.header.Get("Retry-After"), retryAfter, a.body)
	}
	return nil
}
