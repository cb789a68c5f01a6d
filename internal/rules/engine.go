package rules

import (
	"strings"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/jsonscan"
)

// Step is one step of the body rules, in the order of checks.
type Step uint8

// The steps, in order. Each assumes the ones before it passed.
const (
	StepModel       Step = iota // missing_model
	StepParameters              // service_tier_not_allowed, the endpoint's parameters
	StepStartWithin             // missing_start_within, invalid_start_within
	StepProvider                // the provider against start_within, the allow-lists
	StepTokenCap                // missing_max_tokens

	numSteps
)

// judges holds each step's rule.
var judges = [numSteps]func(e *Engine, r *Request) *apierrors.Error{
	StepModel:       (*Engine).model,
	StepParameters:  (*Engine).parameters,
	StepStartWithin: (*Engine).startWithin,
	StepProvider:    (*Engine).provider,
	StepTokenCap:    (*Engine).tokenCap,
}

// Parse checks that body fits the size limit and is one JSON object (and,
// in strict mode, that no object repeats a key), indexing its top-level
// fields into r in the same pass; on a failure r is left empty. ep must
// be a valid Endpoint.
func (e *Engine) Parse(ep Endpoint, body []byte, r *Request) *apierrors.Error {
	*r = Request{}
	if int64(len(body)) > e.maxBodyBytes {
		return apierrors.New(apierrors.RequestTooLarge, "", "")
	}
	// One pass checks the JSON and indexes the top-level members; the
	// members of a body that fails are dropped.
	r.endpoint, r.body = ep, unsafeString(body)
	if err := judgeJSON(jsonscan.Scan(body, r.index)); err != nil {
		*r = Request{}
		return err
	}
	if e.strict {
		if path, found := DuplicateKey(body); found {
			*r = Request{}
			return apierrors.New(apierrors.InvalidJSON, path, "An object in the request body repeats a key; decoders disagree on which value counts. Send each key once.")
		}
	}
	return nil
}

// Judge runs, in order, every step up to and including through that has
// not yet run on r, and returns the first failure. Once a step has failed
// no other runs, and every later call returns that failure.
func (e *Engine) Judge(r *Request, through Step) *apierrors.Error {
	for r.err == nil && r.next <= through {
		r.err = judges[r.next](e, r)
		r.next++
	}
	return r.err
}

// Check parses body as a request to ep and judges every step. The
// Result's strings are copies: body may be reused afterwards.
func (e *Engine) Check(ep Endpoint, body []byte) (Result, *apierrors.Error) {
	var r Request
	if err := e.Parse(ep, body, &r); err != nil {
		return Result{}, err
	}
	if err := e.Judge(&r, numSteps-1); err != nil {
		return Result{}, err
	}
	res := r.Result()
	res.Model = strings.Clone(res.Model)
	return res, nil
}
