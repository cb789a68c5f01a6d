package stream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// errorObject is the canonical error object,
// {"message":...,"type":...,"code":...,"param":...}, ready for the frames:
// compact, so that it fits on one data line, with the raw JSON of the
// fields that the Responses frame repeats at its top level.
type errorObject struct {
	object               []byte
	message, code, param json.RawMessage
}

// parseErrorObject checks b once, at construction, so that no request
// pays for it.
func parseErrorObject(b []byte) (errorObject, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		return errorObject{}, fmt.Errorf("flexguard/stream: ErrorObject is not JSON: %w", err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(compact.Bytes(), &fields); err != nil {
		return errorObject{}, errors.New("flexguard/stream: ErrorObject is not a JSON object")
	}
	for _, name := range [...]string{"message", "type", "code", "param"} {
		v, ok := fields[name]
		var s string
		switch {
		case !ok:
			return errorObject{}, fmt.Errorf("flexguard/stream: ErrorObject has no %q", name)
		case name == "param" && string(v) == "null":
		case json.Unmarshal(v, &s) != nil:
			return errorObject{}, fmt.Errorf("flexguard/stream: ErrorObject's %q is not a string", name)
		}
	}
	return errorObject{
		object:  compact.Bytes(),
		message: fields["message"],
		code:    fields["code"],
		param:   fields["param"],
	}, nil
}

// appendErrorFrame appends the one event that tells a client of ep, in
// ep's own streaming format, that the stream failed, carrying the error
// object e. Each shape is the one the endpoint's official SDKs turn into
// an error (see the package documentation for the sources):
//
//   - chat: a data line whose object has a top-level "error";
//   - responses: an "error" event with the documented top-level code,
//     message, param and sequence_number, and the nested "error" object
//     that OpenAI actually sends and its SDKs raise on;
//   - messages: an "error" event holding {"type":"error","error":{...}};
//   - interactions: an "error" event holding
//     {"event_type":"error","error":{...}}.
//
// sequence is the Responses event's sequence_number: the number of events
// relayed before it, since the upstream numbers its events from 0.
func appendErrorFrame(dst []byte, ep Endpoint, e *errorObject, sequence int64) []byte {
	switch ep {
	case ChatCompletions:
		dst = append(dst, `data: {"error":`...)
	case Responses:
		dst = append(dst, "event: error\ndata: {\"type\":\"error\",\"code\":"...)
		dst = append(dst, e.code...)
		dst = append(dst, `,"message":`...)
		dst = append(dst, e.message...)
		dst = append(dst, `,"param":`...)
		dst = append(dst, e.param...)
		dst = append(dst, `,"sequence_number":`...)
		dst = strconv.AppendInt(dst, sequence, 10)
		dst = append(dst, `,"error":`...)
	case Messages:
		dst = append(dst, "event: error\ndata: {\"type\":\"error\",\"error\":"...)
	case Interactions:
		dst = append(dst, "event: error\ndata: {\"event_type\":\"error\",\"error\":"...)
	default:
		return dst
	}
	dst = append(dst, e.object...)
	return append(dst, "}\n\n"...)
}
