package bench_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/flexinference/flexguard/bench"
	"github.com/flexinference/flexguard/internal/testbodies"
	"github.com/flexinference/flexguard/middleware"
)

type namedPeer struct {
	name string
	new  func() (bench.Peer, error)
}

var peers = []namedPeer{
	{"KinOpenAPI", func() (bench.Peer, error) { return bench.NewKinOpenAPI() }},
	{"LibOpenAPI", func() (bench.Peer, error) { return bench.NewLibOpenAPI() }},
	{"DecodeAndSchema", func() (bench.Peer, error) { return bench.NewDecodeAndSchema() }},
}

// flexguardPeer runs the middleware Chain as a Peer, for the tests.
type flexguardPeer struct{ h http.Handler }

func (f flexguardPeer) Validate(r *http.Request) error {
	w := testbodies.NewStatusWriter()
	f.h.ServeHTTP(w, r)
	if w.Status != 0 {
		return http.ErrBodyNotAllowed // any error: the chain answered
	}
	return nil
}

func drain(w http.ResponseWriter, r *http.Request) {
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		panic(err)
	}
}

func validate(p bench.Peer, path string, body []byte) error {
	return p.Validate(bench.NewRequest(path, io.NopCloser(bytes.NewReader(body)), len(body)))
}

// Every peer must pass the good bodies and reject the bad ones, or its
// benchmark would measure a validator that does nothing.
func TestEveryPeerPassesTheBodiesAndRejectsBrokenRules(t *testing.T) {
	t.Parallel()
	bodies, err := testbodies.Load()
	require.NoError(t, err)
	chat := bodies[0].Bytes
	bad := map[string][]byte{
		"a chat body with seed":              bytes.Replace(chat, []byte(`"temperature"`), []byte(`"seed":7,"temperature"`), 1),
		"a chat body with service_tier":      bytes.Replace(chat, []byte(`"temperature"`), []byte(`"service_tier":"flex","temperature"`), 1),
		"a chat body with an empty model":    bytes.Replace(chat, []byte(`"model":"gpt-5.5"`), []byte(`"model":""`), 1),
		"a chat body with n of 2":            bytes.Replace(chat, []byte(`"temperature"`), []byte(`"n":2,"temperature"`), 1),
		"a chat body with start_within soon": bytes.Replace(chat, []byte(`"00h-00m-30s"`), []byte(`"soon"`), 1),
	}
	all := append([]namedPeer{{"flexguard", func() (bench.Peer, error) {
		guard, err := middleware.New(middleware.Options{})
		if err != nil {
			return nil, err
		}
		return flexguardPeer{guard.Handler(http.HandlerFunc(drain))}, nil
	}}}, peers...)
	for _, np := range all {
		t.Run(np.name, func(t *testing.T) {
			t.Parallel()
			p, err := np.new()
			require.NoError(t, err)
			for _, body := range bodies {
				require.NoError(t, validate(p, body.Endpoint.String(), body.Bytes), "%s must pass", body.Name)
			}
			for name, body := range bad {
				require.NotEqual(t, chat, body, "%s: the replacement did not apply", name)
				require.Error(t, validate(p, "/v1/chat/completions", body), "%s must fail", name)
			}
		})
	}
}

// benchPeer measures one peer on every body, rebuilding nothing but the
// body reader each iteration.
func benchPeer(b *testing.B, p bench.Peer) {
	testbodies.Each(b, func(b *testing.B, body testbodies.Body) {
		src := &testbodies.ReplayBody{}
		req := bench.NewRequest(body.Endpoint.String(), src, len(body.Bytes))
		for b.Loop() {
			src.Reset(body.Bytes)
			req.Body = src // a peer may have swapped in its own copy
			if err := p.Validate(req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkChain is flexguard's whole middleware chain (Guard.Handler), in
// process, with a handler that drains the buffered body.
func BenchmarkChain(b *testing.B) {
	guard, err := middleware.New(middleware.Options{})
	require.NoError(b, err)
	h := guard.Handler(http.HandlerFunc(drain))
	testbodies.Each(b, func(b *testing.B, body testbodies.Body) { testbodies.Serve(b, h, body, nil) })
}

// BenchmarkFloorValidBytes is gjson.ValidBytes alone, the floor.
func BenchmarkFloorValidBytes(b *testing.B) {
	testbodies.Each(b, func(b *testing.B, body testbodies.Body) {
		for b.Loop() {
			if !gjson.ValidBytes(body.Bytes) {
				b.Fatal("invalid")
			}
		}
	})
}

func BenchmarkKinOpenAPI(b *testing.B) {
	p, err := bench.NewKinOpenAPI()
	require.NoError(b, err)
	benchPeer(b, p)
}

func BenchmarkLibOpenAPI(b *testing.B) {
	p, err := bench.NewLibOpenAPI()
	require.NoError(b, err)
	benchPeer(b, p)
}

func BenchmarkDecodeAndSchema(b *testing.B) {
	p, err := bench.NewDecodeAndSchema()
	require.NoError(b, err)
	benchPeer(b, p)
}
