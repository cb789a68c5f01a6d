//go:build !race

package rules

import "time"

// hostileBound is the time hostile input may take: generous, as test machines are shared.
const hostileBound = 10 * time.Second
