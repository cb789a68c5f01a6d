package middleware_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// Keys: SPEC's test vectors, and one more made the same way.
const (
	keyA       = "flex_live_0123456789abcdef01234567618734" // org_a
	keyA2      = "flex_live_deadbeefcafebabe001122339f2d78" // org_a's second key
	keyRevoked = "flex_live_00000000000000000000000017fff7" // org_a's, revoked
	keyUnknown = "flex_live_ffffffffffffffffffffffff4bf911" // well formed, stored nowhere
	keyB       = "flex_live_0a1b2c3d4e5f60718293a4b5d66589" // org_b's, in tests that store it
)

// validBody passes every body rule.
const validBody = `{"model":"gpt-5.5","start_within":"default"}`

// keyTable is a KeyStore in memory, by digest.
type keyTable map[string]middleware.KeyRecord

func (kt keyTable) add(key string, rec middleware.KeyRecord) { kt[digestOf(key)] = rec }

func (kt keyTable) LookupKey(_ context.Context, digest string) (middleware.KeyRecord, bool, error) {
	rec, ok := kt[digest]
	return rec, ok, nil
}

// digestOf is SPEC's digest, computed here apart from package apikey.
func digestOf(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// testKeys is org_a's keys: two good ones and a revoked one.
func testKeys() keyTable {
	kt := keyTable{}
	kt.add(keyA, middleware.KeyRecord{Org: "org_a"})
	kt.add(keyA2, middleware.KeyRecord{Org: "org_a"})
	kt.add(keyRevoked, middleware.KeyRecord{Org: "org_a", Revoked: true})
	return kt
}

// failingStore cannot answer.
type failingStore struct{}

func (failingStore) LookupKey(context.Context, string) (middleware.KeyRecord, bool, error) {
	return middleware.KeyRecord{}, false, errors.New("key store unreachable")
}

var errLimiterDown = errors.New("limiter unreachable")

// failingLimiter fails every call, as a Redis that is down does.
type failingLimiter struct{}

func (failingLimiter) Allow(context.Context, string, middleware.LimitRule) (bool, error) {
	return false, errLimiterDown
}

func (failingLimiter) Blocked(context.Context, string) (bool, error) { return false, errLimiterDown }

// keyed is a POST of validBody to /v1/responses from the client address,
// with Authorization: Bearer key when key is not "".
func keyed(key, client string) *http.Request {
	r := post("/v1/responses", validBody)
	r.RemoteAddr = netip.AddrPortFrom(netip.MustParseAddr(client), 4711).String()
	if key != "" {
		r.Header.Set("Authorization", "Bearer "+key)
	}
	return r
}

// callerRecorder is a handler that records the caller of each request it
// gets.
type callerRecorder struct {
	mu      sync.Mutex
	callers []middleware.Caller
}

func (h *callerRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, ok := middleware.CallerFrom(r.Context())
	if !ok {
		http.Error(w, "no caller", http.StatusTeapot)
		return
	}
	h.mu.Lock()
	h.callers = append(h.callers, c)
	h.mu.Unlock()
}

func (h *callerRecorder) last() middleware.Caller {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.callers) == 0 {
		return middleware.Caller{}
	}
	return h.callers[len(h.callers)-1]
}

