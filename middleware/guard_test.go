package middleware_test

import (
	"io"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/conformance"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// New refuses Options that cannot work, with an error, at setup: never a
// panic, never a failure per request.
func TestNewRefusesMalformedOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     middleware.Options
		wantText string // a part of the error that says what is wrong
	}{
		{"a negative body limit", middleware.Options{Policy: validate.Policy{MaxBodyBytes: -1}}, "max_body_bytes"},
		{"a default start_within outside the grammar", middleware.Options{Policy: validate.Policy{DefaultStartWithin: "soon"}}, "default_start_within"},
		{"a default duration outside the window", middleware.Options{Policy: validate.Policy{DefaultStartWithin: "00h-00m-01s"}}, "default_start_within"},
		{"a star inside an allow-list entry", middleware.Options{Policy: validate.Policy{FlexModels: map[string][]string{"openai": {"gpt-*-mini"}}}}, "flex_models.openai[0]"},
		{"an empty allow-list entry", middleware.Options{Policy: validate.Policy{FlexModels: map[string][]string{"gemini": {""}}}}, "flex_models.gemini[0]"},
		{"an allow-list for a provider with no flex tier", middleware.Options{Policy: validate.Policy{FlexModels: map[string][]string{"anthropic": {"claude-x"}}}}, "anthropic"},
		{"an Endpoint that is not one", middleware.Options{Endpoint: validate.Endpoint(99)}, "Endpoint"},
		{"a negative auth-flood threshold", middleware.Options{KeyStore: keyTable{}, AuthFlood: middleware.LimitRule{Limit: -1}}, "Options.AuthFlood: LimitRule.Limit"},
		{"a negative auth-flood window", middleware.Options{KeyStore: keyTable{}, AuthFlood: middleware.LimitRule{Window: -time.Second}}, "Options.AuthFlood: LimitRule.Window"},
		{"a negative auth-flood block", middleware.Options{KeyStore: keyTable{}, AuthFlood: middleware.LimitRule{Block: -time.Second}}, "Options.AuthFlood: LimitRule.Block"},
		{"a default organisation limit without a window", middleware.Options{KeyStore: keyTable{}, DefaultOrgLimit: middleware.LimitRule{Limit: 10}}, "Options.DefaultOrgLimit: LimitRule.Window"},
		{"a default organisation limit of nothing", middleware.Options{KeyStore: keyTable{}, DefaultOrgLimit: middleware.LimitRule{Window: time.Minute}}, "Options.DefaultOrgLimit: LimitRule.Limit"},
		{"a trusted range that is not one", middleware.Options{KeyStore: keyTable{}, TrustedProxies: []netip.Prefix{{}}}, "Options.TrustedProxies"},
		{"x-api-key without a key store", middleware.Options{AcceptXAPIKey: true}, "Options.AcceptXAPIKey is set but Options.KeyStore is nil"},
		{"trusted proxies without a key store", middleware.Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, "Options.TrustedProxies is set"},
		{"an auth-flood rule without a key store", middleware.Options{AuthFlood: middleware.LimitRule{Limit: 5}}, "Options.AuthFlood is set"},
		{"an organisation limit without a key store", middleware.Options{DefaultOrgLimit: middleware.LimitRule{Limit: 5, Window: time.Second}}, "Options.DefaultOrgLimit is set"},
		{"a limiter without a key store", middleware.Options{OrgLimiter: failingLimiter{}}, "Options.OrgLimiter is set"},
		{"an auth-flood limiter without a key store", middleware.Options{AuthFloodLimiter: failingLimiter{}}, "Options.AuthFloodLimiter is set"},
		{"a limiter hook without a key store", middleware.Options{OnLimiterError: func(*http.Request, error) {}}, "Options.OnLimiterError is set"},
		{"a limiter decision hook without a key store", middleware.Options{OnLimiterDecision: func(*http.Request, middleware.LimiterDecision) {}}, "Options.OnLimiterDecision is set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, err := middleware.New(tt.opts)
			require.Error(t, err)
			assert.Nil(t, g)
			assert.True(t, strings.HasPrefix(err.Error(), "flexguard/middleware: "), err.Error())
			assert.Contains(t, err.Error(), tt.wantText)
		})
	}
}

