package middleware

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/rules"
	"github.com/flexinference/flexguard/schemas"
	"github.com/flexinference/flexguard/validate"
)

// Options configures a Guard. The zero Options is the catalog's gateway:
// route by path, the built-in policy, the canonical error body, no keys,
// no limits, no organisation lookups.
type Options struct {
	// Policy is the body limit, the default start_within and the flex
	// allow-lists. Default: the zero Policy, the built-in one.
	Policy validate.Policy

	// Endpoint, when set, is the one endpoint the Guard serves, and no
	// path check runs: for mounting per route inside a router that has
	// matched the path already (chi, http.ServeMux patterns). Default:
	// zero, the Guard routes by r.URL.Path and answers unknown_url for any
	// other path.
	Endpoint validate.Endpoint

	// KeyStore turns on API keys and the two limiters, checked before any
	// byte of the body is read (see KeysAndLimits): a routed request must
	// carry a key the store knows, and the handler learns its organisation
	// from CallerFrom. Default: nil, keys and limits off; the fields from
	// here to OnLimiterDecision must then be zero.
	KeyStore KeyStore

	// AcceptXAPIKey also takes the key from an x-api-key header, the one
	// Anthropic's SDKs send, when the request has no Authorization: Bearer
	// key. Default: false, Authorization: Bearer only.
	AcceptXAPIKey bool

	// TrustedProxies are the address ranges of the proxies in front of
	// the gateway. A request from one of them names its client in
	// X-Forwarded-For: the right-most address there not in these ranges.
	// Default: nil, the client is the peer.
	TrustedProxies []netip.Prefix

	// AuthFlood is the auth-flood limiter's rule: a client (an IPv4
	// address, an IPv6 /64) whose failed authentications reach Limit
	// within Window is answered rate_limit_exceeded for Block, with
	// Retry-After: Block. Each zero field takes its default: 20 failures
	// within 60 s block for 60 s.
	AuthFlood LimitRule

	// DefaultOrgLimit is the request limit of an organisation whose
	// KeyRecord gives none; over it, rate_limit_exceeded with Retry-After:
	// 5. Default: zero, no limit.
	DefaultOrgLimit LimitRule

	// AuthFloodLimiter keeps the auth-flood limiter's counts. It may be
	// the same Limiter as OrgLimiter (contrib/redislimit, shared by a
	// fleet): their keys differ. Default: nil, an in-process MemoryLimiter
	// of its own.
	AuthFloodLimiter Limiter

	// OrgLimiter keeps the organisations' request counts. Default: nil, an
	// in-process MemoryLimiter of its own, apart from AuthFloodLimiter's,
	// so that a flood of failing clients cannot evict them.
	OrgLimiter Limiter

	// OnLimiterError is told when a limiter fails (a Redis that is down);
	// the request then goes on as if the limiter had allowed it (fail
	// open). It is called for every failed call, and must not write to
	// the response. Default: nil.
	OnLimiterError func(r *http.Request, err error)

	// OnLimiterDecision is told what a limiter decided about a request,
	// for metrics: the auth-flood limiter on every routed request from a
	// client with an IP address (is it blocked?), the per-organisation
	// limiter on every authenticated request of an organisation that has
	// a limit. A decision cut short by the client's own departure is not
	// reported. It must not write to the response. Default: nil.
	OnLimiterDecision func(r *http.Request, d LimiterDecision)

	// DefaultStartWithin resolves a default start_within per request (an
	// organisation's own setting); when it returns ok, its value replaces
	// the policy's default for that request. It is asked at most once per
	// request, and only when the body leaves start_within out or null.
	// Default: nil, the policy's default alone.
	DefaultStartWithin func(r *http.Request) (sw validate.StartWithin, ok bool)

	// Schemas are the embedder's own body rules, as JSON Schema files with
	// their own codes (see schemas.Compile), judged after the catalog's
	// body rules and before the organisation lookups. Default: nil, none.
	Schemas *schemas.Set

	// HasProviderKey reports whether the organisation behind r has a key
	// for the provider. false, or an error, is answered no_byok_key,
	// no_gemini_key or no_anthropic_key: a failed lookup fails closed.
	// Default: nil, no key check.
	HasProviderKey func(r *http.Request, p validate.Provider) (bool, error)

	// OrgOverdue reports whether the organisation behind r has an overdue
	// balance. It is asked only for billable requests (a duration
	// start_within on an OpenAI or Gemini model); true is answered
	// payment_required, an error internal_error. Default: nil, no billing
	// check.
	OrgOverdue func(r *http.Request) (bool, error)

	// ErrorWriter renders a rejection, to answer in a gateway's own error
	// shape (see package errors/dialect), Stream's 502 included. It is not
	// called for client_closed_request: nobody is listening (a body read
	// cut short aborts the connection, unanswered). Default:
	// apierrors.Write.
	ErrorWriter func(w http.ResponseWriter, r *http.Request, err *apierrors.Error)

	// OnReject is told of every rejection, client_closed_request included,
	// before the error is written: for metrics and logs. Its request's
	// context answers CallerFrom once a key has passed, and ResultFrom
	// once the body has been read (with what the checks before the failing
	// one learned). A failure that
	// Stream sees after the handler has started is told once the watcher
	// has answered, with StreamResultFrom(r.Context()) saying how far the
	// answer got. It must not write to the response. Default: nil.
	OnReject func(r *http.Request, err *apierrors.Error)
}