func TestKeysAndLimitsJudgesTheKeyBeforeTheBody(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		xAPIKey    bool
		header     [][2]string
		wantStatus int
		wantCode   apierrors.Code
		wantOrg    string
	}{
		{"no header is missing_api_key", false, nil, 401, apierrors.MissingAPIKey, ""},
		{"an empty Authorization is missing_api_key", false, [][2]string{{"Authorization", ""}}, 401, apierrors.MissingAPIKey, ""},
		{"another scheme is missing_api_key", false, [][2]string{{"Authorization", "Token " + keyA}}, 401, apierrors.MissingAPIKey, ""},
		{"Bearer alone is missing_api_key", false, [][2]string{{"Authorization", "Bearer "}}, 401, apierrors.MissingAPIKey, ""},
		{"a malformed key is invalid_api_key", false, [][2]string{{"Authorization", "Bearer flex_live_nothex"}}, 401, apierrors.InvalidAPIKey, ""},
		{"a wrong checksum is invalid_api_key", false, [][2]string{{"Authorization", "Bearer flex_live_0123456789abcdef01234567618735"}}, 401, apierrors.InvalidAPIKey, ""},
		{"an unknown key is invalid_api_key", false, [][2]string{{"Authorization", "Bearer " + keyUnknown}}, 401, apierrors.InvalidAPIKey, ""},
		{"a revoked key is invalid_api_key", false, [][2]string{{"Authorization", "Bearer " + keyRevoked}}, 401, apierrors.InvalidAPIKey, ""},
		{"two Authorization lines are invalid_api_key", false, [][2]string{{"Authorization", "Bearer " + keyA}, {"Authorization", "Bearer " + keyA}}, 401, apierrors.InvalidAPIKey, ""},
		{"a known key passes", false, [][2]string{{"Authorization", "Bearer " + keyA}}, 200, "", "org_a"},
		{"the scheme is case-insensitive", false, [][2]string{{"Authorization", "BEARER  " + keyA}}, 200, "", "org_a"},
		{"x-api-key is not read by default", false, [][2]string{{"X-Api-Key", keyA}}, 401, apierrors.MissingAPIKey, ""},
		{"an accepted x-api-key passes", true, [][2]string{{"X-Api-Key", keyA}}, 200, "", "org_a"},
		{"an accepted x-api-key that is unknown is invalid_api_key", true, [][2]string{{"X-Api-Key", keyUnknown}}, 401, apierrors.InvalidAPIKey, ""},
		{"two x-api-key lines are invalid_api_key", true, [][2]string{{"X-Api-Key", keyA}, {"X-Api-Key", keyA}}, 401, apierrors.InvalidAPIKey, ""},
		{"an invalid Bearer key is judged whatever x-api-key holds", true, [][2]string{{"Authorization", "Bearer " + keyUnknown}, {"X-Api-Key", keyA}}, 401, apierrors.InvalidAPIKey, ""},
		{"x-api-key stands in for another scheme", true, [][2]string{{"Authorization", "Basic Zm9vOmJhcg=="}, {"X-Api-Key", keyA}}, 200, "", "org_a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGuard(t, middleware.Options{KeyStore: testKeys(), AcceptXAPIKey: tt.xAPIKey})
			var h callerRecorder
			body := &readCounter{r: strings.NewReader(validBody)}
			r := httptest.NewRequest(http.MethodPost, "/v1/responses", body)
			for _, hd := range tt.header {
				r.Header.Add(hd[0], hd[1])
			}
			rec := serve(g.Handler(&h), r)
			require.Equal(t, tt.wantStatus, rec.Code, rec.Body.String())
			if tt.wantStatus != http.StatusOK {
				code, param := errorCode(t, rec)
				assert.Equal(t, tt.wantCode.String(), code)
				assert.Empty(t, param)
				assert.Zero(t, body.n, "no byte of the body is read before the key passes")
				return
			}
			assert.Equal(t, middleware.Caller{Org: tt.wantOrg, KeyID: digestOf(keyA)[:12]}, h.last())
		})
	}
}

func TestAKeyStoreThatCannotAnswerIsInternalErrorNotAFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		store middleware.KeyStore
	}{
		{"a store that fails", failingStore{}},
		{"a record without an organisation", keyTable{digestOf(keyA): {}}},
		{"a record whose limit is not a rule", keyTable{digestOf(keyA): {Org: "org_a", RateLimit: middleware.LimitRule{Limit: -1, Window: time.Second}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGuard(t, middleware.Options{KeyStore: tt.store, AuthFlood: middleware.LimitRule{Limit: 2}})
			h := g.Handler(&okHandler{})
			for range 5 {
				rec := serve(h, keyed(keyA, "198.51.100.1"))
				require.Equal(t, http.StatusInternalServerError, rec.Code)
				code, _ := errorCode(t, rec)
				assert.Equal(t, "internal_error", code)
			}
			// Five store failures were no failed authentications: two
			// would have blocked the client.
			code, _ := errorCode(t, serve(h, keyed("", "198.51.100.1")))
			assert.Equal(t, "missing_api_key", code)
		})
	}
}

