#!/usr/bin/env bash
# run.sh measures flexguard against its floors and its peers and prints the
# benchstat tables, the target ratios with PASS or MISS, the loopback load
# comparison, and the cost of keys and limits (in process and with a
# redis-server it starts itself). Run it from anywhere; scratch goes to
# bench/results/.
#
#   bash bench/run.sh              # 6 rounds, about 8-20 minutes on 2 cores
#   COUNT=2 LOAD_DURATION=3s bash bench/run.sh   # a quick look
set -euo pipefail

cd "$(dirname "$0")"
BENCH_DIR=$(pwd)
ROOT=$(cd .. && pwd)
RESULTS=$BENCH_DIR/results
COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-1s}
LOAD_DURATION=${LOAD_DURATION:-10s}
LOAD_REQUESTS=${LOAD_REQUESTS:-200000}
# The pinned benchstat; the module proxy serves this pseudo-version.
BENCHSTAT_VERSION=v0.0.0-20260908200009-22c9c6c9d4da
mkdir -p "$RESULTS"

echo "== machine"
echo "nproc: $(nproc)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
go version

echo "== installing benchstat $BENCHSTAT_VERSION"
GOBIN=$RESULTS/bin go install "golang.org/x/perf/cmd/benchstat@$BENCHSTAT_VERSION"
BENCHSTAT=$RESULTS/bin/benchstat

# The test binaries are built once and run COUNT times with -count 1, so
# that the repetitions of one benchmark are spread over the whole run: on a
# shared machine a burst of load then skews one sample of each benchmark,
# not every sample of one.
(cd "$ROOT" && go test -c -o "$RESULTS/bin/middleware.test" ./middleware &&
	go test -c -o "$RESULTS/bin/validate.test" ./validate)
go test -c -o "$RESULTS/bin/bench.test" .

echo "== main module benchmarks ($COUNT rounds, -benchtime $BENCHTIME)"
: >"$RESULTS/main.txt"
for round in $(seq "$COUNT"); do
	(cd "$ROOT/middleware" && "$RESULTS/bin/middleware.test" -test.run '^$' -test.bench 'BodyChain|Floor|KeysAndLimits' \
		-test.benchmem -test.benchtime "$BENCHTIME") >>"$RESULTS/main.txt"
	(cd "$ROOT/validate" && "$RESULTS/bin/validate.test" -test.run '^$' -test.bench 'BodyCheck' \
		-test.benchmem -test.benchtime "$BENCHTIME") >>"$RESULTS/main.txt"
	echo "round $round of $COUNT done"
done

echo "== bench module: flexguard and its peers in the same rounds of one process each"
: >"$RESULTS/peers.txt"
for round in $(seq "$COUNT"); do
	"$RESULTS/bin/bench.test" -test.run '^$' -test.bench . -test.benchmem -test.benchtime "$BENCHTIME" >>"$RESULTS/peers.txt"
	echo "round $round of $COUNT done"
done

echo "== benchstat: main module"
"$BENCHSTAT" "$RESULTS/main.txt"
echo
echo "== benchstat: flexguard and peers"
"$BENCHSTAT" -col .name "$RESULTS/peers.txt" 2>/dev/null || "$BENCHSTAT" "$RESULTS/peers.txt"

