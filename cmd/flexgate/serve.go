package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/flexinference/flexguard/contrib/prommetrics"
	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/errors/dialect"
	"github.com/flexinference/flexguard/internal/clientaddr"
	"github.com/flexinference/flexguard/internal/clienttext"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

const serveSynopsis = `Usage: flexgate serve [-addr 127.0.0.1:8080] [-policy FILE] [-upstream URL] [-strict] [-dialect NAME]
                      [-trusted-proxies CIDR,...] [-tls-cert FILE -tls-key FILE | -h2c]
                      [-keys FILE [-accept-x-api-key] [-auth-flood N] [-redis URL [-redis-timeout D]]]
                      [-metrics-addr host:port]

Serves the four endpoints behind the flexguard chain. Requests that pass go
to the upstream, or without -upstream to the built-in echo, which answers
with what validation learned and the SHA-256 of the body it received.
Rejections are answered with the canonical error and logged as one JSON
line on standard error. SIGINT or SIGTERM shuts down gracefully.

Flags:
`

// serveConfig is everything a gateway needs to run: the flags fill it, and
// tests build one in process (with shorter timeouts, say).
type serveConfig struct {
	addr     string
	policy   validate.Policy
	upstream *url.URL // nil: the built-in echo
	dialect  dialect.Writer
	timeouts timeouts
	// trustedProxies are the ranges whose X-Forwarded-For names the
	// client; none: the client is the peer.
	trustedProxies []netip.Prefix
	// tlsCert and tlsKey are PEM files; set, the server speaks HTTPS, and
	// HTTP/2 with it.
	tlsCert, tlsKey string
	// h2c serves HTTP/2 without TLS (prior knowledge) besides HTTP/1.1.
	h2c  bool
	keys keyConfig // zero: keys off
	// metricsAddr is where Prometheus metrics are served, at /metrics;
	// "": no metrics.
	metricsAddr string
	// reload delivers SIGHUP: read the keys file again. nil: no reloads.
	reload <-chan os.Signal
}

// timeouts are the server's limits on slow clients and on shutdown.
type timeouts struct {
	// readHeader: slow clients must not hold a connection before the
	// request starts.
	readHeader time.Duration
	// read: the whole request, a 1 MB body included, must arrive within
	// this (about 17 KB/s, a slow mobile link). The server lifts the read
	// deadline once the body is read, so a long answer is not cut.
	read time.Duration
	// idle: keep-alive connections close after this long unused.
	idle time.Duration
	// shutdown: in-flight requests get this long to finish after SIGINT
	// or SIGTERM.
	shutdown time.Duration
}

// productionTimeouts are flexgate's own. There is no write timeout: a flex
// request may wait up to 10 minutes for its start and then stream.
var productionTimeouts = timeouts{
	readHeader: 10 * time.Second,
	read:       60 * time.Second,
	idle:       120 * time.Second,
	shutdown:   15 * time.Second,
}

// maxHeaderBytes leaves room for long tokens, far from a memory attack.
const maxHeaderBytes = 64 << 10

