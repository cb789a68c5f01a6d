package rules

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	apierrors "github.com/flexinference/flexguard/errors"
)

func TestStartWithinValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sw   StartWithin
		want bool
	}{
		{"default is valid", StartWithin{Mode: ModeDefault}, true},
		{"priority is valid", StartWithin{Mode: ModePriority}, true},
		{"auto is valid", StartWithin{Mode: ModeAuto}, true},
		{"five seconds is valid", StartWithin{Mode: ModeDuration, Duration: 5 * time.Second}, true},
		{"ten minutes is valid", StartWithin{Mode: ModeDuration, Duration: 600 * time.Second}, true},
		{"the zero value is not", StartWithin{}, false},
		{"an unknown mode is not", StartWithin{Mode: 9}, false},
		{"four seconds is not", StartWithin{Mode: ModeDuration, Duration: 4 * time.Second}, false},
		{"an hour is not", StartWithin{Mode: ModeDuration, Duration: time.Hour}, false},
		{"a fraction of a second is not", StartWithin{Mode: ModeDuration, Duration: 5500 * time.Millisecond}, false},
		{"auto with a duration is not", StartWithin{Mode: ModeAuto, Duration: time.Minute}, false},
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
	v, err := Compile(Config{DefaultStartWithin: "auto"})
	require.NoError(t, err)
	for _, bad := range []StartWithin{{}, {Mode: 9}, {Mode: ModeDuration, Duration: time.Hour}} {
		var r Request
		require.Nil(t, v.Parse(Responses, []byte(`{"model":"gpt-5.5"}`), &r))
		r.SetDefaultStartWithin(bad)
		got := v.Judge(&r, StepTokenCap)
		require.NotNil(t, got, "%+v must not pass", bad)
		assert.Equal(t, apierrors.InternalError, got.Code())
	}
	// A body that sends its own start_within never reads the default.
	var r Request
	require.Nil(t, v.Parse(Responses, []byte(`{"model":"gpt-5.5","start_within":"priority"}`), &r))
	r.SetDefaultStartWithin(StartWithin{})
	assert.Nil(t, v.Judge(&r, StepTokenCap))
}
