package stream

import "bytes"

// reader follows an event stream as it is relayed, one write at a time,
// the way an SSE client parses it (WHATWG HTML, "Server-sent events",
// "Event stream interpretation"): lines end in CRLF, LF or CR; a line
// starting with a colon is a comment; "field: value" lines, with one
// optional space after the colon; a blank line dispatches the event,
// unless no data line came since the last one. An event still unfinished
// when the stream ends is never dispatched, so a client cannot have seen
// it, and the reader does not count it either.
//
// The reader keeps no line and no data: only the few bytes it compares
// (a field name, the event name, the first bytes of the data) and the
// JSON scanner's state. Its memory is the same for a 100-byte stream and
// a 100 MB one.
type reader struct {
	ep   Endpoint
	json topLevel

	line      uint8
	field     uint8
	fieldName [5]byte // "event" and "data" are the longest names it needs
	nameLen   int
	nameOver  bool
	afterCR   bool  // the last line ended with CR: an LF next belongs to it
	bom       uint8 // bytes of a leading byte-order mark matched; bomDone when settled

	// The event being read.
	hasData   bool
	scanning  bool // json follows this event's data
	eventName [32]byte
	eventLen  int
	eventOver bool
	prefix    [len(doneData)]byte // the data's first bytes
	prefixLen int

	events int64 // events dispatched
	end    uint8 // how the stream ended, once it has
}

const (
	lineStart uint8 = iota // nothing read on this line yet
	lineName               // reading the field name
	lineSpace              // after the colon: an optional space
	lineValue              // reading the value
	lineSkip               // a comment
)

const (
	fieldOther uint8 = iota
	fieldEvent
	fieldData
)

// How the stream ended.
const (
	endNone  uint8 = iota
	endClean       // the endpoint's terminal event
	endError       // the upstream's error event
)

const (
	doneData = "[DONE]" // chat's last data line
	bomDone  = 3
)

var (
	byteOrderMark = [bomDone]byte{0xEF, 0xBB, 0xBF}
	lineFeed      = []byte{'\n'}
)

func (r *reader) reset(ep Endpoint) {
	*r = reader{ep: ep}
}

// feed reads p, the next bytes of the stream, and returns the offset in p
// just past its last safe point, or -1 if p has none. At a safe point the
// client holds no part of an event: the bytes before it can be released
// and an error frame could follow them cleanly.
func (r *reader) feed(p []byte) int {
	i := 0
	for r.bom < bomDone && i < len(p) {
		if p[i] == byteOrderMark[r.bom] {
			r.bom++
			i++
			continue
		}
		matched := byteOrderMark[:r.bom] // not a mark after all: they were text
		r.bom = bomDone
		r.text(matched)
	}
	safe := -1
	lf, cr := -1, -1 // the next LF and CR at or after i; len(p) for none
	for i < len(p) {
		if r.afterCR {
			r.afterCR = false
			if p[i] == '\n' {
				i++
				if r.idle() {
					safe = i
				}
				continue
			}
		}
		if lf < i {
			lf = indexFrom(p, i, '\n')
		}
		if cr < i {
			cr = indexFrom(p, i, '\r')
		}
		end := min(lf, cr)
		r.text(p[i:end])
		if end == len(p) {
			break
		}
		r.endLine()
		r.afterCR = p[end] == '\r'
		i = end + 1
		if r.idle() {
			safe = i
		}
	}
	return safe
}

// indexFrom returns the index of the first c in p at or after from, or
// len(p).
func indexFrom(p []byte, from int, c byte) int {
	if j := bytes.IndexByte(p[from:], c); j >= 0 {
		return from + j
	}
	return len(p)
}

// idle reports whether no event is under way: nothing would reach a client
// merged with what follows.
func (r *reader) idle() bool {
	return r.line == lineStart && !r.hasData && !r.named()
}

func (r *reader) named() bool { return r.eventLen > 0 || r.eventOver }

// text reads a piece of a line that holds no line end.
func (r *reader) text(seg []byte) {
	if len(seg) == 0 {
		return
	}
	if r.line == lineStart {
		if seg[0] == ':' {
			r.line = lineSkip
			return
		}
		r.line = lineName
	}
	if r.line == lineName {
		colon := bytes.IndexByte(seg, ':')
		if colon < 0 {
			r.addName(seg)
			return
		}
		r.addName(seg[:colon])
		r.beginValue()
		seg = seg[colon+1:]
		r.line = lineSpace
	}
	if r.line == lineSpace {
		if len(seg) == 0 {
			return
		}
		if seg[0] == ' ' {
			seg = seg[1:]
		}
		r.line = lineValue
	}
	if r.line == lineValue && len(seg) > 0 {
		r.value(seg)
	}
}

func (r *reader) addName(b []byte) {
	if r.nameOver || r.nameLen+len(b) > len(r.fieldName) {
		r.nameOver = true
		return
	}
	r.nameLen += copy(r.fieldName[r.nameLen:], b)
}

// beginValue starts the value of the field just named.
func (r *reader) beginValue() {
	r.field = fieldOther
	if r.nameOver {
		return
	}
	switch string(r.fieldName[:r.nameLen]) {
	case "event":
		r.field = fieldEvent
		r.eventLen, r.eventOver = 0, false
	case "data":
		r.field = fieldData
		if r.hasData {
			r.data(lineFeed) // data lines join with LF
			return
		}
		r.hasData = true
		// Chat names no events; elsewhere the data is read only for an
		// event that came without a name.
		r.scanning = r.ep == ChatCompletions || !r.named()
		if r.scanning {
			r.json.reset(rules[r.ep].key)
		}
	}
}

func (r *reader) value(seg []byte) {
	switch r.field {
	case fieldEvent:
		if r.eventOver || r.eventLen+len(seg) > len(r.eventName) {
			r.eventOver = true
			return
		}
		r.eventLen += copy(r.eventName[r.eventLen:], seg)
	case fieldData:
		r.data(seg)
	}
}

func (r *reader) data(seg []byte) {
	if r.prefixLen < len(r.prefix) {
		r.prefixLen += copy(r.prefix[r.prefixLen:], seg)
	}
	if r.scanning {
		r.json.feed(seg)
	}
}

func (r *reader) endLine() {
	switch r.line {
	case lineStart:
		r.dispatch()
	case lineName: // a line without a colon names a field with an empty value
		r.beginValue()
	}
	r.line, r.nameLen, r.nameOver, r.field = lineStart, 0, false, fieldOther
}

func (r *reader) dispatch() {
	if r.hasData {
		r.events++
		if r.end == endNone {
			r.end = r.classify()
		}
	}
	r.hasData, r.scanning, r.eventLen, r.eventOver, r.prefixLen = false, false, 0, false, 0
}

// classify tells whether the event just dispatched ends the stream.
func (r *reader) classify() uint8 {
	name := r.eventName[:r.eventLen]
	if !r.eventOver && string(name) == "error" {
		return endError
	}
	if r.ep == ChatCompletions {
		switch {
		case string(r.prefix[:r.prefixLen]) == doneData:
			return endClean
		case r.json.complete() && r.json.present():
			return endError
		}
		return endNone
	}
	if r.named() {
		if !r.eventOver && r.ep.isTerminal(name) {
			return endClean
		}
		return endNone
	}
	if !r.json.complete() {
		return endNone
	}
	v, ok := r.json.value()
	switch {
	case !ok:
		return endNone
	case string(v) == "error":
		return endError
	case r.ep.isTerminal(v):
		return endClean
	}
	return endNone
}
