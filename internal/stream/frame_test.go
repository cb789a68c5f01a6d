package stream

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// frameParts splits a frame into its event name and its one data line.
func frameParts(t *testing.T, frame []byte) (name string, data map[string]any) {
	t.Helper()
	require.True(t, bytes.HasSuffix(frame, []byte("\n\n")), "a frame ends with a blank line")
	lines := strings.Split(strings.TrimSuffix(string(frame), "\n\n"), "\n")
	for _, line := range lines {
		field, value, ok := strings.Cut(line, ": ")
		require.True(t, ok, "line %q", line)
		switch field {
		case "event":
			name = value
		case "data":
			require.Nil(t, data, "one data line")
			require.NoError(t, json.Unmarshal([]byte(value), &data))
		default:
			t.Fatalf("unexpected field %q", field)
		}
	}
	return name, data
}

func TestErrorFrameIsEachEndpointsOwnErrorEvent(t *testing.T) {
	t.Parallel()
	obj, err := parseErrorObject(catalogErrorObject())
	require.NoError(t, err)
	var canonical map[string]any
	require.NoError(t, json.Unmarshal(obj.object, &canonical))
	require.Equal(t, "upstream_stream_failed", canonical["code"])
	require.Equal(t, "api_error", canonical["type"])
	require.Contains(t, canonical, "param")
	require.Nil(t, canonical["param"])

	cases := []struct {
		name      string
		ep        Endpoint
		eventName string
		data      map[string]any
	}{
		{"chat sends the object under error, with no event name", ChatCompletions, "", map[string]any{"error": canonical}},
		{"responses sends the documented fields and the nested object", Responses, "error", map[string]any{
			"type": "error", "code": canonical["code"], "message": canonical["message"], "param": nil,
			"sequence_number": float64(7), "error": canonical,
		}},
		{"messages sends an error event with the object under error", Messages, "error", map[string]any{"type": "error", "error": canonical}},
		{"interactions sends an error event typed by event_type", Interactions, "error", map[string]any{"event_type": "error", "error": canonical}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			frame := appendErrorFrame(nil, tc.ep, &obj, 7)
			name, data := frameParts(t, frame)
			assert.Equal(t, tc.eventName, name)
			assert.Equal(t, tc.data, data)

			// The reader takes the frame for the upstream error it imitates.
			got := readInPieces(tc.ep, [][]byte{frame})
			assert.Equal(t, endError, got.end)
			assert.Equal(t, int64(1), got.events)
			assert.Equal(t, len(frame), got.safe)
		})
	}
}

func TestErrorObjectIsCompactedOntoOneLine(t *testing.T) {
	t.Parallel()
	obj, err := parseErrorObject([]byte("{\n  \"message\": \"a\\nb\",\n  \"type\": \"api_error\",\n  \"code\": \"c\",\n  \"param\": \"p\"\n}\n"))
	require.NoError(t, err)
	assert.Equal(t, `{"message":"a\nb","type":"api_error","code":"c","param":"p"}`, string(obj.object))
	name, data := frameParts(t, appendErrorFrame(nil, Responses, &obj, 0))
	assert.Equal(t, "error", name)
	assert.Equal(t, "p", data["param"])
	assert.Equal(t, "a\nb", data["message"])
}

func TestWatchRefusesAnErrorObjectItCannotSend(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		object string
	}{
		{"not JSON", `{"message":`},
		{"not an object", `["message","type","code","param"]`},
		{"no message", `{"type":"api_error","code":"c","param":null}`},
		{"no param", `{"message":"m","type":"api_error","code":"c"}`},
		{"a code that is not text", `{"message":"m","type":"api_error","code":5,"param":null}`},
		{"a param that is neither text nor null", `{"message":"m","type":"api_error","code":"c","param":1}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Watch(Options{ErrorObject: []byte(tc.object)})
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "flexguard/stream: "), err.Error())
		})
	}
}

func TestWatchRefusesAnUnknownEndpoint(t *testing.T) {
	t.Parallel()
	_, err := Watch(Options{Endpoint: endpointEnd})
	require.ErrorContains(t, err, "flexguard/stream: ")
}
