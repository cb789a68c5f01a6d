package middleware

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flexinference/flexguard/internal/stream"
)

// StreamEnd mirrors the watcher's kinds one for one: the conversion
// between them is a plain type conversion.
func TestStreamEndsMirrorTheWatcher(t *testing.T) {
	t.Parallel()
	assert.Equal(t,
		[]stream.Kind{stream.Passthrough, stream.Clean, stream.UpstreamError, stream.FailedBeforeBody, stream.FailedMidStream, stream.ClientGone},
		[]stream.Kind{stream.Kind(StreamPassedThrough), stream.Kind(StreamClean), stream.Kind(StreamUpstreamError),
			stream.Kind(StreamFailedBeforeBody), stream.Kind(StreamFailedMidStream), stream.Kind(StreamClientGone)})
}
