package extproc_test

import (
	"context"
	"fmt"
	"log"
	"net"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/flexinference/flexguard/contrib/extproc"
	"github.com/flexinference/flexguard/errors/dialect"
	"github.com/flexinference/flexguard/middleware"
)

// A Processor serves Envoy's ext_proc protocol on a gRPC server. Here a
// client plays Envoy and sends the headers of a GET, which ends the
// request: flexguard answers it without the upstream.
func Example() {
	p, err := extproc.New(extproc.Options{Guard: middleware.Options{ErrorWriter: dialect.FlexInference}})
	if err != nil {
		log.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := grpc.NewServer()
	extprocv3.RegisterExternalProcessorServer(srv, p)
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()

	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	stream, err := extprocv3.NewExternalProcessorClient(conn).Process(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	err = stream.Send(&extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestHeaders{
		RequestHeaders: &extprocv3.HttpHeaders{EndOfStream: true, Headers: &corev3.HeaderMap{Headers: []*corev3.HeaderValue{
			{Key: ":method", RawValue: []byte("GET")},
			{Key: ":path", RawValue: []byte("/v1/responses")},
		}}},
	}})
	if err != nil {
		log.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		log.Fatal(err)
	}
	answer := resp.GetImmediateResponse()
	fmt.Println(int(answer.GetStatus().GetCode()), answer.GetDetails())
	for _, h := range answer.GetHeaders().GetSetHeaders() {
		if h.GetHeader().GetKey() == "allow" {
			fmt.Println("allow:", string(h.GetHeader().GetRawValue()))
		}
	}
	// Output:
	// 405 flexguard_method_not_allowed
	// allow: POST
}
