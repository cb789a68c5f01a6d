package streamtest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// CheckErrorFrame checks that rest, what a client read after the whole
// events, is exactly one error event of the endpoint at path, in the
// endpoint's own format, carrying the catalog's upstream_stream_failed;
// events is the number of events before it (the Responses frame's
// sequence_number).
func CheckErrorFrame(path string, rest []byte, events int) error {
	frame := string(rest)
	body, found := strings.CutSuffix(frame, "\n\n")
	if !found || strings.Contains(body, "\n\n") {
		return fmt.Errorf("not exactly one event: %q", frame)
	}
	var name, data string
	for line := range strings.SplitSeq(body, "\n") {
		field, value, _ := strings.Cut(line, ": ")
		switch {
		case field == "event" && name == "":
			name = value
		case field == "data" && data == "":
			data = value
		default:
			return fmt.Errorf("unexpected line %q in %q", line, frame)
		}
	}
	var fields map[string]any
	if err := json.Unmarshal([]byte(data), &fields); err != nil {
		return fmt.Errorf("data is not a JSON object: %q", data)
	}
	obj, ok := fields["error"].(map[string]any)
	if !ok {
		return fmt.Errorf("no error object: %q", data)
	}
	if err := checkObject(obj); err != nil {
		return fmt.Errorf("%w: %q", err, data)
	}
	want := map[string]any{"error": obj}
	switch path {
	case "/v1/chat/completions":
		name = "error" // chat names no events; its SDKs look for the "error" key
	case "/v1/responses":
		want["type"], want["code"], want["message"], want["param"] = "error", obj["code"], obj["message"], nil
		want["sequence_number"] = float64(events)
	case "/v1/messages":
		want["type"] = "error"
	case "/v1/interactions":
		want["event_type"] = "error"
	default:
		return fmt.Errorf("%s is not an endpoint", path)
	}
	if name != "error" {
		return fmt.Errorf("the event is named %q, not error", name)
	}
	if len(fields) != len(want) {
		return fmt.Errorf("fields %v, want %v", fields, want)
	}
	for k, v := range want {
		got, ok := fields[k]
		if !ok || fmt.Sprint(got) != fmt.Sprint(v) {
			return fmt.Errorf("%s is %v, want %v", k, got, v)
		}
	}
	return nil
}

// checkObject checks the catalog's upstream_stream_failed object.
func checkObject(obj map[string]any) error {
	param, hasParam := obj["param"]
	msg, _ := obj["message"].(string)
	switch {
	case obj["code"] != "upstream_stream_failed":
		return fmt.Errorf("code %v, want upstream_stream_failed", obj["code"])
	case obj["type"] != "api_error":
		return fmt.Errorf("type %v, want api_error", obj["type"])
	case !hasParam || param != nil:
		return fmt.Errorf("param must be present and null")
	case msg == "":
		return fmt.Errorf("no message")
	case len(obj) != 4:
		return fmt.Errorf("fields beyond message, type, code and param")
	}
	return nil
}
