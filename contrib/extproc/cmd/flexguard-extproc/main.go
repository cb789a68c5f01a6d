// Command flexguard-extproc serves flexguard as an Envoy external
// processor over gRPC (plaintext; keep it on loopback or a private
// network next to Envoy):
//
//	flexguard-extproc [-addr 127.0.0.1:50051] [-policy FILE] [-dialect NAME] [-strict] [-streamed]
//
// See contrib/extproc/envoy.yaml for the Envoy side.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc"

	"github.com/flexinference/flexguard/contrib/extproc"
	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/errors/dialect"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "flexguard-extproc:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("flexguard-extproc", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:50051", "gRPC listen `address`")
	policyFile := fs.String("policy", "", "policy `file` (default: the built-in policy)")
	dialectName := fs.String("dialect", dialect.NameFlexInference, "error `shape`: "+strings.Join(dialect.Names(), ", "))
	strict := fs.Bool("strict", false, "reject JSON objects that repeat a key")
	streamed := fs.Bool("streamed", false, "Envoy's request_body_mode is STREAMED (read from Envoy itself since 1.34)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	opts := middleware.Options{
		OnReject: func(r *http.Request, err *apierrors.Error) {
			logger.Info("request rejected", "status", err.Status(), "code", err.Code().String(), "param", err.Param(), "method", r.Method, "path", r.URL.Path)
		},
	}
	if *policyFile != "" {
		p, err := validate.LoadPolicyFile(*policyFile)
		if err != nil {
			return err
		}
		opts.Policy = p
	}
	opts.Policy.StrictDuplicateKeys = *strict
	w, ok := dialect.ByName(*dialectName)
	if !ok {
		return fmt.Errorf("-dialect: unknown dialect %q; want one of %s", *dialectName, strings.Join(dialect.Names(), ", "))
	}
	opts.ErrorWriter = w
	p, err := extproc.New(extproc.Options{Guard: opts, StreamedBody: *streamed})
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := grpc.NewServer()
	extprocv3.RegisterExternalProcessorServer(srv, p)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.GracefulStop()
	}()
	logger.Info("listening on grpc://"+lis.Addr().String(), "addr", lis.Addr().String())
	return srv.Serve(lis)
}
