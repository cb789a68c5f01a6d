package schemas_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/conformance"
	"github.com/flexinference/flexguard/schemas"
	"github.com/flexinference/flexguard/validate"
)

// diffCase is one body judged by both engines. want is the fast path's
// answer as "code" or "code param"; "" means the body passes. The twins
// that judge it are those of the zero policy unless the case names its
// own (nil).
type diffCase struct {
	name  string
	ep    validate.Endpoint
	body  string
	want  string
	twins *twins
}

// twins are a fast path and the schemas that are its declarative twin
// under the same policy.
type twins struct {
	fast   *validate.Validator
	schema *schemas.Set
}

// twinsFor returns the twins of p.
func twinsFor(p validate.Policy) *twins {
	v, err := validate.New(p)
	if err != nil {
		panic(err)
	}
	return &twins{fast: v, schema: schemas.CanonicalFor(p)}
}

// heldPolicy is the policy the corpus and the fuzz target hold the schemas
// against: a default start_within, so that a missing one never hides a
// later rule, and allow-lists that admit every model.
func heldPolicy(acceptNoOpDefaults bool) validate.Policy {
	return validate.Policy{
		DefaultStartWithin: "default",
		FlexModels:         map[string][]string{"openai": {"*"}, "gemini": {"*"}},
		AcceptNoOpDefaults: acceptNoOpDefaults,
	}
}

var (
	// catalogTwins judge as the catalog does; noOpTwins accept the no-op
	// values of refused parameters (accept_no_op_defaults).
	catalogTwins = twinsFor(heldPolicy(false))
	noOpTwins    = twinsFor(heldPolicy(true))

	// fastPath is the catalog's fast path.
	fastPath = catalogTwins.fast
)

// policyFree lists the answers a schema must reproduce exactly.
var policyFree = map[apierrors.Code]bool{
	apierrors.MissingModel:                true,
	apierrors.ServiceTierNotAllowed:       true,
	apierrors.UnsupportedParameter:        true,
	apierrors.UnsupportedGenerationConfig: true,
	apierrors.UnsupportedValue:            true,
	apierrors.InvalidStartWithin:          true,
}

// policyDependent lists the answers the schemas leave to the policy: for
// these the schema must pass.
var policyDependent = map[apierrors.Code]bool{
	apierrors.ModelNotFlexCapable:         true,
	apierrors.FlexUnsupportedForAnthropic: true,
	apierrors.AutoUnsupportedForGemini:    true,
	apierrors.MissingMaxTokens:            true,
	apierrors.MissingStartWithin:          true,
}

// answer renders an error as "code param" ("code" when param is null).
func answer(err error) string {
	if err == nil {
		return ""
	}
	var e *apierrors.Error
	if !errors.As(err, &e) {
		return "not an *apierrors.Error: " + err.Error()
	}
	if p := e.Param(); p != "" {
		return e.Code().String() + " " + p
	}
	return e.Code().String()
}

// compareEngines judges body with both of tw's engines and reports
// whether they agree under the contract: the same code and param for a
// policy-free answer, a pass from the schema for a pass or a
// policy-dependent answer. Other answers (invalid_json, invalid_body,
// request_too_large) are not the schemas' to give and are not judged.
func compareEngines(tw *twins, ep validate.Endpoint, body []byte) (fast, schema string, agree, judged bool) {
	_, fastErr := tw.fast.Check(ep, body)
	switch {
	case fastErr == nil || policyDependent[apierrors.CodeOf(fastErr)]:
		schemaErr := tw.schema.Check(ep, body)
		return answer(fastErr), answer(schemaErr), schemaErr == nil, true
	case policyFree[apierrors.CodeOf(fastErr)]:
		schemaErr := tw.schema.Check(ep, body)
		return answer(fastErr), answer(schemaErr), answer(fastErr) == answer(schemaErr), true
	default:
		return answer(fastErr), "", true, false
	}
}

