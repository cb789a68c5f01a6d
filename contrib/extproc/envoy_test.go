package extproc_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	filterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/flexinference/flexguard/contrib/extproc"
)

// startProcessor serves a Processor built from opts on an in-memory
// gRPC connection (HTTP/2 framing, the real gRPC stack) and returns a
// client for it.
func startProcessor(t testing.TB, opts extproc.Options) extprocv3.ExternalProcessorClient {
	t.Helper()
	p, err := extproc.New(opts)
	require.NoError(t, err)
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	extprocv3.RegisterExternalProcessorServer(srv, p)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///flexguard-extproc",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return extprocv3.NewExternalProcessorClient(conn)
}

// envoy drives one request through the ext_proc protocol as Envoy's
// filter does: the request headers, then the body (one message in
// BUFFERED mode, chunks in STREAMED mode), then trailers if any, then
// the upstream's response headers; it applies each mutation the
// processor answers with, as Envoy would.
type envoy struct {
	mode filterv3.ProcessingMode_BodySendMode
	// chunk is the size of a STREAMED chunk.
	chunk int
	// quiet leaves protocol_config out, as Envoy before 1.34 does.
	quiet bool
}

// httpRequest is what the client sent Envoy.
type httpRequest struct {
	method  string
	target  string
	header  [][2]string
	length  string // the Content-Length header; "" for none
	body    []byte
	trailer bool // the body ends in trailers
	gone    bool // the client goes away after the body's bytes, before its end
}

// result is what Envoy did with the request.
type result struct {
	immediate *extprocv3.ImmediateResponse // the processor's own answer, or nil
	header    http.Header                  // the request headers sent upstream
	forwarded []byte                       // the body sent upstream
	metadata  map[string]string            // the flexguard dynamic metadata
	sent      int                          // body messages sent to the processor
	ended     bool                         // the stream ended with no answer
}

func (e envoy) do(t *testing.T, client extprocv3.ExternalProcessorClient, req httpRequest) result {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stream, err := client.Process(ctx)
	require.NoError(t, err)

	res := result{header: http.Header{}, metadata: map[string]string{}}
	headers := []*corev3.HeaderValue{
		{Key: ":method", RawValue: []byte(req.method)},
		{Key: ":path", RawValue: []byte(req.target)},
		{Key: ":authority", RawValue: []byte("gateway.example")},
		{Key: ":scheme", RawValue: []byte("http")},
	}
	if req.length != "" {
		headers = append(headers, &corev3.HeaderValue{Key: "content-length", RawValue: []byte(req.length)})
	}
	for _, h := range req.header {
		headers = append(headers, &corev3.HeaderValue{Key: strings.ToLower(h[0]), RawValue: []byte(h[1])})
		res.header.Add(h[0], h[1])
	}
	first := &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestHeaders{RequestHeaders: &extprocv3.HttpHeaders{
		Headers:     &corev3.HeaderMap{Headers: headers},
		EndOfStream: len(req.body) == 0 && !req.trailer && !req.gone,
	}}}
	if !e.quiet {
		first.ProtocolConfig = &extprocv3.ProtocolConfiguration{RequestBodyMode: e.mode}
	}
	resp := e.exchange(t, stream, first)
	if resp == nil {
		return result{ended: true}
	}
	if res.immediate = resp.GetImmediateResponse(); res.immediate != nil {
		return res
	}
	require.NotNil(t, resp.GetRequestHeaders(), "a headers message is answered with headers: %v", resp)
	applyHeaders(res.header, resp.GetRequestHeaders().GetResponse().GetHeaderMutation())
	if first.GetRequestHeaders().GetEndOfStream() {
		return e.finish(t, stream, res)
	}

	var chunks [][]byte
	switch {
	case e.mode == filterv3.ProcessingMode_STREAMED:
		for rest := req.body; len(rest) > 0; {
			n := min(e.chunk, len(rest))
			chunks, rest = append(chunks, rest[:n]), rest[n:]
		}
	case !req.gone: // BUFFERED: the whole body once it has all arrived
		chunks = [][]byte{req.body}
	}
	for i, chunk := range chunks {
		last := i == len(chunks)-1 && !req.trailer && !req.gone
		resp := e.exchange(t, stream, &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestBody{
			RequestBody: &extprocv3.HttpBody{Body: chunk, EndOfStream: last},
		}})
		res.sent++
		if resp == nil {
			return result{ended: true, sent: res.sent}
		}
		if res.immediate = resp.GetImmediateResponse(); res.immediate != nil {
			return res
		}
		require.NotNil(t, resp.GetRequestBody(), "a body message is answered with a body response: %v", resp)
		common := resp.GetRequestBody().GetResponse()
		if e.mode == filterv3.ProcessingMode_BUFFERED { // Envoy applies header mutations from a body response only here
			applyHeaders(res.header, common.GetHeaderMutation())
		}
		switch m := common.GetBodyMutation().GetMutation().(type) {
		case *extprocv3.BodyMutation_Body:
			chunk = m.Body
		case *extprocv3.BodyMutation_ClearBody:
			chunk = nil
		}
		res.forwarded = append(res.forwarded, chunk...)
		readMetadata(res.metadata, resp.GetDynamicMetadata())
	}
	if req.gone {
		require.NoError(t, stream.CloseSend())
		_, err := stream.Recv()
		require.ErrorIs(t, err, io.EOF, "a stream whose client went away ends without an answer")
		return result{ended: true, sent: res.sent}
	}
	if req.trailer {
		resp := e.exchange(t, stream, &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestTrailers{
			RequestTrailers: &extprocv3.HttpTrailers{Trailers: &corev3.HeaderMap{Headers: []*corev3.HeaderValue{{Key: "x-checksum", RawValue: []byte("0")}}}},
		}})
		if res.immediate = resp.GetImmediateResponse(); res.immediate != nil {
			return res
		}
		require.NotNil(t, resp.GetRequestTrailers(), "a trailers message is answered with trailers: %v", resp)
	}
	return e.finish(t, stream, res)
}

