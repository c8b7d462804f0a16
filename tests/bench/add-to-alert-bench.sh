#!/usr/bin/env bash
# add-to-alert-bench.sh — time from a WFP filter being added to its alert at the collector's API
# (benchmark, not a test; the goal is <= 2 s with default settings, docs/performance.md).
#
# A real collector (SQLite, synchronous=FULL) and the agent with the engine stand-in
# (wfpwatch-agent-fakewin, the `wfp` source with every setting at its default; the stand-in's
# watcher polls the dump every 20 ms, standing in for the engine's notification). ROUNDS
# (default 100) additions of an EDRSilencer-shaped filter, one after another; add-to-alert.py
# prints each and the percentiles. Release build.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${WFPW_BUILD:-$root/build/release}
rounds=${1:-100}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target wfpwatch-collector wfpwatch-agent-fakewin >/dev/null
C=$build/collector/wfpwatch-collector
A=$build/tests/wfpwatch-agent-fakewin
t=$(mktemp -d /tmp/wfpw-bench.XXXXXX)
pids=()
trap 'kill ${pids[1]:-} 2>/dev/null; sleep 0.5; kill ${pids[0]:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$t"' EXIT
. "$root/tests/bench/lib.sh"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

"$C" pki init --dir "$t/pki" >/dev/null
"$C" pki issue --dir "$t/pki" --name agent-1 >/dev/null
token=$("$C" token create --data "$t/data" --name bench 2>/dev/null)
p=$(port)
"$C" serve --listen "127.0.0.1:$p" --pki "$t/pki" --data "$t/data" --log-level warn &
pids+=($!)
cp "$root/deploy/demo/capture/2-after-attack-filters.xml" "$t/engine.xml"
cat >"$t/a.json" <<JSON
{ "agent_id": "agent-1", "data_dir": "$t/adata",
  "collector": { "url": "https://localhost:$p", "ca": "$t/pki/ca.crt",
                 "cert": "$t/pki/agents/agent-1.crt", "key": "$t/pki/agents/agent-1.key" },
  "sources": [ { "type": "wfp" } ], "log": { "level": "warn" } }
JSON
for i in $(seq 1 100); do curl -s --cacert "$t/pki/ca.crt" "https://localhost:$p/healthz" >/dev/null && break; sleep 0.1; done
WFPW_FAKE_WFP="$t/engine.xml" "$A" run --config "$t/a.json" &
pids+=($!)
/usr/bin/python3 "$root/tests/bench/add-to-alert.py" "$t/engine.xml" "$root/deploy/demo/capture/2-after-attack-filters.xml" \
    "$p" "$t/pki/ca.crt" "$token" "$rounds"
