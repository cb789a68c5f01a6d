package validate

// Endpoint is one of the four inference endpoints flexguard guards.
type Endpoint uint8

// The endpoints. The zero Endpoint is not an endpoint.
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

// Endpoints returns every endpoint.
func Endpoints() []Endpoint {
	return []Endpoint{Responses, ChatCompletions, Interactions, Messages}
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

// Path returns the endpoint's URL path, such as "/v1/responses".
func (e Endpoint) Path() string {
	if e < Responses || e > Messages {
		return ""
	}
	return endpointPaths[e]
}

// String returns the endpoint's path.
func (e Endpoint) String() string { return e.Path() }

// TokenCapParam returns the field that caps output tokens on this endpoint,
// the param of missing_max_tokens.
func (e Endpoint) TokenCapParam() string {
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
