package rules

import apierrors "github.com/flexinference/flexguard/errors"

// startWithin judges missing_start_within and invalid_start_within:
// start_within, or the default when the body leaves it out or null, must
// be one of the four forms.
func (e *Engine) startWithin(r *Request) *apierrors.Error {
	raw := r.fields[fieldStartWithin]
	if !isSet(raw) {
		switch {
		case r.hasOverride && !r.override.Valid():
			// The embedder's default is broken, not the request: refuse
			// rather than route on a value outside the grammar.
			return apierrors.New(apierrors.InternalError, "",
				"The gateway's default start_within for this request is invalid. This is the gateway's fault; retry later or send start_within yourself.")
		case r.hasOverride:
			r.startWithin = r.override
		case e.defaultStart.Mode != 0:
			r.startWithin = e.defaultStart
		default:
			return apierrors.New(apierrors.MissingStartWithin, "", "")
		}
		r.defaulted = true
		return nil
	}
	s, ok := stringValue(raw)
	if !ok {
		return apierrors.New(apierrors.InvalidStartWithin, "",
			`start_within must be a string: "default", "priority", "auto" or a duration such as "00h-00m-30s".`)
	}
	sw, err := ParseStartWithin(s)
	if err != nil {
		return apierrors.New(apierrors.InvalidStartWithin, "", err.Error()+".")
	}
	r.startWithin = sw
	return nil
}