// requestStep is one request of a scenario: after advancing the clock, a
// request with key (or none) from client, and the status and Retry-After
// it gets.
type requestStep struct {
	advance    time.Duration
	key        string
	client     string
	times      int // the request is sent this many times; 0 means once
	wantStatus int
	wantRetry  string
}

// runSteps sends the steps through h in order.
func runSteps(t *testing.T, h http.Handler, clock *fakeClock, steps []requestStep) {
	t.Helper()
	for i, s := range steps {
		clock.Advance(s.advance)
		for n := range max(s.times, 1) {
			rec := serve(h, keyed(s.key, s.client))
			require.Equal(t, s.wantStatus, rec.Code, "step %d, request %d: %s", i, n+1, rec.Body.String())
			assert.Equal(t, s.wantRetry, rec.Header().Get("Retry-After"), "step %d", i)
		}
	}
}

func TestTheAuthFloodLimiterBlocksAClientFromTheFailureThatReachesTheLimit(t *testing.T) {
	t.Parallel()
	const client = "203.0.113.7"
	tests := []struct {
		name  string
		rule  middleware.LimitRule
		steps []requestStep
	}{
		{"the twentieth failure is answered 401, and the block follows", middleware.LimitRule{}, []requestStep{
			{key: "", client: client, times: 19, wantStatus: 401},
			{key: keyA, client: client, wantStatus: 200},
			{key: keyUnknown, client: client, wantStatus: 401},
			{key: keyA, client: client, wantStatus: 429, wantRetry: "60"},
			{key: "", client: client, wantStatus: 429, wantRetry: "60"},
		}},
		{"the block lasts sixty seconds from that failure", middleware.LimitRule{}, []requestStep{
			{key: "", client: client, times: 20, wantStatus: 401},
			{advance: 59 * time.Second, key: keyA, client: client, wantStatus: 429, wantRetry: "60"},
			{advance: time.Second, key: keyA, client: client, wantStatus: 200},
		}},
		{"requests during the block do not lengthen it", middleware.LimitRule{}, []requestStep{
			{key: "", client: client, times: 20, wantStatus: 401},
			{advance: 30 * time.Second, key: "", client: client, times: 50, wantStatus: 429, wantRetry: "60"},
			{advance: 30 * time.Second, key: keyA, client: client, wantStatus: 200},
		}},
		{"failures older than the window are forgotten", middleware.LimitRule{}, []requestStep{
			{key: "", client: client, times: 19, wantStatus: 401},
			{advance: 61 * time.Second, key: "", client: client, wantStatus: 401},
			{key: keyA, client: client, wantStatus: 200},
		}},
		{"after a block the count starts over", middleware.LimitRule{}, []requestStep{
			{key: "", client: client, times: 20, wantStatus: 401},
			{advance: time.Minute, key: "", client: client, times: 19, wantStatus: 401},
			{key: keyA, client: client, wantStatus: 200},
		}},
		{"a configured threshold, window and block", middleware.LimitRule{Limit: 3, Window: 10 * time.Second, Block: 90 * time.Second}, []requestStep{
			{key: "", client: client, times: 3, wantStatus: 401},
			{advance: 89 * time.Second, key: keyA, client: client, wantStatus: 429, wantRetry: "90"},
			{advance: time.Second, key: keyA, client: client, wantStatus: 200},
		}},
		{"a good key does not wipe earlier failures", middleware.LimitRule{Limit: 3}, []requestStep{
			{key: "", client: client, times: 2, wantStatus: 401},
			{key: keyA, client: client, wantStatus: 200},
			{key: "", client: client, wantStatus: 401},
			{key: keyA, client: client, wantStatus: 429, wantRetry: "60"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			g := newGuard(t, middleware.Options{
				KeyStore:         testKeys(),
				AuthFlood:        tt.rule,
				AuthFloodLimiter: middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{Clock: clock.Now}),
			})
			runSteps(t, g.Handler(&okHandler{}), clock, tt.steps)
		})
	}
}

