package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// CheckErrorAnswer checks an error answer as it went over the wire: the
// status, Content-Type, the {"error":{...}} body with its code, a param
// that is always present (null or the wanted path), a message and a type,
// and the headers its status promises (Allow on 405, Retry-After on 429).
// wantParam "" means null. It returns what is wrong, or nil.
func CheckErrorAnswer(status int, header http.Header, body []byte, wantStatus int, wantCode, wantParam string) error {
	if status != wantStatus {
		return fmt.Errorf("status %d, want %d; body %s", status, wantStatus, body)
	}
	if ct := header.Get("Content-Type"); ct != "application/json" {
		return fmt.Errorf("Content-Type %q, want application/json", ct)
	}
	var answer struct {
		Error map[string]any `json:"error"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.Error == nil {
		return fmt.Errorf("body is not {\"error\":{...}}: %s", body)
	}
	e := answer.Error
	if e["code"] != wantCode {
		return fmt.Errorf("code %v, want %s", e["code"], wantCode)
	}
	param, present := e["param"]
	switch {
	case !present:
		return fmt.Errorf("param is missing; it must always be present")
	case wantParam == "" && param != nil:
		return fmt.Errorf("param %v, want null", param)
	case wantParam != "" && param != wantParam:
		return fmt.Errorf("param %v, want %s", param, wantParam)
	}
	if msg, _ := e["message"].(string); msg == "" {
		return fmt.Errorf("no message")
	}
	if typ, _ := e["type"].(string); typ == "" {
		return fmt.Errorf("no type")
	}
	switch {
	case status == http.StatusMethodNotAllowed && header.Get("Allow") != "POST":
		return fmt.Errorf("405 without Allow: POST")
	case status == http.StatusTooManyRequests && header.Get("Retry-After") == "":
		return fmt.Errorf("429 without Retry-After")
	}
	return nil
}
