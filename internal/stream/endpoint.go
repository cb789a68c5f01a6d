package stream

// Endpoint is one of the four APIs whose streams the watcher can judge.
// The zero Endpoint is none of them.
type Endpoint uint8

// The endpoints, named after their paths.
const (
	_ Endpoint = iota
	ChatCompletions
	Responses
	Messages
	Interactions

	endpointEnd
)

// endpointRules is what the reader needs to know of one endpoint's stream.
type endpointRules struct {
	path string
	// terminal names the events that end a stream that went well (an
	// "error" event ends every stream and is not listed).
	terminal []string
	// key is the top-level data key that names an event which carries no
	// "event:" field: the JSON discriminator each API's SDKs switch on.
	// Chat names no events at all; there the reader looks for a top-level
	// "error" object instead, as the OpenAI SDKs do.
	key string
}

var rules = [endpointEnd]endpointRules{
	ChatCompletions: {path: "/v1/chat/completions", key: "error"},
	Responses:       {path: "/v1/responses", terminal: []string{"response.completed", "response.failed", "response.incomplete"}, key: "type"},
	Messages:        {path: "/v1/messages", terminal: []string{"message_stop"}, key: "type"},
	Interactions:    {path: "/v1/interactions", terminal: []string{"interaction.completed", "interaction.complete"}, key: "event_type"},
}

// EndpointOf returns the endpoint served at path, or the zero Endpoint when
// path is not exactly one of the four.
func EndpointOf(path string) Endpoint {
	for ep := ChatCompletions; ep < endpointEnd; ep++ {
		if rules[ep].path == path {
			return ep
		}
	}
	return 0
}

// String returns the endpoint's path, or "" for the zero Endpoint.
func (ep Endpoint) String() string {
	if !ep.valid() {
		return ""
	}
	return rules[ep].path
}

func (ep Endpoint) valid() bool { return ep > 0 && ep < endpointEnd }

// isTerminal reports whether name ends a stream of ep that went well.
func (ep Endpoint) isTerminal(name []byte) bool {
	for _, t := range rules[ep].terminal {
		if string(name) == t {
			return true
		}
	}
	return false
}
