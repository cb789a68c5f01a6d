package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/rules"
	"github.com/flexinference/flexguard/validate"
)

// ProviderKey runs every body rule (Schema's checks, when Options.Schemas
// is set), then asks Options.HasProviderKey whether the organisation has a
// key for the model's provider: no_byok_key (OpenAI), no_gemini_key or
// no_anthropic_key when it has not. A lookup error fails closed, the same
// as a missing key. It panics at setup when Options.HasProviderKey is nil.
func (g *Guard) ProviderKey(next http.Handler) http.Handler {
	return g.through(pieceProviderKey, "Options.HasProviderKey", next)
}

var missingKeyCode = [...]apierrors.Code{
	rules.OpenAI:    apierrors.NoBYOKKey,
	rules.Gemini:    apierrors.NoGeminiKey,
	rules.Anthropic: apierrors.NoAnthropicKey,
}

func providerKeyStage(g *Guard, x *exchange, _ http.ResponseWriter, r *http.Request) *apierrors.Error {
	provider := x.request.Result().Provider
	if ok, err := g.opts.HasProviderKey(x.hookRequest(r), validate.Provider(provider)); !ok || err != nil {
		return apierrors.New(missingKeyCode[provider], "", "")
	}
	return nil
}
