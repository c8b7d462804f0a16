#!/bin/bash
# test-agent-failover.sh — collector.url as a list: the agent sends to the first collector,
# fails over to the second when the first stops answering, comes back to the first after
# collector.failback_s once it answers again, and across all of it every event is stored
# exactly once (two collectors, each with its own SQLite store and the same CA; the agent
# ships a replay at 100 events/s while the first collector is stopped and started again).
. "$(dirname "$0")/lib.sh"
AGENT=$BUILD/agent/wfpwatch-agent
GEN="/usr/bin/python3 $ROOT/tests/integration/gencap.py"
N=2500
EXTRA_PIDS=""

setup_pki || { bad "pki"; finish; exit 1; }
start_collector || { bad "collector A"; finish; exit 1; }
PORT_A=$PORT PID_A=$CPID TOKEN_A=$TOKEN
PORT_B=$(free_port)
TOKEN_B=$("$COLLECTOR" token create --data "$T/dataB" --name siem 2>/dev/null)
"$COLLECTOR" serve --listen "127.0.0.1:$PORT_B" --data "$T/dataB" --pki "$T/pki" >>"$T/collectorB.log" 2>&1 &
PID_B=$!; EXTRA_PIDS="$PID_B"
check "collector B serves" wait_until 10 sh -c "curl -s --cacert '$T/pki/ca.crt' https://localhost:$PORT_B/healthz | grep -q ok"

# blocked events stored at PORT (token TOK), one remote port per line, into FILE
stored_at() {  # PORT TOKEN FILE
    local after=0 page
    : >"$3"
    while :; do
        page=$(curl -sS --cacert "$T/pki/ca.crt" -H "Authorization: Bearer $2" \
               "https://localhost:$1/api/v1/events?host=agent-1&type=connection_blocked&limit=10000&after=$after") || return 1
        after=$(printf '%s' "$page" | /usr/bin/python3 -c '
import json,sys
d=json.load(sys.stdin)
with open(sys.argv[1],"a") as f:
    for e in d["events"]: f.write("%d\n" % e["remote"]["port"])
print(d["next_cursor"] if d["events"] else "")' "$3") || return 1
        [[ -z "$after" ]] && return 0
    done
}
count_at() { stored_at "$1" "$2" "$T/count.$1" && wc -l <"$T/count.$1"; }
at_least() { local n; n=$(count_at "$1" "$2") && (( n >= $3 )); }

$GEN $N "$T/cap.jsonl" 1
cat >"$T/agent.json" <<JSON
{ "agent_id": "agent-1", "data_dir": "$T/agent",
  "collector": { "url": ["https://localhost:$PORT_A", "https://localhost:$PORT_B"], "failback_s": 2,
                 "connect_timeout_ms": 1000, "timeout_ms": 5000,
                 "ca": "$T/pki/ca.crt", "cert": "$T/pki/agents/agent-1.crt", "key": "$T/pki/agents/agent-1.key" },
  "sources": [ { "type": "replay", "path": "$T/cap.jsonl", "rate": 100 } ],
  "batch": { "max_delay_ms": 100 }, "retry": { "min_ms": 50, "max_ms": 300 },
  "aggregation": { "window_ms": 200 }, "heartbeat_s": 1, "log": { "level": "info" } }
JSON
timeout 120 "$AGENT" run --config "$T/agent.json" --until-drained >"$T/agent.log" 2>&1 &
APID=$!; EXTRA_PIDS="$PID_B $APID"

check "the first collector gets the events while it answers" wait_until 20 at_least "$PORT_A" "$TOKEN_A" 300
eq "the second gets none meanwhile" "$(count_at "$PORT_B" "$TOKEN_B")" 0
CPID=$PID_A; stop_collector
a_before=$(wc -l <"$T/count.$PORT_A")
check "with the first stopped, the agent fails over to the second" wait_until 20 at_least "$PORT_B" "$TOKEN_B" 300
check "and says so" grep -q "https://localhost:$PORT_A does not answer (.*); next attempt to https://localhost:$PORT_B" "$T/agent.log"
PORT=$PORT_A start_collector || bad "collector A again"
PID_A=$CPID
# (a_before may lag the last events A stored by a poll interval, ~30 events at 100/s)
check "it comes back to the first after failback_s" wait_until 20 at_least "$PORT_A" "$TOKEN_A" $((a_before + 200))
check "and says so" grep -q "trying the first collector again: https://localhost:$PORT_A" "$T/agent.log"
wait "$APID"; arc=$?
eq "the agent drains and exits 0" "$arc" 0
stored_at "$PORT_A" "$TOKEN_A" "$T/a.ports"
stored_at "$PORT_B" "$TOKEN_B" "$T/b.ports"
eq "every event stored, once, across both collectors" \
    "$(cat "$T/a.ports" "$T/b.ports" | wc -l) $(cat "$T/a.ports" "$T/b.ports" | sort -u | wc -l)" "$N $N"
eq "none stored on both" "$(sort -u "$T/a.ports" | comm -12 - <(sort -u "$T/b.ports") | wc -l)" 0
# the shipper's stats in the last heartbeat name the collector in use and count the failovers
hb=$(curl -sS --cacert "$T/pki/ca.crt" -H "Authorization: Bearer $TOKEN_A" \
     "https://localhost:$PORT_A/api/v1/events?host=agent-1&type=heartbeat&limit=10000" |
     /usr/bin/python3 -c 'import json,sys; e=json.load(sys.stdin)["events"][-1]; s=e["stats"]["shipper"]; print(s["collector"], s["failovers"] >= 2)')
eq "the heartbeat names the collector in use and counts the failovers" "$hb" "https://localhost:$PORT_A True"
finish
