package middleware

import (
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/validate"
)

// ProviderKey answers the first half of step 13 with the embedder's
// lookup, Options.HasProviderKey: an organisation without a key for the
// model's provider gets no_byok_key (OpenAI), no_gemini_key or
// no_anthropic_key. A lookup error fails closed, the same as a missing key.
// It panics if Options.HasProviderKey is nil.
func ProviderKey(opts Options) func(http.Handler) http.Handler {
	if opts.HasProviderKey == nil {
		panic("flexguard/middleware: ProviderKey needs Options.HasProviderKey")
	}
	return newGuard(opts).middleware(providerKeyStage)
}

var missingKeyCode = [...]apierrors.Code{
	validate.OpenAI:    apierrors.NoBYOKKey,
	validate.Gemini:    apierrors.NoGeminiKey,
	validate.Anthropic: apierrors.NoAnthropicKey,
}

func providerKeyStage(g *guard, x *exchange, w http.ResponseWriter, r *http.Request) *apierrors.Error {
	// Every body rule first (steps 7 to 12): a lookup is step 13, and a
	// body that will be refused costs the embedder no round trip.
	if err := rulesStage(g, x, w, r); err != nil {
		return err
	}
	provider := x.request.Result().Provider
	if ok, err := g.opts.HasProviderKey(r, provider); !ok || err != nil {
		return apierrors.New(missingKeyCode[provider])
	}
	return nil
}
