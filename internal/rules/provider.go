package rules

import "strings"

// Provider is the upstream that serves a model.
type Provider uint8

// The providers. The zero Provider is OpenAI: every model that is not
// claude-* or gemini-* goes there.
const (
	OpenAI Provider = iota
	Gemini
	Anthropic

	numProviders
)

// ProviderOf returns the provider of model by its prefix: "claude-" is
// Anthropic, "gemini-" is Gemini, anything else OpenAI. The match is
// case-sensitive, as providers' model names are.
func ProviderOf(model string) Provider {
	switch {
	case strings.HasPrefix(model, "claude-"):
		return Anthropic
	case strings.HasPrefix(model, "gemini-"):
		return Gemini
	default:
		return OpenAI
	}
}

// String returns "openai", "gemini" or "anthropic".
func (p Provider) String() string {
	switch p {
	case Gemini:
		return "gemini"
	case Anthropic:
		return "anthropic"
	default:
		return "openai"
	}
}