func serve(args []string, stderr io.Writer) int {
	fs := newFlagSet("serve", serveSynopsis, stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "`host:port` to listen on; port 0 picks a free port")
	policyPath := fs.String("policy", "", "policy `FILE` (JSON: max_body_bytes, default_start_within, flex_models); default: the built-in policy")
	upstream := fs.String("upstream", "", "http(s) `URL` to proxy valid requests to; default: the built-in echo")
	strict := fs.Bool("strict", false, "reject any JSON object that repeats a key (invalid_json)")
	dialectName := fs.String("dialect", dialect.NameFlexInference, "error `shape`: "+strings.Join(dialect.Names(), ", "))
	trustedProxies := fs.String("trusted-proxies", "", "comma-separated `CIDR` ranges or addresses of proxies whose X-Forwarded-For names the client; default: none, the client is the peer")
	tlsCert := fs.String("tls-cert", "", "PEM certificate `FILE` (chain first); with -tls-key, serve HTTPS and HTTP/2")
	tlsKey := fs.String("tls-key", "", "PEM private key `FILE` of -tls-cert")
	h2c := fs.Bool("h2c", false, "also serve HTTP/2 without TLS (prior knowledge), for a proxy in front that speaks it")
	metricsAddr := fs.String("metrics-addr", "", "`host:port` to serve Prometheus metrics on, at /metrics, apart from the gateway; default: none")
	var keys keyFlags
	keys.register(fs)
	if status := parseFlags(fs, args); status >= 0 {
		return status
	}
	if fs.NArg() > 0 {
		return usageError(fs, stderr, "unexpected argument %q", clienttext.Cut(fs.Arg(0)))
	}
	cfg := serveConfig{addr: *addr, timeouts: productionTimeouts, metricsAddr: *metricsAddr}
	var err error
	if cfg.policy, err = loadPolicy(*policyPath, *strict); err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	var ok bool
	if cfg.dialect, ok = dialect.ByName(*dialectName); !ok {
		return usageError(fs, stderr, "-dialect: unknown dialect %s; want one of %s", clienttext.Quote(*dialectName), strings.Join(dialect.Names(), ", "))
	}
	if *upstream != "" {
		if cfg.upstream, err = parseUpstream(*upstream); err != nil {
			return usageError(fs, stderr, "-upstream: %v", err)
		}
	}
	if cfg.trustedProxies, err = clientaddr.ParseTrusted(*trustedProxies); err != nil {
		return usageError(fs, stderr, "-trusted-proxies: %v", err)
	}
	cfg.tlsCert, cfg.tlsKey, cfg.h2c = *tlsCert, *tlsKey, *h2c
	if (cfg.tlsCert == "") != (cfg.tlsKey == "") {
		return usageError(fs, stderr, "-tls-cert and -tls-key go together")
	}
	if cfg.h2c && cfg.tlsCert != "" {
		return usageError(fs, stderr, "-h2c is HTTP/2 without TLS; with -tls-cert, HTTP/2 comes with TLS")
	}
	if cfg.keys, err = keys.load(); err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// SIGHUP reloads the keys file; caught even without keys, so that it
	// never stops the gateway as its default action would.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	cfg.reload = hup
	return runServer(ctx, cfg, stderr)
}

// runServer serves cfg until ctx ends, then shuts down gracefully. It logs
// JSON lines to logw, the metrics' address and then, once everything is
// up, where it listens, and returns the exit status.
func runServer(ctx context.Context, cfg serveConfig, logw io.Writer) int {
	logger := slog.New(slog.NewJSONHandler(logw, nil))
	metrics, metricsSrv := metricsServer(cfg, logger)
	srv, err := newServer(cfg, logger, metrics)
	if err != nil {
		logger.Error("cannot start", "err", err.Error())
		return exitUsage
	}
	var metricsLn net.Listener
	if metricsSrv != nil {
		if metricsLn, err = net.Listen("tcp", cfg.metricsAddr); err != nil {
			logger.Error("cannot listen for metrics", "metrics_addr", cfg.metricsAddr, "err", err.Error())
			return exitFailed
		}
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		logger.Error("cannot listen", "addr", cfg.addr, "err", err.Error())
		if metricsLn != nil {
			_ = metricsLn.Close()
		}
		return exitFailed
	}
	mode := "echo"
	if cfg.upstream != nil {
		mode = "proxy to " + cfg.upstream.String()
	}
	scheme := "http"
	if srv.TLSConfig != nil {
		scheme = "https"
	}
	served := make(chan error, 2) // the gateway's and the metrics' servers
	if metricsSrv != nil {
		// Before the listening line, which tells a waiting test or script
		// that everything is up.
		logger.Info("metrics on http://"+metricsLn.Addr().String()+metricsPath, "metrics_addr", metricsLn.Addr().String())
		go func() { served <- metricsSrv.Serve(metricsLn) }()
	}
	if cfg.reload != nil {
		reloadCtx, stopReloads := context.WithCancel(ctx)
		defer stopReloads()
		go cfg.keys.reloadOn(reloadCtx, cfg.reload, logger)
	}
	go func() {
		if srv.TLSConfig != nil {
			served <- srv.ServeTLS(ln, "", "") // the certificate is in TLSConfig
			return
		}
		served <- srv.Serve(ln)
	}()
	// Last, once every goroutine of the gateway has started: a test that
	// counts goroutines takes its baseline at this line.
	logger.Info("listening on "+scheme+"://"+ln.Addr().String(), "addr", ln.Addr().String(), "mode", mode)
	select {
	case err := <-served: // Serve never returns nil; anything here is a failure
		logger.Error("server stopped", "err", err.Error())
		_ = srv.Close()
		if metricsSrv != nil {
			_ = metricsSrv.Close()
		}
		return exitFailed
	case <-ctx.Done():
	}
	logger.Info("shutting down: waiting for in-flight requests", "timeout", cfg.timeouts.shutdown.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.timeouts.shutdown)
	defer cancel()
	if metricsSrv != nil {
		// After the gateway, so that a last scrape sees its last requests.
		defer func() { _ = metricsSrv.Shutdown(shutdownCtx) }()
	}
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Error("shutdown did not finish; closing the remaining connections", "err", err.Error())
		_ = srv.Close()
		return exitFailed
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		logger.Error("server stopped", "err", err.Error())
		return exitFailed
	}
	logger.Info("shut down cleanly")
	return exitOK
}

