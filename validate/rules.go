package validate

import (
	"strconv"
	"strings"

	apierrors "github.com/flexinference/flexguard/errors"
)

// Model judges step 7: model must be a non-empty string.
func (v *Validator) Model(r *Request) *apierrors.Error {
	if !r.begin(familyModel) {
		return r.err
	}
	model, ok := stringValue(r.field(fieldModel))
	if !ok || model == "" {
		return r.fail(apierrors.New(apierrors.MissingModel))
	}
	r.model, r.provider = model, ProviderOf(model)
	return nil
}

// chatUnsupported lists, in the order they are judged, the chat parameters
// that are rejected whenever set.
var chatUnsupported = [...]field{
	fieldPresencePenalty, fieldFrequencyPenalty, fieldLogitBias, fieldLogprobs,
	fieldTopLogprobs, fieldSeed, fieldStop, fieldPrediction, fieldAudio,
}

// Parameters judges steps 8 and 9: service_tier on every endpoint, then the
// endpoint's own parameter rules.
func (v *Validator) Parameters(r *Request) *apierrors.Error {
	if !r.begin(familyParameters) {
		return r.err
	}
	if isSet(r.field(fieldServiceTier)) {
		return r.fail(apierrors.New(apierrors.ServiceTierNotAllowed))
	}
	var err *apierrors.Error
	switch r.endpoint {
	case ChatCompletions:
		err = chatParameters(r)
	case Messages:
		err = messagesParameters(r)
	case Interactions:
		err = interactionsParameters(r)
	}
	if err != nil {
		return r.fail(err)
	}
	return nil
}

func chatParameters(r *Request) *apierrors.Error {
	for _, f := range chatUnsupported {
		if isSet(r.field(f)) {
			return unsupportedParameter(fieldNames[f])
		}
	}
	if m := r.field(fieldModalities); isSet(m) && !onlyText(m) {
		return apierrors.NewMessage(apierrors.UnsupportedParameter, "modalities",
			`Only text output is supported: send "modalities": ["text"] or leave modalities out.`)
	}
	if isSet(r.field(fieldWebSearchOptions)) {
		return apierrors.NewMessage(apierrors.UnsupportedParameter, "web_search_options",
			"web_search_options is not supported here. Remove it, or call /v1/responses with a web_search tool.")
	}
	if n := r.field(fieldN); isSet(n) && !isOne(n) {
		return apierrors.New(apierrors.UnsupportedValue)
	}
	return nil
}

// onlyText reports whether the raw value is an array whose every element
// is the string "text". An empty array asks for no other modality, so it
// passes.
func onlyText(raw string) bool {
	if raw[0] != '[' {
		return false
	}
	ok := true
	forEachElement(raw, func(_ int, v string) bool {
		s, isString := stringValue(v)
		ok = isString && s == "text"
		return ok
	})
	return ok
}

// isOne reports whether the raw value is the JSON number 1 in any exact
// spelling (1, 1.0, 1e0, 10e-1). The comparison is decimal, not float64:
// 1.00000000000000000001 is not 1, as the schemas judge it too. It never
// allocates, and an absurd exponent costs nothing.
func isOne(raw string) bool {
	if raw == "1" {
		return true
	}
	if raw[0] < '0' || raw[0] > '9' {
		return false // a string, a literal, or a negative number
	}
	mantissa, exponent := raw, 0
	if i := strings.IndexAny(raw, "eE"); i >= 0 {
		mantissa = raw[:i]
		digits := raw[i+1:]
		negative := digits[0] == '-'
		if digits[0] == '-' || digits[0] == '+' {
			digits = digits[1:]
		}
		digits = strings.TrimLeft(digits, "0")
		if len(digits) > 9 {
			return false // shifts the digit 1 far beyond the units
		}
		if digits != "" {
			exponent, _ = strconv.Atoi(digits)
		}
		if negative {
			exponent = -exponent
		}
	}
	intPart, frac, _ := strings.Cut(mantissa, ".")
	one := -1 // the index of the only non-zero digit, which must be a 1
	for i := 0; i < len(intPart)+len(frac); i++ {
		d := byte('0')
		if i < len(intPart) {
			d = intPart[i]
		} else {
			d = frac[i-len(intPart)]
		}
		switch {
		case d == '0':
		case d != '1' || one >= 0:
			return false
		default:
			one = i
		}
	}
	return one >= 0 && len(intPart)-1-one+exponent == 0
}

func unsupportedParameter(param string) *apierrors.Error {
	return apierrors.NewMessage(apierrors.UnsupportedParameter, param,
		param+" is not supported on this endpoint. Remove it from the request.")
}