// A nil handler is a programmer error, caught where the middleware is
// wrapped around it.
func TestEveryMiddlewarePanicsOnANilHandler(t *testing.T) {
	t.Parallel()
	opts := middleware.Options{
		KeyStore:       keyTable{},
		Schemas:        temperatureCeiling(t),
		HasProviderKey: func(*http.Request, validate.Provider) (bool, error) { return true, nil },
		OrgOverdue:     func(*http.Request) (bool, error) { return false, nil },
	}
	g := newGuard(t, opts)
	for _, p := range append(piecesOf(g, opts), piece{"Handler", g.Handler}) {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			assert.PanicsWithValue(t, "flexguard/middleware: nil handler", func() { p.wrap(nil) })
		})
	}
}

// The middlewares that call the embedder's lookups or schemas cannot run
// without them: wrapping a handler in one panics, naming the field.
func TestMiddlewaresThatNeedOptionsPanicWithoutThem(t *testing.T) {
	t.Parallel()
	g := newGuard(t, middleware.Options{})
	tests := []struct {
		name string
		wrap func(http.Handler) http.Handler
		want string
	}{
		{"KeysAndLimits without Options.KeyStore", g.KeysAndLimits, "flexguard/middleware: this middleware needs Options.KeyStore"},
		{"Schema without Options.Schemas", g.Schema, "flexguard/middleware: this middleware needs Options.Schemas"},
		{"ProviderKey without Options.HasProviderKey", g.ProviderKey, "flexguard/middleware: this middleware needs Options.HasProviderKey"},
		{"Billing without Options.OrgOverdue", g.Billing, "flexguard/middleware: this middleware needs Options.OrgOverdue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.PanicsWithValue(t, tt.want, func() { tt.wrap(&okHandler{}) })
		})
	}
}

// answer is what one mounting did with one request.
type answer struct {
	Status   int
	Body     string
	Rejected []string
	Aborted  bool
	Handled  bool
	Received string
	Result   validate.Result
	Caller   middleware.Caller
}

// answerOf sends the case's request through mount, built on a Guard of
// the case's Options, and records the answer and what the handler saw.
func answerOf(t *testing.T, c *conformance.Case, mount func(*middleware.Guard, middleware.Options, http.Handler) http.Handler) answer {
	t.Helper()
	var (
		a  answer
		mu sync.Mutex
	)
	opts := optionsFor(t, c)
	opts.OnReject = func(_ *http.Request, err *apierrors.Error) {
		mu.Lock()
		defer mu.Unlock()
		a.Rejected = append(a.Rejected, err.Code().String()+" "+err.Param())
	}
	h := mount(newGuard(t, opts), opts, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.Handled = true
		b, _ := io.ReadAll(r.Body)
		a.Received = string(b)
		a.Result, _ = middleware.ResultFrom(r.Context())
		a.Caller, _ = middleware.CallerFrom(r.Context())
	}))
	sendPriors(h, c)
	a = answer{} // only the case's own request is judged
	rec, aborted := serveAborting(h, requestFor(c))
	a.Status, a.Body, a.Aborted = rec.Code, rec.Body.String(), aborted
	return a
}

func mountHandler(g *middleware.Guard, _ middleware.Options, h http.Handler) http.Handler {
	return g.Handler(h)
}

// mountEveryPiece stacks every piece the Options allow, in the order of
// checks, as an embedder would who wants a middleware of its own between
// any two of them.
func mountEveryPiece(g *middleware.Guard, opts middleware.Options, h http.Handler) http.Handler {
	return stack(h, piecesOf(g, opts)...)
}

