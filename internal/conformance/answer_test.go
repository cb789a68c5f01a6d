package conformance

import (
	"net/http"
	"testing"
)

func TestCheckErrorAnswerCatchesEachDefect(t *testing.T) {
	t.Parallel()
	json := http.Header{"Content-Type": {"application/json"}}
	good := `{"error":{"message":"m","type":"invalid_request_error","code":"missing_model","param":"model"}}`
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		ok     bool
	}{
		{"a correct answer passes", 400, json, good, true},
		{"a wrong status fails", 404, json, good, false},
		{"a missing Content-Type fails", 400, http.Header{}, good, false},
		{"a body that is not an error object fails", 400, json, `{"code":"missing_model"}`, false},
		{"a wrong code fails", 400, json, `{"error":{"message":"m","type":"t","code":"invalid_json","param":"model"}}`, false},
		{"a missing param fails", 400, json, `{"error":{"message":"m","type":"t","code":"missing_model"}}`, false},
		{"a wrong param fails", 400, json, `{"error":{"message":"m","type":"t","code":"missing_model","param":"n"}}`, false},
		{"an empty message fails", 400, json, `{"error":{"message":"","type":"t","code":"missing_model","param":"model"}}`, false},
		{"a missing type fails", 400, json, `{"error":{"message":"m","code":"missing_model","param":"model"}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckErrorAnswer(tt.status, tt.header, []byte(tt.body), 400, "missing_model", "model")
			if (err == nil) != tt.ok {
				t.Fatalf("got %v, want ok=%v", err, tt.ok)
			}
		})
	}
	t.Run("a 405 without Allow fails", func(t *testing.T) {
		t.Parallel()
		body := []byte(`{"error":{"message":"m","type":"t","code":"method_not_allowed","param":null}}`)
		if CheckErrorAnswer(405, json, body, 405, "method_not_allowed", "") == nil {
			t.Fatal("want an error")
		}
	})
}
