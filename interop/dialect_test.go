package interop_test

import (
	"context"
	"errors"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/errors/dialect"
	"github.com/flexinference/flexguard/middleware"
)

// Every dialect puts a JSON object under "error", so openai-go reads each
// of them into *openai.Error; what lands in each field differs.
func TestOpenAIGoParsesEveryDialect(t *testing.T) {
	t.Parallel()
	cases := []struct {
		dialect          string
		status           int
		typ, code, param string
	}{
		{"flexinference", 400, "invalid_request_error", "missing_model", "model"},
		{"fireworks", 400, "bad_request", "", "model"},
		{"mskeys", 400, "invalid_request_error", "missing_model", ""},
		{"gip", 400, "bad_request", "invalid_argument", ""},
	}
	for _, tc := range cases {
		t.Run(tc.dialect, func(t *testing.T) {
			t.Parallel()
			w, ok := dialect.ByName(tc.dialect)
			require.True(t, ok)
			client := openaiClient(startChain(t, middleware.Options{ErrorWriter: w}))

			_, err := client.Chat.Completions.New(context.Background(), chatParams(""))
			var apiErr *openai.Error
			require.True(t, errors.As(err, &apiErr), "%T: %v", err, err)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.typ, apiErr.Type)
			assert.Equal(t, tc.code, apiErr.Code)
			assert.Equal(t, tc.param, apiErr.Param)
			assert.NotEmpty(t, apiErr.Message)
		})
	}
}
