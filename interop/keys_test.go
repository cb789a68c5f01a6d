package interop_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
	aoption "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/apikey"
	"github.com/flexinference/flexguard/middleware"
)

// writeKeysFile writes a flexgate keys file with one new key for an
// organisation that has every provider key, and returns its path and the
// key.
func writeKeysFile(t *testing.T) (path, key string) {
	t.Helper()
	key = apikey.Generate()
	src := fmt.Sprintf(`{"keys":[{"sha256":%q,"org":"org_interop"}],"orgs":{"org_interop":{"provider_keys":["openai","gemini","anthropic"]}}}`, apikey.Digest(key))
	path = filepath.Join(t.TempDir(), "keys.json")
	require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
	return path, key
}

// wantAnthropicError checks the typed error anthropic-sdk-go returns.
func wantAnthropicError(t *testing.T, err error, code apierrors.Code) *anthropic.Error {
	t.Helper()
	var apiErr *anthropic.Error
	require.True(t, errors.As(err, &apiErr), "want *anthropic.Error, got %T: %v", err, err)
	catalog := apierrors.New(code, "", "")
	assert.Equal(t, catalog.Status(), apiErr.StatusCode)
	assert.Equal(t, string(catalog.Type()), string(apiErr.Type()))
	raw := apiErr.RawJSON()
	assert.Equal(t, code.String(), gjson.Get(raw, "error.code").String(), raw)
	assert.Equal(t, catalog.Message(), gjson.Get(raw, "error.message").String())
	return apiErr
}

func TestOpenAIGetsTypedAuthenticationErrors(t *testing.T) {
	t.Parallel()
	keys, key := writeKeysFile(t)
	gw := startGateway(t, "", "-keys", keys)
	tests := []struct {
		name string
		opts []option.RequestOption
		code apierrors.Code
	}{
		{"no key", []option.RequestOption{option.WithHeaderDel("Authorization")}, apierrors.MissingAPIKey},
		{"a provider's key", []option.RequestOption{option.WithAPIKey("sk-proj-0123456789")}, apierrors.InvalidAPIKey},
		{"a well-formed key the gateway does not know", []option.RequestOption{option.WithAPIKey(apikey.Generate())}, apierrors.InvalidAPIKey},
		{"the key with a character changed", []option.RequestOption{option.WithAPIKey(key[:len(key)-1] + flip(key[len(key)-1]))}, apierrors.InvalidAPIKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client := openaiClient(gw, tc.opts...)
			_, err := client.Chat.Completions.New(context.Background(), chatParams("gpt-5.5"), startWithin("default"))
			apiErr := wantOpenAIError(t, err, tc.code, "")
			assert.Equal(t, apierrors.New(tc.code, "", "").Message(), apiErr.Message)
		})
	}
}

// flip is another lowercase hex digit than c.
func flip(c byte) string {
	if c == '0' {
		return "1"
	}
	return "0"
}

func TestAnthropicGetsTypedAuthenticationErrors(t *testing.T) {
	t.Parallel()
	keys, key := writeKeysFile(t)
	plain := startGateway(t, "", "-keys", keys)
	accepting := startGateway(t, "", "-keys", keys, "-accept-x-api-key")
	tests := []struct {
		name    string
		gateway string
		apiKey  string
		code    apierrors.Code
	}{
		{"its default x-api-key is not read unless accepted", plain, key, apierrors.MissingAPIKey},
		{"an Anthropic key in an accepted x-api-key", accepting, "sk-ant-api03-0123456789", apierrors.InvalidAPIKey},
		{"an unknown key in an accepted x-api-key", accepting, apikey.Generate(), apierrors.InvalidAPIKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client := anthropic.NewClient(aoption.WithBaseURL(tc.gateway+"/"), aoption.WithAPIKey(tc.apiKey), aoption.WithMaxRetries(0))
			_, err := client.Messages.New(context.Background(), messageParams(), aoption.WithJSONSet("start_within", "default"))
			wantAnthropicError(t, err, tc.code)
		})
	}
}

// headerRecorder is a provider that records the headers of the last
// request it got.
type headerRecorder struct {
	next http.Handler
	mu   sync.Mutex
	last http.Header
}

func (h *headerRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.last = r.Header.Clone()
	h.mu.Unlock()
	h.next.ServeHTTP(w, r)
}

