package extproc_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	filterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/contrib/extproc"
	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/conformance"
	"github.com/flexinference/flexguard/internal/conformance/guardcase"
	"github.com/flexinference/flexguard/validate"
)

// The body modes the conformance cases run in: BUFFERED, and STREAMED in
// chunks small enough that the limit cases cross it mid-stream.
var modes = []envoy{
	{mode: filterv3.ProcessingMode_BUFFERED},
	{mode: filterv3.ProcessingMode_STREAMED, chunk: 64 << 10},
}

// TestConformanceThroughExtProc runs every conformance case through the
// Processor over gRPC, in each body mode, and holds each answer to
// Guard.Handler's for the same request.
func TestConformanceThroughExtProc(t *testing.T) {
	t.Parallel()
	cases, err := conformance.Load(conformance.Dir())
	require.NoError(t, err)
	for _, e := range modes {
		t.Run(e.mode.String(), func(t *testing.T) {
			t.Parallel()
			for _, c := range cases {
				t.Run(c.String(), func(t *testing.T) {
					t.Parallel()
					runCase(t, e, c)
				})
			}
		})
	}
}

func runCase(t *testing.T, e envoy, c *conformance.Case) {
	if c.Keys {
		t.Skip("keys and limits cases replay earlier requests against a key store and limiters of their own; TestKeysThroughTheProcessor checks the wiring")
	}
	opts, err := guardcase.Options(c)
	require.NoError(t, err)
	var (
		mu       sync.Mutex
		rejected []*apierrors.Error
	)
	opts.OnReject = func(_ *http.Request, err *apierrors.Error) {
		mu.Lock()
		defer mu.Unlock()
		rejected = append(rejected, err)
	}
	client := startProcessor(t, extproc.Options{Guard: opts})
	req := httpRequest{method: c.Method, target: c.Target, header: c.Header, body: c.Body, gone: c.Disconnect}
	switch {
	case c.Chunked:
	case c.ContentLength >= 0:
		req.length = lengthOf(int(c.ContentLength))
	case c.Disconnect:
		req.length = lengthOf(len(c.Body) + 100) // the client promised more
	default:
		req.length = lengthOf(len(c.Body))
	}
	res := e.do(t, client, req)

	mu.Lock()
	defer mu.Unlock()
	if c.WantStatus == http.StatusOK {
		require.Nil(t, res.immediate, "the request must go on; got %d %s", res.immediate.GetStatus().GetCode(), res.immediate.GetBody())
		assert.Empty(t, rejected)
		assert.Equal(t, c.Body, res.forwarded, "the upstream gets the exact bytes sent")
		facts := map[string]string{}
		if e.mode == filterv3.ProcessingMode_BUFFERED {
			for _, k := range []string{"endpoint", "model", "provider", "start-within"} {
				facts[strings.ReplaceAll(k, "-", "_")] = res.header.Get("x-flexguard-" + k)
			}
		} else {
			facts = res.metadata
		}
		assert.Equal(t, c.Path(), facts["endpoint"])
		for k, want := range c.WantFacts {
			if k != "defaulted" {
				assert.Equal(t, want, facts[k], "fact %s", k)
			}
		}
		return
	}
	require.Len(t, rejected, 1, "OnReject hears of every rejection once")
	assert.Equal(t, c.WantCode, rejected[0].Code().String())
	if c.WantCode == apierrors.ClientClosedRequest.String() {
		assert.True(t, res.ended, "nothing is answered to a client that has gone")
		return
	}
	require.NotNil(t, res.immediate, "a rejection is an immediate response")
	status := int(res.immediate.GetStatus().GetCode())
	header := immediateHeader(res.immediate)
	require.NoError(t, conformance.CheckErrorAnswer(status, header, res.immediate.GetBody(), c.WantStatus, c.WantCode, c.WantParam))
	assert.Equal(t, "flexguard_"+c.WantCode, res.immediate.GetDetails())

	plain := opts
	plain.OnReject = nil
	direct, err := guardcase.Answer(c, plain)
	require.NoError(t, err)
	assert.Equal(t, direct.Code, status, "the same status as Guard.Handler")
	assert.Equal(t, direct.Body.String(), string(res.immediate.GetBody()), "the same body as Guard.Handler")
	for _, name := range []string{"Content-Type", "Allow", "Retry-After"} {
		assert.Equal(t, direct.Header().Get(name), header.Get(name), "header %s", name)
	}
	if e.mode == filterv3.ProcessingMode_STREAMED && c.WantCode == apierrors.RequestTooLarge.String() {
		limit := int(opts.Policy.MaxBodyBytes)
		if limit == 0 {
			limit = validate.DefaultMaxBodyBytes
		}
		assert.LessOrEqual(t, res.sent, limit/e.chunk+1, "413 comes as the limit is crossed, before more is read")
	}
}
