package streamtest

import "strings"

// Fixture is one endpoint's stream: the events that come before its end,
// and each way it can end well.
type Fixture struct {
	// Path is the endpoint, such as "/v1/messages".
	Path string
	// Body is a streaming request to Path that passes every check under
	// the built-in policy.
	Body string
	// Events are whole events, each ending with its blank line, none of
	// them terminal.
	Events []string
	// Terminal is the event that ends the stream well (with what follows
	// it on the wire, for interactions).
	Terminal string
	// UpstreamError is the upstream's own error event, which ends the
	// stream too.
	UpstreamError string
}

// Fixtures has one Fixture per endpoint.
var Fixtures = []Fixture{
	{
		Path: "/v1/chat/completions",
		Body: `{"model":"gpt-5.5","start_within":"default","stream":true,"messages":[{"role":"user","content":"Say hi."}]}`,
		Events: []string{
			`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-5.5","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}]}` + "\n\n",
			`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-5.5","choices":[{"index":0,"delta":{"content":" there."},"finish_reason":null}]}` + "\n\n",
			`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-5.5","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\n",
		},
		Terminal:      "data: [DONE]\n\n",
		UpstreamError: `data: {"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}` + "\n\n",
	},
	{
		Path: "/v1/responses",
		Body: `{"model":"gpt-5.5","start_within":"default","stream":true,"input":"Say hi."}`,
		Events: []string{
			"event: response.created\n" + `data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"gpt-5.5","output":[]}}` + "\n\n",
			"event: response.output_text.delta\n" + `data: {"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi there."}` + "\n\n",
		},
		Terminal:      "event: response.completed\n" + `data: {"type":"response.completed","sequence_number":2,"response":{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt-5.5","output":[]}}` + "\n\n",
		UpstreamError: "event: error\n" + `data: {"type":"error","sequence_number":2,"error":{"type":"server_error","code":"server_error","message":"The server had an error.","param":null}}` + "\n\n",
	},
	{
		Path: "/v1/messages",
		Body: `{"model":"claude-sonnet-4-5","start_within":"default","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"Say hi."}]}`,
		Events: []string{
			"event: message_start\n" + `data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":3,"output_tokens":1}}}` + "\n\n",
			"event: content_block_start\n" + `data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}` + "\n\n",
			"event: ping\n" + `data: {"type": "ping"}` + "\n\n",
			"event: content_block_delta\n" + `data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi there."}}` + "\n\n",
			"event: content_block_stop\n" + `data: {"type":"content_block_stop","index":0}` + "\n\n",
			"event: message_delta\n" + `data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}` + "\n\n",
		},
		Terminal:      "event: message_stop\n" + `data: {"type":"message_stop"}` + "\n\n",
		UpstreamError: "event: error\n" + `data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}` + "\n\n",
	},
	{
		Path: "/v1/interactions",
		Body: `{"model":"gemini-3-pro","start_within":"default","stream":true,"input":"Say hi."}`,
		Events: []string{
			"event: interaction.created\n" + `data: {"interaction":{"id":"v1_1","status":"in_progress"},"event_type":"interaction.created"}` + "\n\n",
			"event: step.delta\n" + `data: {"index":0,"delta":{"type":"text","text":"Hi there."},"event_type":"step.delta"}` + "\n\n",
		},
		Terminal:      "event: interaction.completed\n" + `data: {"interaction":{"id":"v1_1","status":"completed"},"event_type":"interaction.completed"}` + "\n\nevent: done\ndata: [DONE]\n\n",
		UpstreamError: "event: error\n" + `data: {"error":{"code":"unavailable","message":"The model is overloaded."},"event_type":"error"}` + "\n\n",
	},
}

// Name is the endpoint's path without "/v1/", for test names.
func (f Fixture) Name() string { return strings.TrimPrefix(f.Path, "/v1/") }

// Whole is the events that come before the end, joined.
func (f Fixture) Whole() string { return strings.Join(f.Events, "") }

// Cut is the events, then the first half of the terminal event: a stream
// cut inside an event.
func (f Fixture) Cut() string { return f.Whole() + f.Terminal[:len(f.Terminal)/2] }

// EndingWith returns the events followed by last, in a new slice.
func (f Fixture) EndingWith(last string) []string {
	return append(append(make([]string, 0, len(f.Events)+1), f.Events...), last)
}
