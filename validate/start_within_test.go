package validate

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStartWithin(t *testing.T) {
	t.Parallel()
	accepted := []struct {
		name string
		in   string
		want StartWithin
	}{
		{"default is a mode", "default", StartWithin{Mode: ModeDefault}},
		{"priority is a mode", "priority", StartWithin{Mode: ModePriority}},
		{"auto is a mode", "auto", StartWithin{Mode: ModeAuto}},
		{"five seconds is the shortest duration", "00h-00m-05s", StartWithin{Mode: ModeDuration, Duration: 5 * time.Second}},
		{"ten minutes is the longest duration", "00h-10m-00s", StartWithin{Mode: ModeDuration, Duration: 600 * time.Second}},
		{"thirty seconds is a duration", "00h-00m-30s", StartWithin{Mode: ModeDuration, Duration: 30 * time.Second}},
		{"nine minutes fifty-nine is a duration", "00h-09m-59s", StartWithin{Mode: ModeDuration, Duration: 599 * time.Second}},
	}
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseStartWithin(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.in, got.String(), "String must give back what the client wrote")
		})
	}

	rejected := []struct {
		name string
		in   string
	}{
		{"four seconds is too short", "00h-00m-04s"},
		{"ten minutes and one second is too long", "00h-10m-01s"},
		{"one-digit fields are not the grammar", "0h-0m-30s"},
		{"sixty seconds is not a seconds field", "00h-00m-60s"},
		{"sixty minutes is not a minutes field", "00h-60m-00s"},
		{"a leading space is not trimmed", " default"},
		{"modes are lower case only", "Default"},
		{"auto in capitals is not auto", "AUTO"},
		{"the empty string is nothing", ""},
		{"a trailing space is not trimmed", "00h-00m-30s "},
		{"one hour is too long", "01h-00m-00s"},
		{"a one-digit seconds field is not the grammar", "00h-00m-3s"},
		{"colons are not the separator", "00h:00m:30s"},
		{"fullwidth digits are not ASCII digits", "００h-００m-３０s"},
		{"Arabic-Indic digits are not ASCII digits", "٠٠h-٠٠m-٣٠s"},
		{"upper-case units are not the grammar", "00H-00M-30S"},
		{"a plus sign is not a digit", "00h-00m-+5s"},
		{"a trailing newline is not trimmed", "auto\n"},
		{"a NUL after a mode is not the mode", "auto\x00"},
	}
	for _, tc := range rejected {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseStartWithin(tc.in)
			require.Error(t, err)
			assert.Zero(t, got)
		})
	}
}

func TestParseStartWithinErrorIsBounded(t *testing.T) {
	t.Parallel()
	_, err := ParseStartWithin(strings.Repeat("x", 100_000))
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 400, "the message must not echo the whole input")
}

func TestStartWithinStringOfEveryDuration(t *testing.T) {
	t.Parallel()
	for secs := 5; secs <= 600; secs++ {
		sw := StartWithin{Mode: ModeDuration, Duration: time.Duration(secs) * time.Second}
		back, err := ParseStartWithin(sw.String())
		require.NoError(t, err, sw.String())
		require.Equal(t, sw, back)
	}
	assert.Equal(t, "", StartWithin{}.String(), "the zero StartWithin renders as nothing")
}

// referenceStartWithin is the grammar written a second way, with a
// regular expression and arithmetic, to judge ParseStartWithin against.
var referenceDuration = regexp.MustCompile(`^([0-9]{2})h-([0-9]{2})m-([0-9]{2})s$`)

func referenceStartWithin(s string) (StartWithin, bool) {
	switch s {
	case "default":
		return StartWithin{Mode: ModeDefault}, true
	case "priority":
		return StartWithin{Mode: ModePriority}, true
	case "auto":
		return StartWithin{Mode: ModeAuto}, true
	}
	m := referenceDuration.FindStringSubmatch(s)
	if m == nil {
		return StartWithin{}, false
	}
	h, _ := strconv.Atoi(m[1])
	mins, _ := strconv.Atoi(m[2])
	secs, _ := strconv.Atoi(m[3])
	total := h*3600 + mins*60 + secs
	if mins > 59 || secs > 59 || total < 5 || total > 600 {
		return StartWithin{}, false
	}
	return StartWithin{Mode: ModeDuration, Duration: time.Duration(total) * time.Second}, true
}

func FuzzParseStartWithin(f *testing.F) {
	for _, s := range []string{
		"default", "priority", "auto", "00h-00m-05s", "00h-10m-00s", "00h-00m-04s",
		"00h-10m-01s", "0h-0m-30s", "00h-00m-60s", " default", "Default", "",
		"00h-00m-30s ", "01h-00m-00s", "00h:00m:30s", "００h-００m-３０s", "99h-99m-99s",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseStartWithin(s)
		want, ok := referenceStartWithin(s)
		if !ok {
			require.Error(t, err, "%q", s)
			return
		}
		require.NoError(t, err, "%q", s)
		require.Equal(t, want, got)
		require.Equal(t, s, got.String())
	})
}

func BenchmarkParseStartWithin(b *testing.B) {
	for _, s := range []string{"auto", "00h-00m-30s", "not a start_within at all"} {
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				_, _ = ParseStartWithin(s)
			}
		})
	}
}
