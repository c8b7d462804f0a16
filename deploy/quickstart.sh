#!/usr/bin/env bash
# quickstart.sh — the main job on one machine: build wfpwatch, create a development PKI,
# start the collector with its embedded SQLite store under ./var/, send it data over mutual
# TLS, and print curl lines that query it. The collector keeps running in the background
# (pid in var/collector.pid, log in var/collector.log); run this again to restart it.
#
# Then a local agent replays the demo capture (deploy/demo/: an EDRSilencer-style attack on
# Defender and the blocked connections that follow) and ships it to the collector with its client
# certificate; what it prints at the end comes from the running collector's API.
# Works as root on a fresh Debian 12 machine.
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

step "agent: offline analysis of the demo inventories (deploy/demo/)"
"$agent" version
echo "\$ wfpwatch-agent analyze --filters deploy/demo/capture/2-after-attack-filters.xml --baseline deploy/demo/capture/1-baseline-filters.xml"
rc=0
"$agent" analyze --filters deploy/demo/capture/2-after-attack-filters.xml --baseline deploy/demo/capture/1-baseline-filters.xml || rc=$?
echo "(exit $rc: 3 means a new finding at or above high)"

step "agent: replaying the demo capture through a local agent ($agent_name -> collector, mutual TLS)"
# The replay source reads deploy/demo/capture/ in name order: the baseline inventory, the inventory after
# an EDRSilencer-style attack (diffed against it exactly as live snapshots are), then the Security
# events 5157 of Defender being cut off. Positions live in var/agent/, so a second run replays
# nothing twice.
mkdir -p "$var/agent"
[[ -f "$var/agent.log" ]] && mv -f "$var/agent.log" "$var/agent.log.1"
cat >"$var/agent.json" <<JSON
{ "agent_id": "$agent_name", "data_dir": "$var/agent",
  "collector": { "url": "https://localhost:$port", "ca": "$var/pki/ca.crt",
                 "cert": "$var/pki/agents/$agent_name.crt", "key": "$var/pki/agents/$agent_name.key" },
  "sources": [ { "type": "replay", "path": "$root/deploy/demo/capture" } ],
  "batch": { "max_delay_ms": 500 }, "aggregation": { "window_ms": 1000 },
  "log": { "level": "info", "file": "$var/agent.log" } }
JSON
chmod 0600 "$var/agent.json"
echo "\$ wfpwatch-agent run --config $var/agent.json --until-drained"
rc=0
timeout 120 "$agent" run --config "$var/agent.json" --until-drained || rc=$?
if [[ $rc -ne 0 ]]; then
    echo "the agent failed (exit $rc); its log:"; tail -n 20 "$var/agent.log"; exit 1
fi
grep -E 'source:replay|agent:stop' "$var/agent.log" | cut -d' ' -f2- || true
echo "(a second run replays nothing twice: the agent keeps its positions in $var/agent)"

step "what the collector holds now"
api() { curl -sS --cacert "$var/pki/ca.crt" -H "Authorization: Bearer $token" "https://localhost:$port$1"; }
echo "hosts:"
api /api/v1/hosts; echo
echo "alerts:"
api '/api/v1/alerts?limit=10' | sed 's/},{"id":/}\n{"id":/g' | cut -c1-240
echo
echo "who added the attack filters (Security event 5447, attached to their filter_added events and alerts):"
api '/api/v1/events?type=filter_added&limit=10000' | grep -o '"changed_by":{[^}]*}[^}]*}' | sort | uniq -c
echo "a blocked connection of MsMpEng.exe, enriched with the filter that blocked it:"
api '/api/v1/events?type=connection_blocked&limit=1' | cut -c1-900
echo

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
