// Package bench measures flexguard beside the libraries a gateway team
// would pick instead, on the same bodies (testdata/bodies) and the same
// policy-free rules: getkin/kin-openapi's openapi3filter,
// pb33f/libopenapi-validator, and encoding/json with jsonschema/v5. It is a
// module of its own so that flexguard's users never download the peers.
//
// A test holds every peer to the rules (each passes the good bodies and
// rejects the broken ones), so no peer is timed doing nothing. run.sh runs
// the benchmarks in interleaved rounds, prints benchstat tables and the
// target ratios, then the end-to-end load comparison of ./load.
package bench
