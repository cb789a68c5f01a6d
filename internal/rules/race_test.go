//go:build race

package rules

import "time"

// hostileBound is the time hostile input may take; the race detector slows
// the walks about tenfold.
const hostileBound = 60 * time.Second
