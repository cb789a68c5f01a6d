package validate

import (
	"fmt"

	"github.com/flexinference/flexguard/internal/rules"
)

// Validator applies the body rules under one Policy. It is safe for
// concurrent use.
type Validator struct {
	engine *rules.Engine
}

// New checks p and returns a Validator for it. A malformed policy (a
// negative limit, a default start_within outside the grammar, an allow-list
// entry with a '*' inside it, an unknown provider, a provider prefix that
// is empty or marks two providers) is an error naming the key.
func New(p Policy) (*Validator, error) {
	e, err := rules.Compile(rules.Config(p))
	if err != nil {
		return nil, fmt.Errorf("flexguard/validate: %w", err)
	}
	return &Validator{engine: e}, nil
}

// Check runs every body rule on body as a request to ep, in the order of
// checks, and returns what the rules learned, or the first failure as an
// error whose *apierrors.Error errors.As finds (apierrors.CodeOf reads its
// code). The body limit applies too: a body over it is
// request_too_large. The Result keeps no reference to body.
func (v *Validator) Check(ep Endpoint, body []byte) (Result, error) {
	if !rules.Endpoint(ep).Valid() {
		return Result{}, fmt.Errorf("flexguard/validate: Check on %d, which is not an Endpoint", ep)
	}
	res, err := v.engine.Check(rules.Endpoint(ep), body)
	if err != nil {
		return Result{}, err
	}
	return resultOf(res), nil
}

// Result is what validation learned about a request that passed: enough
// for a gateway to route it without parsing the body again.
type Result struct {
	Endpoint Endpoint
	Model    string
	Provider Provider
	// StartWithin is the value the request asked for, or the default that
	// applied (then StartWithinDefaulted is true).
	StartWithin          StartWithin
	StartWithinDefaulted bool
}

// resultOf converts the engine's Result.
func resultOf(r rules.Result) Result {
	return Result{Endpoint(r.Endpoint), r.Model, Provider(r.Provider), startWithinOf(r.StartWithin), r.StartWithinDefaulted}
}
