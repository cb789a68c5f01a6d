package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http/httputil"
	"net/netip"
	"os"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/flexinference/flexguard/cmd/flexgate/internal/keysfile"
	"github.com/flexinference/flexguard/contrib/redislimit"
	"github.com/flexinference/flexguard/middleware"
)

// keyConfig is keys and limits as serve's flags ask for them. The zero
// keyConfig is keys off.
type keyConfig struct {
	file          *keysfile.Live // nil: keys off
	acceptXAPIKey bool
	authFlood     int            // failed authentications within 60 s that block; zero: the middleware's 20
	redis         *redis.Options // nil: the limiters' counts are in process
	redisTimeout  time.Duration  // zero: redislimit's default
}

// keyFlags are serve's flags of keys and limits, as given.
type keyFlags struct {
	keys          string
	acceptXAPIKey bool
	authFlood     int // zero: the middleware's default
	redis         string
	redisTimeout  time.Duration // zero: redislimit's default
}

// register adds the flags to fs.
func (f *keyFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.keys, "keys", "", "keys `FILE` (JSON: keys by SHA-256, organisations, limits); turns on API keys (401) and rate limits (429)")
	fs.BoolVar(&f.acceptXAPIKey, "accept-x-api-key", false, "also take the key from an x-api-key header, as Anthropic's SDKs send it (with -keys)")
	fs.IntVar(&f.authFlood, "auth-flood", 0, "`N` failed authentications from one client within 60 s block it for 60 s; 0: SPEC's 20 (with -keys)")
	fs.StringVar(&f.redis, "redis", "", "redis:// `URL` keeping the limits' counts, shared by every flexgate on it (with -keys); default: in process")
	fs.DurationVar(&f.redisTimeout, "redis-timeout", redislimit.DefaultTimeout, "longest wait for one Redis call; past it the request goes on unlimited (with -redis)")
}

// load checks the flags and reads the keys file. The other flags mean
// nothing without -keys, so they need it.
func (f keyFlags) load() (keyConfig, error) {
	var k keyConfig
	switch {
	case f.keys == "" && f.acceptXAPIKey:
		return k, errors.New("-accept-x-api-key needs -keys")
	case f.keys == "" && f.authFlood != 0:
		return k, errors.New("-auth-flood needs -keys")
	case f.authFlood < 0:
		return k, errors.New("-auth-flood must not be negative")
	case f.keys == "" && f.redis != "":
		return k, errors.New("-redis needs -keys")
	case f.redisTimeout < 0:
		return k, errors.New("-redis-timeout must not be negative")
	case f.keys == "":
		return k, nil
	}
	var err error
	if k.file, err = keysfile.OpenLive(f.keys); err != nil {
		return k, err
	}
	k.acceptXAPIKey = f.acceptXAPIKey
	k.authFlood = f.authFlood
	if f.redis != "" {
		if k.redis, err = redislimit.ParseURL(f.redis); err != nil {
			return k, fmt.Errorf("-redis: %w", err)
		}
		k.redisTimeout = f.redisTimeout
	}
	return k, nil
}

// startupPing bounds the Redis check at startup.
const startupPing = 2 * time.Second

// apply turns keys and limits on in opts, when the keys file is given,
// with the client as the trusted proxies name it, and returns what to
// close at shutdown.
func (k keyConfig) apply(opts *middleware.Options, trusted []netip.Prefix, logger *slog.Logger) (closeLimiter func(), err error) {
	if k.file == nil {
		return func() {}, nil
	}
	opts.KeyStore = k.file
	opts.AcceptXAPIKey = k.acceptXAPIKey
	if k.authFlood > 0 {
		// Only the count: SPEC fixes the window and the block at 60 s.
		opts.AuthFlood = middleware.LimitRule{Limit: k.authFlood, Window: time.Minute, Block: time.Minute}
	}
	opts.TrustedProxies = trusted
	// No DefaultOrgLimit: the file puts default_rate_limit into each key's
	// record, so that a reload changes it.
	opts.HasProviderKey = k.file.HasProviderKey
	opts.OrgOverdue = k.file.OrgOverdue
	opts.DefaultStartWithin = k.file.DefaultStartWithin
	if k.redis == nil {
		logger.Info("keys and limits on", "limiter", "in process")
		return func() {}, nil
	}
	client := redis.NewClient(k.redis)
	limiter, err := redislimit.New(client, redislimit.Config{Timeout: k.redisTimeout})
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	watched := &watchedLimiter{Limiter: limiter, logger: logger}
	opts.AuthFloodLimiter, opts.OrgLimiter = watched, watched
	// The address only: the URL may hold a password.
	logger.Info("keys and limits on", "limiter", "redis", "redis_addr", k.redis.Addr)
	ctx, cancel := context.WithTimeout(context.Background(), startupPing)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		watched.observe(ctx, err)
	}
	return func() { _ = client.Close() }, nil
}

// reloadOn reads the keys file again at each signal until ctx ends. A
// file that does not load is logged and the keys in service stay. Without
// keys there is nothing to read, and the log says so, for the operator
// who expected a reload.
func (k keyConfig) reloadOn(ctx context.Context, signals <-chan os.Signal, logger *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-signals:
		}
		if k.file == nil {
			logger.Warn("SIGHUP: nothing to reload: flexgate runs without -keys")
			continue
		}
		f, err := k.file.Reload()
		if err != nil {
			logger.Error("keys file not reloaded: the keys in service stay", "err", err.Error())
			continue
		}
		keys, orgs := f.Size()
		logger.Info("keys file reloaded", "keys", keys, "orgs", orgs)
	}
}

// adaptProxy makes the proxy fit for keys: the client's gateway key
// (Authorization, x-api-key) is never sent upstream.
func (k keyConfig) adaptProxy(p *httputil.ReverseProxy) {
	if k.file == nil {
		return
	}
	rewrite := p.Rewrite
	p.Rewrite = func(pr *httputil.ProxyRequest) {
		rewrite(pr)
		pr.Out.Header.Del("Authorization")
		pr.Out.Header.Del("X-Api-Key")
	}
}

// watchedLimiter logs a limiter's failures once per burst, not once per
// request: a warning at the first failed call after a success, and a
// line at the first success after failures, with how many calls failed
// in between. Meanwhile requests go on without limits (fail open).
type watchedLimiter struct {
	middleware.Limiter
	logger  *slog.Logger
	failing atomic.Bool
	failed  atomic.Int64
}

func (l *watchedLimiter) Allow(ctx context.Context, key string, rule middleware.LimitRule) (bool, error) {
	ok, err := l.Limiter.Allow(ctx, key, rule)
	l.observe(ctx, err)
	return ok, err
}

func (l *watchedLimiter) Blocked(ctx context.Context, key string) (bool, error) {
	blocked, err := l.Limiter.Blocked(ctx, key)
	l.observe(ctx, err)
	return blocked, err
}

// observe notes the outcome of one call. A call cut short by a client
// that went away says nothing about the limiter.
func (l *watchedLimiter) observe(ctx context.Context, err error) {
	switch {
	case err == nil:
		if l.failing.Load() && l.failing.CompareAndSwap(true, false) {
			l.logger.Info("rate limiter recovered: counting again", "failed_calls", l.failed.Swap(0))
		}
	case ctx.Err() != nil:
	default:
		l.failed.Add(1)
		if l.failing.CompareAndSwap(false, true) {
			l.logger.Warn("rate limiter failing: requests pass without limits until it recovers", "err", err.Error())
		}
	}
}
