package middleware_test

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing/fstest"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/middleware"
	"github.com/flexinference/flexguard/schemas"
	"github.com/flexinference/flexguard/validate"
)

// show sends body to path through h and prints the status and the body
// of the answer.
func show(h http.Handler, path, body string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
	fmt.Print(rec.Code, " ", rec.Body.String())
	if !strings.HasSuffix(rec.Body.String(), "\n") {
		fmt.Println()
	}
}

// upstream stands for the gateway's own handler.
var upstream = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	fmt.Fprintf(w, "upstream got %d bytes", len(body))
})

func ExampleNew() {
	// A policy that cannot work is refused at setup.
	_, err := middleware.New(middleware.Options{Policy: validate.Policy{MaxBodyBytes: -1}})
	fmt.Println(err)

	g, err := middleware.New(middleware.Options{Policy: validate.Policy{DefaultStartWithin: "auto"}})
	if err != nil {
		log.Fatal(err)
	}
	show(g.Handler(upstream), "/v1/responses", `{"model":"gpt-5.5","input":"hi"}`)
	// Output:
	// flexguard/middleware: policy: max_body_bytes must not be negative, got -1
	// 200 upstream got 32 bytes
}

func ExampleGuard_Handler() {
	g, err := middleware.New(middleware.Options{})
	if err != nil {
		log.Fatal(err)
	}
	guarded := g.Handler(upstream)

	show(guarded, "/v1/responses", `{"model":"gpt-5.5","start_within":"00h-00m-30s","input":"hi"}`)
	show(guarded, "/v1/responses", `{"model":"gpt-5.5","input":"hi"}`)
	// Output:
	// 200 upstream got 61 bytes
	// 400 {"error":{"message":"start_within is required: it says how long the request may wait to start. Send \"default\", \"priority\", \"auto\" or a duration such as \"00h-00m-30s\".","type":"invalid_request_error","code":"missing_start_within","param":"start_within"}}
}

func ExampleGuard_Route() {
	g, err := middleware.New(middleware.Options{})
	if err != nil {
		log.Fatal(err)
	}
	h := g.Route(upstream)

	show(h, "/v1/messages", `anything: Route does not read the body`)
	show(h, "/v1/models", `{}`)
	// Output:
	// 200 upstream got 38 bytes
	// 404 {"error":{"message":"Nothing is served at this path. The gateway answers four paths: /v1/responses, /v1/chat/completions, /v1/interactions and /v1/messages.","type":"invalid_request_error","code":"unknown_url","param":null}}
}

func ExampleGuard_BodyLimit() {
	g, err := middleware.New(middleware.Options{Policy: validate.Policy{MaxBodyBytes: 8}})
	if err != nil {
		log.Fatal(err)
	}
	h := g.BodyLimit(upstream)

	show(h, "/v1/responses", `12345678`)
	show(h, "/v1/responses", `123456789`)
	// Output:
	// 200 upstream got 8 bytes
	// 413 {"error":{"message":"The request body is larger than the gateway accepts. Send a smaller body; link large files by URL instead of inlining them as base64.","type":"invalid_request_error","code":"request_too_large","param":null}}
}

func ExampleGuard_JSONBody() {
	g, err := middleware.New(middleware.Options{})
	if err != nil {
		log.Fatal(err)
	}
	h := g.JSONBody(upstream)

	show(h, "/v1/chat/completions", `{"messages":[]}`)
	show(h, "/v1/chat/completions", `{"messages":[]`)
	// Output:
	// 200 upstream got 15 bytes
	// 400 {"error":{"message":"The request body is not valid JSON. Check for a trailing comma, an unquoted key, a truncated body or bytes that are not UTF-8.","type":"invalid_request_error","code":"invalid_json","param":null}}
}

func ExampleGuard_Model() {
	g, err := middleware.New(middleware.Options{})
	if err != nil {
		log.Fatal(err)
	}
	h := g.Model(upstream)

	show(h, "/v1/responses", `{"model":"gpt-5.5"}`)
	show(h, "/v1/responses", `{"model":""}`)
	// Model runs the checks in front of its own: routing first.
	show(h, "/api/chat", `{"model":"gpt-5.5"}`)
	// Output:
	// 200 upstream got 19 bytes
	// 400 {"error":{"message":"Name the model to run in a model field holding text, such as \"gpt-5.5\"; it is absent, null, empty or not text here.","type":"invalid_request_error","code":"missing_model","param":"model"}}
	// 404 {"error":{"message":"Nothing is served at this path. The gateway answers four paths: /v1/responses, /v1/chat/completions, /v1/interactions and /v1/messages.","type":"invalid_request_error","code":"unknown_url","param":null}}
}

