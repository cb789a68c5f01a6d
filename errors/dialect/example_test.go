package dialect_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/errors/dialect"
	"github.com/flexinference/flexguard/middleware"
)

// show renders err with w and prints the status, the headers that matter
// and the body.
func show(w dialect.Writer, err *apierrors.Error) {
	rec := httptest.NewRecorder()
	w(rec, httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil), err)
	fmt.Println(rec.Code)
	for _, h := range []string{"Allow", "Retry-After"} {
		if v := rec.Header().Get(h); v != "" {
			fmt.Printf("%s: %s\n", h, v)
		}
	}
	fmt.Print(rec.Body.String())
}

func ExampleFireworks() {
	show(dialect.Fireworks, apierrors.New(apierrors.UnsupportedParameter, "seed", "seed is not supported; remove it."))
	show(dialect.Fireworks, apierrors.RateLimited(apierrors.RetryAfterPerOrg))
	// Output:
	// 400
	// {"error":{"object":"error","type":"bad_request","message":"seed is not supported; remove it.","param":"seed"}}
	// 429
	// Retry-After: 5
	// {"error":{"object":"error","type":"over_quota","message":"Too many requests. Wait the number of seconds given in the Retry-After header, then retry.","param":null}}
}

func ExampleMSKeys() {
	show(dialect.MSKeys, apierrors.New(apierrors.PaymentRequired, "", "Billing is paused; update it on the dashboard."))
	// Output:
	// 403
	// {"error":{"message":"Billing is paused; update it on the dashboard.","type":"billing_error","code":"payment_required"}}
}

func ExampleGIP() {
	show(dialect.GIP, apierrors.New(apierrors.MissingModel, "", "Send a model."))
	show(dialect.GIP, apierrors.New(apierrors.UpstreamStreamFailed, "", "The stream broke off; retry once."))
	// Output:
	// 400
	// {"error":{"type":"bad_request","code":"invalid_argument","message":"Send a model."}}
	// 502
	// {"error":{"type":"bad_gateway","code":"stream_terminated","message":"The stream broke off; retry once."}}
}

func ExampleFlexInference() {
	show(dialect.FlexInference, apierrors.New(apierrors.MissingModel, "", "Send a model."))
	// Output:
	// 400
	// {"error":{"message":"Send a model.","type":"invalid_request_error","code":"missing_model","param":"model"}}
}

func ExampleByName() {
	w, ok := dialect.ByName("gip")
	if !ok {
		panic(fmt.Sprintf("unknown dialect; want one of %v", dialect.Names()))
	}
	guard, err := middleware.New(middleware.Options{ErrorWriter: w})
	if err != nil {
		panic(err)
	}
	h := guard.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/nope", nil))
	fmt.Println(dialect.Names())
	fmt.Print(rec.Code, " ", rec.Body.String())
	// Output:
	// [fireworks flexinference gip mskeys]
	// 404 {"error":{"type":"not_found","code":"not_found","message":"Nothing is served at this path. The gateway answers four paths: /v1/responses, /v1/chat/completions, /v1/interactions and /v1/messages."}}
}
