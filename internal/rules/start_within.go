package rules

import (
	"fmt"
	"time"

	"github.com/flexinference/flexguard/internal/clienttext"
)

// Mode is how a request wants to be scheduled.
type Mode uint8

// The start_within modes. The zero Mode means start_within was not
// resolved.
const (
	ModeDefault  Mode = iota + 1 // "default": the standard tier, no flex race
	ModePriority                 // "priority"
	ModeAuto                     // "auto": the gateway chooses
	ModeDuration                 // "HHh-MMm-SSs": race the flex tier for at most Duration
)

// String returns the mode's name: "default", "priority", "auto" or
// "duration".
func (m Mode) String() string {
	switch m {
	case ModeDefault:
		return "default"
	case ModePriority:
		return "priority"
	case ModeAuto:
		return "auto"
	case ModeDuration:
		return "duration"
	default:
		return ""
	}
}

// The window a duration start_within must fall in, both ends included.
const (
	MinStartWithin = 5 * time.Second
	MaxStartWithin = 600 * time.Second
)

// StartWithin is a parsed start_within value.
type StartWithin struct {
	Mode Mode
	// Duration is the wait for ModeDuration, zero otherwise.
	Duration time.Duration
}

// Valid reports whether s is a value ParseStartWithin could return: one
// of the four modes, and for a duration a whole number of seconds from 5
// to 600. A default built in code (an embedder's per-request one) is held
// to it.
func (s StartWithin) Valid() bool {
	if s.Mode == ModeDuration {
		return s.Duration >= MinStartWithin && s.Duration <= MaxStartWithin && s.Duration%time.Second == 0
	}
	return s.Mode >= ModeDefault && s.Mode <= ModeAuto && s.Duration == 0
}

// String renders s the way a client writes it: "auto" or "00h-00m-30s".
// The zero StartWithin renders as "".
func (s StartWithin) String() string {
	if s.Mode != ModeDuration {
		return s.Mode.String()
	}
	secs := int(s.Duration / time.Second)
	return fmt.Sprintf("%02dh-%02dm-%02ds", secs/3600, secs/60%60, secs%60)
}

// ParseStartWithin parses the four accepted forms exactly: "default",
// "priority", "auto", or "HHh-MMm-SSs" with two digits per field, minutes
// and seconds at most 59, and a total from 5 to 600 seconds. Nothing else
// is accepted: no spaces, no other case, no one-digit fields.
//
// The error's text is written for the client and repeats at most a short,
// quoted prefix of s.
func ParseStartWithin(s string) (StartWithin, error) {
	switch s {
	case "default":
		return StartWithin{Mode: ModeDefault}, nil
	case "priority":
		return StartWithin{Mode: ModePriority}, nil
	case "auto":
		return StartWithin{Mode: ModeAuto}, nil
	}
	h, okH := twoDigits(s, 0, 'h')
	m, okM := twoDigits(s, 4, 'm')
	sec, okS := twoDigits(s, 8, 's')
	if len(s) != 11 || !okH || !okM || !okS || s[3] != '-' || s[7] != '-' || m > 59 || sec > 59 {
		return StartWithin{}, fmt.Errorf(`start_within %s is not "default", "priority", "auto" or a duration HHh-MMm-SSs with two digits per field, such as "00h-00m-30s"`, clienttext.Quote(s))
	}
	d := time.Duration(h*3600+m*60+sec) * time.Second
	if d < MinStartWithin || d > MaxStartWithin {
		return StartWithin{}, fmt.Errorf(`start_within %q is %d seconds; a duration must be from 5 seconds ("00h-00m-05s") to 600 seconds ("00h-10m-00s")`, s, int(d/time.Second))
	}
	return StartWithin{Mode: ModeDuration, Duration: d}, nil
}

// twoDigits reads the two decimal digits at s[i:i+2] followed by unit.
func twoDigits(s string, i int, unit byte) (int, bool) {
	if len(s) < i+3 || s[i+2] != unit {
		return 0, false
	}
	a, b := s[i], s[i+1]
	if a < '0' || a > '9' || b < '0' || b > '9' {
		return 0, false
	}
	return int(a-'0')*10 + int(b-'0'), true
}