func ExampleGuard_Parameters() {
	g, err := middleware.New(middleware.Options{})
	if err != nil {
		log.Fatal(err)
	}
	h := g.Parameters(upstream)

	show(h, "/v1/messages", `{"model":"claude-sonnet-4","system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}]}`)
	// Output:
	// 400 {"error":{"message":"system[0].cache_control is not supported on this endpoint. Remove it from the request.","type":"invalid_request_error","code":"unsupported_parameter","param":"system[0].cache_control"}}
}

func ExampleGuard_StartWithin() {
	// The organisation behind the request may have its own default.
	g, err := middleware.New(middleware.Options{
		DefaultStartWithin: func(r *http.Request) (validate.StartWithin, bool) {
			if r.Header.Get("X-Org") == "acme" {
				return validate.StartWithin{Mode: validate.ModeAuto}, true
			}
			return validate.StartWithin{}, false
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	h := g.StartWithin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, _ := middleware.ResultFrom(r.Context())
		fmt.Fprintf(w, "start_within=%s defaulted=%t", res.StartWithin, res.StartWithinDefaulted)
	}))

	r := httptest.NewRequest(http.MethodPost, "/v1/responses", strings.NewReader(`{"model":"gpt-5.5"}`))
	r.Header.Set("X-Org", "acme")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	fmt.Println(rec.Code, rec.Body.String())

	show(h, "/v1/responses", `{"model":"gpt-5.5","start_within":"00h-00m-04s"}`)
	// Output:
	// 200 start_within=auto defaulted=true
	// 400 {"error":{"message":"start_within \"00h-00m-04s\" is 4 seconds; a duration must be from 5 seconds (\"00h-00m-05s\") to 600 seconds (\"00h-10m-00s\").","type":"invalid_request_error","code":"invalid_start_within","param":"start_within"}}
}

func ExampleGuard_Provider() {
	g, err := middleware.New(middleware.Options{})
	if err != nil {
		log.Fatal(err)
	}
	h := g.Provider(upstream)

	show(h, "/v1/interactions", `{"model":"gemini-3-pro","start_within":"auto"}`)
	// Output:
	// 400 {"error":{"message":"start_within \"auto\" is not available for gemini-* models. Send \"default\", \"priority\" or a duration instead.","type":"invalid_request_error","code":"auto_unsupported_for_gemini","param":"start_within"}}
}

func ExampleGuard_TokenCap() {
	g, err := middleware.New(middleware.Options{})
	if err != nil {
		log.Fatal(err)
	}
	h := g.TokenCap(upstream)

	show(h, "/v1/chat/completions", `{"model":"claude-sonnet-4","start_within":"auto","max_tokens":512}`)
	show(h, "/v1/chat/completions", `{"model":"claude-sonnet-4","start_within":"auto"}`)
	// Output:
	// 200 upstream got 66 bytes
	// 400 {"error":{"message":"claude-* models need a cap on output tokens and this request has none. Set max_completion_tokens, for example to 1024.","type":"invalid_request_error","code":"missing_max_tokens","param":"max_completion_tokens"}}
}

func ExampleGuard_Schema() {
	// An embedder's own rule, with its own code and status.
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
		log.Fatal(err)
	}
	g, err := middleware.New(middleware.Options{Schemas: set})
	if err != nil {
		log.Fatal(err)
	}
	h := g.Schema(upstream)

	show(h, "/v1/chat/completions", `{"model":"gpt-5.5","start_within":"auto","temperature":1.5}`)
	// Output:
	// 422 {"error":{"message":"temperature must be at most 1 on this gateway.","type":"invalid_request_error","code":"temperature_too_high","param":"temperature"}}
}

func ExampleGuard_ProviderKey() {
	// keys stands for the embedder's key store: this organisation has
	// brought an OpenAI key only.
	keys := map[validate.Provider]bool{validate.OpenAI: true}
	g, err := middleware.New(middleware.Options{
		HasProviderKey: func(r *http.Request, p validate.Provider) (bool, error) { return keys[p], nil },
	})
	if err != nil {
		log.Fatal(err)
	}
	h := g.ProviderKey(upstream)

	show(h, "/v1/responses", `{"model":"gpt-5.5","start_within":"auto"}`)
	show(h, "/v1/interactions", `{"model":"gemini-3-pro","start_within":"default"}`)
	// Output:
	// 200 upstream got 41 bytes
	// 400 {"error":{"message":"Your organization has no usable Gemini key, which gemini-* models need. Add one on the dashboard under Settings, API keys.","type":"invalid_request_error","code":"no_gemini_key","param":"model"}}
}

