package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/flexinference/flexguard/errors/dialect"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"time"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/middleware"
)

const serveSynopsis = `Usage: flexgate serve [-addr 127.0.0.1:8080] [-policy FILE] [-upstream URL] [-strict] [-dialect NAME]

Serves the four endpoints behind the flexguard chain. Requests that pass go
to the upstream, or without -upstream to the built-in echo, which answers
with what validation learned and the SHA-256 of the body it received.
Rejections are answered with the canonical error and logged as one JSON
line on standard error. SIGINT or SIGTERM shuts down gracefully.

Flags:
`

// Production defaults of the server.
const (
	// Slow clients must not hold a connection before the request starts.
	readHeaderTimeout = 10 * time.Second
	// The whole request, a 1 MB body included, must arrive within this:
	// about 17 KB/s, a slow mobile link. The server clears the read
	// deadline once the body has been read, so a long answer is not cut.
	readTimeout = 60 * time.Second
	// No write timeout: a flex request may wait up to 10 minutes for its
	// start and then stream for as long again.
	writeTimeout = 0
	// Keep-alive connections are closed after two idle minutes.
	idleTimeout = 120 * time.Second
	// 64 KiB of headers: room for long tokens, far from a memory attack.
	maxHeaderBytes = 64 << 10
	// In-flight requests get this long to finish after SIGINT or SIGTERM.
	shutdownTimeout = 15 * time.Second
)

func serve(args []string, stderr io.Writer) int {
	fs := newFlagSet("serve", serveSynopsis, stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "`host:port` to listen on; port 0 picks a free port")
	policyPath := fs.String("policy", "", "policy `FILE` (JSON: max_body_bytes, default_start_within, flex_models); default: the built-in policy")
	upstream := fs.String("upstream", "", "http(s) `URL` to proxy valid requests to; default: the built-in echo")
	strict := fs.Bool("strict", false, "reject any JSON object that repeats a key (invalid_json)")
	dialectName := fs.String("dialect", "flexinference", "error `shape`: "+strings.Join(dialect.Names(), ", "))
	if status := parseFlags(fs, args); status >= 0 {
		return status
	}
	if fs.NArg() > 0 {
		return usageError(fs, stderr, "unexpected argument %q", clip(fs.Arg(0)))
	}
	policy, _, err := loadPolicy(*policyPath, *strict)
	if err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	writeError, ok := dialect.ByName(*dialectName)
	if !ok {
		return usageError(fs, stderr, "-dialect: unknown dialect %q; want one of %s", clip(*dialectName), strings.Join(dialect.Names(), ", "))
	}
	// Hidden test knobs: the slow-client tests shorten the read timeouts
	// so that trickling connections are cut within seconds.
	headerTimeout, err := envDuration("FLEXGATE_READ_HEADER_TIMEOUT", readHeaderTimeout)
	if err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	bodyTimeout, err := envDuration("FLEXGATE_READ_TIMEOUT", readTimeout)
	if err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))

	var next http.Handler = http.HandlerFunc(echo)
	if *upstream != "" {
		target, err := parseUpstream(*upstream)
		if err != nil {
			return usageError(fs, stderr, "-upstream: %v", err)
		}
		next = newProxy(target, logger, writeError)
	}
	opts := middleware.Options{Policy: policy, OnReject: logRejection(logger), ErrorWriter: writeError}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	srv := &http.Server{
		Handler:           middleware.Chain(opts)(next),
		ReadHeaderTimeout: headerTimeout,
		ReadTimeout:       bodyTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		logger.Error("cannot listen", "addr", *addr, "err", err.Error())
		return exitFailed
	}
	where := "http://" + ln.Addr().String()
	mode := "echo"
	if *upstream != "" {
		mode = "proxy to " + *upstream
	}
	logger.Info("listening on "+where, "addr", ln.Addr().String(), "mode", mode)

	if debugAddr := os.Getenv("FLEXGATE_DEBUG_ADDR"); debugAddr != "" {
		if err := serveDebug(debugAddr, logger); err != nil {
			logger.Error("cannot listen for debug", "addr", debugAddr, "err", err.Error())
			return exitFailed
		}
	}

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served: // Serve never returns nil; anything here is a failure
		logger.Error("server stopped", "err", err.Error())
		return exitFailed
	case <-ctx.Done():
	}
	stop() // a second signal now kills the process the default way
	logger.Info("shutting down: waiting for in-flight requests", "timeout", shutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
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

// logRejection returns an Options.OnReject that logs one JSON line per
// rejected request.
func logRejection(logger *slog.Logger) func(*http.Request, *apierrors.Error) {
	return func(r *http.Request, e *apierrors.Error) {
		var param any // null in the log, as in the error body
		if p := e.ParamOrNull(); p != "" {
			param = clip(p)
		}
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request rejected",
			slog.Int("status", e.Status()),
			slog.String("code", e.Code.String()),
			slog.Any("param", param),
			slog.String("method", clip(r.Method)),
			slog.String("path", clip(r.URL.Path)),
			slog.String("remote", r.RemoteAddr),
		)
	}
}

// parseUpstream accepts an absolute http or https URL.
func parseUpstream(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("want an absolute http or https URL such as http://127.0.0.1:9000, got %q", clip(raw))
	}
	return u, nil
}

// envDuration reads a positive duration ("1s", "500ms") from the
// environment variable name, or returns def when it is unset.
func envDuration(name string, def time.Duration) (time.Duration, error) {
	raw, ok := os.LookupEnv(name)
	if !ok {
		return def, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s: want a positive duration such as 2s, got %q", name, clip(raw))
	}
	return d, nil
}

// serveDebug is a hidden test knob: with FLEXGATE_DEBUG_ADDR set, the
// soak test reads the process's goroutine count from GET /goroutines on a
// listener of its own, away from the guarded endpoints.
func serveDebug(addr string, logger *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /goroutines", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "%d\n", runtime.NumGoroutine())
	})
	logger.Info("debug on http://"+ln.Addr().String(), "addr", ln.Addr().String())
	go func() { _ = http.Serve(ln, mux) }()
	return nil
}
