package middleware

import (
	"errors"
	"io"
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
			got, err := readLimited(httptest.NewRecorder(), tc.body, tc.declared, limit)
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
