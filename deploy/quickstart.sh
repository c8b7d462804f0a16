#!/usr/bin/env bash
# quickstart.sh — the main job on one machine: build wfpwatch, create a development PKI,
# start the collector with its embedded SQLite store under ./var/, send it data over mutual
# TLS, and print curl lines that query it. The collector keeps running in the background
# (pid in var/collector.pid, log in var/collector.log); run this again to restart it.
#
# Works as root on a fresh Debian 12 machine. It runs what exists and says plainly what does
# not exist yet; everything it prints comes from the running collector.
# Env: WFPW_VAR (default ./var), WFPW_QUICKSTART_LISTEN (default 127.0.0.1:8443).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
var=${WFPW_VAR:-$root/var}
listen=${WFPW_QUICKSTART_LISTEN:-127.0.0.1:8443}
port=${listen##*:}
build="$root/build/release"
jobs=$(nproc 2>/dev/null || echo 2)
agent_name=WS-FIN-0042

step() { printf '\n==> %s\n' "$*"; }

step "installing missing packages (Debian)"
./deploy/dev/install-deps.sh --runtime-only

step "building (release) into $build"
mkdir -p "$root/build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >"$root/build/quickstart-configure.log" 2>&1 \
    || { tail -n 30 "$root/build/quickstart-configure.log"; exit 1; }
cmake --build "$build" -j "$jobs" --target wfpwatch-collector wfpwatch-agent >"$root/build/quickstart-build.log" 2>&1 \
    || { tail -n 30 "$root/build/quickstart-build.log"; exit 1; }
collector="$build/collector/wfpwatch-collector"
agent="$build/agent/wfpwatch-agent"
mkdir -p "$var"
chmod 0700 "$var"

if [[ -f "$var/collector.pid" ]] && kill -0 "$(cat "$var/collector.pid")" 2>/dev/null; then
    step "stopping the collector started by an earlier quickstart"
    kill -TERM "$(cat "$var/collector.pid")"
    for _ in $(seq 1 50); do kill -0 "$(cat "$var/collector.pid")" 2>/dev/null || break; sleep 0.1; done
fi

step "development PKI in $var/pki"
if [[ ! -f "$var/pki/ca.crt" ]]; then
    "$collector" pki init --dir "$var/pki" --server-name localhost
else
    echo "reusing the existing CA"
fi
[[ -f "$var/pki/agents/$agent_name.crt" ]] || "$collector" pki issue --dir "$var/pki" --name "$agent_name"

step "API token for SIEM readers"
if [[ ! -s "$var/api.token" ]]; then
    umask 077
    "$collector" token create --data "$var/data" --name "quickstart-$(date +%s)" >"$var/api.token"
fi
token=$(cat "$var/api.token")
echo "token saved in $var/api.token (mode 0600; only its SHA-256 is in the database)"

step "starting the collector on $listen (data: $var/data)"
setsid nohup "$collector" serve --listen "$listen" --data "$var/data" --pki "$var/pki" \
    >>"$var/collector.log" 2>&1 </dev/null &
echo $! >"$var/collector.pid"
for i in $(seq 1 100); do
    curl -s --cacert "$var/pki/ca.crt" "https://localhost:$port/healthz" >/dev/null 2>&1 && break
    kill -0 "$(cat "$var/collector.pid")" 2>/dev/null || { echo "the collector did not start:"; tail -n 20 "$var/collector.log"; exit 1; }
    sleep 0.1
done
echo "collector running, pid $(cat "$var/collector.pid"), log $var/collector.log"

step "agent: detection on the demo capture (deploy/demo/)"
"$agent" version
echo "\$ wfpwatch-agent analyze --filters deploy/demo/after-attack-filters.xml --baseline deploy/demo/baseline-filters.xml"
rc=0
"$agent" analyze --filters deploy/demo/after-attack-filters.xml --baseline deploy/demo/baseline-filters.xml || rc=$?
echo "(exit $rc: 3 means a new finding at or above high)"
echo
cat <<MSG
NOT WIRED HERE YET: the agent pipeline exists (wfpwatch-agent run --config FILE: replay
source, spool, mutual-TLS shipper; see docs/agent.md), but replaying the demo attack through a
local agent from this script is still open in issue #4. This step stands in for it with curl:
it posts one proto v1 batch (tests/data/proto/golden/all.json: a block of MsMpEng.exe by an
EDRSilencer-style filter, the filter's changes, an alert, a heartbeat, an inventory change
set) with the agent certificate $agent_name.
MSG
curl -sS --cacert "$var/pki/ca.crt" --cert "$var/pki/agents/$agent_name.crt" --key "$var/pki/agents/$agent_name.key" \
    -H 'Content-Type: application/json' --data-binary @tests/data/proto/golden/all.json \
    "https://localhost:$port/api/v1/batches"
echo "   (a second run answers \"duplicate\":true: batches are stored exactly once)"

step "what the collector holds now"
curl -sS --cacert "$var/pki/ca.crt" -H "Authorization: Bearer $token" "https://localhost:$port/api/v1/hosts"
echo
curl -sS --cacert "$var/pki/ca.crt" -H "Authorization: Bearer $token" "https://localhost:$port/api/v1/alerts?limit=1" | head -c 400
echo " ..."

cat <<EOF2

==> query it yourself
  export WFPW_TOKEN=\$(cat $var/api.token)
  curl --cacert $var/pki/ca.crt -H "Authorization: Bearer \$WFPW_TOKEN" 'https://localhost:$port/api/v1/events?limit=10'
  curl --cacert $var/pki/ca.crt -H "Authorization: Bearer \$WFPW_TOKEN" -H 'Accept: application/x-ndjson' 'https://localhost:$port/api/v1/events?after=0'
  curl --cacert $var/pki/ca.crt -H "Authorization: Bearer \$WFPW_TOKEN" 'https://localhost:$port/api/v1/alerts'
  curl --cacert $var/pki/ca.crt -H "Authorization: Bearer \$WFPW_TOKEN" 'https://localhost:$port/api/v1/hosts'
  curl --cacert $var/pki/ca.crt -H "Authorization: Bearer \$WFPW_TOKEN" 'https://localhost:$port/api/v1/hosts/$agent_name/filters'
  curl --cacert $var/pki/ca.crt 'https://localhost:$port/metrics'
stop the collector: kill \$(cat $var/collector.pid)
EOF2