func TestClientsAreToldApartByAddressAndIPv6By64(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		trusted     string
		failing     string // peer of the twenty failures
		failingXFF  string // their X-Forwarded-For, if any
		next        string // peer of the next request, with a good key
		nextXFF     string
		wantBlocked bool
	}{
		{"the same address is blocked, from another port too", "", "192.0.2.10:1000", "", "192.0.2.10:2000", "", true},
		{"another address is not", "", "192.0.2.10:1000", "", "192.0.2.11:1000", "", false},
		{"an IPv4-mapped IPv6 peer is its IPv4 address", "", "192.0.2.10:1000", "", "[::ffff:192.0.2.10]:1000", "", true},
		{"an IPv6 client is blocked by its /64", "", "[2001:db8:1:2::1]:1000", "", "[2001:db8:1:2:ffff::9]:1000", "", true},
		{"another /64 is not", "", "[2001:db8:1:2::1]:1000", "", "[2001:db8:1:3::1]:1000", "", false},
		{"behind a trusted proxy, the forwarded client is blocked", "10.0.0.0/8", "10.0.0.1:1000", "203.0.113.5", "10.0.0.2:1000", "198.51.100.1, 203.0.113.5", true},
		{"behind a trusted proxy, another forwarded client is not", "10.0.0.0/8", "10.0.0.1:1000", "203.0.113.5", "10.0.0.1:1000", "203.0.113.6", false},
		{"behind a trusted proxy, the proxy itself is not blocked", "10.0.0.0/8", "10.0.0.1:1000", "203.0.113.5", "10.0.0.1:1000", "", false},
		{"an untrusted peer cannot name another client", "", "192.0.2.10:1000", "203.0.113.5", "192.0.2.20:1000", "203.0.113.5", false},
		{"an untrusted peer is blocked whatever it forwards", "", "192.0.2.10:1000", "203.0.113.5", "192.0.2.10:1000", "198.51.100.9", true},
		{"peers that are not IP addresses are never counted", "", "@", "", "@", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := middleware.Options{KeyStore: testKeys()}
			if tt.trusted != "" {
				opts.TrustedProxies = []netip.Prefix{netip.MustParsePrefix(tt.trusted)}
			}
			h := newGuard(t, opts).Handler(&okHandler{})
			send := func(key, peer, xff string) int {
				r := post("/v1/responses", validBody)
				r.RemoteAddr = peer
				if xff != "" {
					r.Header.Set("X-Forwarded-For", xff)
				}
				if key != "" {
					r.Header.Set("Authorization", "Bearer "+key)
				}
				return serve(h, r).Code
			}
			for range 20 {
				require.Equal(t, http.StatusUnauthorized, send("", tt.failing, tt.failingXFF))
			}
			want := http.StatusOK
			if tt.wantBlocked {
				want = http.StatusTooManyRequests
			}
			assert.Equal(t, want, send(keyA, tt.next, tt.nextXFF))
		})
	}
}

