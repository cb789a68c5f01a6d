package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/flexinference/flexguard/internal/clienttext"
	"github.com/flexinference/flexguard/internal/rules"
)

// DefaultMaxBodyBytes is the body limit of a Policy that sets none.
const DefaultMaxBodyBytes = 1_000_000

// Policy is what a gateway operator decides: the body limit, the default
// start_within, which models may race the flex tier, how model names map to
// providers, and whether no-op values of refused parameters pass. The zero
// Policy is the built-in one. Its JSON form is the policy file (see
// LoadPolicy).
//
// The fields mirror the engine's configuration one for one (a Policy
// converts to it directly); add a field to both.
type Policy struct {
	// MaxBodyBytes is the largest body accepted, in bytes; exactly this
	// many pass. Zero means DefaultMaxBodyBytes (1,000,000); negative is an
	// error.
	MaxBodyBytes int64 `json:"max_body_bytes"`

	// DefaultStartWithin applies when a request leaves start_within out or
	// sends null. Empty (the default) means there is none, and such a
	// request is answered missing_start_within.
	DefaultStartWithin string `json:"default_start_within"`

	// FlexModels lists, per provider ("openai", "gemini"), the models that
	// may take a duration start_within. An entry ending in "*" matches by
	// prefix ("gpt-5*"); any other entry matches one model exactly. A
	// provider left out (or null) keeps its built-in list (see
	// BuiltinFlexModels); an empty list allows none. Anthropic has no flex
	// tier and so no list. Default: nil, the built-in lists.
	FlexModels map[string][]string `json:"flex_models"`

	// ProviderPrefixes adds, per provider ("anthropic", "gemini",
	// "openai"), model-name prefixes that mark a model as that provider's,
	// for names a router or a cloud gives models: "anthropic/" or
	// "us.anthropic.claude-" for Anthropic, "google/gemini-" for Gemini,
	// "openai/" for OpenAI. The built-in prefixes ("claude-", "gemini-")
	// always apply, and a name no prefix claims is still OpenAI's. The
	// longest matching prefix decides. The allow-lists match a model's full
	// name or its name after the prefix's routing part ("openai.gpt-5.5"
	// matches "gpt-5.5"). A prefix may not be empty, contain '*', or mark
	// two providers. See "Providers" in the package documentation. Default:
	// nil, the built-in prefixes alone.
	ProviderPrefixes map[string][]string `json:"provider_prefixes"`

	// AcceptNoOpDefaults lets a refused parameter through when its value
	// asks for nothing: the documented default listed for it in the package
	// documentation ("presence_penalty": 0, "logit_bias": {}). Parameters
	// without such a value stay refused whatever their value. Default
	// false: any set value is refused, as the catalog says.
	AcceptNoOpDefaults bool `json:"accept_no_op_defaults"`

	// StrictDuplicateKeys rejects, as invalid_json, any object anywhere in
	// the body that repeats a key. Default false: the last occurrence
	// wins, as it does for encoding/json and JSON.parse. Not read from a
	// policy file: it is a property of the gateway, not of a deployment.
	StrictDuplicateKeys bool `json:"-"`
}

// BuiltinFlexModels returns a copy of the built-in allow-lists, by
// provider: a start for a policy that extends them.
func BuiltinFlexModels() map[string][]string { return rules.BuiltinFlexModels() }

// LoadPolicy reads a policy file: a JSON object with the keys of Policy
// (max_body_bytes, default_start_within, flex_models, provider_prefixes,
// accept_no_op_defaults). Unknown keys,
// values of the wrong type and invalid values are errors naming the key;
// omitted keys keep their defaults.
func LoadPolicy(r io.Reader) (Policy, error) {
	file, err := io.ReadAll(r)
	if err != nil {
		return Policy{}, fmt.Errorf("flexguard/validate: policy: %w", err)
	}
	var p Policy
	dec := json.NewDecoder(bytes.NewReader(file))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Policy{}, policyError(err, file)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Policy{}, errors.New("flexguard/validate: policy: unexpected data after the JSON object")
	}
	if _, err := rules.Compile(rules.Config(p)); err != nil {
		return Policy{}, fmt.Errorf("flexguard/validate: %w", err)
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
func policyError(err error, file []byte) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr) && isListsKey(typeErr.Field):
		key, _, _ := strings.Cut(typeErr.Field, ".")
		return fmt.Errorf("flexguard/validate: policy: %s", listsProblem(file, key))
	case errors.As(err, &typeErr):
		return fmt.Errorf("flexguard/validate: policy: %s: want a %s, got a JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("flexguard/validate: policy: unknown key %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		return fmt.Errorf("flexguard/validate: policy: %w", err)
	}
}

// isListsKey reports whether a decode error's field is in one of the
// policy's maps of lists by provider.
func isListsKey(field string) bool {
	key, _, _ := strings.Cut(field, ".")
	return key == "flex_models" || key == "provider_prefixes"
}

// listsProblem names what is wrong in key, a map of lists of strings by
// provider: the first entry that is not a list of strings
// ("flex_models.openai: want a list of strings"), or the map itself, since
// encoding/json names only the map.
func listsProblem(file []byte, key string) string {
	var raw map[string]json.RawMessage
	var lists map[string]json.RawMessage
	if json.Unmarshal(file, &raw) != nil || json.Unmarshal(raw[key], &lists) != nil {
		return key + ": want an object of lists by provider, such as {\"openai\": [...]}"
	}
	for _, provider := range slices.Sorted(maps.Keys(lists)) {
		var list []string
		if json.Unmarshal(lists[provider], &list) != nil {
			return key + "." + clienttext.Cut(provider) + ": want a list of strings"
		}
	}
	return key + ": want an object of lists of strings"
}
