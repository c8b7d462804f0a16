#!/usr/bin/env bash
# quickstart.sh — the main job on one machine: build wfpwatch, start a collector with its
# embedded SQLite store under ./var/, start a local agent reporting to it over mutual TLS,
# replay the demo capture (an EDR-silencer attack), and print curl lines that query it.
#
# Works as root on a fresh Debian 12 machine. It runs what exists and says plainly what does
# not exist yet; it never prints made-up output.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
var="$root/var"
build="$root/build/release"
jobs=$(nproc 2>/dev/null || echo 2)

step() { printf '\n==> %s\n' "$*"; }

step "installing missing packages (Debian)"
./deploy/dev/install-deps.sh --runtime-only

step "building (release) into $build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DWFPW_TESTS=OFF >"$root/build/quickstart-configure.log" 2>&1 \
    || { tail -n 30 "$root/build/quickstart-configure.log"; exit 1; }
cmake --build "$build" -j "$jobs" >"$root/build/quickstart-build.log" 2>&1 \
    || { tail -n 30 "$root/build/quickstart-build.log"; exit 1; }
mkdir -p "$var"
chmod 0700 "$var"

agent="$build/agent/wfpwatch-agent"
collector="$build/collector/wfpwatch-collector"

step "agent"
"$agent" version

step "collector"
if [[ ! -x "$collector" ]]; then
    cat <<'MSG'
NOT AVAILABLE YET: wfpwatch-collector (mutual-TLS ingest, SQLite store, REST API) is
built by issue #3. Until then there is no server to start, no development PKI to create and
no API to query. What exists today: the proto v1 library and its JSON Schema
(proto/schema/wfpwatch-batch-v1.json), the agent's platform layer and `version` command,
the Windows cross build and the test suite (./tests/run.sh).
MSG
    exit 0
fi
