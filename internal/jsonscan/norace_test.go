//go:build !race

package jsonscan

// exhaustiveCut shortens the longest inputs of the exhaustive tests: not
// at all without the race detector.
const exhaustiveCut = 0
