package errors_test

import (
	"errors"
	"fmt"
	"net/http/httptest"

	apierrors "github.com/flexinference/flexguard/errors"
)

func ExampleWrite() {
	rec := httptest.NewRecorder()
	apierrors.Write(rec, apierrors.New(apierrors.MethodNotAllowed))

	fmt.Println(rec.Code)
	fmt.Println("Allow:", rec.Header().Get("Allow"))
	fmt.Print(rec.Body.String())
	// Output:
	// 405
	// Allow: POST
	// {"error":{"message":"Requests to this path must use the POST method; resend it as POST, with the JSON request as its body.","type":"invalid_request_error","code":"method_not_allowed","param":null}}
}

func ExampleNew() {
	err := apierrors.New(apierrors.MissingStartWithin)
	fmt.Println(err.Code, err.Status(), err.Type(), err.ParamOrNull())

	// An occurrence can name a more exact field than the code's default.
	err = apierrors.NewParam(apierrors.UnsupportedParameter, "messages[0].content[1].cache_control")
	fmt.Println(err.Code, err.Status(), err.ParamOrNull())
	// Output:
	// missing_start_within 400 invalid_request_error start_within
	// unsupported_parameter 400 messages[0].content[1].cache_control
}

func ExampleError_Is() {
	err := fmt.Errorf("checking chat body: %w",
		apierrors.NewParam(apierrors.UnsupportedParameter, "logit_bias"))

	// errors.Is matches any occurrence of the code, whatever its param.
	fmt.Println(errors.Is(err, apierrors.New(apierrors.UnsupportedParameter)))
	fmt.Println(errors.Is(err, apierrors.New(apierrors.UnsupportedValue)))
	// Output:
	// true
	// false
}
