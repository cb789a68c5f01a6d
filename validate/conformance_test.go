package validate_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
	"github.com/flexinference/flexguard/internal/conformance"
	"github.com/flexinference/flexguard/validate"
)

// TestConformanceThroughPureRules runs every conformance case that the body
// alone decides (no transport, no per-request lookups) through the pure rules, and
// requires the answer the chain gives.
func TestConformanceThroughPureRules(t *testing.T) {
	t.Parallel()
	cases, err := conformance.Load(conformance.Dir())
	require.NoError(t, err)
	judged := 0
	for _, c := range cases {
		ep, known := validate.EndpointOf(c.Path())
		if !known || c.UsesTransport() || c.UsesOrgHooks() {
			continue
		}
		judged++
		t.Run(c.String(), func(t *testing.T) {
			t.Parallel()
			var p validate.Policy
			if c.Policy != "" {
				loaded, err := validate.LoadPolicy(strings.NewReader(c.Policy))
				require.NoError(t, err)
				p = loaded
			}
			p.StrictDuplicateKeys = c.Strict
			v, err := validate.New(p)
			require.NoError(t, err)

			res, err := v.Check(ep, c.Body)
			if c.WantStatus == 200 {
				require.NoError(t, err, "want a pass")
				facts := map[string]string{
					"endpoint":     res.Endpoint.String(),
					"model":        res.Model,
					"provider":     res.Provider.String(),
					"start_within": res.StartWithin.String(),
					"defaulted":    map[bool]string{true: "true", false: "false"}[res.StartWithinDefaulted],
				}
				for k, want := range c.WantFacts {
					assert.Equal(t, want, facts[k], "fact %s", k)
				}
				return
			}
			var bad *apierrors.Error
			require.ErrorAs(t, err, &bad, "want %s", c.WantCode)
			assert.Equal(t, c.WantStatus, bad.Status())
			assert.Equal(t, c.WantCode, bad.Code().String())
			assert.Equal(t, c.WantParam, bad.Param())
		})
	}
	require.NotZero(t, judged, "the pure rules judged no case")
}
