package validate_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/conformance"
	"github.com/flexinference/flexguard/validate"
)

// TestConformanceThroughPureRules runs every conformance case that the body
// alone decides (no transport, no org lookups) through the pure rules, and
// requires the answer the chain gives.
func TestConformanceThroughPureRules(t *testing.T) {
	t.Parallel()
	cases, err := conformance.Load(conformance.Dir())
	require.NoError(t, err)
	judged := 0
	for _, c := range cases {
		ep, known := validate.EndpointOf(c.Path())
		if !known || c.UsesTransport() || (c.UsesOrgHooks() && !onlyOrgDefault(c)) {
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

			var r validate.Request
			bad := v.Parse(ep, c.Body, &r)
			if bad == nil {
				if c.OrgDefault != "" {
					sw, err := validate.ParseStartWithin(c.OrgDefault)
					require.NoError(t, err)
					r.SetDefaultStartWithin(sw)
				}
				bad = v.CheckAll(&r)
			}
			if c.WantStatus == 200 {
				require.Nil(t, bad, "want a pass")
				res := r.Result()
				facts := map[string]string{
					"endpoint":     res.Endpoint.Path(),
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
			require.NotNil(t, bad, "want %s", c.WantCode)
			assert.Equal(t, c.WantStatus, bad.Status())
			assert.Equal(t, c.WantCode, bad.Code.String())
			assert.Equal(t, c.WantParam, bad.ParamOrNull())
		})
	}
	require.NotZero(t, judged, "the pure rules judged no case")
}

func onlyOrgDefault(c *conformance.Case) bool {
	return len(c.NoKey) == 0 && !c.KeyLookupError && !c.Overdue && !c.BillingError
}