func TestTheOrgLimiterRefusesAnOrganisationOverItsLimit(t *testing.T) {
	t.Parallel()
	const client = "198.51.100.20"
	perMinute := func(n int) middleware.LimitRule { return middleware.LimitRule{Limit: n, Window: time.Minute} }
	tests := []struct {
		name        string
		defaultRule middleware.LimitRule
		ownRule     middleware.LimitRule // org_a's
		steps       []requestStep
	}{
		{"no limit by default", middleware.LimitRule{}, middleware.LimitRule{}, []requestStep{
			{key: keyA, client: client, times: 100, wantStatus: 200},
		}},
		{"the default limit, then 429 with Retry-After 5", perMinute(3), middleware.LimitRule{}, []requestStep{
			{key: keyA, client: client, times: 3, wantStatus: 200},
			{key: keyA, client: client, times: 5, wantStatus: 429, wantRetry: "5"},
		}},
		{"the window slides: an event leaves it a window after it was counted", perMinute(2), middleware.LimitRule{}, []requestStep{
			{key: keyA, client: client, wantStatus: 200},
			{advance: 30 * time.Second, key: keyA, client: client, wantStatus: 200},
			{advance: 29 * time.Second, key: keyA, client: client, wantStatus: 429, wantRetry: "5"},
			{advance: time.Second, key: keyA, client: client, wantStatus: 200},
			{key: keyA, client: client, wantStatus: 429, wantRetry: "5"},
		}},
		{"an organisation's own limit replaces the default", perMinute(100), perMinute(1), []requestStep{
			{key: keyA, client: client, wantStatus: 200},
			{key: keyA, client: client, wantStatus: 429, wantRetry: "5"},
		}},
		{"an own limit applies without a default", middleware.LimitRule{}, perMinute(2), []requestStep{
			{key: keyA, client: client, times: 2, wantStatus: 200},
			{key: keyA, client: client, wantStatus: 429, wantRetry: "5"},
		}},
		{"the organisation's keys share its count", perMinute(2), middleware.LimitRule{}, []requestStep{
			{key: keyA, client: client, wantStatus: 200},
			{key: keyA2, client: "198.51.100.21", wantStatus: 200},
			{key: keyA, client: "198.51.100.22", wantStatus: 429, wantRetry: "5"},
		}},
		{"organisations are counted apart", perMinute(1), middleware.LimitRule{}, []requestStep{
			{key: keyA, client: client, wantStatus: 200},
			{key: keyB, client: client, wantStatus: 200},
			{key: keyA, client: client, wantStatus: 429, wantRetry: "5"},
		}},
		{"refusals are not failed authentications", perMinute(1), middleware.LimitRule{}, []requestStep{
			{key: keyA, client: client, wantStatus: 200},
			{key: keyA, client: client, times: 40, wantStatus: 429, wantRetry: "5"},
			{advance: time.Minute, key: keyA, client: client, wantStatus: 200},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			store := testKeys()
			store.add(keyA, middleware.KeyRecord{Org: "org_a", RateLimit: tt.ownRule})
			store.add(keyB, middleware.KeyRecord{Org: "org_b"})
			g := newGuard(t, middleware.Options{
				KeyStore:        store,
				DefaultOrgLimit: tt.defaultRule,
				OrgLimiter:      middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{Clock: clock.Now}),
			})
			runSteps(t, g.Handler(&okHandler{}), clock, tt.steps)
		})
	}
}

// flakyLimiter is a MemoryLimiter whose calls fail while failing is set.
type flakyLimiter struct {
	*middleware.MemoryLimiter
	failing atomic.Bool
}

func (l *flakyLimiter) Allow(ctx context.Context, key string, rule middleware.LimitRule) (bool, error) {
	if l.failing.Load() {
		return false, errLimiterDown
	}
	return l.MemoryLimiter.Allow(ctx, key, rule)
}

func (l *flakyLimiter) Blocked(ctx context.Context, key string) (bool, error) {
	if l.failing.Load() {
		return false, errLimiterDown
	}
	return l.MemoryLimiter.Blocked(ctx, key)
}

func TestAFailingLimiterLetsRequestsOnAndIsReported(t *testing.T) {
	t.Parallel()
	const client = "192.0.2.33"
	tests := []struct {
		name        string
		key         string
		wantStatus  int
		wantReports int    // calls to OnLimiterError for one request
		wantOrg     string // the caller the hook's request knows, if any
	}{
		{"a good key: the block check and the org count fail, the request passes", keyA, 200, 2, "org_a"},
		{"no key: the block check and the failure count fail, the key is still required", "", 401, 2, ""},
		{"a revoked key: still invalid", keyRevoked, 401, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			limiter := &flakyLimiter{MemoryLimiter: middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{})}
			var (
				mu      sync.Mutex
				reports []error
				orgs    []string
			)
			g := newGuard(t, middleware.Options{
				KeyStore:         testKeys(),
				AuthFlood:        middleware.LimitRule{Limit: 2},
				DefaultOrgLimit:  middleware.LimitRule{Limit: 1, Window: time.Hour},
				AuthFloodLimiter: limiter,
				OrgLimiter:       limiter,
				OnLimiterError: func(r *http.Request, err error) {
					mu.Lock()
					defer mu.Unlock()
					reports = append(reports, err)
					c, _ := middleware.CallerFrom(r.Context())
					orgs = append(orgs, c.Org)
				},
			})
			h := g.Handler(&okHandler{})
			limiter.failing.Store(true)
			for range 5 { // over both limits, were they working
				require.Equal(t, tt.wantStatus, serve(h, keyed(tt.key, client)).Code)
			}
			mu.Lock()
			require.Len(t, reports, 5*tt.wantReports)
			for _, err := range reports {
				assert.ErrorIs(t, err, errLimiterDown)
			}
			assert.Contains(t, orgs, tt.wantOrg)
			mu.Unlock()

			// Once it works again, counting resumes from what it holds:
			// nothing was counted during the failure.
			limiter.failing.Store(false)
			assert.Equal(t, tt.wantStatus, serve(h, keyed(tt.key, client)).Code)
		})
	}
}

