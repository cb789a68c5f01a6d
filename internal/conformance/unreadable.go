package conformance

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// Leave is what a client does once it has sent its request.
type Leave int

// The ways to leave.
const (
	Stay      Leave = iota // keep the connection open, and read
	HalfClose              // close the writing side, and read
	Reset                  // drop the connection with a reset: nothing is read
)

// Unreadable is a request whose body cannot be read to its end, written
// raw over HTTP/1.1, and the code the gateway must give it: invalid_json
// (an answer, then the connection closes) for broken framing,
// client_closed_request (nothing written, the connection closes) for a
// client that has gone or stalled. These are the cases the text format
// cannot spell, as they need a raw connection and a client that leaves.
type Unreadable struct {
	Name     string
	Request  string
	Then     Leave
	Stalls   bool // the body stops, and the server's read timeout must end it
	WantCode string
}

// Unreadables returns the unreadable-body cases.
func Unreadables() []Unreadable {
	const (
		chunked = "POST /v1/responses HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
		length  = "POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Length: 57\r\n\r\n"
		// expecting is sent in two parts: the body only after the
		// server's 100 Continue, which comes once the body is being read.
		expecting = "POST /v1/responses HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 57\r\n\r\n"
		partial   = `{"model":"gpt-5.5",` // 19 bytes, 0x13
	)
	return []Unreadable{
		{Name: "a chunk size that is not hex is invalid_json", Request: chunked + "zz\r\n{}\r\n0\r\n\r\n", WantCode: "invalid_json"},
		{Name: "chunk data longer than its size is invalid_json", Request: chunked + "2\r\n{}}\r\n0\r\n\r\n", WantCode: "invalid_json"},
		{Name: "a chunk size past 64 bits is invalid_json", Request: chunked + "fffffffffffffffff\r\n", WantCode: "invalid_json"},
		{Name: "a malformed trailer is invalid_json", Request: chunked + "2\r\n{}\r\n0\r\nno colon here\r\n\r\n", WantCode: "invalid_json"},
		{Name: "a body short of its Content-Length, then a half-close, is client_closed_request", Request: length + partial, Then: HalfClose, WantCode: "client_closed_request"},
		{Name: "a chunked body cut by a half-close is client_closed_request", Request: chunked + "13\r\n" + partial, Then: HalfClose, WantCode: "client_closed_request"},
		{Name: "a body cut by a reset is client_closed_request", Request: expecting + partial, Then: Reset, WantCode: "client_closed_request"},
		{Name: "a body that stalls past the read timeout is client_closed_request", Request: length + partial, Stalls: true, WantCode: "client_closed_request"},
		{Name: "a chunked body that stalls past the read timeout is client_closed_request", Request: chunked + "13\r\n" + partial, Stalls: true, WantCode: "client_closed_request"},
	}
}

// Play sends the request to addr over a new connection and leaves as the
// case says. It returns the connection's local address (the client's, as
// the gateway sees it) and all the gateway wrote until it closed the
// connection; after a reset there is nothing to read. timeout bounds the
// whole exchange.
func (u Unreadable) Play(addr string, timeout time.Duration) (local string, written []byte, err error) {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return "", nil, err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		return "", nil, err
	}
	local = conn.LocalAddr().String()
	request := u.Request
	if head, body, _ := strings.Cut(request, "\r\n\r\n"); strings.Contains(head, "Expect: 100-continue") {
		if _, err := io.WriteString(conn, head+"\r\n\r\n"); err != nil {
			return local, nil, err
		}
		interim, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return local, nil, fmt.Errorf("waiting for 100 Continue: %w", err)
		}
		if interim.StatusCode != http.StatusContinue {
			return local, nil, fmt.Errorf("status %d, want 100 Continue", interim.StatusCode)
		}
		request = body
	}
	if _, err := io.WriteString(conn, request); err != nil {
		return local, nil, err
	}
	switch u.Then {
	case HalfClose:
		if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
			return local, nil, err
		}
	case Reset:
		if err := conn.(*net.TCPConn).SetLinger(0); err != nil {
			return local, nil, err
		}
		return local, nil, conn.Close()
	}
	written, err = io.ReadAll(conn)
	return local, written, err
}

// CheckWritten returns what is wrong with what the gateway wrote for the
// case, or nil: nothing at all to a client that has gone; otherwise one
// 400 invalid_json answer that names the chunked framing and says
// Connection: close, and nothing after it.
func (u Unreadable) CheckWritten(written []byte) error {
	if u.WantCode == "client_closed_request" {
		if len(written) > 0 {
			return fmt.Errorf("wrote %.200q to a client that has gone; want nothing", written)
		}
		return nil
	}
	rest := bufio.NewReader(bytes.NewReader(written))
	resp, err := http.ReadResponse(rest, nil)
	if err != nil {
		return fmt.Errorf("no answer in %.200q: %w", written, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if err := CheckErrorAnswer(resp.StatusCode, resp.Header, body, http.StatusBadRequest, u.WantCode, ""); err != nil {
		return err
	}
	switch {
	case !resp.Close:
		return errors.New("the answer does not say Connection: close")
	case !bytes.Contains(body, []byte("chunked")):
		return fmt.Errorf("the message does not name the framing: %s", body)
	case rest.Buffered() > 0:
		return fmt.Errorf("more follows the answer: %.200q", written[len(written)-rest.Buffered():])
	}
	return nil
}