// Guard is Options checked once and compiled: the order of checks as a
// list of stages, and the middlewares that run them. Build one with New at
// setup and hang every middleware of a gateway off it; it is safe for
// concurrent use.
//
// Handler is the whole order of checks. The other middlewares are pieces
// of it, for a gateway that wants its own middleware in between: each
// runs, in order, every check up to and including its own that no piece of
// the same Guard in front of it has run. Model on its own routes, reads
// the body and judges the model; Model then TokenCap judge the model in the
// first and the rest in the second. Any stack of pieces therefore answers
// exactly as Handler would, up to its last piece. Stream is the last
// piece: Handler, then a watch on the answer (see Stream for why Handler
// does not watch).
type Guard struct {
	opts   Options
	engine *rules.Engine
	stages []stage
	// last holds the index in stages of each piece's own stage, -1 for a
	// piece whose Options are not set.
	last [numPieces]int
}

// piece names a middleware of the Guard, in the order of checks.
type piece uint8

const (
	pieceRoute piece = iota
	pieceKeysAndLimits
	pieceBodyLimit
	pieceJSONBody
	pieceModel
	pieceParameters
	pieceStartWithin
	pieceProvider
	pieceTokenCap
	pieceSchema
	pieceProviderKey
	pieceBilling

	numPieces
)

// stage is one check of the order of checks, run on a request's exchange.
// It may assume that every stage before it has passed.
type stage func(g *Guard, x *exchange, w http.ResponseWriter, r *http.Request) *apierrors.Error

// New checks opts and compiles them into a Guard. A malformed policy, an
// Endpoint that is not one, a malformed limit rule or trusted range, or a
// key option without a KeyStore is an error starting
// "flexguard/middleware:".
func New(opts Options) (*Guard, error) {
	engine, err := rules.Compile(rules.Config(opts.Policy))
	if err != nil {
		return nil, fmt.Errorf("flexguard/middleware: %w", err)
	}
	if opts.Endpoint != 0 && !rules.Endpoint(opts.Endpoint).Valid() {
		return nil, fmt.Errorf("flexguard/middleware: Options.Endpoint %d is not one of the validate endpoints", opts.Endpoint)
	}
	keys, err := compileKeys(opts)
	if err != nil {
		return nil, err
	}
	if opts.ErrorWriter == nil {
		opts.ErrorWriter = writeCanonical
	}
	g := &Guard{opts: opts, engine: engine}
	g.add(pieceRoute, routeStage)
	g.addIf(keys != nil, pieceKeysAndLimits, keys.stage)
	g.add(pieceBodyLimit, declaredLengthStage)
	g.add(pieceJSONBody, jsonBodyStage)
	g.add(pieceModel, ruleStage(rules.StepModel))
	g.add(pieceParameters, ruleStage(rules.StepParameters))
	g.add(pieceStartWithin, startWithinStage)
	g.add(pieceProvider, ruleStage(rules.StepProvider))
	g.add(pieceTokenCap, ruleStage(rules.StepTokenCap))
	g.addIf(opts.Schemas != nil, pieceSchema, schemaStage)
	g.addIf(opts.HasProviderKey != nil, pieceProviderKey, providerKeyStage)
	g.addIf(opts.OrgOverdue != nil, pieceBilling, billingStage)
	return g, nil
}

func (g *Guard) add(p piece, s stage) {
	g.last[p] = len(g.stages)
	g.stages = append(g.stages, s)
}

func (g *Guard) addIf(configured bool, p piece, s stage) {
	if configured {
		g.add(p, s)
	} else {
		g.last[p] = -1
	}
}

func writeCanonical(w http.ResponseWriter, _ *http.Request, err *apierrors.Error) {
	apierrors.Write(w, err)
}

// through returns the middleware of piece p: it runs the stages up to and
// including p's that have not run on the request, answers the first
// failure, and otherwise calls next with the request as validation left
// it. A nil next, or a piece whose Options are not set, is a programmer
// error and panics here, at setup.
func (g *Guard) through(p piece, needs string, next http.Handler) http.Handler {
	if next == nil {
		panic("flexguard/middleware: nil handler")
	}
	last := g.last[p]
	if last < 0 {
		panic("flexguard/middleware: this middleware needs " + needs)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		x, fresh := g.exchangeOf(r)
		hadBody := x.bodyRead
		for ; x.done <= last; x.done++ {
			if err := g.stages[x.done](g, x, w, r); err != nil {
				g.reject(w, x.hookRequest(r), err)
				return
			}
		}
		readHere := !hadBody && x.bodyRead
		next.ServeHTTP(w, x.handOn(r, fresh, readHere))
		if readHere {
			x.release()
		}
	})
}

// reject answers err: it tells OnReject, then writes the error. A client
// that has gone or stalled gets nothing: returning without a word would
// make the server send an empty 200, so the handler panics with
// http.ErrAbortHandler, net/http's way to drop the connection (HTTP/1) or
// reset the stream (HTTP/2) without an answer or a logged stack.
func (g *Guard) reject(w http.ResponseWriter, r *http.Request, err *apierrors.Error) {
	if g.opts.OnReject != nil {
		g.opts.OnReject(r, err)
	}
	if err.Code() == apierrors.ClientClosedRequest {
		panic(http.ErrAbortHandler)
	}
	g.opts.ErrorWriter(w, r, err)
}

// asAPIError returns the *apierrors.Error in err, or internal_error for any
// other error, as apierrors.Write would answer it.
func asAPIError(err error) *apierrors.Error {
	var e *apierrors.Error
	if errors.As(err, &e) && e != nil {
		return e
	}
	return apierrors.New(apierrors.InternalError, "", "")
}
