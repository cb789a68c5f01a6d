package middleware

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/apikey"
	"github.com/flexinference/flexguard/internal/clientaddr"
)

// KeysAndLimits runs Route's checks, then, before any byte of the body is
// read, the API key and the two limiters:
//
//   - a client blocked by the auth-flood limiter is answered
//     rate_limit_exceeded (429) with Retry-After: the block's length, 60
//     seconds by default, before its key is looked at;
//   - a request without a key (no Authorization: Bearer, or, with
//     Options.AcceptXAPIKey, no x-api-key either) is missing_api_key
//     (401); a key that is not well formed, or that the store does not
//     know or has revoked, is invalid_api_key (401). Each of these counts
//     as a failed authentication of the client, and the one that reaches
//     Options.AuthFlood's limit starts the block;
//   - a store that cannot answer is internal_error (500);
//   - an organisation over its request limit (its KeyRecord's, else
//     Options.DefaultOrgLimit) is rate_limit_exceeded (429) with
//     Retry-After: 5. Every authenticated request counts.
//
// The handler, and the hooks of later checks, learn the organisation and
// the key id from CallerFrom. It panics at setup when Options.KeyStore is
// nil.
//
// A limiter that fails (Redis down) lets the request on as if it had
// allowed it, and Options.OnLimiterError is told. The limiters' keys are
// "auth:" and the client's range ("auth:203.0.113.7/32",
// "auth:2001:db8:1:2::/64"), and "org:" and the organisation, so that one
// Limiter can hold both. Options.OnLimiterDecision hears each limiter's
// decision on a request, for metrics.
func (g *Guard) KeysAndLimits(next http.Handler) http.Handler {
	return g.through(pieceKeysAndLimits, "Options.KeyStore", next)
}

// LimiterDecision is what one of the two limiters decided about a
// request, as Options.OnLimiterDecision hears it.
type LimiterDecision struct {
	// Limiter names the limiter that decided: LimiterAuthFlood or
	// LimiterOrg.
	Limiter string
	// Limited reports that the limiter refused the request
	// (rate_limit_exceeded).
	Limited bool
	// Err is the limiter's failure, when it could not decide: the request
	// went on as if allowed (fail open), and Options.OnLimiterError was
	// told too.
	Err error
}

// The limiters' names in a LimiterDecision, fit for a metric label.
const (
	// LimiterAuthFlood decides whether the client is blocked for failing
	// to authenticate.
	LimiterAuthFlood = "auth_flood"
	// LimiterOrg decides whether the organisation is over its request
	// limit.
	LimiterOrg = "org"
)

// defaultAuthFlood is the auth-flood rule's default: 20 failed
// authentications within 60 s block the client for 60 s.
var defaultAuthFlood = LimitRule{Limit: 20, Window: time.Minute, Block: apierrors.RetryAfterAuthFlood}

// Key prefixes in the limiters.
const (
	authFloodPrefix = "auth:"
	orgPrefix       = "org:"
)

// keyGate is the Options of keys and limits, checked and compiled.
type keyGate struct {
	store          KeyStore
	xAPIKey        bool
	clients        clientaddr.Resolver
	authFlood      LimitRule
	orgLimit       LimitRule
	authLimiter    Limiter
	orgLimiter     Limiter
	onLimiterError func(*http.Request, error)
	onDecision     func(*http.Request, LimiterDecision)
}

// compileKeys checks the Options of keys and limits. It returns nil when
// keys are off.
func compileKeys(opts Options) (*keyGate, error) {
	if opts.KeyStore == nil {
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"AcceptXAPIKey", opts.AcceptXAPIKey},
			{"TrustedProxies", opts.TrustedProxies != nil},
			{"AuthFlood", opts.AuthFlood != LimitRule{}},
			{"DefaultOrgLimit", opts.DefaultOrgLimit != LimitRule{}},
			{"AuthFloodLimiter", opts.AuthFloodLimiter != nil},
			{"OrgLimiter", opts.OrgLimiter != nil},
			{"OnLimiterError", opts.OnLimiterError != nil},
			{"OnLimiterDecision", opts.OnLimiterDecision != nil},
		} {
			if f.set {
				return nil, fmt.Errorf("flexguard/middleware: Options.%s is set but Options.KeyStore is nil, so keys and limits are off", f.name)
			}
		}
		return nil, nil
	}
	k := &keyGate{
		store:          opts.KeyStore,
		xAPIKey:        opts.AcceptXAPIKey,
		authFlood:      opts.AuthFlood,
		orgLimit:       opts.DefaultOrgLimit,
		authLimiter:    opts.AuthFloodLimiter,
		orgLimiter:     opts.OrgLimiter,
		onLimiterError: opts.OnLimiterError,
		onDecision:     opts.OnLimiterDecision,
	}
	var err error
	if k.clients, err = clientaddr.NewResolver(opts.TrustedProxies); err != nil {
		return nil, fmt.Errorf("flexguard/middleware: Options.TrustedProxies: %w", err)
	}
	if k.authFlood.Limit == 0 {
		k.authFlood.Limit = defaultAuthFlood.Limit
	}
	if k.authFlood.Window == 0 {
		k.authFlood.Window = defaultAuthFlood.Window
	}
	if k.authFlood.Block == 0 {
		k.authFlood.Block = defaultAuthFlood.Block
	}
	if err := checkRule("AuthFlood", k.authFlood); err != nil {
		return nil, err
	}
	if k.orgLimit != (LimitRule{}) {
		if err := checkRule("DefaultOrgLimit", k.orgLimit); err != nil {
			return nil, err
		}
	}
	// Two in-process limiters, not one: a flood of new clients failing
	// authentication evicts the least recently seen keys of its own
	// limiter, never an organisation's counts.
	if k.authLimiter == nil {
		k.authLimiter = NewMemoryLimiter(MemoryLimiterConfig{})
	}
	if k.orgLimiter == nil {
		k.orgLimiter = NewMemoryLimiter(MemoryLimiterConfig{})
	}
	return k, nil
}

