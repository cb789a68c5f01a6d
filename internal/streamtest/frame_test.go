package streamtest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

const object = `{"message":"The stream broke off.","type":"api_error","code":"upstream_stream_failed","param":null}`

func TestCheckErrorFrame(t *testing.T) {
	t.Parallel()
	messages := "event: error\ndata: {\"type\":\"error\",\"error\":" + object + "}\n\n"
	tests := []struct {
		name, path, frame string
		events            int
		wantErr           string // "" for a frame that passes
	}{
		{"chat's data line passes", "/v1/chat/completions", "data: {\"error\":" + object + "}\n\n", 3, ""},
		{"responses' event with its sequence passes", "/v1/responses",
			"event: error\ndata: {\"type\":\"error\",\"code\":\"upstream_stream_failed\",\"message\":\"The stream broke off.\",\"param\":null,\"sequence_number\":2,\"error\":" + object + "}\n\n", 2, ""},
		{"messages' event passes", "/v1/messages", messages, 6, ""},
		{"interactions' event passes", "/v1/interactions", "event: error\ndata: {\"event_type\":\"error\",\"error\":" + object + "}\n\n", 2, ""},
		{"a [DONE] after the frame fails", "/v1/messages", messages + "data: [DONE]\n\n", 6, "not exactly one event"},
		{"a frame without its blank line fails", "/v1/messages", strings.TrimSuffix(messages, "\n"), 6, "not exactly one event"},
		{"an unnamed frame fails where events are named", "/v1/messages", strings.TrimPrefix(messages, "event: error\n"), 6, "named"},
		{"a responses frame with the wrong sequence fails", "/v1/responses",
			"event: error\ndata: {\"type\":\"error\",\"code\":\"upstream_stream_failed\",\"message\":\"The stream broke off.\",\"param\":null,\"sequence_number\":1,\"error\":" + object + "}\n\n", 2, "sequence_number"},
		{"another code fails", "/v1/messages", strings.Replace(messages, "upstream_stream_failed", "server_error", 1), 6, "code"},
		{"a param that is not null fails", "/v1/messages", strings.Replace(messages, `"param":null`, `"param":"model"`, 1), 6, "param"},
		{"another path fails", "/v1/models", messages, 6, "not an endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckErrorFrame(tt.path, []byte(tt.frame), tt.events)
			if tt.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tt.wantErr)
			}
		})
	}
}
