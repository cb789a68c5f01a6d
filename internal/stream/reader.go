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
// The reader keeps no line and no data beyond the few bytes it compares
// (a field name, the event name, the first bytes of the data), the JSON
// scanner's state and a copy of chat's last chunk, at most 64 KiB. Its
// memory is the same for a 100-byte stream and a 100 MB one.
type reader struct {
	ep   Endpoint
	json topLevel

	line      uint8
	field     uint8
	fieldName [5]byte // "event" and "data" are the longest names it needs
	fieldLen  int
	fieldOver bool
	afterCR   bool  // the last line ended with CR: an LF next belongs to it
	bom       uint8 // bytes of a leading byte-order mark matched; bomDone when settled

	// The event being read.
	hasData    bool
	scanning   bool  // json follows this event's data
	copied     bool  // chat: the data went to lastData instead
	name       uint8 // what the event's name says
	nameBuf    [32]byte
	nameBufLen int // a name read in pieces
	nameOver   bool
	prefix     [len(doneData)]byte // chat: the data's first bytes
	prefixLen  int

	// Chat's last dispatched chunk: an error in it ends the stream when
	// nothing but [DONE] follows, so it is judged only then (when it came
	// whole, from a copy, sparing every other chunk the search).
	lastError uint8
	lastData  []byte

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

// What an event's name says.
const (
	nameNone uint8 = iota
	nameOther
	nameTerminal
	nameError
)

// What chat's last chunk says.
const (
	lastNo uint8 = iota
	lastYes
	lastCopied // to be scanned from lastData
)

// maxCopied bounds the chat data kept for a later verdict; a longer chunk
// is searched at once.
const maxCopied = 64 << 10

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
	errorKeyEnd   = []byte(`error"`)
	latinEscape   = []byte(`\u00`)
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
	if !r.afterCR && r.line == lineStart && bytes.IndexByte(p[i:], '\r') < 0 {
		return r.feedLines(p, i, safe)
	}
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
			lf = i
			if p[i] != '\n' { // a blank line needs no search
				lf = indexFrom(p, i, '\n')
			}
		}
		if cr < i {
			cr = indexFrom(p, i, '\r')
		}
		end := min(lf, cr)
		if end == len(p) { // the line goes on in the next write
			r.text(p[i:])
			break
		}
		if r.line == lineStart {
			r.wholeLine(p, i, end)
		} else {
			r.text(p[i:end])
			r.endLine()
		}
		r.afterCR = p[end] == '\r'
		i = end + 1
		if r.idle() {
			safe = i
		}
	}
	return safe
}

// feedLines is feed from p[i:] for the usual write: it holds no CR, so
// every line ends at an LF, and it starts at the start of a line. It
// spares each line the CR bookkeeping of the general loop.
func (r *reader) feedLines(p []byte, i, safe int) int {
	for i < len(p) {
		end := i // a blank line needs no search
		if p[i] != '\n' {
			j := bytes.IndexByte(p[i:], '\n')
			if j < 0 { // the line goes on in the next write
				r.text(p[i:])
				return safe
			}
			end = i + j
		}
		r.wholeLine(p, i, end)
		i = end + 1
		if r.idle() {
			safe = i
		}
	}
	return safe
}

// wholeLine reads the line p[i:end], all of it in p, as most lines are.
func (r *reader) wholeLine(p []byte, i, end int) {
	line := p[i:end]
	switch {
	case len(line) == 0:
		r.dispatch()
	case line[0] == ':':
	case len(line) >= len("data:") && string(line[:len("data:")]) == "data:":
		r.wholeData(p, line[len("data:"):], end)
	case len(line) >= len("event:") && string(line[:len("event:")]) == "event:":
		r.name = r.judgeName(dropSpace(line[len("event:"):]), false)
	default: // another field, or one without a colon
		r.text(line)
		r.endLine()
	}
}

func dropSpace(value []byte) []byte {
	if len(value) > 0 && value[0] == ' ' {
		return value[1:]
	}
	return value
}

// wholeData reads a whole data line, whose value starts after "data:" and
// whose line ends at p[end].
func (r *reader) wholeData(p, value []byte, end int) {
	value = dropSpace(value)
	if r.hasData {
		r.data(lineFeed)
		r.data(value)
		return
	}
	r.hasData = true
	r.addPrefix(value)
	// A blank line right after means this line is all of the event's data,
	// in hand: scan it only when that can change the verdict. Otherwise
	// scan, as data read in pieces is.
	whole := end+1 < len(p) && p[end] == '\n' && p[end+1] == '\n'
	switch {
	case !whole:
		r.scanning = true
	case r.ep != ChatCompletions:
		r.scanning = !r.named() // a named event is judged by its name
	case len(value) >= len(doneData) && string(value[:len(doneData)]) == doneData:
	case len(value) <= maxCopied:
		r.lastData, r.copied = append(r.lastData[:0], value...), true
	default:
		r.scanning = mayHoldErrorKey(value)
	}
	if r.scanning {
		r.json.reset(rules[r.ep].key)
		r.json.feed(value)
	}
}