// A stack of every piece gives the same answer as Handler, to the byte, on
// every conformance case, and hands the handler the same body and result.
func TestAStackOfEveryPieceAnswersLikeHandler(t *testing.T) {
	t.Parallel()
	cases, err := conformance.Load(conformance.Dir())
	require.NoError(t, err)
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, answerOf(t, c, mountHandler), answerOf(t, c, mountEveryPiece))
		})
	}
}

// answeredBy names the piece whose check gives the case's code, following
// the order of checks; r is the request, for the size check that two
// pieces share.
func answeredBy(t *testing.T, c *conformance.Case, r *http.Request, policy validate.Policy) string {
	t.Helper()
	switch code := c.WantCode; {
	case code == "internal_error" && c.KeyStoreError:
		return "KeysAndLimits"
	case code == "missing_api_key" || code == "invalid_api_key" || code == "rate_limit_exceeded":
		return "KeysAndLimits"
	}
	code := c.WantCode
	switch code {
	case "unknown_url", "method_not_allowed":
		return "Route"
	case "request_too_large":
		limit := policy.MaxBodyBytes
		if limit == 0 {
			limit = validate.DefaultMaxBodyBytes
		}
		if r.ContentLength > limit {
			return "BodyLimit" // refused on the declared length alone
		}
		return "JSONBody" // refused while reading
	case "client_closed_request", "invalid_json", "invalid_body":
		return "JSONBody"
	case "missing_model":
		return "Model"
	case "service_tier_not_allowed", "unsupported_parameter", "unsupported_value", "unsupported_generation_config":
		return "Parameters"
	case "missing_start_within", "invalid_start_within":
		return "StartWithin"
	case "flex_unsupported_for_anthropic", "auto_unsupported_for_gemini", "model_not_flex_capable":
		return "Provider"
	case "missing_max_tokens":
		return "TokenCap"
	case "no_byok_key", "no_gemini_key", "no_anthropic_key":
		return "ProviderKey"
	case "payment_required", "internal_error":
		return "Billing"
	}
	t.Fatalf("no piece answers %q", code)
	return ""
}

// Each piece on its own runs every check up to and including its own: on
// every conformance case it answers exactly as Handler does when Handler's
// answer comes from one of those checks, and hands the request on when
// Handler's answer comes from a later one.
func TestEachPieceAloneAnswersLikeHandlerUpToItsOwnCheck(t *testing.T) {
	t.Parallel()
	cases, err := conformance.Load(conformance.Dir())
	require.NoError(t, err)
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			want := answerOf(t, c, mountHandler)
			opts := optionsFor(t, c)
			owner := ""
			if !want.Handled {
				owner = answeredBy(t, c, requestFor(c), opts.Policy)
			}
			reached := false // whether this piece or one in front of it owns the answer
			for i, p := range piecesOf(newGuard(t, opts), opts) {
				reached = reached || p.name == owner
				got := answerOf(t, c, func(g *middleware.Guard, opts middleware.Options, h http.Handler) http.Handler {
					return piecesOf(g, opts)[i].wrap(h)
				})
				switch {
				case want.Handled:
					assert.True(t, got.Handled, "%s alone refuses what Handler passes: %s", p.name, got.Body)
					assert.Equal(t, want.Received, got.Received, "%s alone hands on the exact bytes", p.name)
				case reached:
					assert.Equal(t, want, got, "%s alone answers like Handler", p.name)
				default:
					assert.True(t, got.Handled, "%s alone judges what only %s should: %s", p.name, owner, got.Body)
					assert.Empty(t, got.Rejected, p.name)
				}
			}
			if !want.Handled {
				assert.True(t, reached, "no piece of the Guard answered %s", c.WantCode)
			}
		})
	}
}

