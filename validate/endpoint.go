package validate

import "github.com/flexinference/flexguard/internal/rules"

// Endpoint is one of the four inference endpoints flexguard guards. The
// zero Endpoint is not an endpoint.
type Endpoint uint8

// The endpoints.
const (
	Responses       Endpoint = iota + 1 // /v1/responses
	ChatCompletions                     // /v1/chat/completions
	Interactions                        // /v1/interactions
	Messages                            // /v1/messages
)

// Endpoints returns every endpoint.
func Endpoints() []Endpoint {
	return []Endpoint{Responses, ChatCompletions, Interactions, Messages}
}

// EndpointOf returns the endpoint served at path. Only the exact paths
// match: "/v1/responses/" (a trailing slash) and "/V1/responses" do not.
func EndpointOf(path string) (Endpoint, bool) {
	ep, ok := rules.EndpointOf(path)
	return Endpoint(ep), ok
}

// String returns the endpoint's URL path, such as "/v1/responses", or ""
// for a value that is not an endpoint.
func (e Endpoint) String() string { return rules.Endpoint(e).Path() }