func TestSchemasAgreeWithTheFastPath(t *testing.T) {
	t.Parallel()
	for _, tc := range differentialCorpus() {
		t.Run(tc.ep.String()+": "+tc.name, func(t *testing.T) {
			t.Parallel()
			_, fastErr := tc.twins.fast.Check(tc.ep, []byte(tc.body))
			require.Equal(t, tc.want, answer(fastErr), "the fast path's answer; body %s", tc.body)
			fast, schema, agree, judged := compareEngines(tc.twins, tc.ep, []byte(tc.body))
			require.True(t, judged, "a corpus case must have a policy-free or passing answer")
			assert.True(t, agree, "fast path %q, schema %q; body %s", fast, schema, tc.body)
		})
	}
}

// TestSchemasAgreeOnTheSharedCorpus runs the shared conformance cases
// through both engines, each under the case's own policy. They carry their
// own expectations, checked elsewhere; here agreement counts, and cases
// that are not the schemas' to judge (transport, invalid_json) are skipped.
func TestSchemasAgreeOnTheSharedCorpus(t *testing.T) {
	t.Parallel()
	for _, tc := range sharedCorpus(t) {
		t.Run(tc.ep.String()+": "+tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.want != "-" {
				assert.Equal(t, tc.want, answer(tc.twins.schema.Check(tc.ep, []byte(tc.body))), "the case's own answer")
			}
			fast, schema, agree, judged := compareEngines(tc.twins, tc.ep, []byte(tc.body))
			if !judged {
				t.Skipf("the fast path answers %s, which is not the schemas' to give", fast)
			}
			assert.True(t, agree, "fast path %q, schema %q; body %s", fast, schema, tc.body)
		})
	}
}

// sharedCorpus returns the repository's conformance cases that the body
// alone decides, as endpoint, body and the twins of the case's policy. Its
// want is the case's own answer when the schemas can give it: no strict
// mode, and a policy-free code or a pass; otherwise want is "-" and only
// agreement counts.
func sharedCorpus(t *testing.T) []diffCase {
	t.Helper()
	cases, err := conformance.Load(conformance.Dir())
	require.NoError(t, err)
	var out []diffCase
	for _, c := range cases {
		ep, known := validate.EndpointOf(c.Path())
		if !known || c.UsesTransport() || c.UsesOrgHooks() {
			continue
		}
		var p validate.Policy
		if c.Policy != "" {
			p, err = validate.LoadPolicy(strings.NewReader(c.Policy))
			require.NoError(t, err, c.String())
		}
		want := "-"
		if !c.Strict && (c.WantStatus == 200 || policyFree[apierrors.Code(c.WantCode)]) {
			want = strings.TrimSpace(c.WantCode + " " + c.WantParam)
		}
		out = append(out, diffCase{name: c.String(), ep: ep, body: string(c.Body), want: want, twins: twinsFor(p)})
	}
	require.NotEmpty(t, out)
	return out
}

// tokenCapParam is the param of missing_max_tokens on each endpoint.
var tokenCapParam = map[validate.Endpoint]string{
	validate.Responses:       "max_output_tokens",
	validate.ChatCompletions: "max_completion_tokens",
	validate.Interactions:    "generation_config.max_output_tokens",
	validate.Messages:        "max_tokens",
}

