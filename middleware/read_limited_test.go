package middleware

import (
	"bytes"
	"errors"
	"io"
	"math/bits"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type failingBody struct{}

func (failingBody) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
func (failingBody) Close() error             { return nil }

// trickleBody yields src at most step bytes per Read, then fails with
// err (io.EOF for a body that ends), and records for every Read how many
// bytes it had yielded and how much room it was offered.
type trickleBody struct {
	src   []byte
	step  int
	err   error
	reads []offer
	given int
}

type offer struct{ received, room int }

func (b *trickleBody) Read(p []byte) (int, error) {
	b.reads = append(b.reads, offer{b.given, len(p)})
	if b.given == len(b.src) {
		return 0, b.err
	}
	n := copy(p[:min(len(p), b.step)], b.src[b.given:])
	b.given += n
	return n, nil
}

func (*trickleBody) Close() error { return nil }

func TestReadLimited(t *testing.T) {
	t.Parallel()
	const limit = 16
	cases := []struct {
		name     string
		body     io.ReadCloser
		declared int64
		want     string
		tooLarge bool
		failed   bool
	}{
		{name: "a body of its declared length is read whole", body: io.NopCloser(strings.NewReader("hello")), declared: 5, want: "hello"},
		{name: "an empty body is read as empty", body: http.NoBody, declared: 0, want: ""},
		{name: "a body shorter than declared is what arrived", body: io.NopCloser(strings.NewReader("hi")), declared: 5, want: "hi"},
		{name: "a body longer than declared is read on, within the limit", body: io.NopCloser(strings.NewReader("hello, world")), declared: 5, want: "hello, world"},
		{name: "a body longer than declared is cut at the limit", body: io.NopCloser(strings.NewReader(strings.Repeat("x", limit+1))), declared: 5, tooLarge: true},
		{name: "a body of exactly the limit with a short declared length passes", body: io.NopCloser(strings.NewReader(strings.Repeat("x", limit))), declared: 1, want: strings.Repeat("x", limit)},
		{name: "a chunked body within the limit is read whole", body: io.NopCloser(strings.NewReader("chunked")), declared: -1, want: "chunked"},
		{name: "a chunked body over the limit is too large", body: io.NopCloser(strings.NewReader(strings.Repeat("x", limit+1))), declared: -1, tooLarge: true},
		{name: "a read error is returned", body: failingBody{}, declared: 5, failed: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, pooled, err := readLimited(httptest.NewRecorder(), tc.body, tc.declared, limit)
			defer pooled.release()
			var tooLarge *http.MaxBytesError
			switch {
			case tc.tooLarge:
				require.ErrorAs(t, err, &tooLarge)
			case tc.failed:
				require.Error(t, err)
				assert.False(t, errors.As(err, &tooLarge))
			default:
				require.NoError(t, err)
				assert.Equal(t, tc.want, string(got))
			}
		})
	}
}

// Bodies longer than a stage chunk, declared or chunked, arriving at once
// or a few bytes at a time, are read byte for byte; their buffers never
// hold more than stageShare times the bytes that have arrived (or one
// chunk), whatever length was declared.
func TestReadLimitedGrowsWithTheBytesThatArrive(t *testing.T) {
	t.Parallel()
	const limit = 1_000_000
	body := make([]byte, 900_000)
	for i := range body {
		body[i] = byte('a' + i%26)
	}
	cut := errors.New("connection reset")
	cases := []struct {
		name     string
		sent     []byte
		step     int
		end      error
		declared int64
		want     []byte // nil: the read fails
	}{
		{"a declared body arriving at once is read whole", body, len(body), io.EOF, int64(len(body)), body},
		{"a declared body arriving in 1,000-byte pieces is read whole", body, 1000, io.EOF, int64(len(body)), body},
		{"a body just over one chunk is read whole", body[:stageChunk+1], 7000, io.EOF, stageChunk + 1, body[:stageChunk+1]},
		{"a body of exactly one chunk is read whole", body[:stageChunk], 7000, io.EOF, stageChunk, body[:stageChunk]},
		{"a body that ends before its declared length while staged is what arrived", body[:100_000], 4096, io.EOF, limit, body[:100_000]},
		{"a body that ends before its declared length after staging is what arrived", body[:600_000], 4096, io.EOF, limit, body[:600_000]},
		{"a body that runs past its declared length is read on", body, 4096, io.EOF, 300_000, body},
		{"a chunked body is read whole", body, 3000, io.EOF, -1, body},
		{"a declared body whose client goes while staged fails", body[:1], 1, cut, limit, nil},
		{"a declared body whose client goes after staging fails", body[:700_000], 65536, cut, limit, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := &trickleBody{src: tc.sent, step: tc.step, err: tc.end}
			got, pooled, err := readLimited(httptest.NewRecorder(), src, tc.declared, limit)
			defer pooled.release()
			if tc.want == nil {
				require.ErrorIs(t, err, cut)
			} else {
				require.NoError(t, err)
				require.True(t, bytes.Equal(tc.want, got), "got %d bytes, want %d", len(got), len(tc.want))
			}
			for _, r := range src.reads {
				held := r.received + r.room
				require.LessOrEqual(t, held, max(r.received+stageChunk, stageShare*r.received),
					"after %d bytes a buffer had room for %d more", r.received, r.room)
			}
		})
	}
}

// A body of declared length comes in a pooled buffer, and a released
// buffer serves the next body of its size class without an allocation.
func TestBodyBuffersArePooledBySizeClass(t *testing.T) {
	for _, size := range []int64{1, 2057, 4096, 4097, stageChunk + 1, 999_001} {
		b := takeBuffer(size)
		require.GreaterOrEqual(t, int64(cap(b.b)), size)
		require.Zero(t, len(b.b))
		c := cap(b.b)
		require.Equal(t, c, 1<<(bits.Len(uint(c))-1), "a pooled buffer is a power of two")
		b.release()
	}
	// The race detector makes a sync.Pool drop some of what it is given,
	// so count buffers rather than allocations.
	seen := map[*bodyBuffer]bool{}
	for range 1000 {
		b := takeBuffer(2057)
		seen[b] = true
		b.release()
	}
	assert.Less(t, len(seen), 500, "released buffers are taken again")

	huge := takeBuffer(1 << 27)
	assert.Equal(t, 1<<27, cap(huge.b), "a body past the largest class is allocated to size")
	huge.release()
	var none *bodyBuffer
	none.release() // a chunked body has no pooled buffer
}
