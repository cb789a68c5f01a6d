package errors_test

import (
	"errors"
	"fmt"
	"net/http/httptest"

	apierrors "github.com/flexinference/flexguard/errors"
)

func ExampleWrite() {
	rec := httptest.NewRecorder()
	apierrors.Write(rec, apierrors.New(apierrors.MethodNotAllowed, "", ""))

	fmt.Println(rec.Code)
	fmt.Println("Allow:", rec.Header().Get("Allow"))
	fmt.Print(rec.Body.String())
	// Output:
	// 405
	// Allow: POST
	// {"error":{"message":"Requests to this path must use the POST method; resend it as POST, with the JSON request as its body.","type":"invalid_request_error","code":"method_not_allowed","param":null}}
}

func ExampleNew() {
	err := apierrors.New(apierrors.MissingStartWithin, "", "")
	fmt.Println(err.Code(), err.Status(), err.Type(), err.Param())

	// An occurrence can name a more exact field than the code's default.
	err = apierrors.New(apierrors.UnsupportedParameter, "messages[0].content[1].cache_control", "")
	fmt.Println(err.Code(), err.Status(), err.Param())
	// Output:
	// missing_start_within 400 invalid_request_error start_within
	// unsupported_parameter 400 messages[0].content[1].cache_control
}

func ExampleRateLimited() {
	err := apierrors.RateLimited(apierrors.RetryAfterAuthFlood)
	fmt.Println(err.Code(), err.Status(), err.RetryAfter())
	// Output:
	// rate_limit_exceeded 429 1m0s
}

func ExampleCodeOf() {
	err := fmt.Errorf("checking chat body: %w",
		apierrors.New(apierrors.UnsupportedParameter, "logit_bias", ""))

	fmt.Println(apierrors.CodeOf(err))
	fmt.Println(apierrors.CodeOf(errors.New("a bug")))
	fmt.Println(apierrors.CodeOf(nil) == "")
	// Output:
	// unsupported_parameter
	// internal_error
	// true
}

func ExampleNewCustomCode() {
	tooHot, err := apierrors.NewCustomCode("temperature_too_high", 422, "", "temperature must be at most 1.")
	if err != nil {
		panic(err)
	}
	e := tooHot.New("temperature", "")
	fmt.Println(e.Code(), e.Status(), e.Type(), e.Param())
	// Output:
	// temperature_too_high 422 invalid_request_error temperature
}
