package stream_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/flexinference/flexguard/internal/stream"
)

// An Anthropic stream that the upstream cuts after its first delta: the
// client gets the whole events that had come, then one error event, and
// the outcome tells the gateway's logs what happened.
func ExampleWatch() {
	watch, err := stream.Watch(stream.Options{
		ErrorObject: []byte(`{"message":"The upstream's stream broke off.","type":"api_error","code":"upstream_stream_failed","param":null}`),
		OnOutcome: func(r *http.Request, o stream.Outcome) {
			fmt.Printf("outcome: %s on %s after %d events, %d bytes: %v\n", o.Kind, o.Endpoint, o.Events, o.Bytes, o.Err)
		},
	})
	if err != nil {
		panic(err)
	}
	upstream := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "event: message_start\ndata: {\"type\":\"message_start\"}\n\n")
		io.WriteString(w, "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n")
		io.WriteString(w, "event: content_block_delta\ndata: {\"type\":\"con") // and the upstream is gone
	})
	gateway := httptest.NewServer(watch(upstream))
	defer gateway.Close()

	res, err := http.Post(gateway.URL+"/v1/messages", "application/json", strings.NewReader(`{"stream":true}`))
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	fmt.Println(res.Status)
	fmt.Print(string(body))
	// Output:
	// outcome: failed_mid_stream on /v1/messages after 2 events, 161 bytes: flexguard/stream: the stream ended without its terminal event
	// 200 OK
	// event: message_start
	// data: {"type":"message_start"}
	//
	// event: content_block_delta
	// data: {"type":"content_block_delta","delta":{"type":"text_delta","text":"Hel"}}
	//
	// event: error
	// data: {"type":"error","error":{"message":"The upstream's stream broke off.","type":"api_error","code":"upstream_stream_failed","param":null}}
}
