package jsonscan_test

import (
	"encoding/json"
	"fmt"

	"github.com/flexinference/flexguard/internal/jsonscan"
)

// The body rules validate a body and pick its top-level fields in the same
// pass. A key is decoded only when it holds an escape; the last of two
// repeated keys wins, as it does for the handler's decoder.
func ExampleScan() {
	body := []byte(`{"model":"gpt-5.5","mod\u0065l":"gpt-5.5-mini","messages":[{"role":"user","content":"hi"}]}`)
	var model, messages []byte
	res := jsonscan.Scan(body, func(m jsonscan.Member) {
		key := string(m.Key)
		if m.KeyEscaped {
			_ = json.Unmarshal([]byte(`"`+key+`"`), &key) // valid: Scan checked it
		}
		switch key {
		case "model":
			model = m.Value
		case "messages":
			messages = m.Value
		}
	})
	switch {
	case res.Problem != jsonscan.None:
		fmt.Printf("invalid_json: %v at byte %d\n", res.Problem, res.Offset)
	case !res.Object:
		fmt.Println("invalid_body")
	default:
		fmt.Printf("model %s, messages %s\n", model, messages)
	}

	res = jsonscan.Scan([]byte("{\"model\":\"gpt\xff\"}"), nil)
	fmt.Printf("%v at byte %d\n", res.Problem, res.Offset)
	// Output:
	// model "gpt-5.5-mini", messages [{"role":"user","content":"hi"}]
	// invalid UTF-8 at byte 13
}
