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
// start_within and which models may race the flex tier. The zero Policy is
// the built-in one. Its JSON form is the policy file (see LoadPolicy).
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
// (max_body_bytes, default_start_within, flex_models). Unknown keys,
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
	case errors.As(err, &typeErr) && strings.HasPrefix(typeErr.Field, "flex_models"):
		return fmt.Errorf("flexguard/validate: policy: %s: want a list of model names", flexModelsKey(file))
	case errors.As(err, &typeErr):
		return fmt.Errorf("flexguard/validate: policy: %s: want a %s, got a JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("flexguard/validate: policy: unknown key %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		return fmt.Errorf("flexguard/validate: policy: %w", err)
	}
}

// flexModelsKey names the first entry of flex_models that is not a list of
// strings ("flex_models.openai"), since encoding/json names only the map.
func flexModelsKey(file []byte) string {
	var raw struct {
		FlexModels map[string]json.RawMessage `json:"flex_models"`
	}
	if json.Unmarshal(file, &raw) == nil {
		for _, provider := range slices.Sorted(maps.Keys(raw.FlexModels)) {
			var list []string
			if json.Unmarshal(raw.FlexModels[provider], &list) != nil {
				return "flex_models." + clienttext.Cut(provider)
			}
		}
	}
	return "flex_models"
}
