// Package testbodies loads the benchmark request bodies that
// testdata/bodies/gen writes, for the benchmarks of this module and of the
// bench module, so that every benchmark measures the same bytes.
package testbodies
