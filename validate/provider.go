package validate

import "github.com/flexinference/flexguard/internal/rules"

// Provider is the upstream that serves a model, known from the model's
// name (see the package documentation).
type Provider uint8

// The providers. The zero Provider is OpenAI, where every model that is not
// Anthropic's or Gemini's goes.
const (
	OpenAI Provider = iota
	Gemini
	Anthropic
)

// String returns "openai", "gemini" or "anthropic".
func (p Provider) String() string { return rules.Provider(p).String() }
