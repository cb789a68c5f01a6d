package stream

import (
	"context"
	"io"
	"maps"
	"net/http"
	"strings"
)

// maxHeld bounds the bytes of one unfinished event that the watcher holds
// back. An event that outgrows it is released as it comes, and a failure
// inside it reaches the client as a broken event before the error frame.
const maxHeld = 1 << 20

// watchedWriter is the ResponseWriter that the handler writes to.
//
// An answer that is not a 2xx event stream goes straight through. An event
// stream is read as it passes and is released to the client one whole
// event at a time: the bytes of an unfinished event wait until its blank
// line arrives, which costs the client nothing (no SSE client can use an
// event before its end) and means that, if the upstream fails, the client
// holds no half event to merge with the error frame. The status line waits
// for the first released byte too, so that a stream that fails before any
// event can still be answered with a 502.
type watchedWriter struct {
	w       http.ResponseWriter
	flushTo func() error // w's flush, found on the first one
	cancel  context.CancelCauseFunc

	mode      uint8
	status    int
	committed bool // the status line has gone to w
	saved     http.Header
	savedOnce bool

	rd           reader
	hold         []byte // the unfinished event
	scratch      []byte // WriteString's copy
	spilled      bool   // part of the unfinished event was released: it outgrew maxHeld
	flushPending bool   // the handler flushed while bytes or the status line were held

	bytes, events int64
	writeErr      error // the first error writing to the client
	failed        error // set by Fail
}

const (
	modeUndecided uint8 = iota
	modePass
	modeWatch
)

// Header returns the header map of the ResponseWriter behind, noting first
// what the middlewares in front had put there: a 502 answered for a
// failed stream carries their headers, not the upstream's.
func (ww *watchedWriter) Header() http.Header {
	h := ww.w.Header()
	if !ww.savedOnce {
		ww.savedOnce = true
		ww.saved = h.Clone()
	}
	return h
}

func (ww *watchedWriter) restoreHeader() {
	if !ww.savedOnce {
		return
	}
	h := ww.w.Header()
	clear(h)
	maps.Copy(h, ww.saved)
}

func (ww *watchedWriter) WriteHeader(code int) {
	if ww.mode != modeUndecided {
		if ww.mode == modePass {
			ww.w.WriteHeader(code) // net/http reports the superfluous call
		}
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		ww.w.WriteHeader(code) // informational: the final status is still to come
		return
	}
	ww.decide(code)
	if ww.mode == modePass {
		ww.w.WriteHeader(code)
	}
}

// decide watches a 2xx event stream that the watcher can read, and lets
// everything else through.
func (ww *watchedWriter) decide(code int) {
	ww.status = code
	h := ww.w.Header()
	if code < 200 || code > 299 || !isEventStream(h.Get("Content-Type")) || !isIdentity(h.Get("Content-Encoding")) {
		ww.mode = modePass
		return
	}
	ww.mode = modeWatch
	// An error frame may be appended and an unfinished event dropped: the
	// length is no longer the upstream's to promise.
	h.Del("Content-Length")
}

