package rules

import apierrors "github.com/flexinference/flexguard/errors"

// tokenCap judges missing_max_tokens: a claude-* request must cap its
// output tokens with the endpoint's field.
func (e *Engine) tokenCap(r *Request) *apierrors.Error {
	if r.provider != Anthropic {
		return nil
	}
	var capped bool
	switch r.endpoint {
	case Responses:
		capped = isSet(r.fields[fieldMaxOutputTokens])
	case ChatCompletions: // the legacy max_tokens counts too
		capped = isSet(r.fields[fieldMaxCompletionTokens]) || isSet(r.fields[fieldMaxTokens])
	case Messages:
		capped = isSet(r.fields[fieldMaxTokens])
	case Interactions:
		capped = isSet(member(r.fields[fieldGenerationConfig], "max_output_tokens"))
	}
	if capped {
		return nil
	}
	param := r.endpoint.tokenCapParam()
	return apierrors.New(apierrors.MissingMaxTokens, param,
		"claude-* models need a cap on output tokens and this request has none. Set "+param+", for example to 1024.")
}
