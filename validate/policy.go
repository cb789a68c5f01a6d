package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// DefaultMaxBodyBytes is the body limit when a Policy leaves it at zero.
const DefaultMaxBodyBytes = 1_000_000

// Policy is what a gateway operator decides: the body limit, the default
// start_within and which models may race the flex tier. The zero Policy is
// the built-in one.
type Policy struct {
	// MaxBodyBytes is the largest body accepted, in bytes; exactly this
	// many pass. Zero means DefaultMaxBodyBytes (1,000,000); negative is
	// an error.
	MaxBodyBytes int64 `json:"max_body_bytes"`

	// DefaultStartWithin applies when a request leaves start_within out or
	// sends null. Empty (the default) means there is none, and such a
	// request is answered missing_start_within.
	DefaultStartWithin string `json:"default_start_within"`

	// FlexModels lists the models that may take a duration start_within.
	FlexModels FlexModels `json:"flex_models"`

	// StrictDuplicateKeys rejects, as invalid_json, any object anywhere in
	// the body that repeats a key. Default false: the last occurrence
	// wins, as it does for encoding/json and JSON.parse. Not read from a
	// policy file.
	StrictDuplicateKeys bool `json:"-"`
}

// FlexModels holds the flex-capable allow-lists. An entry ending in "*"
// matches every model with the prefix before it ("gpt-5*"); any other entry
// matches one model exactly. A nil list means the built-in list; an empty,
// non-nil list means no model of that provider is flex-capable. Anthropic
// has no flex tier and so no list.
type FlexModels struct {
	// OpenAI defaults to BuiltinOpenAIFlexModels.
	OpenAI []string `json:"openai"`
	// Gemini defaults to BuiltinGeminiFlexModels.
	Gemini []string `json:"gemini"`
}

// The built-in allow-lists. Callers must not modify them.
var (
	BuiltinOpenAIFlexModels = []string{"gpt-5.5", "gpt-5.5-mini", "gpt-5", "gpt-5-mini", "gpt-5-nano", "o3", "o4-mini"}
	BuiltinGeminiFlexModels = []string{"gemini-3-pro", "gemini-3-flash", "gemini-2.5-pro", "gemini-2.5-flash"}
)

// LoadPolicy reads a policy file (see Policy for the keys). Unknown keys,
// values of the wrong type and invalid values are errors naming the key;
// omitted keys keep their defaults.
func LoadPolicy(r io.Reader) (Policy, error) {
	var p Policy
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Policy{}, policyError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Policy{}, errors.New("flexguard/validate: policy: unexpected data after the JSON object")
	}
	if _, err := compilePolicy(p); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// LoadPolicyFile reads the policy file at path.
func LoadPolicyFile(path string) (Policy, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Policy{}, fmt.Errorf("flexguard/validate: policy: %w", err)
	}
	p, err := LoadPolicy(bytes.NewReader(b))
	if err != nil {
		return Policy{}, fmt.Errorf("%w (in %s)", err, path)
	}
	return p, nil
}

// policyError rewords encoding/json's decode errors so that they name the
// policy key.
func policyError(err error) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		return fmt.Errorf("flexguard/validate: policy: %s: want a %s, got a JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("flexguard/validate: policy: unknown key %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		return fmt.Errorf("flexguard/validate: policy: %w", err)
	}
}

// compiledPolicy is a Policy checked and turned into what the rules use per
// request.
type compiledPolicy struct {
	maxBodyBytes   int64
	defaultStart   StartWithin // zero Mode: no default
	openai, gemini modelList
	strict         bool
}

func compilePolicy(p Policy) (compiledPolicy, error) {
	c := compiledPolicy{maxBodyBytes: p.MaxBodyBytes, strict: p.StrictDuplicateKeys}
	switch {
	case p.MaxBodyBytes < 0:
		return c, fmt.Errorf("flexguard/validate: policy: max_body_bytes must not be negative, got %d", p.MaxBodyBytes)
	case p.MaxBodyBytes == 0:
		c.maxBodyBytes = DefaultMaxBodyBytes
	}
	if p.DefaultStartWithin != "" {
		sw, err := ParseStartWithin(p.DefaultStartWithin)
		if err != nil {
			return c, fmt.Errorf("flexguard/validate: policy: default_start_within: %w", err)
		}
		c.defaultStart = sw
	}
	var err error
	if c.openai, err = newModelList("openai", p.FlexModels.OpenAI, BuiltinOpenAIFlexModels); err != nil {
		return c, err
	}
	if c.gemini, err = newModelList("gemini", p.FlexModels.Gemini, BuiltinGeminiFlexModels); err != nil {
		return c, err
	}
	return c, nil
}

// modelList is an allow-list ready for lookups.
type modelList struct {
	exact    map[string]struct{}
	prefixes []string
}

func newModelList(provider string, entries, builtin []string) (modelList, error) {
	if entries == nil {
		entries = builtin
	}
	l := modelList{exact: make(map[string]struct{}, len(entries))}
	for i, e := range entries {
		star := strings.IndexByte(e, '*')
		switch {
		case e == "":
			return l, fmt.Errorf("flexguard/validate: policy: flex_models.%s[%d] is empty", provider, i)
		case star >= 0 && star != len(e)-1:
			return l, fmt.Errorf("flexguard/validate: policy: flex_models.%s[%d] %q: '*' may only end an entry", provider, i, e)
		case star >= 0:
			l.prefixes = append(l.prefixes, e[:star])
		default:
			l.exact[e] = struct{}{}
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