// Pieces of one Guard share their progress: the first runs the checks up
// to its own, the next only the ones after. A middleware of the embedder's
// between Model and TokenCap sees every request whose model passes.
func TestPiecesOfOneGuardSplitTheChecksBetweenThem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		body        string
		wantCode    string
		wantBetween bool
	}{
		{"a missing model is answered by Model, in front", `{"start_within":"auto"}`, "missing_model", false},
		{"invalid JSON is answered by Model, which reads the body", `{"model":`, "invalid_json", false},
		{"a missing start_within is answered by TokenCap, behind", `{"model":"gpt-5.5"}`, "missing_start_within", true},
		{"a missing token cap is answered by TokenCap, behind", `{"model":"claude-x","start_within":"auto"}`, "missing_max_tokens", true},
		{"a valid body passes both", `{"model":"claude-x","start_within":"auto","max_tokens":8}`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := newGuard(t, middleware.Options{})
			var between bool
			var modelSeen string
			h := g.Model(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				between = true
				res, _ := middleware.ResultFrom(r.Context())
				modelSeen = res.Model
				g.TokenCap(&okHandler{}).ServeHTTP(w, r)
			}))
			code, _ := errorCode(t, serve(h, post("/v1/messages", tt.body)))
			assert.Equal(t, tt.wantCode, code)
			assert.Equal(t, tt.wantBetween, between)
			if between {
				assert.NotEmpty(t, modelSeen, "the middleware between them knows the model")
			}
		})
	}
}

// readCounter counts the bytes read from a body.
type readCounter struct {
	r io.Reader
	n int
}

func (c *readCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func (c *readCounter) Close() error { return nil }

// Pieces of one Guard share one buffered body: the client's body is read
// once, however many of them judge it, and the handler still gets it all.
func TestPiecesOfOneGuardReadTheBodyOnce(t *testing.T) {
	t.Parallel()
	body := `{"model":"claude-x","start_within":"default","max_tokens":5}`
	src := &readCounter{r: strings.NewReader(body)}
	r := post("/v1/messages", "")
	r.Body, r.ContentLength = src, int64(len(body))
	g := newGuard(t, middleware.Options{})
	var got []byte
	h := g.BodyLimit(g.JSONBody(g.Model(g.Parameters(g.TokenCap(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got, _ = io.ReadAll(r.Body) }))))))
	require.Equal(t, http.StatusOK, serve(h, r).Code)
	assert.Equal(t, len(body), src.n)
	assert.Equal(t, body, string(got))
}

