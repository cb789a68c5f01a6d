package conformance

import (
	"fmt"
	"testing"
)

func TestCheckWrittenCatchesEachDefect(t *testing.T) {
	t.Parallel()
	const body = `{"error":{"message":"The chunked framing is broken.","type":"invalid_request_error","code":"invalid_json","param":null}}`
	answer := func(header, body string) string {
		return fmt.Sprintf("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n%s", header, len(body), body)
	}
	framing := Unreadable{WantCode: "invalid_json"}
	gone := Unreadable{WantCode: "client_closed_request"}
	tests := []struct {
		name    string
		c       Unreadable
		written string
		ok      bool
	}{
		{"nothing to a client that has gone passes", gone, "", true},
		{"an empty 200 to a client that has gone fails", gone, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false},
		{"a closing 400 naming the framing passes", framing, answer("Connection: close\r\n", body), true},
		{"a 400 that keeps the connection fails", framing, answer("", body), false},
		{"a 400 that does not name the framing fails", framing, answer("Connection: close\r\n", `{"error":{"message":"Bad JSON.","type":"invalid_request_error","code":"invalid_json","param":null}}`), false},
		{"an answer followed by another fails", framing, answer("Connection: close\r\n", body) + "HTTP/1.1 200 OK\r\n\r\n", false},
		{"nothing at all for broken framing fails", framing, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.c.CheckWritten([]byte(tt.written))
			if (err == nil) != tt.ok {
				t.Fatalf("got %v, want ok=%v", err, tt.ok)
			}
		})
	}
}
