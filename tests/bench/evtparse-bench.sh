#!/usr/bin/env bash
# evtparse-bench.sh — Security event parsing throughput, release build: the live `eventlog`
# source's way (a parser per rendered event) and the replay source's (one parser per file), on
# the demo capture's 26 events 5157 (deploy/demo/capture/3-blocked-connections.xml). Benchmark,
# not a test; figures go to docs/performance.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${WFPW_BUILD:-$root/build/release}
N=${N:-200000}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target wfpw-evtparse >/dev/null
echo "# $(date -u +%FT%TZ) $(nproc) cores"
"$build/tests/bench/wfpw-evtparse" "$root/deploy/demo/capture/3-blocked-connections.xml" "$N"