echo
echo "== targets (medians of the bench module run; one process, one run)"
size_1m=$(wc -c <"$ROOT/testdata/bodies/responses_1m.json")
size_2k=$(wc -c <"$ROOT/testdata/bodies/chat_2k.json")
awk -v size_1m="$size_1m" -v size_2k="$size_2k" '
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i++) {
		if ($(i+1) == "ns/op") ns[name] = ns[name] " " $i
		if ($(i+1) == "B/op") bytes[name] = $i
		if ($(i+1) == "allocs/op") allocs[name] = $i
	}
}
function median(list,    a, n, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	if (n == 0) return 0
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function verdict(ok) { return ok ? "PASS" : "MISS" }
END {
	chain = median(ns["BenchmarkChain/chat_2k"]); floor = median(ns["BenchmarkFloorValidBytes/chat_2k"])
	kin = median(ns["BenchmarkKinOpenAPI/chat_2k"]); lib = median(ns["BenchmarkLibOpenAPI/chat_2k"])
	dec = median(ns["BenchmarkDecodeAndSchema/chat_2k"])
	chain1m = median(ns["BenchmarkChain/responses_1m"]); floor1m = median(ns["BenchmarkFloorValidBytes/responses_1m"])
	dense = median(ns["BenchmarkChain/chat_dense_1m"])
	gbps = size_1m / chain1m # bytes per ns is GB/s
	printf "%-58s %10s %8s  %s\n", "target", "measured", "bound", "verdict"
	printf "%-58s %7.2f GB/s %6s  %s\n", "responses_1m Chain throughput", gbps, ">= 3", verdict(gbps >= 3)
	printf "%-58s %9.2fx %7s  %s\n", "responses_1m Chain / gjson.ValidBytes", chain1m / floor1m, "<= 0.3", verdict(chain1m / floor1m <= 0.3)
	printf "%-58s %9.2fx %7s  %s\n", "chat_dense_1m Chain / responses_1m Chain", dense / chain1m, "<= 1.3", verdict(dense / chain1m <= 1.3)
	printf "%-58s %9.2fx %7s  %s\n", "chat_2k Chain / gjson.ValidBytes", chain / floor, "<= 1.0", verdict(chain / floor <= 1.0)
	printf "%-58s %9.1fx %7s  %s\n", "chat_2k kin-openapi / Chain", kin / chain, ">= 20", verdict(kin / chain >= 20)
	printf "%-58s %9.1fx %7s  %s\n", "chat_2k libopenapi-validator / Chain", lib / chain, ">= 30", verdict(lib / chain >= 30)
	printf "%-58s %9.1fx %7s  %s\n", "chat_2k encoding/json + jsonschema/v5 / Chain (no target)", dec / chain, "-", "-"
	a = allocs["BenchmarkChain/chat_2k"]
	printf "%-58s %10d %8s  %s\n", "chat_2k Chain allocs/op (body buffer included)", a, "<= 4", verdict(a <= 4)
	# Body buffers are pooled: nothing the Chain allocates grows with the
	# body, so a megabyte costs the bytes and allocations of 2 KB.
	b1m = bytes["BenchmarkChain/responses_1m"]; b2k = bytes["BenchmarkChain/chat_2k"]
	ok = allocs["BenchmarkChain/responses_1m"] == a && b1m <= b2k + 1024
	printf "%-58s %10s %8s  %s\n", "responses_1m B/op, body buffer pooled (vs chat_2k)", b1m " B", "~" b2k " B", verdict(ok)
}' "$RESULTS/peers.txt" | tee "$RESULTS/targets.txt"

# Keys and both in-process limiters against none, on the same body, from
# the main module's rounds.
awk '
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name)
	for (i = 3; i < NF; i++) if ($(i+1) == "ns/op") ns[name] = ns[name] " " $i
}
function median(list,    a, n, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	if (n == 0) return 0
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
END {
	on = median(ns["BenchmarkKeysAndLimits/chat_2k/keys_on"]); off = median(ns["BenchmarkKeysAndLimits/chat_2k/keys_off"])
	printf "%-58s %8.0f ns %7s  %s\n", "chat_2k keys and in-process limiters, added per request", on - off, "<= 1000", (on - off <= 1000 ? "PASS" : "MISS")
	on = median(ns["BenchmarkKeysAndLimits/stage/keys_and_limits"]); off = median(ns["BenchmarkKeysAndLimits/stage/route"])
	printf "%-58s %8.0f ns %7s  %s\n", "the same without the body: KeysAndLimits - Route", on - off, "<= 1000", (on - off <= 1000 ? "PASS" : "MISS")
}' "$RESULTS/main.txt" | tee -a "$RESULTS/targets.txt"

echo
echo "== end to end on loopback"
# The bare echo server, the Chain in front of the same echo, and flexgate
# with its built-in echo, each in its own process.
guarded=()
if [ -d "$ROOT/cmd/flexgate" ]; then
	(cd "$ROOT" && go build -o "$RESULTS/bin/flexgate" ./cmd/flexgate)
	guarded=(-flexgate "$RESULTS/bin/flexgate")
fi
go run ./load "${guarded[@]}" -duration "$LOAD_DURATION" -requests "$LOAD_REQUESTS" -conns 32 | tee "$RESULTS/load.txt"
# The targets are flexgate's (the Chain's when there is no flexgate): 0.85
# of the bare server with a fifth of the bodies invalid, 0.95 with all
# valid. A Chain line beside flexgate's has no target of its own.
echo
awk -v held="${guarded:+flexgate}" '
/^ratio/ {
	split($3, who, "/"); r = $NF
	bound = ($2 == "valid") ? 0.95 : 0.85
	targeted = (who[1] == (held == "" ? "chain" : held))
	printf "%-58s %9.3fx %7s  %s\n", "end to end " $2 " " $3 " req/s", r, targeted ? ">= " bound : "-",
		targeted ? (r >= bound ? "PASS" : "MISS") : "-"
}' "$RESULTS/load.txt" | tee -a "$RESULTS/targets.txt"

echo
echo "== keys and limits end to end: flexgate without keys, with in-process limiters, with Redis"
if [ -d "$ROOT/cmd/flexgate" ] && command -v redis-server >/dev/null; then
	go run ./load -keys "${guarded[@]}" -duration "$LOAD_DURATION" -requests "$LOAD_REQUESTS" -conns 32 | tee "$RESULTS/load_keys.txt"
	awk '
	/^ratio keys\+redis\/flexgate/ { r = $NF; printf "%-58s %9.3fx %7s  %s\n", "end to end keys+redis/flexgate req/s", r, ">= 0.7", (r >= 0.7 ? "PASS" : "MISS") }
	/^added p50 latency keys\+redis/ { d = $(NF-1); printf "%-58s %8d us %7s  %s\n", "added p50 latency with Redis, one connection", d, "<= 250", (d <= 250 ? "PASS" : "MISS") }' \
		"$RESULTS/load_keys.txt" | tee -a "$RESULTS/targets.txt"
else
	echo "skipped: needs cmd/flexgate and redis-server (apt-get install redis-server)"
fi
