package middleware_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// fuzzPaths are the endpoints the fuzzer picks from, and one that is not.
var fuzzPaths = []string{"/v1/responses", "/v1/chat/completions", "/v1/interactions", "/v1/messages", "/v1/models"}

// FuzzHandler sends fuzzed bodies through Guard.Handler. It must never
// panic; the answer is 200 from the handler, with the body exactly as
// sent, or a catalog code with the catalog's status, the same code the
// validator gives on its own, in a small JSON body.
func FuzzHandler(f *testing.F) {
	for _, seed := range []struct {
		body   string
		path   uint8
		strict bool
	}{
		{`{"model":"gpt-5.5","start_within":"00h-00m-30s","input":"hi"}`, 0, false},
		{`{"model":"gpt-5.5","start_within":"auto","messages":[{"role":"user","content":"hi"}],"n":1}`, 1, false},
		{`{"model":"gemini-3-pro","start_within":"auto","generation_config":{"seed":1}}`, 2, false},
		{`{"model":"claude-opus-4","start_within":"priority","max_tokens":10,"messages":[]}`, 3, false},
		{`{"model":"gpt-5.5","model":"claude-opus-4","start_within":"00h-00m-30s"}`, 0, false},
		{`{"model":"gpt-5.5","mod\u0065l":"claude-opus-4","start_within":"auto"}`, 0, true},
		{`{"model":"gpt-5.5","start_within":"00h-10m-01s"}`, 0, false},
		{`{"model":"gpt-5.5","service_tier":"flex","start_within":"auto"}`, 1, false},
		{"{\"model\":\"gpt-5.5\",\"x\":\"\xff\"}", 0, false},
		{"[[[[[[[[", 0, false},
		{`"just a string"`, 1, false},
		{``, 3, false},
		{`{}`, 4, false},
	} {
		f.Add([]byte(seed.body), seed.path, seed.strict)
	}
	// One Guard and one Validator per policy, built once: the fuzzer
	// varies the request, not the setup.
	type setup struct {
		guard     *middleware.Guard
		validator *validate.Validator
	}
	setups := map[bool]setup{}
	for _, strict := range []bool{false, true} {
		policy := validate.Policy{StrictDuplicateKeys: strict}
		v, err := validate.New(policy)
		if err != nil {
			f.Fatal(err)
		}
		setups[strict] = setup{newGuard(f, middleware.Options{Policy: policy}), v}
	}
	f.Fuzz(func(t *testing.T, body []byte, pathIndex uint8, strict bool) {
		path := fuzzPaths[int(pathIndex)%len(fuzzPaths)]
		s := setups[strict]
		var (
			handled  bool
			received []byte
		)
		h := s.guard.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			handled = true
			received, _ = io.ReadAll(r.Body)
			if _, ok := middleware.ResultFrom(r.Context()); !ok {
				t.Error("the handler cannot see what validation learned")
			}
			w.WriteHeader(http.StatusOK)
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body)))

		wantCode := apierrors.UnknownURL
		if ep, ok := validate.EndpointOf(path); ok {
			_, err := s.validator.Check(ep, body)
			wantCode = apierrors.CodeOf(err)
		}

		if handled {
			if rec.Code != http.StatusOK {
				t.Fatalf("the handler ran, then the answer was %d", rec.Code)
			}
			if !bytes.Equal(received, body) {
				t.Fatalf("the handler read %q, the client sent %q", received, body)
			}
			if wantCode != "" {
				t.Fatalf("Handler passed what the validator answers %s", wantCode)
			}
			return
		}
		var answer struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("the answer is not JSON: %v: %.300q", err, rec.Body)
		}
		code, err := apierrors.ParseCode(answer.Error.Code)
		switch {
		case err != nil:
			t.Fatalf("the answer's code %q is not in the catalog", answer.Error.Code)
		case rec.Code != apierrors.New(code, "", "").Status():
			t.Fatalf("%s was answered %d, the catalog says %d", code, rec.Code, apierrors.New(code, "", "").Status())
		case code != wantCode:
			t.Fatalf("Handler answered %s, the validator alone %q", code, wantCode)
		case rec.Body.Len() > 1<<10:
			t.Fatalf("an answer of %d bytes", rec.Body.Len())
		case goInternals.Match(rec.Body.Bytes()):
			t.Fatalf("the answer shows internals: %s", rec.Body)
		}
	})
}
