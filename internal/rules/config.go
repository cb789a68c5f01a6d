package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/flexinference/flexguard/internal/clienttext"
)

// Config is validate.Policy as the engine takes it. The two structs have
// the same fields in the same order, so a Policy converts to a Config with
// a plain conversion, Config(policy), and the compiler keeps them in step.
type Config struct {
	MaxBodyBytes        int64
	DefaultStartWithin  string
	FlexModels          map[string][]string
	ProviderPrefixes    map[string][]string
	AcceptNoOpDefaults  bool
	StrictDuplicateKeys bool
}

// DefaultMaxBodyBytes is the body limit when a Config leaves it at zero.
const DefaultMaxBodyBytes = 1_000_000

// builtinFlexModels are the allow-lists a Config that names none gets.
var builtinFlexModels = map[string][]string{
	"openai": {"gpt-5.5", "gpt-5.5-mini", "gpt-5", "gpt-5-mini", "gpt-5-nano", "o3", "o4-mini"},
	"gemini": {"gemini-3-pro", "gemini-3-flash", "gemini-2.5-pro", "gemini-2.5-flash"},
}

// BuiltinFlexModels returns a copy of the built-in allow-lists, by
// provider name.
func BuiltinFlexModels() map[string][]string {
	m := make(map[string][]string, len(builtinFlexModels))
	for p, list := range builtinFlexModels {
		m[p] = slices.Clone(list)
	}
	return m
}

// Engine is a Config checked and compiled into what the rules use per
// request. It is safe for concurrent use.
type Engine struct {
	maxBodyBytes int64
	defaultStart StartWithin // zero Mode: no default
	flex         [numProviders]modelList
	prefixes     prefixTable // the built-in prefixes and the policy's, longest first
	acceptNoOp   bool
	strict       bool
}

// Compile checks c and compiles it. Errors name the policy key, as the
// policy file spells it, and carry no package prefix: the caller adds its
// own.
func Compile(c Config) (*Engine, error) {
	e := &Engine{maxBodyBytes: c.MaxBodyBytes, acceptNoOp: c.AcceptNoOpDefaults, strict: c.StrictDuplicateKeys}
	switch {
	case c.MaxBodyBytes < 0:
		return nil, fmt.Errorf("policy: max_body_bytes must not be negative, got %d", c.MaxBodyBytes)
	case c.MaxBodyBytes == 0:
		e.maxBodyBytes = DefaultMaxBodyBytes
	}
	if c.DefaultStartWithin != "" {
		sw, err := ParseStartWithin(c.DefaultStartWithin)
		if err != nil {
			return nil, fmt.Errorf("policy: default_start_within: %w", err)
		}
		e.defaultStart = sw
	}
	for _, name := range slices.Sorted(maps.Keys(c.FlexModels)) {
		if _, ok := builtinFlexModels[name]; !ok {
			return nil, fmt.Errorf("policy: flex_models: unknown provider %s; want openai or gemini (anthropic has no flex tier)", clienttext.Quote(name))
		}
	}
	for _, p := range [...]Provider{OpenAI, Gemini} {
		name := p.String()
		entries, ok := c.FlexModels[name]
		if !ok || entries == nil {
			entries = builtinFlexModels[name]
		}
		list, err := newModelList(name, entries)
		if err != nil {
			return nil, err
		}
		e.flex[p] = list
	}
	prefixes, err := compilePrefixes(c.ProviderPrefixes)
	if err != nil {
		return nil, err
	}
	e.prefixes = prefixes
	return e, nil
}

// MaxBodyBytes returns the body limit.
func (e *Engine) MaxBodyBytes() int64 { return e.maxBodyBytes }

// flexCapable reports whether model may take a duration start_within:
// it is on its provider's allow-list, by its full name or by the name its
// provider knows it by (see prefixTable.match). Anthropic has no flex tier.
func (e *Engine) flexCapable(model string, p Provider) bool {
	if p == Anthropic {
		return false
	}
	_, native := e.prefixes.match(model)
	return e.flex[p].contains(model) || (native != model && e.flex[p].contains(native))
}

// modelList is an allow-list ready for lookups: exact names, and prefixes
// from entries ending in "*".
type modelList struct {
	exact    map[string]struct{}
	prefixes []string
}

func newModelList(provider string, entries []string) (modelList, error) {
	l := modelList{exact: make(map[string]struct{}, len(entries))}
	for i, entry := range entries {
		star := strings.IndexByte(entry, '*')
		switch {
		case entry == "":
			return l, fmt.Errorf("policy: flex_models.%s[%d] is empty", provider, i)
		case star >= 0 && star != len(entry)-1:
			return l, fmt.Errorf("policy: flex_models.%s[%d] %s: '*' may only end an entry", provider, i, clienttext.Quote(entry))
		case star >= 0:
			l.prefixes = append(l.prefixes, entry[:star])
		default:
			l.exact[entry] = struct{}{}
		}
	}
	return l, nil
}

func (l *modelList) contains(model string) bool {
	if _, ok := l.exact[model]; ok {
		return true
	}
	for _, p := range l.prefixes {
		if strings.HasPrefix(model, p) {
			return true
		}
	}
	return false
}
