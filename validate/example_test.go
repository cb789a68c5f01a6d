package validate_test

import (
	"errors"
	"fmt"
	"log"
	"strings"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/validate"
)

func ExampleValidator_Check() {
	v, err := validate.New(validate.Policy{})
	if err != nil {
		log.Fatal(err)
	}
	res, err := v.Check(validate.Messages, []byte(`{"model":"claude-sonnet-4","start_within":"auto","max_tokens":512}`))
	fmt.Println(res.Provider, res.StartWithin, err)

	_, err = v.Check(validate.Messages, []byte(`{"model":"claude-sonnet-4","start_within":"auto","max_tokens":512,"system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}]}`))
	var e *apierrors.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status(), e.Code(), e.Param())
	}
	// Output:
	// anthropic auto <nil>
	// 400 unsupported_parameter system[0].cache_control
}

func ExampleLoadPolicy() {
	p, err := validate.LoadPolicy(strings.NewReader(`{"default_start_within":"auto","flex_models":{"openai":["gpt-5*"]}}`))
	if err != nil {
		log.Fatal(err)
	}
	v, err := validate.New(p)
	if err != nil {
		log.Fatal(err)
	}
	res, err := v.Check(validate.Responses, []byte(`{"model":"gpt-5.5"}`))
	fmt.Println(res.StartWithin, res.StartWithinDefaulted, err)

	_, err = validate.LoadPolicy(strings.NewReader(`{"flex_model":{}}`))
	fmt.Println(err)
	// Output:
	// auto true <nil>
	// flexguard/validate: policy: unknown key "flex_model"
}

func ExampleParseStartWithin() {
	sw, err := validate.ParseStartWithin("00h-02m-30s")
	fmt.Println(sw.Mode, sw.Duration, err)
	_, err = validate.ParseStartWithin("00h-10m-01s")
	fmt.Println(err)
	// Output:
	// duration 2m30s <nil>
	// start_within "00h-10m-01s" is 601 seconds; a duration must be from 5 seconds ("00h-00m-05s") to 600 seconds ("00h-10m-00s")
}

// Two options for names and values that real clients send: provider
// prefixes for routed model names, and the no-op values of refused
// parameters.
func ExamplePolicy_realClients() {
	p, err := validate.LoadPolicy(strings.NewReader(`{
		"provider_prefixes": {"anthropic": ["anthropic/", "us.anthropic.claude-"], "openai": ["openai/"]},
		"accept_no_op_defaults": true
	}`))
	if err != nil {
		log.Fatal(err)
	}
	v, err := validate.New(p)
	if err != nil {
		log.Fatal(err)
	}
	_, err = v.Check(validate.ChatCompletions, []byte(`{"model":"anthropic/claude-haiku-4-5","start_within":"auto"}`))
	fmt.Println(apierrors.CodeOf(err))
	_, err = v.Check(validate.Messages, []byte(`{"model":"us.anthropic.claude-sonnet-4-5-v1:0","start_within":"00h-00m-30s","max_tokens":64}`))
	fmt.Println(apierrors.CodeOf(err))
	res, err := v.Check(validate.ChatCompletions, []byte(`{"model":"openai/gpt-5.5","start_within":"00h-00m-30s","presence_penalty":0,"logit_bias":{}}`))
	fmt.Println(res.Provider, res.Model, err)
	// Output:
	// missing_max_tokens
	// flex_unsupported_for_anthropic
	// openai openai/gpt-5.5 <nil>
}
