package stream

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// refEvent is an event as the reference parser dispatches it.
type refEvent struct {
	name, data string
}

// referenceRead parses a whole stream the plain way, line by line, as the
// SSE specification words it: the reader must agree with it however the
// stream is cut into writes.
func referenceRead(stream []byte) (events []refEvent, safe int) {
	safe = -1
	offset := 0
	if bytes.HasPrefix(stream, byteOrderMark[:]) {
		stream, offset = stream[len(byteOrderMark):], len(byteOrderMark)
	}
	var name string
	var data []string
	for pos := 0; pos < len(stream); {
		end := bytes.IndexAny(stream[pos:], "\r\n")
		if end < 0 {
			break // an unfinished line is never read
		}
		line := string(stream[pos : pos+end])
		next := pos + end + 1
		if stream[pos+end] == '\r' && next < len(stream) && stream[next] == '\n' {
			next++
		}
		switch {
		case line == "":
			if data != nil {
				events = append(events, refEvent{name, strings.Join(data, "\n")})
			}
			name, data = "", nil
		case line[0] == ':':
		default:
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "event":
				name = value
			case "data":
				data = append(data, value)
			}
		}
		pos = next
		if name == "" && data == nil {
			safe = offset + pos
		}
	}
	return events, safe
}

// referenceEnd judges events with encoding/json. known is false when an
// event it must judge holds data that is not JSON, which the reader reads
// by structure only.
func referenceEnd(ep Endpoint, events []refEvent) (end uint8, known bool) {
	for i, e := range events {
		switch {
		case e.name == "error":
			return endError, true
		case ep == ChatCompletions && strings.HasPrefix(e.data, doneData):
			if i == 0 {
				return endClean, true
			}
			// The chunk before [DONE] decides between a clean end and an error.
			isErr, ok := referenceChatError(events[i-1].data)
			if isErr {
				return endError, ok
			}
			return endClean, ok
		case ep == ChatCompletions:
		case e.name != "":
			if ep.isTerminal([]byte(e.name)) {
				return endClean, true
			}
		default:
			if !json.Valid([]byte(e.data)) {
				return endNone, false
			}
			var fields map[string]json.RawMessage
			if json.Unmarshal([]byte(e.data), &fields) != nil {
				break // JSON, but not an object
			}
			var s string
			if v, ok := fields[rules[ep].key]; ok && json.Unmarshal(v, &s) == nil {
				switch {
				case s == "error":
					return endError, true
				case ep.isTerminal([]byte(s)):
					return endClean, true
				}
			}
		}
	}
	if ep == ChatCompletions && len(events) > 0 {
		// A chat stream that stops right after an error chunk ends with it.
		if isErr, ok := referenceChatError(events[len(events)-1].data); isErr || !ok {
			return endError, ok
		}
	}
	return endNone, true
}

// referenceChatError reports whether chat data is an object with a
// top-level "error" that is not null; ok is false for data that is not
// JSON.
func referenceChatError(data string) (isErr, ok bool) {
	if !json.Valid([]byte(data)) {
		return false, false
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal([]byte(data), &fields) != nil {
		return false, true
	}
	v, found := fields["error"]
	return found && string(v) != "null", true
}

func FuzzReader(f *testing.F) {
	seeds := []string{
		"data: {\"choices\":[]}\n\ndata: [DONE]\n\n",
		"data: {\"id\":\"x\",\"error\":{\"message\":\"y\"}}\r\n\r\n",
		"event: response.completed\rdata: {\"type\":\"response.completed\"}\r\r",
		"data: {\"type\":\"message\\u005fstop\",\"x\":[{\"a\":\"\\\\\\\"\"}]}\n\n",
		"\xEF\xBB\xBF: hi\n\nevent: error\ndata: {}\n\n",
		"data: {\"error\":{\"code\":\"x\"},\"event_type\":\"interaction.completed\"}\n\n",
		"data:\ndata\n\nevent\n\n",
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s), uint64(i))
	}
	f.Fuzz(func(t *testing.T, epByte uint8, stream []byte, seed uint64) {
		ep := Endpoint(1 + int(epByte)%int(endpointEnd-1))
		events, safe := referenceRead(stream)
		want, known := referenceEnd(ep, events)
		for how, pieces := range splits(stream, seed) {
			got := readInPieces(ep, pieces)
			require.Equal(t, int64(len(events)), got.events, "events, fed %s", how)
			require.Equal(t, safe, got.safe, "safe point, fed %s", how)
			if known {
				require.Equal(t, want, got.end, "end, fed %s", how)
			}
		}
	})
}
