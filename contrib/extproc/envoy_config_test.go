package extproc_test

import (
	"encoding/json"
	"os"
	"testing"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	filterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/router/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/flexinference/flexguard/contrib/extproc"
)

// validating is what go-control-plane's generated validators provide.
type validating interface{ ValidateAll() error }

// unpack decodes a typed_config and runs its validator.
func unpack(t *testing.T, a *anypb.Any) proto.Message {
	t.Helper()
	m, err := a.UnmarshalNew()
	require.NoError(t, err, "typed_config %s", a.GetTypeUrl())
	require.NoError(t, m.(validating).ValidateAll(), "typed_config %s", a.GetTypeUrl())
	return m
}

// TestEnvoyYAMLIsAValidBootstrap reads the shipped envoy.yaml into
// Envoy's own bootstrap protos (unknown fields are errors), runs their
// validators down to each typed_config, and checks the ext_proc filter
// sends what the Processor needs. No Envoy binary runs here.
func TestEnvoyYAMLIsAValidBootstrap(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("envoy.yaml")
	require.NoError(t, err)
	var tree any
	require.NoError(t, yaml.Unmarshal(src, &tree))
	js, err := json.Marshal(tree)
	require.NoError(t, err)
	var boot bootstrapv3.Bootstrap
	require.NoError(t, protojson.Unmarshal(js, &boot))
	require.NoError(t, boot.ValidateAll())

	var ext *filterv3.ExternalProcessor
	for _, l := range boot.GetStaticResources().GetListeners() {
		for _, fc := range l.GetFilterChains() {
			for _, f := range fc.GetFilters() {
				hcm, ok := unpack(t, f.GetTypedConfig()).(*hcmv3.HttpConnectionManager)
				require.True(t, ok, "the listener's filter is the HTTP connection manager")
				for _, hf := range hcm.GetHttpFilters() {
					if m, ok := unpack(t, hf.GetTypedConfig()).(*filterv3.ExternalProcessor); ok {
						ext = m
					}
				}
			}
		}
	}
	for _, c := range boot.GetStaticResources().GetClusters() {
		for _, opts := range c.GetTypedExtensionProtocolOptions() {
			unpack(t, opts)
		}
	}
	require.NotNil(t, ext, "envoy.yaml has an ext_proc filter")
	mode := ext.GetProcessingMode()
	assert.Equal(t, filterv3.ProcessingMode_SEND, mode.GetRequestHeaderMode())
	assert.Equal(t, filterv3.ProcessingMode_BUFFERED, mode.GetRequestBodyMode())
	assert.False(t, ext.GetFailureModeAllow(), "an unreachable processor must not let requests through")
	assert.Equal(t, "flexguard", ext.GetGrpcService().GetEnvoyGrpc().GetClusterName())
	assert.Contains(t, ext.GetMetadataOptions().GetReceivingNamespaces().GetUntyped(), extproc.MetadataNamespace)
}
