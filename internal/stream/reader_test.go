package stream

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// readResult is what a reader makes of a whole stream.
type readResult struct {
	end    uint8
	events int64
	safe   int // offset just past the last safe point; -1 for none
}

// readInPieces feeds stream to a fresh reader in the given pieces.
func readInPieces(ep Endpoint, pieces [][]byte) readResult {
	var r reader
	r.reset(ep)
	res := readResult{safe: -1}
	offset := 0
	for _, p := range pieces {
		if s := r.feed(p); s >= 0 {
			res.safe = offset + s
		}
		offset += len(p)
	}
	r.close()
	res.end, res.events = r.end, r.events
	return res
}

// splits cuts stream whole, byte by byte, and at random places.
func splits(stream []byte, seed uint64) map[string][][]byte {
	bytewise := make([][]byte, len(stream))
	for i := range stream {
		bytewise[i] = stream[i : i+1]
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	var random [][]byte
	for rest := stream; len(rest) > 0; {
		n := min(1+rng.IntN(7), len(rest))
		random, rest = append(random, rest[:n]), rest[n:]
	}
	return map[string][][]byte{"whole": {stream}, "byte by byte": bytewise, "random": random}
}

func TestReaderFindsTheEndOfEachEndpointsStream(t *testing.T) {
	t.Parallel()
	chunk := `data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hi"}}]}` + "\n\n"
	cases := []struct {
		name   string
		ep     Endpoint
		stream string
		end    uint8
		events int64
	}{
		// chat
		{"a chat stream ends with data [DONE]", ChatCompletions, chunk + "data: [DONE]\n\n", endClean, 2},
		{"a chat stream without [DONE] has not ended", ChatCompletions, chunk + chunk, endNone, 2},
		{"a [DONE] without its blank line is never dispatched", ChatCompletions, chunk + "data: [DONE]\n", endNone, 1},
		{"an error chunk followed by [DONE] ends the stream with the error", ChatCompletions, chunk + `data: {"error":{"message":"boom"}}` + "\n\ndata: [DONE]\n\n", endError, 3},
		{"an error chunk that more chunks follow is not the end", ChatCompletions, `data: {"error":{"message":"boom"}}` + "\n\n" + chunk, endNone, 2},
		{"a [DONE] after an ordinary chunk is a clean end", ChatCompletions, chunk + "data: [DONE]\n\n", endClean, 2},
		{"a chat error object ends the stream", ChatCompletions, chunk + `data: {"error":{"message":"boom","type":"server_error","param":null,"code":null}}` + "\n\n", endError, 2},
		{"an error key after choices ends the stream too", ChatCompletions, `data: {"id":"x","choices":[],"error":{"message":"capacity"}}` + "\n\n", endError, 1},
		{"an error key that is null is not an error", ChatCompletions, `data: {"id":"x","choices":[],"error":null}` + "\n\n", endNone, 1},
		{"an error key inside a choice is not an error", ChatCompletions, `data: {"choices":[{"error":{"message":"x"}}]}` + "\n\n", endNone, 1},
		{"an error key inside a string is not an error", ChatCompletions, `data: {"choices":[{"delta":{"content":"{\"error\":1}"}}]}` + "\n\n", endNone, 1},
		{"the last of repeated error keys wins", ChatCompletions, `data: {"error":{"message":"x"},"error":null}` + "\n\n", endNone, 1},
		{"an unfinished error object is not taken for one", ChatCompletions, `data: {"error":{"message":"x"}` + "\n\n", endNone, 1},
		{"data split over lines is joined before it is read", ChatCompletions, "data: {\"error\":\ndata: {\"message\":\"x\"}}\n\n", endError, 1},
		{"an event named error ends a chat stream", ChatCompletions, "event: error\ndata: {}\n\n", endError, 1},
		{"CRLF line endings are read", ChatCompletions, strings.ReplaceAll(chunk+"data: [DONE]\n\n", "\n", "\r\n"), endClean, 2},
		{"CR line endings are read", ChatCompletions, strings.ReplaceAll(chunk+"data: [DONE]\n\n", "\n", "\r"), endClean, 2},
		{"data without a space after the colon is read", ChatCompletions, "data:[DONE]\n\n", endClean, 1},
		{"only one space after the colon is dropped", ChatCompletions, "data:  [DONE]\n\n", endNone, 1},
		{"comments are no events", ChatCompletions, ": keep-alive\n\n: more\n\n", endNone, 0},
		{"a leading byte-order mark is skipped", ChatCompletions, "\xEF\xBB\xBFdata: [DONE]\n\n", endClean, 1},
		{"a byte-order mark later on is text", ChatCompletions, "data: x\n\n\xEF\xBB\xBFdata: [DONE]\n\n", endNone, 1},
		{"what follows the terminal event does not change the end", ChatCompletions, "data: [DONE]\n\ndata: {\"error\":{}}\n\n", endClean, 2},
		{"a blank line with no data dispatches nothing", ChatCompletions, "event: x\n\n\n\n", endNone, 0},

		// responses
		{"a responses stream ends with response.completed", Responses, "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0}\n\nevent: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":1}\n\n", endClean, 2},
		{"response.failed ends a responses stream", Responses, "event: response.failed\ndata: {\"type\":\"response.failed\"}\n\n", endClean, 1},
		{"response.incomplete ends a responses stream", Responses, "event: response.incomplete\ndata: {\"type\":\"response.incomplete\"}\n\n", endClean, 1},
		{"a responses stream cut after a delta has not ended", Responses, "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}\n\n", endNone, 1},
		{"a responses error event ends the stream", Responses, "event: error\ndata: {\"type\":\"error\",\"sequence_number\":2,\"error\":{\"type\":\"too_many_requests\"}}\n\n", endError, 1},
		{"an unnamed event is judged by its type", Responses, "data: {\"sequence_number\":1,\"type\":\"response.completed\"}\n\n", endClean, 1},
		{"an unnamed error event is judged by its type", Responses, "data: {\"type\":\"error\",\"code\":\"x\"}\n\n", endError, 1},
		{"the event name wins over the type in the data", Responses, "event: response.output_text.delta\ndata: {\"type\":\"response.completed\"}\n\n", endNone, 1},
		{"a name given after the data still wins", Responses, "data: {\"type\":\"response.completed\"}\nevent: response.in_progress\n\n", endNone, 1},
		{"an escaped error key is decoded", ChatCompletions, `data: {"id":"x","\u0065rror":{"message":"y"}}` + "\n\n", endError, 1},
		{"escaped text that spells no key is no error", ChatCompletions, `data: {"choices":[{"delta":{"content":"caf\u00e9 error\""}}]}` + "\n\n", endNone, 1},
		{"an empty event name given last unnames the event", Messages, "event: ping\ndata: {\"type\":\"message_stop\"}\nevent:\n\n", endClean, 1},
		{"an empty event name falls back to the type", Responses, "event:\ndata: {\"type\":\"response.completed\"}\n\n", endClean, 1},
		{"an event name too long to be terminal is not", Responses, "event: response.completed" + strings.Repeat("x", 40) + "\ndata: {}\n\n", endNone, 1},
		{"a type that is not a string ends nothing", Responses, "data: {\"type\":{\"response.completed\":1}}\n\n", endNone, 1},

		// messages
		{"a messages stream ends with message_stop", Messages, "event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: ping\ndata: {\"type\": \"ping\"}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", endClean, 3},
		{"a messages stream cut after message_delta has not ended", Messages, "event: message_delta\ndata: {\"type\":\"message_delta\"}\n\n", endNone, 1},
		{"an overloaded error ends a messages stream", Messages, "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": \"overloaded_error\", \"message\": \"Overloaded\"}}\n\n", endError, 1},
		{"message_stop without data is not dispatched", Messages, "event: message_stop\n\n", endNone, 0},
		{"an escaped type is decoded", Messages, "data: {\"type\":\"message\\u005fstop\"}\n\n", endClean, 1},
		{"a chat [DONE] does not end a messages stream", Messages, "data: [DONE]\n\n", endNone, 1},

		// interactions
		{"an interactions stream ends with interaction.completed", Interactions, "event: interaction.created\ndata: {\"interaction\":{\"id\":\"v1\"},\"event_type\":\"interaction.created\"}\n\nevent: interaction.completed\ndata: {\"interaction\":{\"id\":\"v1\",\"status\":\"completed\"},\"event_type\":\"interaction.completed\"}\n\nevent: done\ndata: [DONE]\n\n", endClean, 3},
		{"the legacy interaction.complete ends an interactions stream", Interactions, "event: interaction.complete\ndata: {\"event_type\":\"interaction.complete\"}\n\n", endClean, 1},
		{"done alone does not end an interactions stream", Interactions, "event: step.delta\ndata: {\"event_type\":\"step.delta\"}\n\nevent: done\ndata: [DONE]\n\n", endNone, 2},
		{"an interactions error event ends the stream", Interactions, "event: error\ndata: {\"error\":{\"code\":\"prohibited_content\",\"message\":\"x\"},\"event_type\":\"error\"}\n\n", endError, 1},
		{"an unnamed interactions event is judged by its event_type", Interactions, "data: {\"error\":{\"code\":\"x\"},\"event_type\":\"error\"}\n\n", endError, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for how, pieces := range splits([]byte(tc.stream), uint64(len(tc.name))) {
				got := readInPieces(tc.ep, pieces)
				assert.Equal(t, tc.end, got.end, "end, fed %s", how)
				assert.Equal(t, tc.events, got.events, "events, fed %s", how)
			}
		})
	}
}

