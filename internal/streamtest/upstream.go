package streamtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/flexinference/flexguard/internal/conformance"
)

// Upstream is a handler that answers like a provider's stream: 200
// text/event-stream with an X-Upstream: yes header, then parts written and
// flushed one by one, then, when abort is set, a panic with
// http.ErrAbortHandler, which is how a server cuts a connection and how a
// reverse proxy reports an upstream that broke off.
func Upstream(parts []string, abort bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("X-Upstream", "yes")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		_ = rc.Flush()
		for _, p := range parts {
			_, _ = io.WriteString(w, p)
			_ = rc.Flush()
		}
		if abort {
			panic(http.ErrAbortHandler)
		}
	}
}

// LeaveAfterFirstLine posts body to url as a client of its own, reads the
// answer's first line, then goes away: it closes the answer and its
// connection. It returns the line read.
func LeaveAfterFirstLine(ctx context.Context, url, body string) (string, error) {
	transport := &http.Transport{Proxy: nil}
	defer transport.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return "", err
	}
	res, err := (&http.Client{Transport: transport}).Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	return bufio.NewReader(res.Body).ReadString('\n')
}

// Case is one way a stream can end, with what the client must read.
type Case struct {
	Name     string
	Upstream http.HandlerFunc
	// Status is 200, or 502 for a failure before any body byte.
	Status int
	// Body is what the client reads before any error event; Frame says
	// that one error event follows it.
	Body  string
	Frame bool
	// End is the watcher's name for the end ("clean", "failed_mid_stream",
	// ...).
	End string
}

// Failed reports whether the case is a failure the gateway must report.
func (c Case) Failed() bool { return strings.HasPrefix(c.End, "failed_") }

// Cases returns the ways f's stream can end, each with an upstream that
// ends it so.
func (f Fixture) Cases() []Case {
	return []Case{
		{"a clean end passes through byte for byte", Upstream(f.EndingWith(f.Terminal), false),
			http.StatusOK, f.Whole() + f.Terminal, false, "clean"},
		{"the upstream's error event passes through as sent", Upstream(f.EndingWith(f.UpstreamError), false),
			http.StatusOK, f.Whole() + f.UpstreamError, false, "upstream_error"},
		{"a stream without its terminal event ends with one error event", Upstream(f.Events, false),
			http.StatusOK, f.Whole(), true, "failed_mid_stream"},
		{"a stream cut inside an event ends with one error event after the whole ones", Upstream([]string{f.Cut()}, true),
			http.StatusOK, f.Whole(), true, "failed_mid_stream"},
		{"a stream cut before its first byte is a 502", Upstream(nil, true),
			http.StatusBadGateway, "", false, "failed_before_body"},
		{"a stream cut inside its first event is a 502", Upstream([]string{f.Events[0][:len(f.Events[0])/2]}, true),
			http.StatusBadGateway, "", false, "failed_before_body"},
	}
}

// CheckAnswer checks what a client of f's endpoint got for c: the 502,
// without the upstream's headers, for a failure before the body; else
// c.Body as the upstream sent it, with its headers, then one error event
// when c.Frame, then nothing.
func (c Case) CheckAnswer(f Fixture, status int, header http.Header, body []byte) error {
	if c.Status == http.StatusBadGateway {
		if header.Get("X-Upstream") != "" {
			return errors.New("the 502 carries the upstream's headers")
		}
		return conformance.CheckErrorAnswer(status, header, body, c.Status, "upstream_stream_failed", "")
	}
	switch {
	case status != c.Status:
		return fmt.Errorf("status %d, want %d: %q", status, c.Status, body)
	case header.Get("X-Upstream") != "yes":
		return errors.New("the upstream's headers are lost")
	case !bytes.HasPrefix(body, []byte(c.Body)):
		return fmt.Errorf("the events did not arrive as sent: %q", body)
	}
	rest := body[len(c.Body):]
	if c.Frame {
		return CheckErrorFrame(f.Path, rest, len(f.Events))
	}
	if len(rest) > 0 {
		return fmt.Errorf("%q follows the stream", rest)
	}
	return nil
}