func ExampleGuard_Billing() {
	g, err := middleware.New(middleware.Options{
		OrgOverdue: func(r *http.Request) (bool, error) { return true, nil },
	})
	if err != nil {
		log.Fatal(err)
	}
	h := g.Billing(upstream)

	// Only the flex race is billed; priority routing is not.
	show(h, "/v1/responses", `{"model":"gpt-5.5","start_within":"priority"}`)
	show(h, "/v1/responses", `{"model":"gpt-5.5","start_within":"00h-01m-00s"}`)
	// Output:
	// 200 upstream got 45 bytes
	// 402 {"error":{"message":"Billable flex requests are paused for this organization: its balance is overdue or it has no payment method. Update billing on the dashboard, or use start_within default, priority or auto, which are not billed.","type":"billing_error","code":"payment_required","param":null}}
}

func ExampleResultFrom() {
	g, err := middleware.New(middleware.Options{})
	if err != nil {
		log.Fatal(err)
	}
	h := g.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, ok := middleware.ResultFrom(r.Context())
		fmt.Fprintf(w, "ok=%t endpoint=%s model=%s provider=%s start_within=%s (%s)",
			ok, res.Endpoint, res.Model, res.Provider, res.StartWithin, res.StartWithin.Duration)
	}))

	show(h, "/v1/messages", `{"model":"claude-sonnet-4","start_within":"priority","max_tokens":256}`)
	show(h, "/v1/interactions", `{"model":"gemini-3-pro","start_within":"00h-02m-30s"}`)

	_, ok := middleware.ResultFrom(httptest.NewRequest(http.MethodPost, "/", nil).Context())
	fmt.Println("outside the middleware: ok =", ok)
	// Output:
	// 200 ok=true endpoint=/v1/messages model=claude-sonnet-4 provider=anthropic start_within=priority (0s)
	// 200 ok=true endpoint=/v1/interactions model=gemini-3-pro provider=gemini start_within=00h-02m-30s (2m30s)
	// outside the middleware: ok = false
}

func ExampleBodyFrom() {
	g, err := middleware.New(middleware.Options{})
	if err != nil {
		log.Fatal(err)
	}
	// A middleware of the embedder's, between two pieces, reads the
	// buffered body without consuming it: the handler still gets it all.
	countBraces := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, ok := middleware.BodyFrom(r.Context())
			fmt.Printf("buffered=%t braces=%d\n", ok, strings.Count(string(body), "{"))
			next.ServeHTTP(w, r)
		})
	}
	h := g.JSONBody(countBraces(g.TokenCap(upstream)))

	show(h, "/v1/responses", `{"model":"gpt-5.5","start_within":"auto","metadata":{"team":"search"}}`)
	// Output:
	// buffered=true braces=2
	// 200 upstream got 70 bytes
}

// ExampleOptions_onReject counts rejections by code, as a metrics hook
// would: an embedder's own code is counted by its own name.
func ExampleOptions_onReject() {
	files := fstest.MapFS{"limits.json": {Data: []byte(`{
		"$schema": "https://json-schema.org/draft/2020-12/schema",
		"properties": {"temperature": {"x-flexguard-code": "temperature_too_high", "x-flexguard-status": 422, "maximum": 1}}
	}`)}}
	set, err := schemas.Compile(files, map[validate.Endpoint][]string{validate.ChatCompletions: {"limits.json"}})
	if err != nil {
		log.Fatal(err)
	}
	rejections := map[string]int{}
	g, err := middleware.New(middleware.Options{
		Schemas: set,
		OnReject: func(_ *http.Request, err *apierrors.Error) {
			rejections[err.Code().String()]++
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	h := g.Handler(upstream)
	for _, body := range []string{
		`{"model":"gpt-5.5","start_within":"auto","temperature":1.5}`,
		`{"model":"gpt-5.5","start_within":"auto","seed":7}`,
		`{"model":"gpt-5.5","start_within":"auto","temperature":0.5}`,
	} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body)))
	}
	fmt.Println(rejections)
	// Output:
	// map[temperature_too_high:1 unsupported_parameter:1]
}