func TestALimiterCallCutShortByTheClientIsNotReported(t *testing.T) {
	t.Parallel()
	var reports, decisions atomic.Int32
	g := newGuard(t, middleware.Options{
		KeyStore:          testKeys(),
		DefaultOrgLimit:   middleware.LimitRule{Limit: 1, Window: time.Hour},
		AuthFloodLimiter:  failingLimiter{},
		OrgLimiter:        failingLimiter{},
		OnLimiterError:    func(*http.Request, error) { reports.Add(1) },
		OnLimiterDecision: func(*http.Request, middleware.LimiterDecision) { decisions.Add(1) },
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	serve(g.Handler(&okHandler{}), keyed(keyA, "192.0.2.1").WithContext(ctx))
	assert.Zero(t, reports.Load())
	assert.Zero(t, decisions.Load())
}

// decision is a LimiterDecision as a test states it: the error as whether
// there was one.
type decision struct {
	limiter string
	limited bool
	failed  bool
}

func TestOnLimiterDecisionHearsEachDecisionOnARequest(t *testing.T) {
	t.Parallel()
	var (
		authAllowed = decision{middleware.LimiterAuthFlood, false, false}
		authLimited = decision{middleware.LimiterAuthFlood, true, false}
		authFailed  = decision{middleware.LimiterAuthFlood, false, true}
		orgAllowed  = decision{middleware.LimiterOrg, false, false}
		orgLimited  = decision{middleware.LimiterOrg, true, false}
		orgFailed   = decision{middleware.LimiterOrg, false, true}
	)
	type step struct {
		request    *http.Request
		wantStatus int
		want       []decision
	}
	unknownPath := keyed(keyA, "192.0.2.1")
	unknownPath.URL.Path = "/v1/nothing"
	wrongMethod := keyed(keyA, "192.0.2.1")
	wrongMethod.Method = http.MethodGet
	unixPeer := keyed(keyB, "192.0.2.1")
	unixPeer.RemoteAddr = "@"
	tests := []struct {
		name    string
		failing bool
		steps   []step
	}{
		{"working limiters: one decision each, the org's only with a limit", false, []step{
			{keyed(keyA, "192.0.2.1"), 200, []decision{authAllowed, orgAllowed}},
			{keyed(keyA, "192.0.2.1"), 429, []decision{authAllowed, orgLimited}},
			{keyed(keyB, "192.0.2.1"), 200, []decision{authAllowed}},
			{keyed("", "192.0.2.2"), 401, []decision{authAllowed}},
			{keyed("", "192.0.2.2"), 401, []decision{authAllowed}},
			{keyed(keyB, "192.0.2.2"), 429, []decision{authLimited}},
			{unixPeer, 200, nil},
			{unknownPath, 404, nil},
			{wrongMethod, 405, nil},
		}},
		{"a failing limiter: each decision carries its error", true, []step{
			{keyed(keyA, "192.0.2.1"), 200, []decision{authFailed, orgFailed}},
			{keyed(keyB, "192.0.2.1"), 200, []decision{authFailed}},
			{keyed("", "192.0.2.1"), 401, []decision{authFailed}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store := testKeys()
			store.add(keyA, middleware.KeyRecord{Org: "org_a", RateLimit: middleware.LimitRule{Limit: 1, Window: time.Hour}})
			store.add(keyB, middleware.KeyRecord{Org: "org_b"})
			limiter := &flakyLimiter{MemoryLimiter: middleware.NewMemoryLimiter(middleware.MemoryLimiterConfig{})}
			limiter.failing.Store(tt.failing)
			var (
				mu   sync.Mutex
				got  []decision
				orgs []string
			)
			g := newGuard(t, middleware.Options{
				KeyStore:         store,
				AuthFlood:        middleware.LimitRule{Limit: 2},
				AuthFloodLimiter: limiter,
				OrgLimiter:       limiter,
				OnLimiterDecision: func(r *http.Request, d middleware.LimiterDecision) {
					mu.Lock()
					defer mu.Unlock()
					if d.Err != nil {
						assert.ErrorIs(t, d.Err, errLimiterDown)
					}
					got = append(got, decision{d.Limiter, d.Limited, d.Err != nil})
					c, _ := middleware.CallerFrom(r.Context())
					orgs = append(orgs, c.Org)
				},
			})
			h := g.Handler(&okHandler{})
			for i, s := range tt.steps {
				mu.Lock()
				got, orgs = nil, nil
				mu.Unlock()
				require.Equal(t, s.wantStatus, serve(h, s.request).Code, "step %d", i)
				mu.Lock()
				assert.Equal(t, s.want, got, "step %d", i)
				for j, d := range got {
					if d.limiter == middleware.LimiterOrg {
						assert.NotEmpty(t, orgs[j], "step %d: the org limiter's hook knows the caller", i)
					}
				}
				mu.Unlock()
			}
		})
	}
}

func TestTheHooksAndTheHandlerSeeTheCaller(t *testing.T) {
	t.Parallel()
	mounts := []struct {
		name  string
		mount func(g *middleware.Guard, h http.Handler) http.Handler
	}{
		{"Handler", func(g *middleware.Guard, h http.Handler) http.Handler { return g.Handler(h) }},
		{"KeysAndLimits then Billing", func(g *middleware.Guard, h http.Handler) http.Handler { return g.KeysAndLimits(g.Billing(h)) }},
		{"Route, KeysAndLimits, Model then Handler", func(g *middleware.Guard, h http.Handler) http.Handler {
			return g.Route(g.KeysAndLimits(g.Model(g.Handler(h))))
		}},
	}
	for _, m := range mounts {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			var (
				mu   sync.Mutex
				seen = map[string]middleware.Caller{}
			)
			note := func(hook string, r *http.Request) {
				c, _ := middleware.CallerFrom(r.Context())
				mu.Lock()
				defer mu.Unlock()
				seen[hook] = c
			}
			g := newGuard(t, middleware.Options{
				KeyStore: testKeys(),
				DefaultStartWithin: func(r *http.Request) (validate.StartWithin, bool) {
					note("DefaultStartWithin", r)
					return validate.StartWithin{Mode: validate.ModeDuration, Duration: 30 * time.Second}, true
				},
				HasProviderKey: func(r *http.Request, _ validate.Provider) (bool, error) {
					note("HasProviderKey", r)
					return true, nil
				},
				OrgOverdue: func(r *http.Request) (bool, error) {
					note("OrgOverdue", r)
					return false, nil
				},
			})
			var h callerRecorder
			r := post("/v1/responses", `{"model":"gpt-5.5"}`)
			r.Header.Set("Authorization", "Bearer "+keyA2)
			rec := serve(m.mount(g, &h), r)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			want := middleware.Caller{Org: "org_a", KeyID: digestOf(keyA2)[:12]}
			assert.Equal(t, want, h.last(), "the handler")
			for _, hook := range []string{"DefaultStartWithin", "HasProviderKey", "OrgOverdue"} {
				assert.Equal(t, want, seen[hook], hook)
			}
		})
	}
}

func TestCallerFromIsEmptyWithoutKeys(t *testing.T) {
	t.Parallel()
	var seen atomic.Bool
	g := newGuard(t, middleware.Options{})
	r := post("/v1/responses", validBody)
	r.Header.Set("Authorization", "Bearer "+keyA)
	serve(g.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, ok := middleware.CallerFrom(r.Context())
		seen.Store(ok)
	})), r)
	assert.False(t, seen.Load())
	_, ok := middleware.CallerFrom(context.Background())
	assert.False(t, ok)
}

