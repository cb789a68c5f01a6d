package flexguardcaddy

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"go.uber.org/zap"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/errors/dialect"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

func init() {
	caddy.RegisterModule(Handler{})
}

// The placeholders a request that passes carries to the handlers after
// this one.
const (
	PlaceholderEndpoint    = "flexguard.endpoint"
	PlaceholderModel       = "flexguard.model"
	PlaceholderProvider    = "flexguard.provider"
	PlaceholderStartWithin = "flexguard.start_within"
)

// Handler is the Caddy module http.handlers.flexguard: the flexguard
// chain in front of the next handler. Its zero value guards the four
// endpoints with the built-in policy and the canonical error body.
type Handler struct {
	// PolicyFile is the path of a policy file. Default: "", the built-in
	// policy.
	PolicyFile string `json:"policy_file,omitempty"`

	// Dialect names the error shape (see dialect.Names). Default: "",
	// flexinference, the canonical body.
	Dialect string `json:"dialect,omitempty"`

	// StrictDuplicateKeys rejects any JSON object that repeats a key.
	// Default: false, the last occurrence is judged.
	StrictDuplicateKeys bool `json:"strict_duplicate_keys,omitempty"`

	// Endpoint is the path of the one endpoint this handler guards, and no
	// path check runs. Default: "", the handler routes by path.
	Endpoint string `json:"endpoint,omitempty"`

	chain  http.Handler
	logger *zap.Logger
}

// CaddyModule returns the module's information.
func (Handler) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{
		ID:  "http.handlers.flexguard",
		New: func() caddy.Module { return new(Handler) },
	}
}

// Provision loads the policy file, looks the dialect up and builds the
// Guard; any problem is an error here, so the configuration never loads.
func (h *Handler) Provision(ctx caddy.Context) error {
	h.logger = ctx.Logger()
	opts, err := h.options()
	if err != nil {
		return err
	}
	opts.OnReject = h.logReject
	guard, err := middleware.New(opts)
	if err != nil {
		return err
	}
	h.chain = guard.Handler(http.HandlerFunc(passOn))
	return nil
}

// options turns the module's configuration into Guard options.
func (h *Handler) options() (middleware.Options, error) {
	var opts middleware.Options
	if h.PolicyFile != "" {
		p, err := validate.LoadPolicyFile(h.PolicyFile)
		if err != nil {
			return opts, fmt.Errorf("flexguard/caddy: %w", err)
		}
		opts.Policy = p
	}
	opts.Policy.StrictDuplicateKeys = h.StrictDuplicateKeys
	name := h.Dialect
	if name == "" {
		name = dialect.NameFlexInference
	}
	w, ok := dialect.ByName(name)
	if !ok {
		return opts, fmt.Errorf("flexguard/caddy: unknown dialect %q; want one of %s", h.Dialect, strings.Join(dialect.Names(), ", "))
	}
	opts.ErrorWriter = w
	if h.Endpoint != "" {
		ep, ok := validate.EndpointOf(h.Endpoint)
		if !ok {
			return opts, fmt.Errorf("flexguard/caddy: endpoint %q is not one of %s", h.Endpoint, endpointList())
		}
		opts.Endpoint = ep
	}
	return opts, nil
}

func endpointList() string {
	var paths []string
	for _, ep := range validate.Endpoints() {
		paths = append(paths, ep.String())
	}
	return strings.Join(paths, ", ")
}

// ServeHTTP runs the chain. A rejection is written by flexguard and is
// not an error for Caddy; a request that passes goes to next, whose error
// is returned.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request, next caddyhttp.Handler) error {
	pw := &passWriter{ResponseWriter: w, next: next}
	h.chain.ServeHTTP(pw, r)
	return pw.err
}

// logReject records a rejection in Caddy's log; the access log has the
// status already, this adds the code and the field.
func (h *Handler) logReject(r *http.Request, err *apierrors.Error) {
	h.logger.Debug("request rejected",
		zap.Int("status", err.Status()),
		zap.String("code", err.Code().String()),
		zap.String("param", err.Param()),
		zap.String("method", r.Method),
		zap.String("path", r.URL.Path))
}

// passWriter carries Caddy's next handler through the Guard, which hands
// its writer on to the handler it wraps, and brings back next's error.
type passWriter struct {
	http.ResponseWriter
	next caddyhttp.Handler
	err  error
}

// Unwrap lets flexguard and http.ResponseController reach the server's
// writer (to close the connection after an oversized body, to flush).
func (pw *passWriter) Unwrap() http.ResponseWriter { return pw.ResponseWriter }

// passOn is the handler the Guard wraps: it publishes what validation
// learned as placeholders and calls Caddy's next handler.
func passOn(w http.ResponseWriter, r *http.Request) {
	pw := passWriterOf(w)
	if res, ok := middleware.ResultFrom(r.Context()); ok {
		if repl, ok := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer); ok {
			repl.Set(PlaceholderEndpoint, res.Endpoint.String())
			repl.Set(PlaceholderModel, headerSafe(res.Model))
			repl.Set(PlaceholderProvider, res.Provider.String())
			repl.Set(PlaceholderStartWithin, res.StartWithin.String())
		}
	}
	pw.err = pw.next.ServeHTTP(pw.ResponseWriter, r)
}

// maxModelBytes bounds the model placeholder: placeholders usually end
// up in headers, and an upstream reads a long name from the body.
const maxModelBytes = 256

// headerSafe returns the model name when it can be a header value as it
// is, and "" for one with a control character or over maxModelBytes, so
// that a header_up never fails the request.
func headerSafe(model string) string {
	if len(model) > maxModelBytes || strings.TrimSpace(model) != model {
		return ""
	}
	for i := 0; i < len(model); i++ {
		if c := model[i]; c < ' ' && c != '\t' || c == 0x7f {
			return ""
		}
	}
	return model
}

// passWriterOf finds the passWriter under any writers a middleware of the
// Guard may have wrapped around it.
func passWriterOf(w http.ResponseWriter) *passWriter {
	for {
		switch v := w.(type) {
		case *passWriter:
			return v
		case interface{ Unwrap() http.ResponseWriter }:
			w = v.Unwrap()
		default:
			panic("flexguard/caddy: the Guard handed on a writer that does not unwrap to its own")
		}
	}
}

// Interface guards.
var (
	_ caddy.Provisioner           = (*Handler)(nil)
	_ caddyhttp.MiddlewareHandler = (*Handler)(nil)
)
