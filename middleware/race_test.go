//go:build race

package middleware_test

// raceEnabled: the race detector's shadow memory makes the resident size
// no measure of what the middleware holds.
const raceEnabled = true
