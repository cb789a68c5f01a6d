package rules

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsOneComparesDecimalsExactly(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw  string
		want bool
	}{
		{"1", true}, {"1.0", true}, {"1e0", true}, {"1E+0", true}, {"10e-1", true}, {"0.1e1", true},
		{"0.001e3", true}, {"100E-2", true}, {"1e-0", true}, {"1.000e00000000000000", true},
		{"2", false}, {"0", false}, {"-1", false}, {"-0", false}, {"11e-1", false}, {"1.00000000000000000001", false},
		{"0.99999999999999999999", false}, {"1e1", false}, {"1e9999999999", false}, {"1e-9999999999", false},
		{"0e5", false}, {`"1"`, false}, {"true", false}, {"[1]", false}, {"101e-2", false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, isOne(tt.raw))
		})
	}
}

func TestIsOneDoesNotAllocate(t *testing.T) {
	for _, raw := range []string{"1", "1.0e0", "1e9999999999", "0.99999999999999999999"} {
		assert.Zero(t, testing.AllocsPerRun(10, func() { isOne(raw) }), raw)
	}
}
