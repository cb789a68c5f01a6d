package schemas

import (
	"encoding/json"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/validate"
)

func TestTameKeepsEveryComparisonWithShortConstants(t *testing.T) {
	t.Parallel()
	constants := []string{"0", "1", "-1", "2", "0.5", "1e300", "-1e300", "1e-300", "123456789012345678901234567890123", "1.5"}
	tests := []struct {
		name string
		in   string
	}{
		{"a huge exponent", "1e9999999"},
		{"a huge negative exponent", "1e-9999999"},
		{"a negative number with a huge exponent", "-5e9999999"},
		{"a one with many zeros after it", "1.00000000000000000000000000000000000000000000000001"},
		{"a number just below one", "0.99999999999999999999999999999999999999999999999999"},
		{"a long integer", "1234567890123456789012345678901234567890123456789"},
		{"a long constant-length prefix", "123456789012345678901234567890123.0000000000000000000000000000001"},
		{"a zero with a huge exponent", "0e9999999"},
		{"a long zero", "0.000000000000000000000000000000000000000000000000000"},
		{"a one spelled long", "1.000000000000000000000000000000000000000000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.True(t, risky(tt.in))
			out := tame(tt.in)
			assert.False(t, risky(string(out)), "tamed %s to %s", tt.in, out)
			orig, ok := new(big.Rat).SetString(tt.in)
			tamed, ok2 := new(big.Rat).SetString(string(out))
			require.True(t, ok2)
			for _, c := range constants {
				cr, _ := new(big.Rat).SetString(c)
				if !ok { // big.Rat refuses it: compare by sign and magnitude instead
					continue
				}
				assert.Equal(t, orig.Cmp(cr), tamed.Cmp(cr), "%s against %s (tamed %s)", tt.in, c, out)
			}
		})
	}
}

func TestTameNumbersRewritesInPlace(t *testing.T) {
	t.Parallel()
	v := map[string]any{"a": []any{json.Number("1e9999999"), json.Number("2")}, "b": map[string]any{"c": json.Number("1e-99999")}}
	tameNumbers(v)
	assert.Equal(t, json.Number("0.1e1001"), v["a"].([]any)[0])
	assert.Equal(t, json.Number("2"), v["a"].([]any)[1])
	assert.Equal(t, json.Number("0.1e-1000"), v["b"].(map[string]any)["c"])
}

func TestJudgeTurnsAnEnginePanicIntoInternalError(t *testing.T) {
	t.Parallel()
	// A json.Number that big.Rat refuses, not tamed by decode: the engine
	// dereferences nil on it.
	v := map[string]any{"model": "gpt-5.5", "n": json.Number("1e9999999")}
	got := judge(Canonical().byEndpoint[validate.ChatCompletions], v)
	require.NotNil(t, got)
	assert.Equal(t, apierrors.InternalError, got.Code())

	// Through Check the number is tamed first, and judged.
	var e *apierrors.Error
	require.ErrorAs(t, Canonical().Check(validate.ChatCompletions, []byte(`{"model":"gpt-5.5","n":1e9999999}`)), &e)
	assert.Equal(t, apierrors.UnsupportedValue, e.Code())
}
