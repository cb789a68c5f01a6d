package validate

import (
	"time"

	"github.com/flexinference/flexguard/internal/rules"
)

// Mode is how a request wants to be scheduled. The zero Mode means no
// start_within.
type Mode uint8

// The start_within modes.
const (
	ModeDefault  Mode = iota + 1 // "default": the standard tier, no flex race
	ModePriority                 // "priority"
	ModeAuto                     // "auto": the gateway chooses
	ModeDuration                 // "HHh-MMm-SSs": race the flex tier for at most Duration
)

// String returns the mode's name: "default", "priority", "auto" or
// "duration".
func (m Mode) String() string { return rules.Mode(m).String() }

// The window a duration start_within must fall in, both ends included.
const (
	MinStartWithin = 5 * time.Second   // "00h-00m-05s"
	MaxStartWithin = 600 * time.Second // "00h-10m-00s"
)

// StartWithin is a parsed start_within value.
type StartWithin struct {
	Mode Mode
	// Duration is the wait for ModeDuration, zero otherwise.
	Duration time.Duration
}

// ParseStartWithin parses the four accepted forms exactly: "default",
// "priority", "auto", or "HHh-MMm-SSs" with two digits per field, minutes
// and seconds at most 59, and a total from 5 to 600 seconds. Nothing else
// is accepted: no spaces, no other case, no one-digit fields. The error's
// text is written for the client and repeats at most a short prefix of s.
func ParseStartWithin(s string) (StartWithin, error) {
	sw, err := rules.ParseStartWithin(s)
	if err != nil {
		return StartWithin{}, err
	}
	return startWithinOf(sw), nil
}

// String renders s the way a client writes it: "auto" or "00h-00m-30s".
// The zero StartWithin renders as "".
func (s StartWithin) String() string { return s.rules().String() }

// rules and startWithinOf convert to and from the engine's own type.
func (s StartWithin) rules() rules.StartWithin {
	return rules.StartWithin{Mode: rules.Mode(s.Mode), Duration: s.Duration}
}

func startWithinOf(s rules.StartWithin) StartWithin {
	return StartWithin{Mode: Mode(s.Mode), Duration: s.Duration}
}