// Pieces of two Guards share nothing: their Options differ, so the inner
// Guard starts over on the body the outer one hands on, judges it by its
// own Options, and tells its own OnReject.
func TestPiecesOfTwoGuardsDoNotShareProgress(t *testing.T) {
	t.Parallel()
	auto := validate.Policy{DefaultStartWithin: "auto"}
	tests := []struct {
		name         string
		outer, inner middleware.Options
		outerPiece   func(*middleware.Guard, http.Handler) http.Handler
		innerPiece   func(*middleware.Guard, http.Handler) http.Handler
		path, body   string
		wantCode     string
		wantRejecter string // "outer", "inner" or "" for a pass
		wantSW       string // the start_within the handler is told
	}{
		{
			name:         "the inner Guard judges repeated keys that the outer one let through",
			inner:        middleware.Options{Policy: validate.Policy{StrictDuplicateKeys: true}},
			outerPiece:   (*middleware.Guard).TokenCap,
			innerPiece:   (*middleware.Guard).JSONBody,
			path:         "/v1/responses",
			body:         `{"model":"gpt-5.5","model":"gpt-5.5","start_within":"auto"}`,
			wantCode:     "invalid_json",
			wantRejecter: "inner",
		},
		{
			name:         "the inner Guard does not inherit the outer one's default start_within",
			outer:        middleware.Options{Policy: auto},
			outerPiece:   (*middleware.Guard).TokenCap,
			innerPiece:   (*middleware.Guard).StartWithin,
			path:         "/v1/responses",
			body:         `{"model":"gpt-5.5"}`,
			wantCode:     "missing_start_within",
			wantRejecter: "inner",
		},
		{
			name:         "the inner Guard routes again, by its own Options",
			outer:        middleware.Options{Endpoint: validate.Responses},
			outerPiece:   (*middleware.Guard).Model,
			innerPiece:   (*middleware.Guard).Route,
			path:         "/internal/responses",
			body:         `{"model":"gpt-5.5"}`,
			wantCode:     "unknown_url",
			wantRejecter: "inner",
		},
		{
			name:         "the outer Guard still answers what its own checks find",
			outer:        middleware.Options{Policy: validate.Policy{StrictDuplicateKeys: true}},
			outerPiece:   (*middleware.Guard).JSONBody,
			innerPiece:   (*middleware.Guard).TokenCap,
			path:         "/v1/responses",
			body:         `{"model":"gpt-5.5","model":"gpt-5.5","start_within":"auto"}`,
			wantCode:     "invalid_json",
			wantRejecter: "outer",
		},
		{
			name:       "the handler is told what the inner Guard learned",
			outer:      middleware.Options{Policy: auto},
			inner:      middleware.Options{Policy: validate.Policy{DefaultStartWithin: "priority"}},
			outerPiece: (*middleware.Guard).TokenCap,
			innerPiece: (*middleware.Guard).TokenCap,
			path:       "/v1/responses",
			body:       `{"model":"gpt-5.5"}`,
			wantSW:     "priority",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var outerRejects, innerRejects rejections
			tt.outer.OnReject, tt.inner.OnReject = outerRejects.record, innerRejects.record
			outer, inner := newGuard(t, tt.outer), newGuard(t, tt.inner)
			var (
				received []byte
				sw       string
			)
			h := tt.outerPiece(outer, tt.innerPiece(inner, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				received, _ = io.ReadAll(r.Body)
				res, _ := middleware.ResultFrom(r.Context())
				sw = res.StartWithin.String()
			})))
			src := &readCounter{r: strings.NewReader(tt.body)}
			r := post(tt.path, "")
			r.Body, r.ContentLength = src, int64(len(tt.body))
			code, _ := errorCode(t, serve(h, r))
			assert.Equal(t, tt.wantCode, code)
			wantRejects := map[string]int32{"outer": 0, "inner": 0}
			if tt.wantRejecter != "" {
				wantRejects[tt.wantRejecter] = 1
			}
			assert.Equal(t, wantRejects, map[string]int32{"outer": outerRejects.n.Load(), "inner": innerRejects.n.Load()},
				"which Guard's OnReject was told")
			assert.Equal(t, len(tt.body), src.n, "the client's body is read once")
			if tt.wantCode == "" {
				assert.Equal(t, tt.body, string(received), "the handler gets the exact bytes")
				assert.Equal(t, tt.wantSW, sw)
			}
		})
	}
}

// One Guard serves every middleware built from it, for any number of
// requests at once: a stack of its pieces shares nothing between requests.
func TestPiecesOfOneGuardAreSafeForConcurrentRequests(t *testing.T) {
	t.Parallel()
	var asked atomic.Int32
	opts := middleware.Options{
		DefaultStartWithin: func(*http.Request) (validate.StartWithin, bool) {
			asked.Add(1)
			return validate.StartWithin{Mode: validate.ModeAuto}, true
		},
	}
	g := newGuard(t, opts)
	var mu sync.Mutex
	seen := map[string]string{}
	h := stack(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, _ := middleware.ResultFrom(r.Context())
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		seen[res.Model] = string(b) + " " + res.StartWithin.String()
	}), piecesOf(g, opts)...)
	const requests = 64
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			serve(h, post("/v1/responses", `{"model":"m-`+strings.Repeat("x", i)+`"}`))
		})
	}
	wg.Wait()
	require.Len(t, seen, requests)
	for model, got := range seen {
		assert.Equal(t, `{"model":"`+model+`"} auto`, got)
	}
	assert.Equal(t, int32(requests), asked.Load(), "the default is asked once per request")
}
