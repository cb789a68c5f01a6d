package redislimit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/flexinference/flexguard/middleware"
)

const (
	// DefaultPrefix namespaces the key names unless Config.Prefix is set.
	DefaultPrefix = "flexguard:limit:"
	// DefaultTimeout bounds each Redis call unless Config.Timeout is set:
	// short next to a request, but room for a new connection's handshake
	// and a busy host's scheduling pauses, which would otherwise open the
	// breaker (and lift the limits) for a cooldown.
	DefaultTimeout = 200 * time.Millisecond
	// DefaultCooldown is how long calls fail at once after Redis failed,
	// unless Config.Cooldown is set.
	DefaultCooldown = time.Second

	// maxKeyInName is the longest caller key used as it is in a key name.
	maxKeyInName = 100
	// maxPrefix is the longest Config.Prefix accepted.
	maxPrefix = 64
)

// ErrUnavailable is returned without asking Redis while a recent failure
// keeps the circuit open.
var ErrUnavailable = errors.New("flexguard/redislimit: Redis failed recently; not asking it until the cooldown ends")

// Config configures a [Limiter]. The zero value is ready to use.
type Config struct {
	// Prefix starts every key name, so that several gateways (or other
	// programs) can share one Redis. It must not hold '{' or '}' and is at
	// most 64 bytes. Default: DefaultPrefix.
	Prefix string

	// Timeout bounds each call to Redis. Default: DefaultTimeout.
	Timeout time.Duration

	// Cooldown is how long calls fail at once with ErrUnavailable after
	// Redis was unreachable or slow, before one call tries it again.
	// Default: DefaultCooldown.
	Cooldown time.Duration
}

// Limiter is a middleware.Limiter kept in Redis. It is safe for
// concurrent use. Build it with [New].
type Limiter struct {
	client   redis.UniversalClient
	prefix   string
	timeout  time.Duration
	breaker  breaker
	instance string        // tells this limiter's events apart from other instances'
	sequence atomic.Uint64 // tells this limiter's events apart from each other
}

var _ middleware.Limiter = (*Limiter)(nil)

// New returns a Limiter on client. It fails when client is nil, when it
// does not honour context deadlines (ContextTimeoutEnabled is off), or on
// a malformed Config.
func New(client redis.UniversalClient, cfg Config) (*Limiter, error) {
	if client == nil {
		return nil, errors.New("flexguard/redislimit: nil client")
	}
	if !honoursDeadlines(client) {
		return nil, errors.New("flexguard/redislimit: the client ignores context deadlines, so a slow Redis would hold requests; set ContextTimeoutEnabled in its options (ParseURL does)")
	}
	prefix := cfg.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if len(prefix) > maxPrefix || strings.ContainsAny(prefix, "{}") {
		return nil, errors.New("flexguard/redislimit: Config.Prefix must be at most 64 bytes without '{' or '}'")
	}
	if cfg.Timeout < 0 || cfg.Cooldown < 0 {
		return nil, errors.New("flexguard/redislimit: Config.Timeout and Config.Cooldown must not be negative")
	}
	var id [8]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails
	return &Limiter{
		client:   client,
		prefix:   prefix,
		timeout:  orDefault(cfg.Timeout, DefaultTimeout),
		breaker:  breaker{cooldown: orDefault(cfg.Cooldown, DefaultCooldown)},
		instance: hex.EncodeToString(id[:]),
	}, nil
}

// orDefault is d, or def when d is zero.
func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// honoursDeadlines reports whether the client lets a context deadline cut
// a call short. Clients of other types are taken on trust.
func honoursDeadlines(client redis.UniversalClient) bool {
	switch c := client.(type) {
	case *redis.Client:
		return c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		return c.Options().ContextTimeoutEnabled
	}
	return true
}

// ParseURL reads a redis:// or rediss:// URL as redis.ParseURL does, and
// sets what a limiter needs: context deadlines honoured, and neither
// command retries nor dial retries, so that a Redis that is down is
// reported at once (a limiter that cannot decide lets the request through
// rather than wait).
func ParseURL(url string) (*redis.Options, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("flexguard/redislimit: %w", err)
	}
	opts.ContextTimeoutEnabled = true
	opts.MaxRetries = -1
	opts.DialerRetries = 1
	return opts, nil
}

// allowScript counts one event, or refuses it, by Redis's clock.
//
// KEYS: the event log (a sorted set of event times in microseconds), the
// block marker. ARGV: limit, window and block in microseconds (block 0:
// none), and a member name unique to this event.
var allowScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
if redis.call('EXISTS', KEYS[2]) == 1 then
	return 0
end
local limit, window, block = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
	return 0
end
if block > 0 and count + 1 >= limit then
	redis.call('DEL', KEYS[1])
	redis.call('SET', KEYS[2], '1', 'PX', math.ceil(block / 1000))
	return 1
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000))
return 1
`)

// Allow implements middleware.Limiter.
func (l *Limiter) Allow(ctx context.Context, key string, rule middleware.LimitRule) (bool, error) {
	if err := rule.Validate(); err != nil {
		return false, err
	}
	logKey, blockKey := l.names(key)
	member := l.instance + ":" + strconv.FormatUint(l.sequence.Add(1), 36)
	var counted int64
	err := l.call(ctx, func(ctx context.Context) error {
		var err error
		counted, err = allowScript.Run(ctx, l.client, []string{logKey, blockKey},
			rule.Limit, rule.Window.Microseconds(), rule.Block.Microseconds(), member).Int64()
		return err
	})
	if err != nil {
		return false, err
	}
	return counted == 1, nil
}

// Blocked implements middleware.Limiter.
func (l *Limiter) Blocked(ctx context.Context, key string) (bool, error) {
	_, blockKey := l.names(key)
	var n int64
	err := l.call(ctx, func(ctx context.Context) error {
		var err error
		n, err = l.client.Exists(ctx, blockKey).Result()
		return err
	})
	return n == 1, err
}

// call runs one Redis call under the timeout and the circuit breaker.
func (l *Limiter) call(ctx context.Context, do func(context.Context) error) error {
	ok, probe := l.breaker.allow()
	if !ok {
		return ErrUnavailable
	}
	callCtx, cancel := context.WithTimeout(ctx, l.timeout)
	err := do(callCtx)
	cancel()
	var reply redis.Error
	switch {
	case err == nil || errors.As(err, &reply):
		l.breaker.done(probe, answered)
	case callerGaveUp(ctx):
		l.breaker.done(probe, abandoned)
	default:
		l.breaker.done(probe, failed)
	}
	if err != nil {
		return fmt.Errorf("flexguard/redislimit: %w", err)
	}
	return nil
}

// callerGaveUp reports whether the caller's context ended the call. Its
// deadline is looked at too: a read cut short by that deadline can return
// a moment before the context itself reports it.
func callerGaveUp(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	deadline, ok := ctx.Deadline()
	return ok && !time.Now().Before(deadline)
}

// names are the Redis key names of a caller's key.
func (l *Limiter) names(key string) (logKey, blockKey string) {
	if len(key) > maxKeyInName {
		sum := sha256.Sum256([]byte(key))
		key = "sha256:" + hex.EncodeToString(sum[:])
	}
	base := l.prefix + "{" + key + "}"
	return base + ":log", base + ":block"
}
