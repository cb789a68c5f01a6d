package extproc

import (
	"net/http"
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/types/known/structpb"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/validate"
)

// MetadataNamespace is the dynamic metadata namespace of the validated
// facts, sent with the response that lets a request with a body go on.
const MetadataNamespace = "flexguard"

// maxFactBytes bounds a fact sent as a header: a model name is client
// text, and an upstream reads a long one from the body.
const maxFactBytes = 256

func headersResponse(c *extprocv3.CommonResponse) *extprocv3.ProcessingResponse {
	return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestHeaders{
		RequestHeaders: &extprocv3.HeadersResponse{Response: c},
	}}
}

func bodyResponse(c *extprocv3.CommonResponse) *extprocv3.ProcessingResponse {
	return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestBody{
		RequestBody: &extprocv3.BodyResponse{Response: c},
	}}
}

// passThrough answers a message that needs no judgement (the response's
// headers, body and trailers, or request trailers after the verdict) by
// letting it go on unchanged. It returns nil for a message it does not
// know.
func passThrough(req *extprocv3.ProcessingRequest) *extprocv3.ProcessingResponse {
	switch req.GetRequest().(type) {
	case *extprocv3.ProcessingRequest_RequestHeaders:
		return headersResponse(nil)
	case *extprocv3.ProcessingRequest_RequestBody:
		return bodyResponse(nil)
	case *extprocv3.ProcessingRequest_RequestTrailers:
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestTrailers{
			RequestTrailers: &extprocv3.TrailersResponse{},
		}}
	case *extprocv3.ProcessingRequest_ResponseHeaders:
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ResponseHeaders{
			ResponseHeaders: &extprocv3.HeadersResponse{},
		}}
	case *extprocv3.ProcessingRequest_ResponseBody:
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ResponseBody{
			ResponseBody: &extprocv3.BodyResponse{},
		}}
	case *extprocv3.ProcessingRequest_ResponseTrailers:
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ResponseTrailers{
			ResponseTrailers: &extprocv3.TrailersResponse{},
		}}
	}
	return nil
}

// immediate is the answer Envoy sends the client in place of the
// upstream's: the status, the headers and the body the Guard wrote.
// Envoy computes Content-Length itself.
func immediate(status int, header http.Header, body []byte, code apierrors.Code) *extprocv3.ProcessingResponse {
	var set []*corev3.HeaderValueOption
	for name, values := range header {
		if strings.EqualFold(name, "Content-Length") {
			continue
		}
		for _, v := range values {
			set = append(set, headerValue(strings.ToLower(name), v))
		}
	}
	return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ImmediateResponse{
		ImmediateResponse: &extprocv3.ImmediateResponse{
			Status:  &typev3.HttpStatus{Code: typev3.StatusCode(status)},
			Headers: &extprocv3.HeaderMutation{SetHeaders: set},
			Body:    body,
			Details: "flexguard_" + code.String(),
		},
	}}
}

func headerValue(name, value string) *corev3.HeaderValueOption {
	return &corev3.HeaderValueOption{
		Header:       &corev3.HeaderValue{Key: name, RawValue: []byte(value)},
		AppendAction: corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD,
	}
}

// factValues returns the facts in factNames order; the caller's are
// empty when keys are off.
func factValues(res validate.Result, c middleware.Caller) [len(factNames)]string {
	return [...]string{res.Endpoint.String(), res.Model, res.Provider.String(), res.StartWithin.String(), c.Org, c.KeyID}
}

// mutation returns the fact headers to set and the names to remove: a
// fact that cannot travel as a header (control characters, or longer
// than maxFactBytes) is left out, and any copy the client sent is
// removed all the same.
func (h factHeaders) mutation(res validate.Result, c middleware.Caller) (set []*corev3.HeaderValueOption, unset []string) {
	for i, v := range factValues(res, c) {
		if headerSafe(v) {
			set = append(set, headerValue(h[i], v))
		} else {
			unset = append(unset, h[i])
		}
	}
	return set, unset
}

// headerSafe reports whether v can be sent as a header value as it is.
func headerSafe(v string) bool {
	if v == "" || len(v) > maxFactBytes {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return v[0] != ' ' && v[0] != '\t' && v[len(v)-1] != ' ' && v[len(v)-1] != '\t'
}

// withMetadata adds the facts as dynamic metadata in MetadataNamespace,
// for later filters and access logs (and, in STREAMED mode, where Envoy
// has sent the headers on already, the only place they can go).
func withMetadata(resp *extprocv3.ProcessingResponse, res validate.Result, c middleware.Caller) *extprocv3.ProcessingResponse {
	fields := map[string]*structpb.Value{}
	for i, v := range factValues(res, c) {
		if v != "" && len(v) <= maxFactBytes {
			fields[strings.ReplaceAll(factNames[i], "-", "_")] = structpb.NewStringValue(v)
		}
	}
	resp.DynamicMetadata = &structpb.Struct{Fields: map[string]*structpb.Value{
		MetadataNamespace: structpb.NewStructValue(&structpb.Struct{Fields: fields}),
	}}
	return resp
}
