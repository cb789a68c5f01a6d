package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/pb33f/libopenapi"
	libvalidator "github.com/pb33f/libopenapi-validator"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// A Peer validates one request, reading its body; nil means it passes.
// Each takes the request as a server would hand it over.
type Peer interface {
	Validate(r *http.Request) error
}

// KinOpenAPI is getkin/kin-openapi's openapi3filter with a gorillamux
// router, as its documentation sets it up.
type KinOpenAPI struct {
	router routers.Router
}

func NewKinOpenAPI() (*KinOpenAPI, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(OpenAPIDocument())
	if err != nil {
		return nil, err
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, err
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &KinOpenAPI{router: router}, nil
}

func (k *KinOpenAPI) Validate(r *http.Request) error {
	route, params, err := k.router.FindRoute(r)
	if err != nil {
		return err
	}
	return openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      route,
		Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	})
}

// LibOpenAPI is pb33f/libopenapi-validator.
type LibOpenAPI struct {
	v libvalidator.Validator
}

func NewLibOpenAPI() (*LibOpenAPI, error) {
	doc, err := libopenapi.NewDocument(OpenAPIDocument())
	if err != nil {
		return nil, err
	}
	v, errs := libvalidator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &LibOpenAPI{v: v}, nil
}

func (l *LibOpenAPI) Validate(r *http.Request) error {
	ok, errs := l.v.ValidateHttpRequest(r)
	if ok {
		return nil
	}
	if len(errs) == 0 {
		return errors.New("libopenapi-validator: rejected")
	}
	return fmt.Errorf("libopenapi-validator: %s: %s", errs[0].Message, errs[0].Reason)
}

// DecodeAndSchema is the plain approach: io.ReadAll, encoding/json into
// map[string]any, then santhosh-tekuri/jsonschema/v5 on the value.
type DecodeAndSchema struct {
	schemas map[string]*jsonschema.Schema
}

func NewDecodeAndSchema() (*DecodeAndSchema, error) {
	d := &DecodeAndSchema{schemas: map[string]*jsonschema.Schema{}}
	for path := range RuleSchemas() {
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft2020
		url := "mem://rules" + path + ".json"
		if err := c.AddResource(url, bytes.NewReader(JSONSchema(path))); err != nil {
			return nil, err
		}
		s, err := c.Compile(url)
		if err != nil {
			return nil, err
		}
		d.schemas[path] = s
	}
	return d, nil
}

func (d *DecodeAndSchema) Validate(r *http.Request) error {
	s, ok := d.schemas[r.URL.Path]
	if !ok {
		return errors.New("unknown path")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		return err
	}
	return s.Validate(v)
}

// NewRequest builds a POST of body to path, as a server hands it over.
func NewRequest(path string, body io.ReadCloser, length int) *http.Request {
	return &http.Request{
		Method:        http.MethodPost,
		URL:           &url.URL{Path: path},
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          body,
		ContentLength: int64(length),
		Host:          "localhost",
		RequestURI:    path,
	}
}