func (h *headerRecorder) got() http.Header {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

func TestTheSDKsDefaultAuthPassesAndTheKeyStaysAtTheGateway(t *testing.T) {
	t.Parallel()
	keys, key := writeKeysFile(t)
	provider := &headerRecorder{next: &fakeUpstream{received: map[string][]byte{}}}
	upstream := httptest.NewServer(provider)
	t.Cleanup(upstream.Close)
	gw := startGateway(t, upstream.URL, "-keys", keys, "-accept-x-api-key")

	t.Run("anthropic-sdk-go with its x-api-key", func(t *testing.T) {
		client := anthropic.NewClient(aoption.WithBaseURL(gw+"/"), aoption.WithAPIKey(key), aoption.WithMaxRetries(0))
		msg, err := client.Messages.New(context.Background(), messageParams(), aoption.WithJSONSet("start_within", "default"))
		require.NoError(t, err)
		assert.Equal(t, "Hi there.", msg.Content[0].Text)
		assert.Empty(t, provider.got().Get("X-Api-Key"), "the gateway key is not forwarded")
		assert.Empty(t, provider.got().Get("Authorization"))
	})
	t.Run("openai-go with its Bearer key", func(t *testing.T) {
		client := openaiClient(gw, option.WithAPIKey(key))
		completion, err := client.Chat.Completions.New(context.Background(), chatParams("gpt-5.5"), startWithin("default"))
		require.NoError(t, err)
		assert.Equal(t, "Hi there.", completion.Choices[0].Message.Content)
		assert.Empty(t, provider.got().Get("Authorization"), "the gateway key is not forwarded")
	})
}

// arrivals is a test server's clock: the time each request arrived, in
// front of the guard.
type arrivals struct {
	mu    sync.Mutex
	times []time.Time
}

func (a *arrivals) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.times = append(a.times, time.Now())
		a.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (a *arrivals) all() []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]time.Time(nil), a.times...)
}

// keyTable is a key store of one key.
type keyTable map[string]middleware.KeyRecord

func (k keyTable) LookupKey(_ context.Context, digest string) (middleware.KeyRecord, bool, error) {
	rec, ok := k[digest]
	return rec, ok, nil
}

// startLimitedChain serves the whole chain with keys, for an organisation
// allowed one request an hour, behind a clock of arrivals; it spends the
// one request, and returns the base URL and the key.
func startLimitedChain(t *testing.T) (base, key string, clock *arrivals) {
	t.Helper()
	key = apikey.Generate()
	guard, err := middleware.New(middleware.Options{
		KeyStore:      keyTable{apikey.Digest(key): {Org: "org_slow", RateLimit: middleware.LimitRule{Limit: 1, Window: time.Hour}}},
		AcceptXAPIKey: true,
	})
	require.NoError(t, err)
	clock = &arrivals{}
	srv := httptest.NewServer(clock.wrap(guard.Handler(http.HandlerFunc(echo))))
	t.Cleanup(srv.Close)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/responses", strings.NewReader(`{"model":"gpt-5.5","start_within":"default"}`))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return srv.URL, key, clock
}

// wantWaitedRetryAfter checks that the SDK's retry came at least
// Retry-After (5 s) after the attempt it retried, by the server's clock;
// the upper bound only keeps a hung SDK from passing.
func wantWaitedRetryAfter(t *testing.T, clock *arrivals) {
	t.Helper()
	times := clock.all()
	require.Len(t, times, 3, "the spent request, the attempt and one retry")
	gap := times[2].Sub(times[1])
	assert.GreaterOrEqual(t, gap, apierrors.RetryAfterPerOrg, "the retry waited Retry-After")
	assert.Less(t, gap, apierrors.RetryAfterPerOrg+time.Minute)
}

func TestSDKsGetATyped429AndWaitRetryAfterBeforeRetrying(t *testing.T) {
	t.Parallel()
	t.Run("openai-go", func(t *testing.T) {
		t.Parallel()
		base, key, clock := startLimitedChain(t)
		client := openaiClient(base, option.WithAPIKey(key), option.WithMaxRetries(1))
		_, err := client.Chat.Completions.New(context.Background(), chatParams("gpt-5.5"), startWithin("default"))
		apiErr := wantOpenAIError(t, err, apierrors.RateLimitExceeded, "")
		assert.Equal(t, "5", apiErr.Response.Header.Get("Retry-After"))
		wantWaitedRetryAfter(t, clock)
	})
	t.Run("anthropic-sdk-go", func(t *testing.T) {
		t.Parallel()
		base, key, clock := startLimitedChain(t)
		client := anthropic.NewClient(aoption.WithBaseURL(base+"/"), aoption.WithAPIKey(key), aoption.WithMaxRetries(1))
		_, err := client.Messages.New(context.Background(), messageParams(), aoption.WithJSONSet("start_within", "default"))
		apiErr := wantAnthropicError(t, err, apierrors.RateLimitExceeded)
		assert.Equal(t, "5", apiErr.Response.Header.Get("Retry-After"))
		wantWaitedRetryAfter(t, clock)
	})
}
