package rules

import apierrors "github.com/flexinference/flexguard/errors"

// model judges missing_model: model must be a non-empty string.
func (e *Engine) model(r *Request) *apierrors.Error {
	model, ok := stringValue(r.fields[fieldModel])
	if !ok || model == "" {
		return apierrors.New(apierrors.MissingModel, "", "")
	}
	r.model = model
	r.provider, _ = e.prefixes.match(model)
	return nil
}
