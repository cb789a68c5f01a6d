package rules

import (
	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/clienttext"
)

// provider judges the model's provider against start_within: no flex
// tier on Anthropic, no auto on Gemini, and a duration only for a model on
// its provider's allow-list (by its full name, or by the name after its
// prefix's routing part: see Engine.flexCapable).
func (e *Engine) provider(r *Request) *apierrors.Error {
	switch mode := r.startWithin.Mode; {
	case mode == ModeDuration && r.provider == Anthropic:
		return apierrors.New(apierrors.FlexUnsupportedForAnthropic, "", "")
	case mode == ModeAuto && r.provider == Gemini:
		return apierrors.New(apierrors.AutoUnsupportedForGemini, "", "")
	case mode == ModeDuration && !e.flexCapable(r.model, r.provider):
		return apierrors.New(apierrors.ModelNotFlexCapable, "",
			"Model "+clienttext.Quote(r.model)+` is not on the `+r.provider.String()+` flex-capable list, so it cannot take a duration start_within. Pick a flex-capable model, or send start_within "default", "priority" or "auto".`)
	}
	return nil
}
