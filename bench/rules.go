// Package bench measures flexguard against general-purpose OpenAPI and JSON
// Schema validators given the same rules. It is its own module so that the
// peers' dependencies never reach flexguard's go.mod.
package bench

import (
	"encoding/json"
	"maps"
)

// The policy-free body rules, written once as JSON Schema keywords that
// OpenAPI 3.0 shares (type, minLength, not, enum, pattern, required,
// properties, items), so that every peer gets the same rules:
//   - model is a non-empty string;
//   - start_within is one of the four forms (there is no default);
//   - service_tier, and each endpoint's unsupported parameters, are not
//     set: absent or null;
//   - on chat, n is 1 and modalities holds only "text";
//   - on messages, max_tokens is present.
//
// JSON Schema cannot say "the LAST duplicate key wins", nor the duration's
// 5 s to 600 s range: the peers check a little less than flexguard does.

// absent is "not set": any value but null fails, as flexguard judges it.
// It spells out the types because kin-openapi skips an empty "not": {}
// and would pass every value.
var absent = map[string]any{"not": map[string]any{"anyOf": []any{
	map[string]any{"type": "string"}, map[string]any{"type": "number"},
	map[string]any{"type": "boolean"}, map[string]any{"type": "object"},
	map[string]any{"type": "array", "items": map[string]any{}},
}}}

func common() map[string]any {
	return map[string]any{
		"model":        map[string]any{"type": "string", "minLength": 1},
		"service_tier": absent,
		"start_within": map[string]any{
			"type":    "string",
			"pattern": `^(default|priority|auto|[0-9]{2}h-[0-9]{2}m-[0-9]{2}s)$`,
		},
	}
}

func object(props map[string]any, required ...string) map[string]any {
	return map[string]any{"type": "object", "required": required, "properties": props}
}

// RuleSchemas returns the schema of each endpoint's body, by path.
func RuleSchemas() map[string]map[string]any {
	chat := common()
	for _, p := range []string{"presence_penalty", "frequency_penalty", "logit_bias", "logprobs",
		"top_logprobs", "seed", "stop", "prediction", "audio", "web_search_options"} {
		chat[p] = absent
	}
	chat["n"] = map[string]any{"enum": []any{1}}
	chat["modalities"] = map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": []any{"text"}}}

	messages := common()
	for _, p := range []string{"top_k", "stop_sequences", "cache_control"} {
		messages[p] = absent
	}
	messages["max_tokens"] = map[string]any{"type": "integer"}

	return map[string]map[string]any{
		"/v1/chat/completions": object(chat, "model", "start_within"),
		"/v1/messages":         object(messages, "model", "start_within", "max_tokens"),
		"/v1/responses":        object(common(), "model", "start_within"),
	}
}

// OpenAPIDocument returns an OpenAPI 3.0 document, in JSON, with one POST
// operation per endpoint whose JSON body has the endpoint's rule schema.
func OpenAPIDocument() []byte {
	paths := map[string]any{}
	for path, schema := range RuleSchemas() {
		paths[path] = map[string]any{"post": map[string]any{
			"operationId": path,
			"requestBody": map[string]any{
				"required": true,
				"content":  map[string]any{"application/json": map[string]any{"schema": schema}},
			},
			"responses": map[string]any{"200": map[string]any{"description": "accepted"}},
		}}
	}
	doc := map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "flexguard rules", "version": "1"},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}

// JSONSchema returns the rule schema of one endpoint as a JSON Schema
// (draft 2020-12) document.
func JSONSchema(path string) []byte {
	s := maps.Clone(RuleSchemas()[path])
	s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return b
}
