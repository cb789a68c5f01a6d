package rules

// Endpoint is one of the four inference endpoints. The zero Endpoint is
// not an endpoint.
type Endpoint uint8

// The endpoints, numbered as validate numbers them.
const (
	Responses Endpoint = iota + 1
	ChatCompletions
	Interactions
	Messages
)

var endpointPaths = [...]string{
	Responses:       "/v1/responses",
	ChatCompletions: "/v1/chat/completions",
	Interactions:    "/v1/interactions",
	Messages:        "/v1/messages",
}

// EndpointOf returns the endpoint served at path. Only the exact paths
// match: "/v1/responses/" (a trailing slash) and "/V1/responses" do not.
func EndpointOf(path string) (Endpoint, bool) {
	for e := Responses; e <= Messages; e++ {
		if endpointPaths[e] == path {
			return e, true
		}
	}
	return 0, false
}

// Valid reports whether e is one of the four endpoints.
func (e Endpoint) Valid() bool { return e >= Responses && e <= Messages }

// Path returns the endpoint's URL path, such as "/v1/responses", or ""
// for a value that is not an endpoint.
func (e Endpoint) Path() string {
	if !e.Valid() {
		return ""
	}
	return endpointPaths[e]
}

// tokenCapParam returns the field that caps output tokens on this
// endpoint, the param of missing_max_tokens.
func (e Endpoint) tokenCapParam() string {
	switch e {
	case Responses:
		return "max_output_tokens"
	case ChatCompletions:
		return "max_completion_tokens"
	case Interactions:
		return "generation_config.max_output_tokens"
	default:
		return "max_tokens"
	}
}
