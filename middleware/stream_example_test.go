package middleware_test

import (
	"fmt"
	"io"
	"log"
	"net/http"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// Three answers of an upstream behind Stream: a whole Anthropic stream,
// one cut after its first event, and one that never sends an event.
func ExampleGuard_Stream() {
	g, err := middleware.New(middleware.Options{
		Policy: validate.Policy{DefaultStartWithin: "auto"},
		OnReject: func(r *http.Request, err *apierrors.Error) {
			res, _ := middleware.ResultFrom(r.Context())
			s, _ := middleware.StreamResultFrom(r.Context())
			fmt.Printf("OnReject: %s (%s) for %s after %d bytes\n", err.Code(), s.End, res.Model, s.Bytes)
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	var events []string // what the upstream sends this time
	proxy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for _, e := range events {
			_, _ = io.WriteString(w, e)
		}
	})
	h := g.Stream(proxy)
	body := `{"model":"claude-sonnet-4-5","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}`
	start := "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
	stop := "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"

	events = []string{start, stop}
	show(h, "/v1/messages", body)
	events = []string{start}
	show(h, "/v1/messages", body)
	events = nil
	show(h, "/v1/messages", body)
	// Output:
	// 200 event: message_start
	// data: {"type":"message_start"}
	//
	// event: message_stop
	// data: {"type":"message_stop"}
	//
	// OnReject: upstream_stream_failed (failed_mid_stream) for claude-sonnet-4-5 after 53 bytes
	// 200 event: message_start
	// data: {"type":"message_start"}
	//
	// event: error
	// data: {"type":"error","error":{"message":"The provider's stream broke off before it completed. Retry once; if it keeps failing for one model, try another model or a shorter start_within.","type":"api_error","code":"upstream_stream_failed","param":null}}
	//
	// OnReject: upstream_stream_failed (failed_before_body) for claude-sonnet-4-5 after 0 bytes
	// 502 {"error":{"message":"The provider's stream broke off before it completed. Retry once; if it keeps failing for one model, try another model or a shorter start_within.","type":"api_error","code":"upstream_stream_failed","param":null}}
}