// checkRule is LimitRule.Validate naming the Options field.
func checkRule(field string, r LimitRule) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("flexguard/middleware: Options.%s: %s", field, strings.TrimPrefix(err.Error(), "flexguard/middleware: "))
	}
	return nil
}

// stage is the keys and limits check, in the order of checks.
func (k *keyGate) stage(_ *Guard, x *exchange, _ http.ResponseWriter, r *http.Request) *apierrors.Error {
	ctx := r.Context()
	client := k.clientKey(r)
	if client != "" {
		blocked, err := k.authLimiter.Blocked(ctx, client)
		if err != nil {
			k.limiterFailed(x, r, err)
		}
		k.decided(x, r, LimiterAuthFlood, blocked, err)
		if blocked {
			return apierrors.RateLimited(k.authFlood.Block)
		}
	}
	key, err := k.keyOf(r)
	if err != nil {
		code := apierrors.InvalidAPIKey
		if errors.Is(err, apikey.ErrMissing) {
			code = apierrors.MissingAPIKey
		}
		return k.failed(x, r, client, code)
	}
	digest := apikey.Digest(key)
	rec, found, err := k.store.LookupKey(ctx, digest)
	switch {
	case err != nil:
		return apierrors.New(apierrors.InternalError, "", "The gateway could not check this API key just now. Retry shortly.")
	case !found || rec.Revoked:
		return k.failed(x, r, client, apierrors.InvalidAPIKey)
	case rec.Org == "" || (rec.RateLimit != LimitRule{} && rec.RateLimit.Validate() != nil):
		return apierrors.New(apierrors.InternalError, "", "The gateway's record of this API key is incomplete. Retry later, or ask the gateway's operators.")
	}
	x.caller = Caller{Org: rec.Org, KeyID: apikey.ID(digest)}
	rule := rec.RateLimit
	if rule == (LimitRule{}) {
		rule = k.orgLimit
	}
	if rule == (LimitRule{}) {
		return nil
	}
	allowed, err := k.orgLimiter.Allow(ctx, orgPrefix+rec.Org, rule)
	if err != nil {
		k.limiterFailed(x, r, err)
		k.decided(x, r, LimiterOrg, false, err)
		return nil
	}
	k.decided(x, r, LimiterOrg, !allowed, nil)
	if !allowed {
		return apierrors.RateLimited(apierrors.RetryAfterPerOrg)
	}
	return nil
}

// clientKey is the auth-flood limiter's key for the client of r, or ""
// when the peer is not an IP address (a Unix socket): such clients cannot
// be told apart, and counting them as one would let one of them lock out
// the rest.
func (k *keyGate) clientKey(r *http.Request) string {
	bucket := clientaddr.Bucket(k.clients.Client(r))
	if !bucket.IsValid() {
		return ""
	}
	var buf [len(authFloodPrefix) + len("ffff:ffff:ffff:ffff::/64")]byte
	return string(bucket.AppendTo(append(buf[:0], authFloodPrefix...)))
}

// keyOf returns the key r carries: the Authorization: Bearer key, else,
// when accepted, the x-api-key one. An Authorization header with a key
// that is not well formed is judged as sent, whatever x-api-key holds.
func (k *keyGate) keyOf(r *http.Request) (string, error) {
	key, err := apikey.ParseAuthorization(r.Header.Values("Authorization"))
	if k.xAPIKey && errors.Is(err, apikey.ErrMissing) {
		return apikey.ParseXAPIKey(r.Header.Values("X-Api-Key"))
	}
	return key, err
}

// failed counts a failed authentication of client and returns its
// answer. The failure that reaches the limit is answered like the others;
// the block starts with the next request.
func (k *keyGate) failed(x *exchange, r *http.Request, client string, code apierrors.Code) *apierrors.Error {
	if client != "" {
		if _, err := k.authLimiter.Allow(r.Context(), client, k.authFlood); err != nil {
			k.limiterFailed(x, r, err)
		}
	}
	return apierrors.New(code, "", "")
}

// decided reports a limiter's decision, unless its failure is the
// client's own departure (see limiterFailed).
func (k *keyGate) decided(x *exchange, r *http.Request, limiter string, limited bool, err error) {
	if k.onDecision != nil && (err == nil || r.Context().Err() == nil) {
		k.onDecision(x.hookRequest(r), LimiterDecision{Limiter: limiter, Limited: limited, Err: err})
	}
}

// limiterFailed reports a limiter's failure, unless the client has gone:
// a call cut short by the client's own departure says nothing about the
// limiter.
func (k *keyGate) limiterFailed(x *exchange, r *http.Request, err error) {
	if k.onLimiterError != nil && r.Context().Err() == nil {
		k.onLimiterError(x.hookRequest(r), err)
	}
}
