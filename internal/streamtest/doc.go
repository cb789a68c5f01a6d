// Package streamtest holds, for tests in every module of the repository,
// one stream of each endpoint as its API sends it, with a request that
// passes every check, and a check of the error event that ends a stream
// the upstream cut short. It is stdlib-only and returns errors, so that
// any test can use it.
package streamtest
