#!/bin/bash
# test-pg-down.sh — the PostgreSQL store goes away under a serving collector (a crash of the
# database server, then its recovery, as during a failover) while an agent ships a replay at
# 200 events/s: the collector answers 503 while it cannot commit (never a half-stored batch),
# does not exit, reconnects by itself when the database is back, and every event is stored
# exactly once; SIEM reads fail meanwhile and succeed after. Its own cluster (tests/run.sh's
# is shared by the other tests).
. "$(dirname "$0")/lib.sh"
AGENT=$BUILD/agent/wfpwatch-agent
GEN="/usr/bin/python3 $ROOT/tests/integration/gencap.py"
BIN=${REAL_COLLECTOR:-$COLLECTOR}
PG=$(mktemp -d /tmp/wfpw-pg.XXXXXX)   # not under $T: the server's user must reach it
PGDSN=$("$ROOT/tests/integration/pg-cluster.sh" start "$PG") || { bad "own PostgreSQL cluster"; finish; exit 1; }
trap '"$ROOT/tests/integration/pg-cluster.sh" stop "$PG"; cleanup' EXIT
DSN="$PGDSN dbname=postgres"
N=3000
setup_pki || { bad "pki"; finish; exit 1; }
TOKEN=$("$BIN" token create --dsn "$DSN" --name siem 2>/dev/null)
PORT=$(free_port)
"$BIN" serve --listen "127.0.0.1:$PORT" --pki "$T/pki" --dsn "$DSN" >"$T/collector.log" 2>&1 &
CPID=$!
check "collector serves from its PostgreSQL" wait_until 15 sh -c "curl -s --cacert '$T/pki/ca.crt' https://localhost:$PORT/healthz | grep -q ok"
$GEN $N "$T/cap.jsonl" 1
cat >"$T/agent.json" <<JSON
{ "agent_id": "agent-1", "data_dir": "$T/agent",
  "collector": { "url": "https://localhost:$PORT", "ca": "$T/pki/ca.crt",
                 "cert": "$T/pki/agents/agent-1.crt", "key": "$T/pki/agents/agent-1.key" },
  "sources": [ { "type": "replay", "path": "$T/cap.jsonl", "rate": 200 } ],
  "batch": { "max_delay_ms": 100 }, "retry": { "min_ms": 100, "max_ms": 500 },
  "aggregation": { "window_ms": 200 }, "heartbeat_s": 60, "log": { "level": "info" } }
JSON
timeout 120 "$AGENT" run --config "$T/agent.json" --until-drained >"$T/agent.log" 2>&1 &
APID=$!; EXTRA_PIDS="$APID"
blocked() { curl -s --cacert "$T/pki/ca.crt" -H "Authorization: Bearer $TOKEN" \
            "https://localhost:$PORT/api/v1/events?type=connection_blocked&limit=10000" | jq_ 'len(d["events"])'; }
at_least() { local n; n=$(blocked 2>/dev/null) && (( n >= $1 )); }
check "events arrive" wait_until 20 at_least 300
"$ROOT/tests/integration/pg-cluster.sh" down "$PG"
eq "the database is down (crashed)" "$?" 0
sleep 3
check "the collector still runs" kill -0 "$CPID"
check "it refused batches with 503 meanwhile (the agent's log)" grep -q 'collector answered HTTP 503' "$T/agent.log"
status=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/pki/ca.crt" -H "Authorization: Bearer $TOKEN" \
         "https://localhost:$PORT/api/v1/events?limit=1")
check "a SIEM read fails meanwhile with a 5xx, not a wrong page (got $status)" test "$status" -ge 500
"$ROOT/tests/integration/pg-cluster.sh" up "$PG"
eq "the database is back (crash recovery)" "$?" 0
wait "$APID"; arc=$?
eq "the agent delivers everything and exits 0" "$arc" 0
curl -s --cacert "$T/pki/ca.crt" -H "Authorization: Bearer $TOKEN" \
    "https://localhost:$PORT/api/v1/events?type=connection_blocked&limit=10000" >"$T/all.json"
eq "every event stored exactly once ($N)" \
    "$(jq_ 'len(d["events"]), len({(e["remote"]["ip"], e["remote"]["port"]) for e in d["events"]})' <"$T/all.json")" "$N $N"
stop_collector
eq "the collector stops with exit 0" "$STOP_RC" 0
finish