func TestOnRejectSeesTheCallerAndWhatTheChecksBeforeTheFailureLearned(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		key        string
		path, body string
		wantCode   apierrors.Code
		wantCaller middleware.Caller // zero: CallerFrom answers nothing
		wantModel  string            // "": ResultFrom answers nothing
	}{
		{
			name:     "a request without a key has no caller and no body read",
			path:     "/v1/responses",
			body:     validBody,
			wantCode: apierrors.MissingAPIKey,
		},
		{
			name:       "an authenticated request with a refused parameter has its caller and its model",
			key:        keyA,
			path:       "/v1/chat/completions",
			body:       `{"model":"gpt-5.5","start_within":"default","messages":[],"seed":7}`,
			wantCode:   apierrors.UnsupportedParameter,
			wantCaller: middleware.Caller{Org: "org_a", KeyID: digestOf(keyA)[:12]},
			wantModel:  "gpt-5.5",
		},
		{
			name:       "an authenticated request with a body that is not JSON has its caller",
			key:        keyA,
			path:       "/v1/responses",
			body:       `{"model":`,
			wantCode:   apierrors.InvalidJSON,
			wantCaller: middleware.Caller{Org: "org_a", KeyID: digestOf(keyA)[:12]},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var (
				heard                int
				gotCode              apierrors.Code
				gotCaller            middleware.Caller
				gotResult, gotCalled bool
				gotModel             string
			)
			g := newGuard(t, middleware.Options{
				KeyStore: testKeys(),
				OnReject: func(r *http.Request, err *apierrors.Error) {
					heard++
					gotCode = err.Code()
					gotCaller, gotCalled = middleware.CallerFrom(r.Context())
					var res validate.Result
					res, gotResult = middleware.ResultFrom(r.Context())
					gotModel = res.Model
				},
			})
			r := post(tt.path, tt.body)
			if tt.key != "" {
				r.Header.Set("Authorization", "Bearer "+tt.key)
			}
			serve(g.Handler(&okHandler{}), r)
			require.Equal(t, 1, heard)
			assert.Equal(t, tt.wantCode, gotCode)
			assert.Equal(t, tt.wantCaller != middleware.Caller{}, gotCalled)
			assert.Equal(t, tt.wantCaller, gotCaller)
			if tt.wantModel != "" {
				assert.True(t, gotResult)
			}
			assert.Equal(t, tt.wantModel, gotModel)
		})
	}
}

