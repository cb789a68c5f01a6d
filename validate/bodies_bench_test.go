package validate_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/internal/testbodies"
	"github.com/flexinference/flexguard/validate"
)

// The benchmark bodies stand for traffic that passes: if one stopped
// passing, its benchmark would measure the rejection path instead.
func TestBenchmarkBodiesPassTheDefaultPolicy(t *testing.T) {
	t.Parallel()
	bodies, err := testbodies.Load()
	require.NoError(t, err)
	v, err := validate.New(validate.Policy{})
	require.NoError(t, err)
	for _, body := range bodies {
		t.Run(body.Name, func(t *testing.T) {
			t.Parallel()
			res, verr := v.Check(body.Endpoint, body.Bytes)
			require.Nil(t, verr, "the body is rejected: %v", verr)
			require.NotEmpty(t, res.Model)
		})
	}
}

func TestTheNearLimitBodyIsJustUnderTheDefaultLimit(t *testing.T) {
	t.Parallel()
	bodies, err := testbodies.Load()
	require.NoError(t, err)
	last := bodies[len(bodies)-1]
	require.Equal(t, "responses_1m", last.Name)
	require.LessOrEqual(t, int64(len(last.Bytes)), int64(validate.DefaultMaxBodyBytes))
	require.Greater(t, len(last.Bytes), validate.DefaultMaxBodyBytes*99/100)
}

// BenchmarkBodyCheck is Validator.Check alone on each benchmark body: the
// body rules without the transport.
func BenchmarkBodyCheck(b *testing.B) {
	bodies, err := testbodies.Load()
	require.NoError(b, err)
	v, err := validate.New(validate.Policy{})
	require.NoError(b, err)
	for _, body := range bodies {
		b.Run(body.Name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body.Bytes)))
			for b.Loop() {
				if _, err := v.Check(body.Endpoint, body.Bytes); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
