package middleware_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/middleware"
)

// newGuard builds a Guard from opts, failing the test when New refuses
// them.
func newGuard(t testing.TB, opts middleware.Options) *middleware.Guard {
	t.Helper()
	g, err := middleware.New(opts)
	require.NoError(t, err)
	return g
}

// piece is one middleware of a Guard, with its name for test output.
type piece struct {
	name string
	wrap func(http.Handler) http.Handler
}

// piecesOf returns g's middlewares in the order of checks: every catalog
// piece, then Schema, ProviderKey and Billing when opts sets what they
// need (without it they panic).
func piecesOf(g *middleware.Guard, opts middleware.Options) []piece {
	pieces := []piece{
		{"Route", g.Route}, {"BodyLimit", g.BodyLimit}, {"JSONBody", g.JSONBody},
		{"Model", g.Model}, {"Parameters", g.Parameters}, {"StartWithin", g.StartWithin},
		{"Provider", g.Provider}, {"TokenCap", g.TokenCap},
	}
	if opts.Schemas != nil {
		pieces = append(pieces, piece{"Schema", g.Schema})
	}
	if opts.HasProviderKey != nil {
		pieces = append(pieces, piece{"ProviderKey", g.ProviderKey})
	}
	if opts.OrgOverdue != nil {
		pieces = append(pieces, piece{"Billing", g.Billing})
	}
	return pieces
}

// stack wraps h in pieces, the first outermost: the order an embedder
// writes them in.
func stack(h http.Handler, pieces ...piece) http.Handler {
	for i := len(pieces) - 1; i >= 0; i-- {
		h = pieces[i].wrap(h)
	}
	return h
}

// post builds a POST request to path with body, as a server hands it over.
func post(path, body string) *http.Request {
	return httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
}

// serve runs r through h and returns the recorded answer.
func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// serveAborting is serve for a request that h may abort: it recovers
// http.ErrAbortHandler as a server does, and reports it. Any other panic
// goes on.
func serveAborting(h http.Handler, r *http.Request) (rec *httptest.ResponseRecorder, aborted bool) {
	rec = httptest.NewRecorder()
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				panic(v)
			}
			aborted = true
		}
	}()
	h.ServeHTTP(rec, r)
	return rec, false
}

// okHandler answers 200 "ok" and counts its calls.
type okHandler struct{ calls atomic.Int32 }

func (h *okHandler) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	h.calls.Add(1)
	_, _ = io.WriteString(w, "ok")
}

// errorCode returns the code and param of a canonical error answer, or ""
// for a pass.
func errorCode(t *testing.T, rec *httptest.ResponseRecorder) (code, param string) {
	t.Helper()
	if rec.Code == http.StatusOK {
		return "", ""
	}
	var body struct {
		Error struct {
			Code  string  `json:"code"`
			Param *string `json:"param"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	if body.Error.Param != nil {
		param = *body.Error.Param
	}
	return body.Error.Code, param
}

// rejections collects what OnReject is told.
type rejections struct {
	n    atomic.Int32
	last atomic.Pointer[apierrors.Error]
}

func (rj *rejections) record(_ *http.Request, err *apierrors.Error) {
	rj.n.Add(1)
	rj.last.Store(err)
}

// panicMessage returns what f panics with, as a string, or "" when it
// does not panic.
func panicMessage(f func()) (msg string) {
	defer func() {
		if v := recover(); v != nil {
			msg, _ = v.(string)
			if msg == "" {
				msg = "non-string panic"
			}
		}
	}()
	f()
	return ""
}