// newServer builds the gateway: the guard in front of the echo or the
// proxy, in an http.Server with cfg's limits, protocols and certificate.
// The proxy's answers are watched (Stream); the echo's are not: it
// answers JSON, which the watcher would only pass through at the cost of a
// few allocations. With metrics, the Guard's hooks count and the whole
// handler is timed.
func newServer(cfg serveConfig, logger *slog.Logger, metrics *prommetrics.Metrics) (*http.Server, error) {
	if cfg.dialect == nil {
		cfg.dialect = dialect.FlexInference
	}
	opts := middleware.Options{
		Policy:      cfg.policy,
		OnReject:    logRejection(logger),
		ErrorWriter: cfg.dialect,
	}
	closeLimiter, err := cfg.keys.apply(&opts, cfg.trustedProxies, logger)
	if err != nil {
		return nil, err
	}
	if metrics != nil {
		opts = metrics.Instrument(opts)
	}
	guard, err := middleware.New(opts)
	if err != nil {
		closeLimiter()
		return nil, err
	}
	handler := guard.Handler(http.HandlerFunc(echo))
	var upstream *http.Transport
	if cfg.upstream != nil {
		clients, err := clientaddr.NewResolver(cfg.trustedProxies)
		if err != nil {
			closeLimiter()
			return nil, err
		}
		upstream = newUpstreamTransport()
		proxy := newProxy(cfg.upstream, upstream, clients, logger, cfg.dialect)
		cfg.keys.adaptProxy(proxy)
		handler = guard.Stream(proxy)
	}
	if metrics != nil {
		handler = metrics.Handler(handler)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: cfg.timeouts.readHeader,
		ReadTimeout:       cfg.timeouts.read,
		IdleTimeout:       cfg.timeouts.idle,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(closeLimiter)
	if upstream != nil {
		srv.RegisterOnShutdown(upstream.CloseIdleConnections)
	}
	if cfg.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			closeLimiter()
			return nil, fmt.Errorf("-tls-cert, -tls-key: %w", err)
		}
		// HTTP/2 is negotiated by ALPN: net/http adds it to this config.
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if cfg.h2c {
		srv.Protocols = new(http.Protocols)
		srv.Protocols.SetHTTP1(true)
		srv.Protocols.SetUnencryptedHTTP2(true)
	}
	return srv, nil
}

// logRejection returns an Options.OnReject that logs one JSON line per
// rejected request, with the organisation and key id once a key has
// passed (never the key).
func logRejection(logger *slog.Logger) func(*http.Request, *apierrors.Error) {
	return func(r *http.Request, e *apierrors.Error) {
		if s, ok := middleware.StreamResultFrom(r.Context()); ok {
			logStreamFailure(logger, r, e, s)
			return
		}
		var param any // null in the log, as in the error body
		if p := e.Param(); p != "" {
			param = p
		}
		attrs := []slog.Attr{
			slog.Int("status", e.Status()),
			slog.String("code", e.Code().String()),
			slog.Any("param", param),
			slog.String("method", clienttext.Cut(r.Method)),
			slog.String("path", clienttext.CutPath(r.URL.EscapedPath())), // as sent, as judged
			slog.String("remote", r.RemoteAddr),
		}
		if c, ok := middleware.CallerFrom(r.Context()); ok {
			attrs = append(attrs, slog.String("org", c.Org), slog.String("key_id", c.KeyID))
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request rejected", attrs...)
	}
}

// parseUpstream accepts an absolute http or https URL.
func parseUpstream(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("want an absolute http or https URL such as http://127.0.0.1:9000, got %s", clienttext.Quote(raw))
	}
	return u, nil
}