func TestTheKeyNeverReachesAnAnswerARejectionOrTheHandler(t *testing.T) {
	t.Parallel()
	secret := keyA[len("flex_live_") : len("flex_live_")+24]
	tests := []struct {
		name  string
		opts  middleware.Options
		prior int // requests with the same key sent before
	}{
		{"a pass", middleware.Options{KeyStore: testKeys()}, 0},
		{"an unknown key", middleware.Options{KeyStore: keyTable{}}, 0},
		{"a revoked key", middleware.Options{KeyStore: keyTable{digestOf(keyA): {Org: "o", Revoked: true}}}, 0},
		{"a store failure", middleware.Options{KeyStore: failingStore{}}, 0},
		{"a blocked client", middleware.Options{KeyStore: keyTable{}}, 20},
		{"an organisation over its limit", middleware.Options{KeyStore: testKeys(), DefaultOrgLimit: middleware.LimitRule{Limit: 1, Window: time.Hour}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var said strings.Builder
			tt.opts.OnReject = func(_ *http.Request, err *apierrors.Error) {
				fmt.Fprintf(&said, "%v %s %s %s\n", err, err.Message(), err.Param(), err.Code())
			}
			h := newGuard(t, tt.opts).Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c, _ := middleware.CallerFrom(r.Context())
				fmt.Fprintf(&said, "%+v\n", c)
			}))
			for range tt.prior {
				serve(h, keyed(keyA, "192.0.2.5"))
			}
			rec := serve(h, keyed(keyA, "192.0.2.5"))
			fmt.Fprintf(&said, "%v %s", rec.Header(), rec.Body.String())
			assert.NotContains(t, said.String(), secret)
			assert.NotEmpty(t, said.String())
		})
	}
}