// mayHoldErrorKey reports whether a chat data line could hold an "error"
// key: the key is spelled out, or some of its letters are escaped, which
// for e, r and o means \u00.
func mayHoldErrorKey(line []byte) bool {
	return bytes.Contains(line, errorKeyEnd) || bytes.Contains(line, latinEscape)
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

func (r *reader) named() bool { return r.name != nameNone }

// judgeName tells what an event name says.
func (r *reader) judgeName(name []byte, over bool) uint8 {
	switch {
	case over:
		return nameOther
	case len(name) == 0:
		return nameNone
	case string(name) == "error":
		return nameError
	case r.ep.isTerminal(name):
		return nameTerminal
	}
	return nameOther
}

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
	if r.fieldOver || r.fieldLen+len(b) > len(r.fieldName) {
		r.fieldOver = true
		return
	}
	r.fieldLen += copy(r.fieldName[r.fieldLen:], b)
}

// beginValue starts the value of the field just named.
func (r *reader) beginValue() {
	r.field = fieldOther
	if r.fieldOver {
		return
	}
	switch string(r.fieldName[:r.fieldLen]) {
	case "event":
		r.field = fieldEvent
		r.nameBufLen, r.nameOver = 0, false
	case "data":
		r.field = fieldData
		if r.hasData {
			r.data(lineFeed) // data lines join with LF
			return
		}
		r.hasData = true
		// Whether the event ends up named is only known at its end: the
		// data is scanned in case it does not.
		r.scanning = true
		r.json.reset(rules[r.ep].key)
	}
}

func (r *reader) value(seg []byte) {
	switch r.field {
	case fieldEvent:
		r.setName(seg)
	case fieldData:
		r.data(seg)
	}
}

// setName adds to a name read in pieces, noting one too long to compare.
func (r *reader) setName(b []byte) {
	if r.nameOver || r.nameBufLen+len(b) > len(r.nameBuf) {
		r.nameOver = true
		return
	}
	r.nameBufLen += copy(r.nameBuf[r.nameBufLen:], b)
}

func (r *reader) data(seg []byte) {
	r.addPrefix(seg)
	if r.scanning {
		r.json.feed(seg)
	}
}

// addPrefix keeps chat's first data bytes, where [DONE] would be.
func (r *reader) addPrefix(b []byte) {
	if r.ep == ChatCompletions && r.prefixLen < len(r.prefix) {
		r.prefixLen += copy(r.prefix[r.prefixLen:], b)
	}
}

func (r *reader) endLine() {
	switch r.line {
	case lineStart:
		r.dispatch()
	case lineName: // a line without a colon names a field with an empty value
		r.beginValue()
	}
	if r.field == fieldEvent {
		r.name = r.judgeName(r.nameBuf[:r.nameBufLen], r.nameOver)
	}
	r.line, r.fieldLen, r.fieldOver, r.field = lineStart, 0, false, fieldOther
}

func (r *reader) dispatch() {
	if r.hasData {
		r.events++
		if r.end == endNone {
			r.end = r.verdict()
		}
	}
	r.hasData, r.scanning, r.copied, r.name, r.prefixLen = false, false, false, nameNone, 0
}

// verdict tells whether the event just dispatched ends the stream.
func (r *reader) verdict() uint8 {
	switch {
	case r.name == nameError:
		return endError
	case r.ep == ChatCompletions:
		return r.chatVerdict()
	case r.named():
		if r.name == nameTerminal {
			return endClean
		}
		return endNone
	case !r.scanning || !r.json.complete():
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

// chatVerdict ends a chat stream at [DONE], with the error of the chunk
// before it if it had one, and otherwise notes whether this chunk carries
// an error, in case the stream stops after it.
func (r *reader) chatVerdict() uint8 {
	if string(r.prefix[:r.prefixLen]) == doneData {
		if r.lastIsError() {
			return endError
		}
		return endClean
	}
	switch {
	case r.copied:
		r.lastError = lastCopied
	case r.scanning && r.json.complete() && r.json.present():
		r.lastError = lastYes
	default:
		r.lastError = lastNo
	}
	return endNone
}

// lastIsError reports whether chat's last chunk carries a top-level
// "error" that is not null.
func (r *reader) lastIsError() bool {
	switch r.lastError {
	case lastYes:
		return true
	case lastCopied:
		r.json.reset(rules[r.ep].key)
		r.json.feed(r.lastData)
		return r.json.complete() && r.json.present()
	}
	return false
}

// close settles what only the stream's end decides: a chat stream that
// stops right after an error chunk ended with that error.
func (r *reader) close() {
	if r.end == endNone && r.ep == ChatCompletions && r.lastIsError() {
		r.end = endError
	}
}