func messagesParameters(r *Request) *apierrors.Error {
	for _, f := range [...]field{fieldTopK, fieldStopSequences, fieldCacheControl} {
		if isSet(r.field(f)) {
			return unsupportedParameter(fieldNames[f])
		}
	}
	for _, list := range [...]field{fieldSystem, fieldTools} {
		var err *apierrors.Error
		forEachElement(r.field(list), func(i int, block string) bool {
			if isSet(member(block, "cache_control")) {
				err = unsupportedParameter(fieldNames[list] + "[" + strconv.Itoa(i) + "].cache_control")
			}
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	return contentBlocks(r.field(fieldMessages))
}

// contentBlocks walks messages[i].content[j] once: the first block with
// cache_control is the answer; failing that, the first document or file
// block with citations enabled.
func contentBlocks(messages string) *apierrors.Error {
	var cacheControl, citations string
	forEachElement(messages, func(i int, message string) bool {
		forEachElement(member(message, "content"), func(j int, block string) bool {
			var blockType, cc, cites string
			forEachMember(block, func(k, v string) bool {
				switch k {
				case "type":
					blockType = v
				case "cache_control":
					cc = v
				case "citations":
					cites = v
				}
				return true
			})
			if isSet(cc) {
				cacheControl = blockPath(i, j) + ".cache_control"
				return false
			}
			if citations == "" && citesEnabled(blockType, cites) {
				citations = blockPath(i, j) + ".citations"
			}
			return true
		})
		return cacheControl == ""
	})
	switch {
	case cacheControl != "":
		return unsupportedParameter(cacheControl)
	case citations != "":
		return apierrors.NewMessage(apierrors.UnsupportedParameter, citations,
			"Citations on document and file blocks are not supported. Remove "+citations+" or set its enabled to false.")
	}
	return nil
}

// citesEnabled reports whether a block of raw type blockType with raw
// citations asks for citations: a "document" or "file" block whose
// citations.enabled is true.
func citesEnabled(blockType, citations string) bool {
	t, _ := stringValue(blockType)
	return (t == "document" || t == "file") && member(citations, "enabled") == "true"
}

func blockPath(i, j int) string {
	return "messages[" + strconv.Itoa(i) + "].content[" + strconv.Itoa(j) + "]"
}

func interactionsParameters(r *Request) *apierrors.Error {
	config := r.field(fieldGenerationConfig)
	for _, key := range [...]string{"seed", "stop_sequences"} {
		if isSet(member(config, key)) {
			param := "generation_config." + key
			return apierrors.NewMessage(apierrors.UnsupportedGenerationConfig, param,
				param+" is not supported. Remove it from generation_config.")
		}
	}
	return nil
}

// StartWithin judges step 10: start_within, or the default when the body
// leaves it out or null, must be one of the four forms.
func (v *Validator) StartWithin(r *Request) *apierrors.Error {
	if !r.begin(familyStartWithin) {
		return r.err
	}
	raw := r.field(fieldStartWithin)
	if !isSet(raw) {
		switch {
		case r.hasOverride && !r.override.Valid():
			// The embedder's default is broken, not the request: refuse
			// rather than route on a value outside the grammar.
			return r.fail(apierrors.NewMessage(apierrors.InternalError, "",
				"The gateway's default start_within for this request is invalid. This is the gateway's fault; retry later or send start_within yourself."))
		case r.hasOverride:
			r.startWithin = r.override
		case v.policy.defaultStart.Mode != 0:
			r.startWithin = v.policy.defaultStart
		default:
			return r.fail(apierrors.New(apierrors.MissingStartWithin))
		}
		r.defaulted = true
		return nil
	}
	s, ok := stringValue(raw)
	if !ok {
		return r.fail(apierrors.NewMessage(apierrors.InvalidStartWithin, "",
			`start_within must be a string: "default", "priority", "auto" or a duration such as "00h-00m-30s".`))
	}
	sw, err := ParseStartWithin(s)
	if err != nil {
		return r.fail(apierrors.NewMessage(apierrors.InvalidStartWithin, "", err.Error()+"."))
	}
	r.startWithin = sw
	return nil
}

// Provider judges step 11, the provider against start_within: no flex
// tier on Anthropic, no auto on Gemini, and a duration only for a model on
// its provider's allow-list. It runs Model and StartWithin first if they
// have not run.
func (v *Validator) Provider(r *Request) *apierrors.Error {
	if err := v.Model(r); err != nil {
		return err
	}
	if err := v.StartWithin(r); err != nil {
		return err
	}
	if !r.begin(familyProvider) {
		return r.err
	}
	var err *apierrors.Error
	switch mode := r.startWithin.Mode; {
	case mode == ModeDuration && r.provider == Anthropic:
		err = apierrors.New(apierrors.FlexUnsupportedForAnthropic)
	case mode == ModeAuto && r.provider == Gemini:
		err = apierrors.New(apierrors.AutoUnsupportedForGemini)
	case mode == ModeDuration && !v.FlexCapable(r.model):
		err = apierrors.NewMessage(apierrors.ModelNotFlexCapable, "",
			"Model "+apierrors.Quote(r.model)+` is not on the `+r.provider.String()+` flex-capable list, so it cannot take a duration start_within. Pick a flex-capable model, or send start_within "default", "priority" or "auto".`)
	}
	if err != nil {
		return r.fail(err)
	}
	return nil
}

// TokenCap judges step 12: a claude-* request must cap its output tokens
// with the endpoint's field. It runs Model first if it has not run.
func (v *Validator) TokenCap(r *Request) *apierrors.Error {
	if err := v.Model(r); err != nil {
		return err
	}
	if !r.begin(familyTokenCap) || r.provider != Anthropic {
		return r.err
	}
	var capped bool
	switch r.endpoint {
	case Responses:
		capped = isSet(r.field(fieldMaxOutputTokens))
	case ChatCompletions: // the legacy max_tokens counts too
		capped = isSet(r.field(fieldMaxCompletionTokens)) || isSet(r.field(fieldMaxTokens))
	case Messages:
		capped = isSet(r.field(fieldMaxTokens))
	case Interactions:
		capped = isSet(member(r.field(fieldGenerationConfig), "max_output_tokens"))
	}
	if !capped {
		param := r.endpoint.TokenCapParam()
		return r.fail(apierrors.NewMessage(apierrors.MissingMaxTokens, param,
			"claude-* models need a cap on output tokens and this request has none. Set "+param+", for example to 1024."))
	}
	return nil
}
