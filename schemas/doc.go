// Package schemas holds flexguard's body rules as JSON Schema documents
// (draft 2020-12), one per endpoint, embedded in the package and compiled
// once with github.com/santhosh-tekuri/jsonschema/v5. They are the
// declarative twin of the validate package's fast path: the same
// policy-free rules (model, service_tier, the endpoint's parameters and
// the shape of start_within), readable in responses.json,
// chat_completions.json, interactions.json and messages.json. A test holds
// both engines to the same code and param on every case of its corpus,
// and a fuzz target looks for bodies where they part.
//
// # Rules and codes
//
// A rule is a schema that carries "x-flexguard-code": the error code its
// failures are answered with. A failing keyword takes the code of the
// nearest rule around it. The param is the failing field's path, as the
// error body writes paths (messages[1].content[0].cache_control), cut to
// 256 bytes with each key cut to 64 however long the client made it,
// unless the
// rule fixes one with "x-flexguard-param" (missing_model fails on the
// body, which has no path of its own, so it names "model").
//
// When several rules fail, the first in the order of judgement is the
// answer: rules are ordered by their place in the file (the canonical
// schemas list them as the entries of one allOf, in the order of checks
// of package validate), and failures of one rule by the failing field (lowest index
// first, indexes compared as numbers).
//
// # What the schemas leave to the policy
//
// A missing start_within, the provider checks (flex on Anthropic models,
// auto on Gemini models, the flex allow-lists) and the token cap depend on
// the policy and are judged by the validate package only; so does the
// provider of a model, which the policy's provider_prefixes can change. The
// schemas pass a body that fails only those.
//
// One policy key changes a rule the schemas judge: accept_no_op_defaults
// lets the no-op values of refused chat parameters through (the table is in
// package validate). The schemas hold those values too, each as an anyOf
// branch that carries "x-flexguard-policy": "accept_no_op_defaults" (see
// KeywordPolicy), which holds only under a policy that turns the option on:
//
//	"presence_penalty": {"anyOf": [{"type": "null"},
//	    {"x-flexguard-policy": "accept_no_op_defaults", "const": 0}]}
//
// [Canonical] judges with every option off, as the catalog does;
// [CanonicalFor] judges as its policy says, and is the twin of
// validate.New with the same policy. A test and a fuzz target hold the two
// to the same answers under both settings.
//
// # Embedders' own rules
//
// [Compile] compiles an embedder's schema files with codes of its own, and
// middleware.Options.Schemas runs them after the catalog's rules:
//
//	{"properties": {"temperature": {"maximum": 1,
//	    "x-flexguard-code": "temperature_too_high", "x-flexguard-status": 422}}}
//
// A code outside the catalog becomes an [apierrors.CustomCode] (status
// from "x-flexguard-status", default 400; type from "x-flexguard-type",
// default invalid_request_error; message from "x-flexguard-message"),
// which apierrors.Write renders like a catalog code. A catalog code keeps
// the catalog's status and type. A failure under no rule is answered as
// invalid_body naming the field.
//
// # Decoding
//
// Bodies are decoded with encoding/json, so a repeated key keeps its last
// value, as the fast path and the handler do, and with UseNumber, so that
// numbers compare exactly (n: 1.0 is 1; 1.00000000000000000001 is not).
// jsonschema/v5 compares numbers with math/big, where an exponent such as
// 1e9999999 panics and 1e1000000 costs milliseconds; such numbers are
// rewritten before validation to short ones that compare the same way with
// any schema constant of up to 34 digits.
package schemas
