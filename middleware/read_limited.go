package middleware

import (
	"io"
	"math/bits"
	"net/http"
	"sync"
)

// A declared Content-Length is a promise, not bytes: memory for a body
// follows what has arrived. A body that fits in one stage chunk gets its
// buffer at once. A longer one is staged in spare chunks until a share of
// its declared length has come, and only then gets one buffer of its full
// length, so a client that declares a megabyte and sends a byte holds one
// chunk, and an honest body is copied once, in part, and allocated once.
const (
	// stageChunk is the most a declared length buys before its bytes
	// arrive, and the unit bodies are staged in.
	stageChunk = 32 << 10
	// stageShare: the full buffer is allocated once 1/stageShare of the
	// declared length has arrived, so a body holds at most stageShare
	// times the bytes it has sent, and one chunk.
	stageShare = 4
	// firstChunked is the first buffer of a body without a length; it
	// doubles as bytes arrive.
	firstChunked = 512
	// spareChunks is how many stage chunks are kept between requests:
	// enough for a few large bodies at once, a bounded 2 MiB.
	spareChunks = 64
)

// spares holds stage chunks between requests (their bytes are copied out
// before a body is handed on, so no request keeps one). It is a channel
// rather than a sync.Pool, which empties at every collection, and large
// bodies make collections frequent.
var spares = make(chan *[stageChunk]byte, spareChunks)

func takeChunk() *[stageChunk]byte {
	select {
	case c := <-spares:
		return c
	default:
		return new([stageChunk]byte)
	}
}

func returnChunk(c *[stageChunk]byte) {
	select {
	case spares <- c:
	default: // enough spares: the collector takes this one
	}
}

// Body buffers of declared length are kept between requests, by size
// class (powers of two), so that a gateway under load does not allocate,
// zero and collect a buffer per request. A buffer goes back when the
// handler has returned: net/http forbids reading a request's body after
// that, and BodyFrom says the same of its bytes.
const (
	minBufferClass = 12 // 4 KiB
	maxBufferClass = 26 // 64 MiB: larger bodies are allocated and collected
)

// bodyBuffer is a pooled buffer; the pool holds the pointer, so putting
// it back allocates nothing.
type bodyBuffer struct{ b []byte }

var bufferPools [maxBufferClass + 1]sync.Pool

// takeBuffer returns an empty buffer of at least size bytes, pooled when
// its size has a class.
func takeBuffer(size int64) *bodyBuffer {
	class := max(minBufferClass, bits.Len64(uint64(size-1)))
	if class > maxBufferClass {
		return &bodyBuffer{b: make([]byte, 0, size)}
	}
	if b, ok := bufferPools[class].Get().(*bodyBuffer); ok {
		return b
	}
	return &bodyBuffer{b: make([]byte, 0, 1<<class)}
}

// release returns b to its pool; b must not be used afterwards. A nil b,
// and a buffer without a class, are let go.
func (b *bodyBuffer) release() {
	if b == nil {
		return
	}
	c := cap(b.b)
	if class := bits.Len64(uint64(c)) - 1; c == 1<<class && class >= minBufferClass && class <= maxBufferClass {
		b.b = b.b[:0]
		bufferPools[class].Put(b)
	}
}

// readLimited reads the body, failing with *http.MaxBytesError past limit.
// A declared length (at most limit: BodyLimit's check has run) is read up
// to one byte past it, so that its end is seen without growing the buffer:
// a server's body ends at its Content-Length, so no limit reader, and no
// allocation for one, is needed. A chunked body, and one that runs past
// its declared length (a request built by hand), go through
// http.MaxBytesReader. A body of declared length comes in a pooled buffer
// (pooled, to release once the body is no longer used); on an error the
// buffer is released already.
func readLimited(w http.ResponseWriter, src io.ReadCloser, declared, limit int64) (body []byte, pooled *bodyBuffer, err error) {
	if declared < 0 {
		buf, _, err := readInto(make([]byte, 0, firstChunked), http.MaxBytesReader(serverWriter(w), src, limit), limit+1)
		return buf, nil, err
	}
	buf, pooled, eof, err := readDeclared(src, declared+1)
	if err != nil || eof {
		return buf, pooled, err
	}
	if int64(len(buf)) > limit {
		pooled.release()
		return nil, nil, &http.MaxBytesError{Limit: limit}
	}
	grown, _, err := readInto(buf, http.MaxBytesReader(serverWriter(w), src, limit-int64(len(buf))), limit+1)
	if err != nil || cap(grown) != cap(buf) { // failed, or outgrew the pooled buffer
		pooled.release()
		pooled = nil
	}
	return grown, pooled, err
}

// readDeclared reads src until EOF (eof true) or until it has want bytes,
// staging them while fewer than want/stageShare have arrived. The bytes
// are in pooled's buffer; on an error it is released already.
func readDeclared(src io.Reader, want int64) (_ []byte, pooled *bodyBuffer, eof bool, err error) {
	if want <= stageChunk {
		pooled = takeBuffer(want)
		buf, eof, err := readInto(pooled.b, src, want)
		if err != nil {
			pooled.release()
			return nil, nil, false, err
		}
		return buf, pooled, eof, nil
	}
	var held [8]*[stageChunk]byte // enough for the default limit without an allocation
	chunks := held[:0]
	defer func() {
		for _, c := range chunks {
			returnChunk(c)
		}
	}()
	var staged, last int64
	for !eof && staged*stageShare < want {
		c := takeChunk()
		chunks = append(chunks, c)
		var part []byte
		if part, eof, err = readInto(c[:0], src, stageChunk); err != nil {
			return nil, nil, false, err
		}
		last = int64(len(part))
		staged += last
	}
	size := want
	if eof {
		size = staged
	}
	pooled = takeBuffer(size)
	buf := pooled.b
	for i, c := range chunks {
		n := int64(stageChunk)
		if i == len(chunks)-1 {
			n = last
		}
		buf = append(buf, c[:n]...)
	}
	if eof {
		return buf, pooled, true, nil
	}
	buf, eof, err = readInto(buf, src, want)
	if err != nil {
		pooled.release()
		return nil, nil, false, err
	}
	return buf, pooled, eof, nil
}

// readInto appends what src yields to buf until EOF (eof true), or until
// buf holds upTo bytes. A full buf doubles, never past upTo, so that it
// grows with the bytes that arrive.
func readInto(buf []byte, src io.Reader, upTo int64) (_ []byte, eof bool, err error) {
	for {
		if int64(len(buf)) >= upTo {
			return buf, false, nil
		}
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(upTo, int64(max(2*cap(buf), firstChunked))))
			copy(grown, buf)
			buf = grown
		}
		n, err := src.Read(buf[len(buf):min(int64(cap(buf)), upTo)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, true, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
}