// differentialCorpus returns every case of the differential test. Extend it
// by appending: a case names its endpoint, its body, and the fast path's
// answer.
func differentialCorpus() []diffCase {
	var cases []diffCase
	add := func(ep validate.Endpoint, name, body, want string) {
		cases = append(cases, diffCase{name: name, ep: ep, body: body, want: want, twins: catalogTwins})
	}
	addNoOp := func(ep validate.Endpoint, name, body, want string) {
		cases = append(cases, diffCase{name: "accepting no-op values, " + name, ep: ep, body: body, want: want, twins: noOpTwins})
	}
	chat, msgs, inter, resp := validate.ChatCompletions, validate.Messages, validate.Interactions, validate.Responses

	// missing_model and service_tier_not_allowed on every endpoint.
	for _, ep := range validate.Endpoints() {
		add(ep, "a bare model passes", `{"model":"gpt-5.5"}`, "")
		add(ep, "an absent model is missing", `{}`, "missing_model model")
		add(ep, "a null model is missing", `{"model":null}`, "missing_model model")
		add(ep, "an empty model is missing", `{"model":""}`, "missing_model model")
		add(ep, "a numeric model is missing", `{"model":5}`, "missing_model model")
		add(ep, "an object model is missing", `{"model":{"name":"gpt-5.5"}}`, "missing_model model")
		add(ep, "an array model is missing", `{"model":["gpt-5.5"]}`, "missing_model model")
		add(ep, "a boolean model is missing", `{"model":false}`, "missing_model model")
		add(ep, "a model of one space passes", `{"model":" "}`, "")
		add(ep, "an escaped model key counts as model", `{"mod\u0065l":"gpt-5.5"}`, "")
		add(ep, "a model key in another case is not model", `{"Model":"gpt-5.5"}`, "missing_model model")
		add(ep, "the last of repeated models wins when it is empty", `{"model":"gpt-5.5","model":""}`, "missing_model model")
		add(ep, "the last of repeated models wins when it is valid", `{"model":"","model":"gpt-5.5"}`, "")
		add(ep, "a missing model comes before a service_tier", `{"service_tier":"flex"}`, "missing_model model")
		add(ep, "a service_tier string is not allowed", `{"model":"gpt-5.5","service_tier":"flex"}`, "service_tier_not_allowed service_tier")
		add(ep, "a service_tier of auto is not allowed", `{"model":"gpt-5.5","service_tier":"auto"}`, "service_tier_not_allowed service_tier")
		add(ep, "a service_tier object is not allowed", `{"model":"gpt-5.5","service_tier":{}}`, "service_tier_not_allowed service_tier")
		add(ep, "a service_tier of false is set", `{"model":"gpt-5.5","service_tier":false}`, "service_tier_not_allowed service_tier")
		add(ep, "a null service_tier passes", `{"model":"gpt-5.5","service_tier":null}`, "")
		add(ep, "a null service_tier after a set one passes", `{"model":"gpt-5.5","service_tier":"flex","service_tier":null}`, "")
		add(ep, "a set service_tier after a null one fails", `{"model":"gpt-5.5","service_tier":null,"service_tier":"flex"}`, "service_tier_not_allowed service_tier")
		add(ep, "a service_tier comes before a bad start_within", `{"model":"gpt-5.5","service_tier":"x","start_within":"soon"}`, "service_tier_not_allowed service_tier")
		add(ep, "a nested service_tier is not the top-level one", `{"model":"gpt-5.5","metadata":{"service_tier":"flex"}}`, "")

		// start_within, the policy-free half.
		for _, sw := range []string{"default", "priority", "auto", "00h-00m-05s", "00h-00m-30s", "00h-00m-59s", "00h-01m-00s", "00h-05m-30s", "00h-09m-59s", "00h-10m-00s"} {
			add(ep, "start_within "+sw+" passes", `{"model":"gpt-5.5","start_within":"`+sw+`"}`, "")
		}
		for _, sw := range []string{"00h-00m-04s", "00h-00m-00s", "00h-10m-01s", "00h-11m-00s", "01h-00m-00s", "0h-0m-30s", "00h-00m-60s", "00h-00m-5s", "00h-60m-00s",
			" default", "Default", "default ", "DEFAULT", "", "00h-00m-30", "00h00m30s", "00h-00m-30s\n", "00H-00M-30S", "flex", "99h-99m-99s", "00h-00m-3٠s"} {
			add(ep, "start_within "+strings.TrimSpace(sw)+"(quoted "+jsonString(sw)+") is invalid", `{"model":"gpt-5.5","start_within":`+jsonString(sw)+`}`, "invalid_start_within start_within")
		}
		add(ep, "a numeric start_within is invalid", `{"model":"gpt-5.5","start_within":30}`, "invalid_start_within start_within")
		add(ep, "an object start_within is invalid", `{"model":"gpt-5.5","start_within":{}}`, "invalid_start_within start_within")
		add(ep, "a boolean start_within is invalid", `{"model":"gpt-5.5","start_within":true}`, "invalid_start_within start_within")
		add(ep, "a null start_within leaves it to the default", `{"model":"gpt-5.5","start_within":null}`, "")
		add(ep, "an escaped start_within is judged decoded", `{"model":"gpt-5.5","start_within":"\u0061uto"}`, "")
		add(ep, "the last of repeated start_within wins", `{"model":"gpt-5.5","start_within":"x","start_within":"auto"}`, "")
		add(ep, "a bad last start_within fails", `{"model":"gpt-5.5","start_within":"auto","start_within":"x"}`, "invalid_start_within start_within")

		// Policy-dependent answers: the schema passes.
		add(ep, "a duration on a claude model is the policy's call", `{"model":"claude-opus-4","start_within":"00h-00m-30s","max_tokens":1,"max_output_tokens":1,"max_completion_tokens":1,"generation_config":{"max_output_tokens":1}}`, "flex_unsupported_for_anthropic start_within")
		add(ep, "auto on a gemini model is the policy's call", `{"model":"gemini-3-pro","start_within":"auto"}`, "auto_unsupported_for_gemini start_within")
		add(ep, "a claude model without a token cap is the policy's call", `{"model":"claude-opus-4"}`, "missing_max_tokens "+tokenCapParam[ep])
	}

	add(chat, "nesting of 10,000 levels, the body included, passes", `{"model":"gpt-5.5","x":`+strings.Repeat("[", 9999)+strings.Repeat("]", 9999)+`}`, "")
	add(chat, "a rule still applies beside deep nesting", `{"model":"gpt-5.5","x":`+strings.Repeat("[", 9999)+strings.Repeat("]", 9999)+`,"seed":1}`, "unsupported_parameter seed")

	// The responses endpoint has no parameter rules of its own.
	add(resp, "chat-only parameters pass on responses", `{"model":"gpt-5.5","seed":1,"n":3,"top_k":2,"cache_control":{},"generation_config":{"seed":1}}`, "")

	// Chat completions: each unsupported parameter, in the order judged.
	chatParams := []string{"presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "seed", "stop", "prediction", "audio"}
	for i, p := range chatParams {
		add(chat, p+" set to a number is unsupported", `{"model":"gpt-5.5","`+p+`":1}`, "unsupported_parameter "+p)
		add(chat, p+" set to false is unsupported", `{"model":"gpt-5.5","`+p+`":false}`, "unsupported_parameter "+p)
		add(chat, p+" set to an empty object is unsupported", `{"model":"gpt-5.5","`+p+`":{}}`, "unsupported_parameter "+p)
		add(chat, p+" set to null passes", `{"model":"gpt-5.5","`+p+`":null}`, "")
		add(chat, p+" set on other endpoints passes", `{"model":"gpt-5.5","`+p+`":1}`, "")
		cases[len(cases)-1].ep = msgs
		if i+1 < len(chatParams) {
			next := chatParams[i+1]
			add(chat, p+" is judged before "+next+" written first", `{"model":"gpt-5.5","`+next+`":1,"`+p+`":1}`, "unsupported_parameter "+p)
		}
		add(chat, p+" comes after service_tier", `{"model":"gpt-5.5","`+p+`":1,"service_tier":"flex"}`, "service_tier_not_allowed service_tier")
		add(chat, p+" comes before a bad start_within", `{"model":"gpt-5.5","`+p+`":1,"start_within":"soon"}`, "unsupported_parameter "+p)
	}
	add(chat, "all of them at once answer with the first", `{"model":"gpt-5.5","web_search_options":{},"n":2,"audio":{},"stop":"x","presence_penalty":0}`, "unsupported_parameter presence_penalty")
	add(chat, "modalities of text passes", `{"model":"gpt-5.5","modalities":["text"]}`, "")
	add(chat, "modalities of text twice passes", `{"model":"gpt-5.5","modalities":["text","text"]}`, "")
	add(chat, "empty modalities pass", `{"model":"gpt-5.5","modalities":[]}`, "")
	add(chat, "null modalities pass", `{"model":"gpt-5.5","modalities":null}`, "")
	add(chat, "modalities with audio are unsupported", `{"model":"gpt-5.5","modalities":["text","audio"]}`, "unsupported_parameter modalities")
	add(chat, "modalities of audio alone are unsupported", `{"model":"gpt-5.5","modalities":["audio"]}`, "unsupported_parameter modalities")
	add(chat, "modalities as the bare string text are unsupported", `{"model":"gpt-5.5","modalities":"text"}`, "unsupported_parameter modalities")
	add(chat, "modalities holding null are unsupported", `{"model":"gpt-5.5","modalities":[null]}`, "unsupported_parameter modalities")
	add(chat, "modalities holding Text are unsupported", `{"model":"gpt-5.5","modalities":["Text"]}`, "unsupported_parameter modalities")
	add(chat, "modalities as an object are unsupported", `{"model":"gpt-5.5","modalities":{"0":"text"}}`, "unsupported_parameter modalities")
	add(chat, "modalities come after audio", `{"model":"gpt-5.5","modalities":["audio"],"audio":{}}`, "unsupported_parameter audio")
	add(chat, "web_search_options are unsupported", `{"model":"gpt-5.5","web_search_options":{}}`, "unsupported_parameter web_search_options")
	add(chat, "web_search_options come after modalities", `{"model":"gpt-5.5","web_search_options":{},"modalities":["audio"]}`, "unsupported_parameter modalities")
	add(chat, "null web_search_options pass", `{"model":"gpt-5.5","web_search_options":null}`, "")
	for _, n := range []string{"1", "1.0", "1e0", "1E0", "1.000", "10e-1", "0.1e1", "null", "1e+0", "1.000000000000000000000000000000000000000000000000000", "0.0000000000000000000000000000000000000000000001e46", "1e-0000000000000000000000000"} {
		add(chat, "n "+n+" passes", `{"model":"gpt-5.5","n":`+n+`}`, "")
	}
	for _, n := range []string{"2", "0", "-1", "1.5", `"1"`, "true", "[1]", "{}", "1e400", "0.99", "-1e0", "100e-1",
		"1.00000000000000000001", "0.99999999999999999999", "1e9999999", "1e1000000", "-1e-9999999", "-0", "0e9999999",
		"1.0000000000000000000000000000000000000000000000001", "11e-1"} {
		add(chat, "n "+n+" is unsupported", `{"model":"gpt-5.5","n":`+n+`}`, "unsupported_value n")
	}
	add(chat, "n comes after web_search_options", `{"model":"gpt-5.5","n":2,"web_search_options":{}}`, "unsupported_parameter web_search_options")
	add(chat, "n comes before a bad start_within", `{"model":"gpt-5.5","n":2,"start_within":"x"}`, "unsupported_value n")
	add(chat, "the last of repeated n wins", `{"model":"gpt-5.5","n":2,"n":1}`, "")
	add(chat, "a realistic chat body passes", realisticChat, "")

	// Messages.
	add(msgs, "top_k is unsupported", `{"model":"claude-x","max_tokens":1,"top_k":5}`, "unsupported_parameter top_k")
	add(msgs, "stop_sequences are unsupported", `{"model":"claude-x","max_tokens":1,"stop_sequences":["x"]}`, "unsupported_parameter stop_sequences")
	add(msgs, "stop_sequences come after top_k", `{"model":"claude-x","max_tokens":1,"stop_sequences":[],"top_k":5}`, "unsupported_parameter top_k")
	add(msgs, "a null top_k passes", `{"model":"claude-x","max_tokens":1,"top_k":null}`, "")
	add(msgs, "a top-level cache_control is unsupported", `{"model":"claude-x","max_tokens":1,"cache_control":{"type":"ephemeral"}}`, "unsupported_parameter cache_control")
	add(msgs, "a top-level cache_control comes after stop_sequences", `{"model":"claude-x","max_tokens":1,"cache_control":{},"stop_sequences":[]}`, "unsupported_parameter stop_sequences")
	add(msgs, "a cache_control in system is unsupported", `{"model":"claude-x","max_tokens":1,"system":[{"type":"text","text":"a"},{"type":"text","text":"b","cache_control":{"type":"ephemeral"}}]}`, "unsupported_parameter system[1].cache_control")
	add(msgs, "a null cache_control in system passes", `{"model":"claude-x","max_tokens":1,"system":[{"type":"text","text":"a","cache_control":null}]}`, "")
	add(msgs, "a system string has no blocks", `{"model":"claude-x","max_tokens":1,"system":"be brief"}`, "")
	add(msgs, "a system object is not a list of blocks", `{"model":"claude-x","max_tokens":1,"system":{"cache_control":{}}}`, "")
	add(msgs, "the lowest system index wins", `{"model":"claude-x","max_tokens":1,"system":[{},{},{"cache_control":1},{},{},{},{},{},{},{},{"cache_control":1}]}`, "unsupported_parameter system[2].cache_control")
	add(msgs, "a top-level cache_control comes before one in system", `{"model":"claude-x","max_tokens":1,"system":[{"cache_control":{}}],"cache_control":{}}`, "unsupported_parameter cache_control")
	add(msgs, "a cache_control in tools is unsupported", `{"model":"claude-x","max_tokens":1,"tools":[{"name":"t","cache_control":{"type":"ephemeral"}}]}`, "unsupported_parameter tools[0].cache_control")
	add(msgs, "system is judged before tools", `{"model":"claude-x","max_tokens":1,"tools":[{"cache_control":{}}],"system":[{},{"cache_control":{}}]}`, "unsupported_parameter system[1].cache_control")
	add(msgs, "a cache_control in a content block is unsupported", `{"model":"claude-x","max_tokens":1,"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":[{"type":"text","text":"a","cache_control":{"type":"ephemeral"}}]}]}`, "unsupported_parameter messages[1].content[0].cache_control")
	add(msgs, "tools are judged before content blocks", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{"cache_control":{}}]}],"tools":[{"cache_control":{}}]}`, "unsupported_parameter tools[0].cache_control")
	add(msgs, "the lowest message index wins, then the lowest block", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{},{}]},{"content":[{},{},{"cache_control":{}},{"cache_control":{}}]},{"content":[{"cache_control":{}}]}]}`, "unsupported_parameter messages[1].content[2].cache_control")
	add(msgs, "a cache_control on a message, not a block, is not looked for", `{"model":"claude-x","max_tokens":1,"messages":[{"role":"user","content":"hi","cache_control":{}}]}`, "")
	add(msgs, "a cache_control nested in a tool_result is not looked for", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{"type":"tool_result","content":[{"type":"text","cache_control":{}}]}]}]}`, "")
	add(msgs, "a repeated cache_control ending in null passes", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{"cache_control":{},"cache_control":null}]}]}`, "")
	add(msgs, "a repeated content ending in blocks is judged", `{"model":"claude-x","max_tokens":1,"messages":[{"content":"hi","content":[{"cache_control":{}}]}]}`, "unsupported_parameter messages[0].content[0].cache_control")
	add(msgs, "citations on a document block are unsupported", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{"type":"text"},{"type":"document","source":{},"citations":{"enabled":true}}]}]}`, "unsupported_parameter messages[0].content[1].citations")
	add(msgs, "citations on a file block are unsupported", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{"type":"file","citations":{"enabled":true}}]}]}`, "unsupported_parameter messages[0].content[0].citations")
	add(msgs, "citations disabled pass", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{"type":"document","citations":{"enabled":false}}]}]}`, "")
	add(msgs, "citations enabled as a string pass", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{"type":"document","citations":{"enabled":"true"}}]}]}`, "")
	add(msgs, "citations of true itself pass", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{"type":"document","citations":true}]}]}`, "")
	add(msgs, "citations on a text block pass", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{"type":"text","citations":{"enabled":true}}]}]}`, "")
	add(msgs, "citations on a block without type pass", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{"citations":{"enabled":true}}]}]}`, "")
	add(msgs, "citations on a Document block pass", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{"type":"Document","citations":{"enabled":true}}]}]}`, "")
	add(msgs, "repeated enabled ending in false passes", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{"type":"document","citations":{"enabled":true,"enabled":false}}]}]}`, "")
	add(msgs, "repeated type ending in document is judged", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{"type":"text","type":"document","citations":{"enabled":true}}]}]}`, "unsupported_parameter messages[0].content[0].citations")
	add(msgs, "a cache_control in a later block comes before earlier citations", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{"type":"document","citations":{"enabled":true}}]},{"content":[{"cache_control":{}}]}]}`, "unsupported_parameter messages[1].content[0].cache_control")
	add(msgs, "the first citations win", `{"model":"claude-x","max_tokens":1,"messages":[{"content":[{},{"type":"file","citations":{"enabled":true}}]},{"content":[{"type":"document","citations":{"enabled":true}}]}]}`, "unsupported_parameter messages[0].content[1].citations")
	add(msgs, "citations come before a bad start_within", `{"model":"claude-x","max_tokens":1,"start_within":"x","messages":[{"content":[{"type":"file","citations":{"enabled":true}}]}]}`, "unsupported_parameter messages[0].content[0].citations")
	add(msgs, "a key named cache_control inside an index-like object is not a block", `{"model":"claude-x","max_tokens":1,"messages":{"0":{"content":[{"cache_control":{}}]}}}`, "")
	add(msgs, "a realistic messages body passes", realisticMessages, "")

	// Interactions.
	add(inter, "generation_config.seed is unsupported", `{"model":"gemini-3-pro","generation_config":{"seed":1}}`, "unsupported_generation_config generation_config.seed")
	add(inter, "generation_config.stop_sequences are unsupported", `{"model":"gemini-3-pro","generation_config":{"stop_sequences":["x"]}}`, "unsupported_generation_config generation_config.stop_sequences")
	add(inter, "seed is judged before stop_sequences", `{"model":"gemini-3-pro","generation_config":{"stop_sequences":["x"],"seed":1}}`, "unsupported_generation_config generation_config.seed")
	add(inter, "null generation_config fields pass", `{"model":"gemini-3-pro","generation_config":{"seed":null,"stop_sequences":null,"temperature":1}}`, "")
	add(inter, "a top-level seed passes on interactions", `{"model":"gemini-3-pro","seed":1}`, "")
	add(inter, "a generation_config that is not an object has no fields", `{"model":"gemini-3-pro","generation_config":[{"seed":1}]}`, "")
	add(inter, "the last repeated generation_config wins", `{"model":"gemini-3-pro","generation_config":{"seed":1},"generation_config":{}}`, "")
	add(inter, "generation_config comes before a bad start_within", `{"model":"gemini-3-pro","start_within":"x","generation_config":{"seed":1}}`, "unsupported_generation_config generation_config.seed")
	add(inter, "a realistic interactions body passes", `{"model":"gemini-3-flash","input":"Summarise this.","start_within":"00h-02m-00s","generation_config":{"temperature":0.2,"max_output_tokens":512}}`, "")

	// accept_no_op_defaults: each no-op value in its spellings, and every
	// other value of the same parameter, and every parameter without one.
	noOps := map[string][]string{
		"presence_penalty":  {"0", "-0", "0.0", "0e0", "0E+5", "-0.000e-3", "0e9999999", "0.000000000000000000000000000000000000000000000000000"},
		"frequency_penalty": {"0", "-0.0"},
		"logit_bias":        {"{}", "{ }"},
		"logprobs":          {"false"},
		"top_logprobs":      {"0", "0.0", "-0"},
	}
	for _, p := range chatParams {
		for _, v := range noOps[p] {
			addNoOp(chat, p+" "+v+" passes", `{"model":"gpt-5.5","`+p+`":`+v+`}`, "")
			add(chat, p+" "+v+" is set", `{"model":"gpt-5.5","`+p+`":`+v+`}`, "unsupported_parameter "+p)
		}
		for _, v := range []string{"1", "0.5", "-1e-400", "1e-9999999", `"0"`, "true", "[]", "[0]", "{}", `{"50256":-100}`, `{"0":0}`, `""`, "false", "0"} {
			if !slices.Contains(noOps[p], v) {
				addNoOp(chat, p+" "+v+" is still unsupported", `{"model":"gpt-5.5","`+p+`":`+v+`}`, "unsupported_parameter "+p)
			}
		}
		addNoOp(chat, p+" null passes", `{"model":"gpt-5.5","`+p+`":null}`, "")
	}
	addNoOp(chat, "a playground export passes", `{"model":"gpt-5.5","temperature":1,"top_p":1,"n":1,"presence_penalty":0,"frequency_penalty":0,"logit_bias":{},"logprobs":false,"top_logprobs":0,"stop":null}`, "")
	addNoOp(chat, "a no-op value does not hide a later parameter", `{"model":"gpt-5.5","presence_penalty":0,"seed":0}`, "unsupported_parameter seed")
	addNoOp(chat, "logprobs true is judged before top_logprobs 0", `{"model":"gpt-5.5","top_logprobs":0,"logprobs":true}`, "unsupported_parameter logprobs")
	addNoOp(chat, "the last of repeated penalties is judged", `{"model":"gpt-5.5","presence_penalty":0,"presence_penalty":1}`, "unsupported_parameter presence_penalty")
	addNoOp(chat, "a repeated key inside logit_bias is an entry", `{"model":"gpt-5.5","logit_bias":{"1":0,"1":null}}`, "unsupported_parameter logit_bias")
	addNoOp(chat, "n is still judged by value", `{"model":"gpt-5.5","presence_penalty":0,"n":0}`, "unsupported_value n")
	addNoOp(chat, "an empty stop list is still unsupported", `{"model":"gpt-5.5","stop":[]}`, "unsupported_parameter stop")
	addNoOp(chat, "an empty web_search_options is still unsupported", `{"model":"gpt-5.5","web_search_options":{}}`, "unsupported_parameter web_search_options")
	addNoOp(msgs, "top_k 0 is still unsupported", `{"model":"claude-x","max_tokens":1,"top_k":0}`, "unsupported_parameter top_k")
	addNoOp(msgs, "an empty stop_sequences is still unsupported", `{"model":"claude-x","max_tokens":1,"stop_sequences":[]}`, "unsupported_parameter stop_sequences")
	addNoOp(msgs, "an empty cache_control is still unsupported", `{"model":"claude-x","max_tokens":1,"cache_control":{}}`, "unsupported_parameter cache_control")
	addNoOp(inter, "generation_config.seed 0 is still unsupported", `{"model":"gemini-3-pro","generation_config":{"seed":0}}`, "unsupported_generation_config generation_config.seed")
	addNoOp(inter, "an empty generation_config.stop_sequences is still unsupported", `{"model":"gemini-3-pro","generation_config":{"stop_sequences":[]}}`, "unsupported_generation_config generation_config.stop_sequences")
	addNoOp(msgs, "chat parameters pass on messages whatever their value", `{"model":"claude-x","max_tokens":1,"presence_penalty":1}`, "")
	return cases
}

func jsonString(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, `\n`...)
		default:
			b = append(b, string(r)...)
		}
	}
	return string(append(b, '"'))
}

const realisticChat = `{
  "model": "gpt-5.5",
  "start_within": "00h-01m-30s",
  "messages": [
    {"role": "system", "content": "You are a concise assistant."},
    {"role": "user", "content": [{"type": "text", "text": "Summarise the attached notes."}]}
  ],
  "temperature": 0.3,
  "max_completion_tokens": 800,
  "n": 1,
  "modalities": ["text"],
  "service_tier": null,
  "seed": null,
  "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
}`

const realisticMessages = `{
  "model": "claude-sonnet-4",
  "max_tokens": 1024,
  "start_within": "priority",
  "system": [{"type": "text", "text": "Answer in French."}],
  "tools": [{"name": "search", "input_schema": {"type": "object"}}],
  "messages": [
    {"role": "user", "content": [
      {"type": "text", "text": "Lis ce document."},
      {"type": "document", "source": {"type": "text", "data": "..."}, "citations": {"enabled": false}}
    ]},
    {"role": "assistant", "content": "D'accord."}
  ]
}`