func TestReaderMarksSafePointsOnlyBetweenEvents(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		stream string
		safe   int
	}{
		{"after a whole event", "data: a\n\n", 9},
		{"not inside an event's data", "data: a\n\ndata: b\n", 9},
		{"not after an event name alone", "data: a\n\nevent: x\n", 9},
		{"after a comment between events", "data: a\n\n: ping\n", 16},
		{"not after a comment inside an event", "data: a\n", -1},
		{"not inside a line", ": pi", -1},
		{"after the LF of a CRLF", "data: a\r\n\r\n", 11},
		{"after a lone CR", "data: a\r\r", 9},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for how, pieces := range splits([]byte(tc.stream), 7) {
				assert.Equal(t, tc.safe, readInPieces(ChatCompletions, pieces).safe, "fed %s", how)
			}
		})
	}
}

// Not parallel: testing.AllocsPerRun refuses to run beside parallel tests.
func TestReaderMemoryDoesNotGrowWithTheStream(t *testing.T) {
	line := []byte(`data: {"choices":[{"delta":{"content":"` + strings.Repeat("x", 200) + `"}}]}` + "\n\n")
	var r reader
	r.reset(ChatCompletions)
	allocs := testing.AllocsPerRun(1000, func() { r.feed(line) })
	assert.Zero(t, allocs)
}
