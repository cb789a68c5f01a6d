package middleware_test

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

func TestProviderKeyAlone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		body         string
		has          bool
		lookupErr    error
		wantCode     string
		wantAsked    validate.Provider
		wantNotAsked bool
	}{
		{"an OpenAI model without a key is no_byok_key", `{"model":"gpt-5.5","start_within":"auto","max_tokens":64}`, false, nil, "no_byok_key", validate.OpenAI, false},
		{"a gemini model without a key is no_gemini_key", `{"model":"gemini-3-pro","start_within":"default","max_tokens":64}`, false, nil, "no_gemini_key", validate.Gemini, false},
		{"a claude model without a key is no_anthropic_key", `{"model":"claude-x","start_within":"auto","max_tokens":64}`, false, nil, "no_anthropic_key", validate.Anthropic, false},
		{"a key present passes", `{"model":"claude-x","start_within":"auto","max_tokens":64}`, true, nil, "", validate.Anthropic, false},
		{"a failed lookup fails closed", `{"model":"gemini-3-pro","start_within":"default","max_tokens":64}`, true, errors.New("store down"), "no_gemini_key", validate.Gemini, false},
		{"a missing model is answered without a lookup", `{}`, true, nil, "missing_model", 0, true},
		{"the body rules are judged before any lookup", `{"model":"claude-x","start_within":"00h-00m-30s","max_tokens":64}`, true, nil, "flex_unsupported_for_anthropic", 0, true},
		{"a body rule beats a missing key", `{"model":"gpt-5.5","start_within":"auto","top_k":5}`, false, nil, "unsupported_parameter", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var asked atomic.Int32
			var askedFor atomic.Uint32
			opts := middleware.Options{HasProviderKey: func(r *http.Request, p validate.Provider) (bool, error) {
				asked.Add(1)
				askedFor.Store(uint32(p))
				return tt.has, tt.lookupErr
			}}
			rec := serve(newGuard(t, opts).ProviderKey(&okHandler{}), post("/v1/messages", tt.body))
			code, param := errorCode(t, rec)
			assert.Equal(t, tt.wantCode, code)
			if strings.HasPrefix(tt.wantCode, "no_") {
				assert.Equal(t, "model", param)
			}
			if tt.wantNotAsked {
				assert.Zero(t, asked.Load())
				return
			}
			assert.Equal(t, int32(1), asked.Load())
			assert.Equal(t, tt.wantAsked, validate.Provider(askedFor.Load()))
		})
	}
}

// With Options.Schemas set, the embedder's rules are body rules too, and
// judged before the key store is asked.
func TestProviderKeyJudgesTheEmbeddersSchemasFirst(t *testing.T) {
	t.Parallel()
	var asked atomic.Int32
	g := newGuard(t, middleware.Options{
		Schemas: temperatureCeiling(t),
		HasProviderKey: func(*http.Request, validate.Provider) (bool, error) {
			asked.Add(1)
			return false, nil
		},
	})
	rec := serve(g.ProviderKey(&okHandler{}), post("/v1/chat/completions", `{"model":"gpt-5.5","start_within":"auto","temperature":2}`))
	code, _ := errorCode(t, rec)
	assert.Equal(t, "temperature_too_high", code)
	assert.Zero(t, asked.Load())
}
