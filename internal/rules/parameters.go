package rules

import (
	"strconv"
	"strings"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/clienttext"
)

// chatUnsupported lists, in the order they are judged, the chat parameters
// that are rejected whenever set (but for a no-op value, when the policy
// accepts those: see noOps).
var chatUnsupported = [...]field{
	fieldPresencePenalty, fieldFrequencyPenalty, fieldLogitBias, fieldLogprobs,
	fieldTopLogprobs, fieldSeed, fieldStop, fieldPrediction, fieldAudio,
}

// parameters judges service_tier_not_allowed on every endpoint, then the
// endpoint's own parameter rules.
func (e *Engine) parameters(r *Request) *apierrors.Error {
	if isSet(r.fields[fieldServiceTier]) {
		return apierrors.New(apierrors.ServiceTierNotAllowed, "", "")
	}
	switch r.endpoint {
	case ChatCompletions:
		return e.chatParameters(r)
	case Messages:
		return messagesParameters(r)
	case Interactions:
		return interactionsParameters(r)
	}
	return nil
}

func (e *Engine) chatParameters(r *Request) *apierrors.Error {
	for _, f := range chatUnsupported {
		if raw := r.fields[f]; isSet(raw) && !(e.acceptNoOp && isNoOp(f, raw)) {
			return unsupportedParameter(fieldNames[f])
		}
	}
	if m := r.fields[fieldModalities]; isSet(m) && !onlyText(m) {
		return apierrors.New(apierrors.UnsupportedParameter, "modalities",
			`Only text output is supported: send "modalities": ["text"] or leave modalities out.`)
	}
	if isSet(r.fields[fieldWebSearchOptions]) {
		return apierrors.New(apierrors.UnsupportedParameter, "web_search_options",
			"web_search_options is not supported here. Remove it, or call /v1/responses with a web_search tool.")
	}
	if n := r.fields[fieldN]; isSet(n) && !isOne(n) {
		return apierrors.New(apierrors.UnsupportedValue, "", "")
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
	return apierrors.New(apierrors.UnsupportedParameter, param,
		param+" is not supported on this endpoint. Remove it from the request.")
}

func messagesParameters(r *Request) *apierrors.Error {
	for _, f := range [...]field{fieldTopK, fieldStopSequences, fieldCacheControl} {
		if isSet(r.fields[f]) {
			return unsupportedParameter(fieldNames[f])
		}
	}
	for _, list := range [...]field{fieldSystem, fieldTools} {
		var err *apierrors.Error
		forEachElement(r.fields[list], func(i int, block string) bool {
			if isSet(member(block, "cache_control")) {
				err = unsupportedParameter(elementPath(fieldNames[list], i, "cache_control"))
			}
			return err == nil
		})
		if err != nil {
			return err
		}
	}
	return contentBlocks(r.fields[fieldMessages])
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
				cacheControl = blockPath(i, j, "cache_control")
				return false
			}
			if citations == "" && citesEnabled(blockType, cites) {
				citations = blockPath(i, j, "citations")
			}
			return true
		})
		return cacheControl == ""
	})
	switch {
	case cacheControl != "":
		return unsupportedParameter(cacheControl)
	case citations != "":
		return apierrors.New(apierrors.UnsupportedParameter, citations,
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

// elementPath renders list[i].key.
func elementPath(list string, i int, key string) string {
	var p clienttext.Path
	p.Key(list)
	p.Index(i)
	p.Key(key)
	return p.String()
}

// blockPath renders messages[i].content[j].key.
func blockPath(i, j int, key string) string {
	var p clienttext.Path
	p.Key("messages")
	p.Index(i)
	p.Key("content")
	p.Index(j)
	p.Key(key)
	return p.String()
}

func interactionsParameters(r *Request) *apierrors.Error {
	config := r.fields[fieldGenerationConfig]
	for _, key := range [...]string{"seed", "stop_sequences"} {
		if isSet(member(config, key)) {
			param := "generation_config." + key
			return apierrors.New(apierrors.UnsupportedGenerationConfig, param,
				param+" is not supported. Remove it from generation_config.")
		}
	}
	return nil
}
