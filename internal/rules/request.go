package rules

import (
	"unsafe"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/jsonscan"
)

// field is a top-level body field that some rule judges.
type field uint8

const (
	fieldModel field = iota
	fieldServiceTier
	fieldStartWithin

	// /v1/chat/completions parameters without a Responses equivalent, in
	// the order they are judged.
	fieldPresencePenalty
	fieldFrequencyPenalty
	fieldLogitBias
	fieldLogprobs
	fieldTopLogprobs
	fieldSeed
	fieldStop
	fieldPrediction
	fieldAudio
	fieldModalities
	fieldWebSearchOptions
	fieldN

	// /v1/messages
	fieldTopK
	fieldStopSequences
	fieldCacheControl
	fieldSystem
	fieldTools
	fieldMessages

	// /v1/interactions
	fieldGenerationConfig

	// token caps
	fieldMaxOutputTokens
	fieldMaxCompletionTokens
	fieldMaxTokens

	numFields
)

var fieldNames = [numFields]string{
	fieldModel:               "model",
	fieldServiceTier:         "service_tier",
	fieldStartWithin:         "start_within",
	fieldPresencePenalty:     "presence_penalty",
	fieldFrequencyPenalty:    "frequency_penalty",
	fieldLogitBias:           "logit_bias",
	fieldLogprobs:            "logprobs",
	fieldTopLogprobs:         "top_logprobs",
	fieldSeed:                "seed",
	fieldStop:                "stop",
	fieldPrediction:          "prediction",
	fieldAudio:               "audio",
	fieldModalities:          "modalities",
	fieldWebSearchOptions:    "web_search_options",
	fieldN:                   "n",
	fieldTopK:                "top_k",
	fieldStopSequences:       "stop_sequences",
	fieldCacheControl:        "cache_control",
	fieldSystem:              "system",
	fieldTools:               "tools",
	fieldMessages:            "messages",
	fieldGenerationConfig:    "generation_config",
	fieldMaxOutputTokens:     "max_output_tokens",
	fieldMaxCompletionTokens: "max_completion_tokens",
	fieldMaxTokens:           "max_tokens",
}

// fieldsByLength lists the fields by the length of their names, so that
// finding a key's field costs a comparison or two, and nothing for most
// keys the rules do not know: a map would hash every key of every body.
var fieldsByLength = func() (byLength [32][]field) {
	for f, name := range fieldNames {
		byLength[len(name)] = append(byLength[len(name)], field(f))
	}
	return byLength
}()

// fieldOf returns the field a top-level key names, if a rule judges it.
func fieldOf(key string) (field, bool) {
	if len(key) >= len(fieldsByLength) {
		return 0, false
	}
	for _, f := range fieldsByLength[len(key)] {
		if fieldNames[f] == key {
			return f, true
		}
	}
	return 0, false
}

// Request is one body on its way through the rules: the body, its
// top-level fields indexed in one pass, and what the rules have learned.
// Engine.Parse fills it; Engine.Judge runs the steps on it.
//
// A Request reads the body in place: the body must not change while the
// Request, or a Result taken from it, is in use.
type Request struct {
	endpoint Endpoint
	body     string
	// fields holds the raw text of each judged top-level field, "" when
	// absent. A repeated key overwrites: the LAST occurrence wins, as it
	// does for the handler's decoder.
	fields [numFields]string

	next Step             // the first step not yet judged
	err  *apierrors.Error // the first failure, the answer of every later step

	model       string
	provider    Provider
	startWithin StartWithin
	defaulted   bool

	override    StartWithin // the per-request default
	hasOverride bool
}

// SetDefaultStartWithin sets the default start_within for this request
// only (an organisation's own setting), replacing the policy's. It applies
// only when the body leaves start_within out or null.
func (r *Request) SetDefaultStartWithin(sw StartWithin) {
	r.override, r.hasOverride = sw, true
}

// StartWithinSent reports whether the body sets start_within (present and
// not null), in which case no default applies: a caller can skip the cost
// of resolving one.
func (r *Request) StartWithinSent() bool { return isSet(r.fields[fieldStartWithin]) }

// Result is what the rules learned about a request that passed.
type Result struct {
	Endpoint             Endpoint
	Model                string
	Provider             Provider
	StartWithin          StartWithin
	StartWithinDefaulted bool
}

// Result returns what the rules have learned so far. Its strings share
// memory with the body.
func (r *Request) Result() Result {
	return Result{
		Endpoint:             r.endpoint,
		Model:                r.model,
		Provider:             r.provider,
		StartWithin:          r.startWithin,
		StartWithinDefaulted: r.defaulted,
	}
}

// index records one top-level member of the body, if a rule judges it.
// jsonscan.Scan calls it with each member in document order, so a later
// repeat of a key overwrites an earlier one.
func (r *Request) index(m jsonscan.Member) {
	key := unsafeString(m.Key)
	if m.KeyEscaped {
		key = decodeKey(key)
	}
	if f, ok := fieldOf(key); ok {
		r.fields[f] = unsafeString(m.Value)
	}
}

// unsafeString views b as a string without copying. The rules only read.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