// finish plays the upstream's response headers through the stream, as
// Envoy does with the default response_header_mode, and closes it.
func (e envoy) finish(t *testing.T, stream extprocv3.ExternalProcessor_ProcessClient, res result) result {
	t.Helper()
	resp := e.exchange(t, stream, &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_ResponseHeaders{
		ResponseHeaders: &extprocv3.HttpHeaders{Headers: &corev3.HeaderMap{Headers: []*corev3.HeaderValue{{Key: ":status", RawValue: []byte("200")}}}, EndOfStream: true},
	}})
	require.NotNil(t, resp.GetResponseHeaders(), "response headers go on unchanged: %v", resp)
	require.Nil(t, resp.GetResponseHeaders().GetResponse().GetHeaderMutation())
	require.NoError(t, stream.CloseSend())
	_, err := stream.Recv()
	require.ErrorIs(t, err, io.EOF)
	return res
}

// exchange sends one message and reads its answer; nil when the stream
// has ended without one.
func (e envoy) exchange(t *testing.T, stream extprocv3.ExternalProcessor_ProcessClient, req *extprocv3.ProcessingRequest) *extprocv3.ProcessingResponse {
	t.Helper()
	if err := stream.Send(req); err != nil {
		require.ErrorIs(t, err, io.EOF, "a send fails only on a stream the processor has closed")
	}
	resp, err := stream.Recv()
	if errors.Is(err, io.EOF) {
		return nil
	}
	require.NoError(t, err)
	return resp
}

func applyHeaders(h http.Header, m *extprocv3.HeaderMutation) {
	for _, name := range m.GetRemoveHeaders() {
		h.Del(name)
	}
	for _, o := range m.GetSetHeaders() {
		h.Set(o.GetHeader().GetKey(), string(o.GetHeader().GetRawValue()))
	}
}

func readMetadata(into map[string]string, md *structpb.Struct) {
	for k, v := range md.GetFields()[extproc.MetadataNamespace].GetStructValue().GetFields() {
		into[k] = v.GetStringValue()
	}
}

// immediateHeader returns the headers of an immediate response.
func immediateHeader(ir *extprocv3.ImmediateResponse) http.Header {
	h := http.Header{}
	applyHeaders(h, ir.GetHeaders())
	return h
}

// lengthOf is the Content-Length header of a body of n bytes.
func lengthOf(n int) string { return strconv.Itoa(n) }
