package jsonscan

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/conformance"
)

func TestScanAgreesWithTheReferenceOnEveryConformanceBody(t *testing.T) {
	t.Parallel()
	cases, err := conformance.Load(conformance.Dir())
	require.NoError(t, err)
	require.NotEmpty(t, cases)
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			checkAgainstReference(t, c.Body)
			if c.WantCode == "invalid_body" {
				res := Scan(c.Body, nil)
				require.Equal(t, None, res.Problem)
				require.False(t, res.Object)
			}
		})
	}
}
