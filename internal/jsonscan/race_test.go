//go:build race

package jsonscan

// exhaustiveCut shortens the longest inputs of the exhaustive tests under
// the race detector: their loops run on one goroutine each and share
// nothing, so its instrumentation finds nothing there and only slows them
// down many times over. The full run is the one without -race.
const exhaustiveCut = 1