func (ww *watchedWriter) Write(p []byte) (int, error) {
	if ww.mode == modeUndecided {
		ww.decide(http.StatusOK)
	}
	if ww.mode == modePass {
		n, err := ww.w.Write(p)
		ww.passed(n, err)
		return n, err
	}
	if ww.writeErr != nil {
		return 0, ww.writeErr
	}
	safe := ww.rd.feed(p)
	switch {
	case safe == len(p) && len(ww.hold) == 0: // whole events: the usual write
		if !ww.send(p) {
			return 0, ww.writeErr
		}
		ww.spilled = false
	case safe >= 0:
		// The held bytes and p[:safe] end at a safe point; p[safe:] starts
		// the next event.
		if !ww.send(ww.hold) || !ww.send(p[:safe]) {
			return 0, ww.writeErr
		}
		ww.hold, ww.spilled = append(ww.hold[:0], p[safe:]...), false
	case ww.spilled:
		if !ww.send(p) {
			return 0, ww.writeErr
		}
	default:
		ww.hold = append(ww.hold, p...)
	}
	if len(ww.hold) > maxHeld {
		ww.spilled = true
		if !ww.send(ww.hold) {
			return 0, ww.writeErr
		}
		ww.hold = ww.hold[:0]
	}
	ww.events = ww.rd.events // every dispatched event ends at a safe point, so it is out
	if ww.flushPending && ww.committed {
		ww.flushPending = false
		if err := ww.flush(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// maxScratch bounds the buffer that WriteString copies through.
const maxScratch = 32 << 10

// WriteString spares the handler's io.WriteString a new copy of s per
// call: a stream goes through one buffer that the writer reuses, and any
// other answer to the ResponseWriter behind as it is.
func (ww *watchedWriter) WriteString(s string) (int, error) {
	if ww.mode == modeUndecided {
		ww.decide(http.StatusOK)
	}
	if ww.mode == modePass {
		n, err := io.WriteString(ww.w, s)
		ww.passed(n, err)
		return n, err
	}
	written := 0
	for len(s) > 0 {
		piece := s[:min(len(s), maxScratch)]
		ww.scratch = append(ww.scratch[:0], piece...)
		if _, err := ww.Write(ww.scratch); err != nil {
			return written, err
		}
		written += len(piece)
		s = s[len(piece):]
	}
	return written, nil
}

// passed counts what went straight through.
func (ww *watchedWriter) passed(n int, err error) {
	ww.bytes += int64(n)
	if err != nil {
		ww.clientFailed(err)
	}
}

// send writes b to the client, the status line first if it has not gone
// yet; it reports false when the client could not take it.
func (ww *watchedWriter) send(b []byte) bool {
	if len(b) == 0 || ww.writeErr != nil {
		return ww.writeErr == nil
	}
	if !ww.committed {
		ww.committed = true
		ww.w.WriteHeader(ww.status)
	}
	n, err := ww.w.Write(b)
	ww.bytes += int64(n)
	if err != nil {
		ww.clientFailed(err)
		return false
	}
	return true
}

// Flush implements http.Flusher.
func (ww *watchedWriter) Flush() { _ = ww.FlushError() }

// FlushError flushes what has been released to the client; it is what
// http.ResponseController.Flush calls. The status line and the bytes of an
// unfinished event stay held: they are flushed when released.
func (ww *watchedWriter) FlushError() error {
	if ww.mode == modeUndecided {
		ww.decide(http.StatusOK)
	}
	if ww.mode == modeWatch {
		if ww.writeErr != nil {
			return ww.writeErr
		}
		if !ww.committed || len(ww.hold) > 0 {
			ww.flushPending = true
		}
		if !ww.committed {
			return nil
		}
	}
	return ww.flush()
}

func (ww *watchedWriter) flush() error {
	if ww.flushTo == nil {
		ww.flushTo = flusherOf(ww.w)
	}
	err := ww.flushTo()
	if err != nil {
		ww.clientFailed(err)
	}
	return err
}

// flusherOf finds w's flush once, where http.ResponseController would
// look for it on every call.
func flusherOf(w http.ResponseWriter) func() error {
	switch f := w.(type) {
	case interface{ FlushError() error }:
		return f.FlushError
	case http.Flusher:
		return func() error { f.Flush(); return nil }
	}
	return http.NewResponseController(w).Flush
}

// Unwrap lets http.ResponseController reach the ResponseWriter behind for
// what the watcher does not implement itself (deadlines, hijacking).
func (ww *watchedWriter) Unwrap() http.ResponseWriter { return ww.w }

// clientFailed notes the client's first write error and cancels the
// handler's context at once, so that its upstream request stops.
func (ww *watchedWriter) clientFailed(err error) {
	if ww.writeErr == nil {
		ww.writeErr = err
		ww.cancel(err)
	}
}

// endWithFrame drops the unfinished event and writes the error frame.
func (ww *watchedWriter) endWithFrame(obj *errorObject) {
	var frame []byte
	if ww.spilled {
		frame = append(frame, "\n\n"...) // end the broken event the client holds
	}
	frame = appendErrorFrame(frame, ww.rd.ep, obj, ww.rd.events)
	ww.hold = ww.hold[:0]
	n := ww.bytes
	if ww.send(frame) {
		_ = ww.flush()
	}
	ww.bytes = n // the frame is the watcher's, not the upstream's
}

// isEventStream reports whether a Content-Type is text/event-stream.
func isEventStream(ct string) bool {
	const mediaType = "text/event-stream"
	ct = strings.TrimLeft(ct, " \t")
	if len(ct) < len(mediaType) || !strings.EqualFold(ct[:len(mediaType)], mediaType) {
		return false
	}
	rest := ct[len(mediaType):]
	return rest == "" || rest[0] == ';' || rest[0] == ' ' || rest[0] == '\t'
}

// isIdentity reports whether a Content-Encoding leaves the bytes readable.
func isIdentity(ce string) bool {
	return ce == "" || strings.EqualFold(strings.TrimSpace(ce), "identity")
}
