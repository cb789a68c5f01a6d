package schemas_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing/fstest"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/schemas"
	"github.com/flexinference/flexguard/validate"
)

func ExampleSet_Check() {
	body := []byte(`{"model":"claude-sonnet-4","max_tokens":512,"messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral"}}]}]}`)
	var e *apierrors.Error
	if errors.As(schemas.Canonical().Check(validate.Messages, body), &e) {
		fmt.Println(e.Code(), e.Param())
	}

	fmt.Println(schemas.Canonical().Check(validate.ChatCompletions, []byte(`{"model":"gpt-5.5","n":1.0}`)) == nil)
	// Output:
	// unsupported_parameter messages[0].content[0].cache_control
	// true
}

func ExampleCompile() {
	files := fstest.MapFS{"limits.json": {Data: []byte(`{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"properties": {"temperature": {
			"x-flexguard-code": "temperature_too_high",
			"x-flexguard-status": 422,
			"x-flexguard-message": "temperature must be at most 1 on this gateway.",
			"maximum": 1
		}}
	}`)}}
	set, err := schemas.Compile(files, map[validate.Endpoint][]string{validate.ChatCompletions: {"limits.json"}})
	if err != nil {
		panic(err)
	}
	rec := httptest.NewRecorder()
	apierrors.Write(rec, set.Check(validate.ChatCompletions, []byte(`{"model":"gpt-5.5","temperature":1.5}`)))
	fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	// Output:
	// 422 {"error":{"message":"temperature must be at most 1 on this gateway.","type":"invalid_request_error","code":"temperature_too_high","param":"temperature"}}
}

func ExampleCanonicalFor() {
	body := []byte(`{"model":"gpt-5.5","presence_penalty":0,"logit_bias":{}}`)
	fmt.Println(apierrors.CodeOf(schemas.Canonical().Check(validate.ChatCompletions, body)))

	set := schemas.CanonicalFor(validate.Policy{AcceptNoOpDefaults: true})
	fmt.Println(set.Check(validate.ChatCompletions, body))
	fmt.Println(apierrors.CodeOf(set.Check(validate.ChatCompletions, []byte(`{"model":"gpt-5.5","presence_penalty":0.5}`))))
	// Output:
	// unsupported_parameter
	// <nil>
	// unsupported_parameter
}
