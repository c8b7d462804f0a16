#!/bin/bash
# test-agent-e2e.sh — wfpwatch-agent end to end against the real collector (mutual TLS,
# SQLite) and, for the answers the collector does not give on demand, a scripted HTTPS peer:
# exactly once and in order; collector away then back; SIGKILL at random points; spool full
# with exact drop counts; corrupted segment tail; 400 -> quarantine; 413 -> split; wrong CA
# and expired client certificate reported, nothing lost; our own Security events and netsh
# dumps through the pipeline (conformance-agent-e2e.sh does that with the real captures).
. "$(dirname "$0")/lib.sh"
AGENT=$BUILD/agent/wfpwatch-agent
GEN="/usr/bin/python3 $ROOT/tests/integration/gencap.py"
APID=""
EXTRA_PIDS=""

setup_pki || { bad "pki"; finish; exit 1; }
start_collector || { bad "collector"; finish; exit 1; }

# agent_cfg NAME CAPTURE [extra JSON members]: writes $T/NAME.json
agent_cfg() {
    local name=$1 cap=$2 extra=${3:-}
    mkdir -p "$T/$name"
    cat >"$T/$name.json" <<JSON
{ "agent_id": "agent-1", "data_dir": "$T/$name/data",
  "collector": { "url": "https://localhost:${APORT:-$PORT}", "ca": "$T/pki/ca.crt",
                 "cert": "$T/pki/agents/agent-1.crt", "key": "$T/pki/agents/agent-1.key" },
  "sources": [ { "type": "replay", "path": "$cap" ${RATE:+, \"rate\": $RATE} } ],
  "batch": { "max_delay_ms": 100 }, "retry": { "min_ms": 50, "max_ms": 300 },
  "aggregation": { "window_ms": 200 }, "heartbeat_s": 1, "log": { "level": "info" } $extra }
JSON
}


# verdict on the stored events: "blocked=N unique=N dupseq=N ordered=0|1"
summary() {
    fetch_stored
    /usr/bin/python3 - "$T/stored" <<'PY'
import json,sys
ev=[json.loads(l) for l in open(sys.argv[1])]
b=[e for e in ev if e["type"]=="connection_blocked"]
keys={(e["remote"]["ip"],e["remote"]["port"]) for e in b}
seqs=[e["seq"] for e in ev]
print("blocked=%d unique=%d dupseq=%d ordered=%d" % (len(b), len(keys), len(seqs)-len(set(seqs)),
      int(seqs==sorted(seqs))))
PY
}

wait_for() {  # seconds, command
    local n=$(( $1 * 10 )); shift
    while (( n-- > 0 )); do "$@" && return 0; sleep 0.1; done
    return 1
}
finished_in_log() { grep -q "finished (" "$1"; }

# --- 1. replay -> agent -> collector: exactly once, in order ------------------------------------
$GEN 3000 "$T/cap1.jsonl" 1
agent_cfg a1 "$T/cap1.jsonl"
timeout 60 "$AGENT" run --config "$T/a1.json" --until-drained >"$T/a1.log" 2>&1
eq "run --until-drained exits 0" "$?" "0"
eq "3000 events stored once, in seq order" "$(summary)" "blocked=3000 unique=3000 dupseq=0 ordered=1"
check "check-config masks nothing it need not and prints the sources" \
    grep -q '"type":	"replay"' <("$AGENT" check-config --config "$T/a1.json")

# --- 2. collector away, then back ---------------------------------------------------------------
reset_host
$GEN 2000 "$T/cap2.jsonl" 10000
stop_collector
agent_cfg a2 "$T/cap2.jsonl"
"$AGENT" run --config "$T/a2.json" >"$T/a2.log" 2>&1 &
APID=$!; EXTRA_PIDS="$APID"
check "agent reads everything while the collector is away" wait_for 30 finished_in_log "$T/a2.log"
check "the failure is logged clearly" wait_for 10 grep -q "cannot reach https://localhost:$PORT" "$T/a2.log"
sleep 1
start_collector
check "after the collector is back, all 2000 arrive" wait_for 30 bash -c "[[ \$(grep -c . <(curl -s --cacert $T/pki/ca.crt -H 'Authorization: Bearer $TOKEN' 'https://localhost:$PORT/api/v1/events?host=agent-1&type=connection_blocked&limit=10000' | /usr/bin/python3 -c 'import json,sys; [print(1) for e in json.load(sys.stdin)[\"events\"]]')) -ge 2000 ]]"
kill -TERM "$APID"; wait "$APID"; eq "SIGTERM: clean exit 0" "$?" "0"
eq "collector away: nothing lost, nothing duplicated" "$(summary)" "blocked=2000 unique=2000 dupseq=0 ordered=1"
check "stopping status was shipped" grep -q '"state":"stopping"' "$T/stored"

# --- 3. SIGKILL at random points, then restart ----------------------------------------------------
reset_host
$GEN 6000 "$T/cap3.jsonl" 20000
RATE=4000 agent_cfg a3 "$T/cap3.jsonl"
for round in 1 2 3 4; do
    "$AGENT" run --config "$T/a3.json" >>"$T/a3.log" 2>&1 &
    APID=$!
    sleep "0.$(( RANDOM % 9 + 2 ))"
    kill -9 "$APID"; wait "$APID" 2>/dev/null
done
timeout 60 "$AGENT" run --config "$T/a3.json" --until-drained >>"$T/a3.log" 2>&1
eq "after 4 kills the last run drains (exit 0)" "$?" "0"
eq "SIGKILL x4: every event exactly once" "$(summary)" "blocked=6000 unique=6000 dupseq=0 ordered=1"

# --- 4. spool full while the collector is away -----------------------------------------------------
reset_host
$GEN 5000 "$T/cap4.jsonl" 40000
stop_collector
agent_cfg a4 "$T/cap4.jsonl" ', "spool": { "max_bytes": 262144 }'
"$AGENT" run --config "$T/a4.json" --until-drained >"$T/a4.log" 2>&1 &
APID=$!; EXTRA_PIDS="$APID"
check "spool-full agent reads all input" wait_for 30 finished_in_log "$T/a4.log"
check "the agent is still running with a full spool" kill -0 "$APID"
start_collector
wait "$APID"; eq "spool-full agent drains and exits 0" "$?" "0"
fetch_stored
# every seq the agent assigned is either stored or inside a reported drop count: the last
# report carries the running total, and the final heartbeat the same number
read -r STORED MAXSEQ DROPPED HB <<<"$(/usr/bin/python3 -c '
import json,sys
ev=[json.loads(l) for l in open(sys.argv[1])]
tot=max([e.get("dropped_total",0) for e in ev if e["type"]=="agent_status"] or [0])
hb=max([e["stats"]["dropped"]["spool_full"] for e in ev if e["type"]=="heartbeat"] or [0])
print(len(ev), max(e["seq"] for e in ev), tot, hb)' "$T/stored")"
check "drops happened and were reported ($DROPPED)" test "$DROPPED" -gt 0
eq "stored + reported drops = every seq assigned" "$((STORED + DROPPED))" "$MAXSEQ"
eq "the final heartbeat carries the same drop total" "$HB" "$DROPPED"
check "the spool-full warning is logged" grep -q "spool full" "$T/a4.log"

# --- 5. corrupted segment tail ---------------------------------------------------------------------
reset_host
$GEN 500 "$T/cap5.jsonl" 50000
stop_collector
agent_cfg a5 "$T/cap5.jsonl"
sed -i 's/"window_ms": 200/"window_ms": 100000/' "$T/a5.json"
"$AGENT" run --config "$T/a5.json" >"$T/a5.log" 2>&1 &
APID=$!
wait_for 30 finished_in_log "$T/a5.log"
sleep 0.5
kill -9 "$APID"; wait "$APID" 2>/dev/null
SEG=$(ls "$T/a5/data/spool"/seg-* | tail -n 1)
/usr/bin/python3 - "$SEG" <<'PY'
import os,sys
p=sys.argv[1]; size=os.path.getsize(p)
with open(p,"r+b") as f:
    f.seek(size - 2000); b=f.read(1); f.seek(size - 2000); f.write(bytes([b[0] ^ 0x5a]))
    f.truncate(size - 7)
PY
start_collector
timeout 60 "$AGENT" run --config "$T/a5.json" --until-drained >>"$T/a5.log" 2>&1
eq "corrupted tail: restart drains (exit 0)" "$?" "0"
check "the corruption is logged" grep -q "spool recovered after an unclean stop" "$T/a5.log"
eq "corrupted tail: the cut events are read again, nothing lost" "$(summary)" "blocked=500 unique=500 dupseq=0 ordered=1"
check "the corruption is reported to the collector" grep -q '"state":"degraded".*checksum mismatch\|checksum mismatch.*"state":"degraded"' "$T/stored"

# --- 6. 400 -> quarantine, 413 -> split (scripted HTTPS peer) ---------------------------------------
FPORT=$(free_port)
mkdir -p "$T/fault"
/usr/bin/python3 "$ROOT/tests/integration/faultcollector.py" "$FPORT" "$T/pki" "$T/fault" 2>"$T/fault.log" &
FPID=$!; EXTRA_PIDS="$EXTRA_PIDS $FPID"
wait_for 10 curl -s --cacert "$T/pki/ca.crt" --cert "$T/pki/agents/agent-1.crt" --key "$T/pki/agents/agent-1.key" \
    "https://localhost:$FPORT/healthz" -o /dev/null
$GEN 1000 "$T/cap6.jsonl" 60000
APORT=$FPORT agent_cfg a6 "$T/cap6.jsonl"
sed -i 's/"max_delay_ms": 100/"max_delay_ms": 300/' "$T/a6.json"
timeout 60 "$AGENT" run --config "$T/a6.json" --until-drained >"$T/a6.log" 2>&1
eq "400/413 run drains (exit 0)" "$?" "0"
eq "one batch quarantined with its reason" "$(ls "$T/a6/data/quarantine" | grep -c '\.reason$')" "1"
check "the quarantine is logged" grep -q "collector refused batch" "$T/a6.log"
check "413 split logged" grep -q "HTTP 413" "$T/a6.log"
RESULT=$(/usr/bin/python3 - "$T/fault" "$T/a6/data/quarantine" <<'PY'
import glob,json,sys
acc=[json.load(open(p)) for p in glob.glob(sys.argv[1]+"/*.json")]
q=[json.load(open(p)) for p in glob.glob(sys.argv[2]+"/*.json")]
keys=lambda bs:[(e["remote"]["ip"],e["remote"]["port"]) for b in bs for e in b["events"] if e["type"]=="connection_blocked"]
ka,kq=keys(acc),keys(q)
print("fits=%d quarantined=%d accepted+quarantined=%d distinct=%d" % (int(max(len(b["events"]) for b in acc) <= 100),
      int(len(kq) > 0), len(ka)+len(kq), len(set(ka+kq))))
PY
)
eq "after 413 every batch fits; quarantined + accepted = all, once" "$RESULT" "fits=1 quarantined=1 accepted+quarantined=1000 distinct=1000"
kill "$FPID" 2>/dev/null

# --- 7. wrong CA, expired client certificate ---------------------------------------------------------
reset_host
"$COLLECTOR" pki init --dir "$T/otherpki" >/dev/null
"$COLLECTOR" pki issue --dir "$T/pki" --name agent-old --not-before 2020-01-01 --not-after 2021-01-01 >/dev/null 2>&1
$GEN 300 "$T/cap7.jsonl" 70000
agent_cfg a7 "$T/cap7.jsonl"
sed "s#$T/pki/ca.crt#$T/otherpki/ca.crt#" "$T/a7.json" >"$T/a7-wrongca.json"
"$AGENT" run --config "$T/a7-wrongca.json" >"$T/a7.log" 2>&1 &
APID=$!
check "wrong CA: a clear TLS error in the log" wait_for 20 grep -q "not signed by collector.ca" "$T/a7.log"
kill -TERM "$APID"; wait "$APID"; eq "wrong CA: still a clean stop" "$?" "0"
sed "s#agents/agent-1\.#agents/agent-old.#g" "$T/a7.json" >"$T/a7-expired.json"
"$AGENT" run --config "$T/a7-expired.json" >"$T/a7e.log" 2>&1 &
APID=$!
expired_logged() { grep -Eq 'HTTP 401|certificate|alert' "$T/a7e.log"; }
check "expired client certificate: a clear error in the log" wait_for 20 expired_logged
kill -TERM "$APID"; wait "$APID"
timeout 60 "$AGENT" run --config "$T/a7.json" --until-drained >>"$T/a7.log" 2>&1
eq "with the right certificate: nothing lost" "$(summary)" "blocked=300 unique=300 dupseq=0 ordered=1"
check "heartbeats shipped afterwards carry the TLS error" grep -q '"last_error":"cannot reach' "$T/stored"

# --- 8. Security event XML and netsh snapshots through the pipeline -----------------------------------
reset_host
mkdir -p "$T/cap8"
cp "$ROOT/deploy/demo/capture/1-baseline-filters.xml" "$T/cap8/01-baseline.xml"
cp "$ROOT/deploy/demo/capture/2-after-attack-filters.xml" "$T/cap8/02-after.xml"
cp "$ROOT/tests/data/events/5157-v1-inbound-icmp.xml" "$T/cap8/03-5157.xml"
cp "$ROOT/tests/data/events/5152-v0-packet-drops.xml" "$T/cap8/04-5152.xml"
agent_cfg a8 "$T/cap8"
timeout 60 "$AGENT" run --config "$T/a8.json" --until-drained >"$T/a8.log" 2>&1
eq "mixed capture drains (exit 0)" "$?" "0"
fetch_stored
eq "two inventory change sets" "$(grep -c '"inventory_changed"' "$T/stored")" "2"
check "the silencer's filter raises a critical alert" grep -q '"rule":"edr-app-block","severity":"critical"' "$T/stored"
eq "three blocked connections from the audit events" "$(grep -c '"source":"audit"' "$T/stored")" "3"
eq "restart replays nothing twice" "$(timeout 30 "$AGENT" run --config "$T/a8.json" --until-drained >/dev/null 2>&1; summary | cut -d' ' -f1)" "blocked=3"

# --- 9. wfpwatch-agent.exe under Wine shipping to the native collector ---------------------------------
# (the Windows build of tests/run.sh's windows suite; Wine maps / to Z:)
EXE=$ROOT/build/win64/agent/wfpwatch-agent.exe
WINE=/usr/lib/wine/wine64
export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/wfpwatch/wineprefix} WINEDEBUG=-all
if [[ -x "$WINE" && -f "$EXE" ]]; then
    reset_host
    $GEN 1500 "$T/cap9.jsonl" 90000
    stop_collector
    agent_cfg a9 "$T/cap9.jsonl"
    sed -i "s#\"$T#\"Z:$T#g" "$T/a9.json"
    timeout 120 "$WINE" "$EXE" run --config "Z:$T/a9.json" --until-drained >"$T/a9.log" 2>&1 &
    APID=$!; EXTRA_PIDS="$EXTRA_PIDS $APID"
    check "Wine: the .exe reads the capture while the collector is away" wait_for 60 finished_in_log "$T/a9.log"
    check "Wine: the failure is logged" wait_for 20 grep -q "cannot reach https://localhost:$PORT" "$T/a9.log"
    start_collector
    wait "$APID"; eq "Wine: the .exe drains and exits 0" "$?" "0"
    eq "Wine: 1500 events exactly once, in order" "$(summary)" "blocked=1500 unique=1500 dupseq=0 ordered=1"
    check "Wine: the host reports os windows" grep -q '"os": *"windows"' <(api "/api/v1/hosts")
else
    bad "Wine run: $EXE or $WINE missing (tests/run.sh builds and installs both)"
fi

finish
