package flexguardcaddy

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func provisioned(t *testing.T, h *Handler) error {
	t.Helper()
	ctx, cancel := caddy.NewContext(caddy.Context{Context: context.Background()})
	t.Cleanup(cancel)
	return h.Provision(ctx)
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

func TestProvisionRefusesABadConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler Handler
		wantErr string
	}{
		{"an unknown dialect names the known ones", Handler{Dialect: "klingon"}, "unknown dialect \"klingon\"; want one of fireworks, flexinference, gip, mskeys"},
		{"a missing policy file is an error", Handler{PolicyFile: "/nonexistent/policy.json"}, "no such file"},
		{"a policy file with an unknown key is an error", Handler{PolicyFile: "unknown-key"}, "max_bytes"},
		{"a path that is not an endpoint is an error", Handler{Endpoint: "/v1/embeddings"}, "endpoint \"/v1/embeddings\" is not one of /v1/responses"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := tt.handler
			if h.PolicyFile == "unknown-key" {
				h.PolicyFile = writeFile(t, "policy.json", `{"max_bytes": 10}`)
			}
			err := provisioned(t, &h)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.True(t, strings.HasPrefix(err.Error(), "flexguard/caddy: "), "%v", err)
		})
	}
}

func TestUnmarshalCaddyfile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		input   string
		want    Handler
		wantErr string
	}{
		{"the bare directive is the zero handler", "flexguard", Handler{}, ""},
		{"every subdirective is read", "flexguard {\n policy /etc/p.json\n dialect gip\n strict\n endpoint /v1/messages\n}",
			Handler{PolicyFile: "/etc/p.json", Dialect: "gip", StrictDuplicateKeys: true, Endpoint: "/v1/messages"}, ""},
		{"an argument on the directive is refused", "flexguard /etc/p.json", Handler{}, "wrong argument count"},
		{"a policy without a file is refused", "flexguard {\n policy\n}", Handler{}, "wrong argument count"},
		{"strict takes no argument", "flexguard {\n strict yes\n}", Handler{}, "wrong argument count"},
		{"an unknown subdirective is named", "flexguard {\n limit 10\n}", Handler{}, `unknown subdirective "limit"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var h Handler
			err := h.UnmarshalCaddyfile(caddyfile.NewTestDispenser(tt.input))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, h)
		})
	}
}

// nextHandler is Caddy's next handler in these tests.
type nextHandler struct {
	called bool
	repl   map[string]string
	err    error
}

func (n *nextHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) error {
	n.called = true
	repl := r.Context().Value(caddy.ReplacerCtxKey).(*caddy.Replacer)
	n.repl = map[string]string{}
	for _, name := range []string{PlaceholderEndpoint, PlaceholderModel, PlaceholderProvider, PlaceholderStartWithin} {
		n.repl[name], _ = repl.GetString(name)
	}
	if n.err != nil {
		return n.err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func serve(t *testing.T, h *Handler, next caddyhttp.Handler, method, path, body string) (*httptest.ResponseRecorder, error) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	repl := caddy.NewReplacer()
	r = r.WithContext(context.WithValue(r.Context(), caddy.ReplacerCtxKey, repl))
	rec := httptest.NewRecorder()
	return rec, h.ServeHTTP(rec, r, next)
}

func TestServeHTTP(t *testing.T) {
	t.Parallel()
	upstreamDown := caddyhttp.Error(http.StatusBadGateway, errors.New("dial tcp: connection refused"))
	tests := []struct {
		name       string
		handler    Handler
		method     string
		path       string
		body       string
		nextErr    error
		wantStatus int
		wantBody   string
		wantErr    error
		wantRepl   map[string]string
	}{
		{
			name: "a rejection is written by flexguard and is no error for Caddy", method: "POST", path: "/v1/responses",
			body: `{"start_within":"auto"}`, wantStatus: 400, wantBody: `"code":"missing_model"`,
		},
		{
			name: "a rejection is written in the configured dialect", handler: Handler{Dialect: "gip"}, method: "POST", path: "/v1/nope",
			wantStatus: 404, wantBody: `"type":"not_found"`,
		},
		{
			name: "a request that passes reaches next with the facts as placeholders", method: "POST", path: "/v1/messages",
			body: `{"model":"claude-sonnet-4","start_within":"auto","max_tokens":64}`, wantStatus: 204,
			wantRepl: map[string]string{PlaceholderEndpoint: "/v1/messages", PlaceholderModel: "claude-sonnet-4", PlaceholderProvider: "anthropic", PlaceholderStartWithin: "auto"},
		},
		{
			name: "a model that cannot be a header value is published empty", method: "POST", path: "/v1/responses",
			body: `{"model":"gpt-5.5\r\nx-admin: 1","start_within":"auto"}`, wantStatus: 204,
			wantRepl: map[string]string{PlaceholderEndpoint: "/v1/responses", PlaceholderModel: "", PlaceholderProvider: "openai", PlaceholderStartWithin: "auto"},
		},
		{
			name: "an error from next is returned to Caddy unchanged", method: "POST", path: "/v1/responses",
			body: `{"model":"gpt-5.5","start_within":"default"}`, nextErr: upstreamDown, wantStatus: 200, wantErr: upstreamDown,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := tt.handler
			require.NoError(t, provisioned(t, &h))
			next := &nextHandler{err: tt.nextErr}
			rec, err := serve(t, &h, next, tt.method, tt.path, tt.body)
			assert.Equal(t, tt.wantStatus, rec.Code)
			assert.Contains(t, rec.Body.String(), tt.wantBody)
			if tt.wantErr != nil {
				assert.Equal(t, tt.wantErr, err)
			} else {
				assert.NoError(t, err)
			}
			if tt.wantStatus >= 400 {
				assert.False(t, next.called, "next must not run after a rejection")
			}
			if tt.wantRepl != nil {
				assert.Equal(t, tt.wantRepl, next.repl)
			}
		})
	}
}
