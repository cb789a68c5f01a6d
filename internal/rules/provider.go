package rules

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/flexinference/flexguard/internal/clienttext"
)

// Provider is the upstream that serves a model.
type Provider uint8

// The providers. The zero Provider is OpenAI: every model that no prefix
// claims goes there.
const (
	OpenAI Provider = iota
	Gemini
	Anthropic

	numProviders
)

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

// ownPrefix returns the prefix the provider's own model names start with,
// built into every Engine: "claude-", "gemini-", and none for OpenAI,
// which takes every name no prefix claims.
func (p Provider) ownPrefix() string {
	switch p {
	case Gemini:
		return "gemini-"
	case Anthropic:
		return "claude-"
	default:
		return ""
	}
}

// providerNamed returns the provider that String names.
func providerNamed(name string) (Provider, bool) {
	for p := range numProviders {
		if p.String() == name {
			return p, true
		}
	}
	return 0, false
}

// ProviderOf returns the provider of model under the built-in prefixes
// alone: "claude-" is Anthropic, "gemini-" is Gemini, anything else
// OpenAI. The match is case-sensitive, as providers' model names are. An
// Engine's policy may add prefixes (Config.ProviderPrefixes).
func ProviderOf(model string) Provider {
	p, _ := builtinPrefixes.match(model)
	return p
}

// builtinPrefixes is the table of an Engine whose policy adds no prefix.
var builtinPrefixes = func() prefixTable {
	t, err := compilePrefixes(nil)
	if err != nil {
		panic("flexguard/internal/rules: the built-in provider prefixes do not compile: " + err.Error())
	}
	return t
}()

// providerPrefix is one model-name prefix and the provider it marks.
type providerPrefix struct {
	prefix   string
	provider Provider
	// routing is how many leading bytes of a matching name are a router's
	// and not the provider's: all of the prefix, less the provider's own
	// prefix when it ends with it ("google/gemini-" → "google/").
	routing int
}

// prefixTable holds every prefix an Engine knows, the built-in ones and the
// policy's, longest first: the first that matches is the longest, so that a
// specific prefix ("vertex_ai/claude-") beats a general one ("vertex_ai/")
// whatever order the policy listed them in.
type prefixTable []providerPrefix

// match returns the provider of model, by its longest matching prefix
// (OpenAI when none matches), and native, the name the provider itself
// knows the model by: model without its routing part
// ("us.anthropic.claude-x" → "claude-x", "openai/gpt-5.5" → "gpt-5.5").
// It never allocates: native is a slice of model.
func (t prefixTable) match(model string) (p Provider, native string) {
	for _, e := range t {
		if strings.HasPrefix(model, e.prefix) {
			return e.provider, model[e.routing:]
		}
	}
	return OpenAI, model
}

// compilePrefixes checks a policy's provider_prefixes and builds the table
// of the built-in prefixes and those. A prefix may not be empty, hold a
// '*' (prefixes are matched as written, not as patterns), or belong to two
// providers; one listed twice for the same provider, or a built-in one
// listed again, is harmless.
func compilePrefixes(byProvider map[string][]string) (prefixTable, error) {
	owner := make(map[string]Provider)
	var t prefixTable
	add := func(prefix string, p Provider) {
		owner[prefix] = p
		routing := len(prefix)
		if own := p.ownPrefix(); own != "" && strings.HasSuffix(prefix, own) {
			routing -= len(own)
		}
		t = append(t, providerPrefix{prefix: prefix, provider: p, routing: routing})
	}
	for _, p := range [...]Provider{Anthropic, Gemini} {
		add(p.ownPrefix(), p)
	}
	for _, name := range slices.Sorted(maps.Keys(byProvider)) {
		p, ok := providerNamed(name)
		if !ok {
			return nil, fmt.Errorf("policy: provider_prefixes: unknown provider %s; want anthropic, gemini or openai", clienttext.Quote(name))
		}
		for i, prefix := range byProvider[name] {
			key := fmt.Sprintf("provider_prefixes.%s[%d]", name, i)
			other, taken := owner[prefix]
			switch {
			case prefix == "":
				return nil, fmt.Errorf("policy: %s is empty", key)
			case strings.IndexByte(prefix, '*') >= 0:
				return nil, fmt.Errorf("policy: %s %s: a prefix is matched as written, not as a pattern; drop the '*'", key, clienttext.Quote(prefix))
			case taken && other != p:
				return nil, fmt.Errorf("policy: %s %s is already a prefix of %s; a prefix can mark one provider only", key, clienttext.Quote(prefix), other)
			case !taken:
				add(prefix, p)
			}
		}
	}
	// Two prefixes of the same length that both match a name are the same
	// prefix, and a prefix has one owner: the order among equals is moot.
	slices.SortStableFunc(t, func(a, b providerPrefix) int { return cmp.Compare(len(b.prefix), len(a.prefix)) })
	return t, nil
}
