package stream

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzWatch relays a stream through the watcher in random writes and
// holds its answer to what the stream deserves: the stream as sent when it
// reached its end, else the stream up to its last safe point and one error
// frame, or the 502 when no safe point came.
func FuzzWatch(f *testing.F) {
	for i, s := range []string{
		"data: {\"choices\":[]}\n\ndata: [DONE]\n\n",
		"data: {\"choices\":[]}\n\ndata: {\"cho",
		"event: message_stop\ndata: {}\n\nleft",
		": ping\n\nevent: step.delta\r\ndata: x\r\n\r\n",
		"data: x\n",
	} {
		f.Add(uint8(i), []byte(s), uint64(i), i%2 == 0)
	}
	obj, err := parseErrorObject(catalogErrorObject())
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, epByte uint8, stream []byte, seed uint64, abort bool) {
		ep := Endpoint(1 + int(epByte)%int(endpointEnd-1))
		whole := readInPieces(ep, [][]byte{stream})

		watch, err := Watch(Options{})
		require.NoError(t, err)
		rec := httptest.NewRecorder()
		watch(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			for _, p := range splits(stream, seed)["random"] {
				_, _ = w.Write(p)
				w.(http.Flusher).Flush()
			}
			if abort {
				panic(http.ErrAbortHandler)
			}
		})).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, ep.String(), nil))

		switch {
		case whole.end != endNone:
			require.Equal(t, http.StatusOK, rec.Code)
			require.Equal(t, string(stream), rec.Body.String(), "a stream that ended passes as sent")
		case whole.safe > 0:
			require.Equal(t, http.StatusOK, rec.Code)
			want := appendErrorFrame(bytes.Clone(stream[:whole.safe]), ep, &obj, whole.events)
			require.Equal(t, string(want), rec.Body.String())
		default:
			require.Equal(t, http.StatusBadGateway, rec.Code)
			require.Contains(t, rec.Body.String(), `"code":"upstream_stream_failed"`)
		}
	})
}
