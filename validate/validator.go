package validate

import (
	"strings"

	apierrors "github.com/flexinference/flexguard/errors"
)

// Validator applies the body rules under one Policy. It is safe for
// concurrent use.
type Validator struct {
	policy compiledPolicy
}

// New checks p and returns a Validator for it. A malformed policy (a
// negative limit, a default start_within outside the grammar, an allow-list
// entry with a '*' inside it) is an error naming the key.
func New(p Policy) (*Validator, error) {
	c, err := compilePolicy(p)
	if err != nil {
		return nil, err
	}
	return &Validator{policy: c}, nil
}

// MaxBodyBytes returns the policy's body limit.
func (v *Validator) MaxBodyBytes() int64 { return v.policy.maxBodyBytes }

// DefaultStartWithin returns the policy's default start_within; ok is false
// when it has none.
func (v *Validator) DefaultStartWithin() (sw StartWithin, ok bool) {
	return v.policy.defaultStart, v.policy.defaultStart.Mode != 0
}

// FlexCapable reports whether model may take a duration start_within under
// the policy. Anthropic models never may.
func (v *Validator) FlexCapable(model string) bool {
	switch ProviderOf(model) {
	case OpenAI:
		return v.policy.openai.contains(model)
	case Gemini:
		return v.policy.gemini.contains(model)
	default:
		return false
	}
}

// Check runs every body rule on body as a request to ep, in the order of
// the specification, and returns the first failure, or what the rules
// learned. Result's strings are copies: body may be reused afterwards.
func (v *Validator) Check(ep Endpoint, body []byte) (Result, *apierrors.Error) {
	var r Request
	if err := v.Parse(ep, body, &r); err != nil {
		return Result{}, err
	}
	if err := v.CheckAll(&r); err != nil {
		return Result{}, err
	}
	res := r.Result()
	res.Model = strings.Clone(res.Model)
	return res, nil
}

// Parse checks that body fits the size limit and is one JSON object
// (steps 3 to 6; and, in strict mode, that no object repeats a key), then
// indexes its top-level fields into r.
func (v *Validator) Parse(ep Endpoint, body []byte, r *Request) *apierrors.Error {
	if ep.Path() == "" {
		panic("flexguard/validate: Parse with an unknown Endpoint")
	}
	if int64(len(body)) > v.policy.maxBodyBytes {
		return apierrors.New(apierrors.RequestTooLarge)
	}
	if err := CheckJSON(body); err != nil {
		return err
	}
	if v.policy.strict {
		if path, found := DuplicateKey(body); found {
			return apierrors.NewMessage(apierrors.InvalidJSON, path, "An object in the request body repeats a key; decoders disagree on which value counts. Send each key once.")
		}
	}
	r.index(ep, body)
	return nil
}

// CheckAll runs every rule family on r in the order of the specification
// (steps 7 to 12).
func (v *Validator) CheckAll(r *Request) *apierrors.Error {
	if err := v.Model(r); err != nil {
		return err
	}
	if err := v.Parameters(r); err != nil {
		return err
	}
	if err := v.StartWithin(r); err != nil {
		return err
	}
	if err := v.Provider(r); err != nil {
		return err
	}
	return v.TokenCap(r)
}

// begin reports whether family f still has to run on r, and marks it run.
// Once a rule has failed, no other runs: the first failure is the answer,
// and every later call returns it. A Request that Parse has not filled is a
// programmer error.
func (r *Request) begin(f family) bool {
	if r.endpoint == 0 {
		panic("flexguard/validate: rules run on a Request that Parse did not fill")
	}
	if r.err != nil || r.done&f != 0 {
		return false
	}
	r.done |= f
	return true
}

// fail records err as r's answer and returns it.
func (r *Request) fail(err *apierrors.Error) *apierrors.Error {
	r.err = err
	return err
}
