package validate_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexinference/flexguard/validate"
)

func TestStartWithinValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sw   validate.StartWithin
		want bool
	}{
		{"default is valid", validate.StartWithin{Mode: validate.ModeDefault}, true},
		{"priority is valid", validate.StartWithin{Mode: validate.ModePriority}, true},
		{"auto is valid", validate.StartWithin{Mode: validate.ModeAuto}, true},
		{"five seconds is valid", validate.StartWithin{Mode: validate.ModeDuration, Duration: 5 * time.Second}, true},
		{"ten minutes is valid", validate.StartWithin{Mode: validate.ModeDuration, Duration: 600 * time.Second}, true},
		{"the zero value is not", validate.StartWithin{}, false},
		{"an unknown mode is not", validate.StartWithin{Mode: 9}, false},
		{"four seconds is not", validate.StartWithin{Mode: validate.ModeDuration, Duration: 4 * time.Second}, false},
		{"an hour is not", validate.StartWithin{Mode: validate.ModeDuration, Duration: time.Hour}, false},
		{"a fraction of a second is not", validate.StartWithin{Mode: validate.ModeDuration, Duration: 5500 * time.Millisecond}, false},
		{"auto with a duration is not", validate.StartWithin{Mode: validate.ModeAuto, Duration: time.Minute}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.sw.Valid())
		})
	}
}

func TestAnInvalidPerRequestDefaultIsTheGatewaysFault(t *testing.T) {
	t.Parallel()
	v, err := validate.New(validate.Policy{DefaultStartWithin: "auto"})
	require.NoError(t, err)
	for _, bad := range []validate.StartWithin{{}, {Mode: 9}, {Mode: validate.ModeDuration, Duration: time.Hour}} {
		var r validate.Request
		require.Nil(t, v.Parse(validate.Responses, []byte(`{"model":"gpt-5.5"}`), &r))
		r.SetDefaultStartWithin(bad)
		got := v.CheckAll(&r)
		require.NotNil(t, got, "%+v must not pass", bad)
		assert.Equal(t, "internal_error", got.Code.String())
	}
	// A body that sends its own start_within never reads the default.
	var r validate.Request
	require.Nil(t, v.Parse(validate.Responses, []byte(`{"model":"gpt-5.5","start_within":"priority"}`), &r))
	r.SetDefaultStartWithin(validate.StartWithin{})
	assert.Nil(t, v.CheckAll(&r))
}
