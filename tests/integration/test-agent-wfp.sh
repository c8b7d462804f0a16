#!/bin/bash
# test-agent-wfp.sh — the `wfp` source (live filter inventory) end to end into the real
# collector, with a netsh-dump stand-in for the WFP engine (wfpwatch-agent-fakewin, link seam
# tests/agent/wfp/fake-wfp.c): the first read is the baseline; the engine changing to the
# demo attack's inventory is noticed from the change notification (not the periodic read),
# read once after the debounce, and raises the critical alerts; a burst of notifications is
# one read; a restart diffs against the kept snapshot and stores nothing twice. Then the real
# agent: on Linux the source says once that there is no engine; the Windows .exe under Wine
# (whose WFP is a stub) names the failing call and the service to check, keeps retrying, and
# the replay source beside it still delivers.
. "$(dirname "$0")/lib.sh"
FAKE=$BUILD/tests/wfpwatch-agent-fakewin
AGENT=$BUILD/agent/wfpwatch-agent
CAP=$ROOT/deploy/demo/capture

setup_pki || { bad "pki"; finish; exit 1; }
start_collector || { bad "collector"; finish; exit 1; }

config() { agent_config "$@"; }  # file data_dir sources-json (lib.sh)
count() {  # python expression over ev (the stored events), after a fresh fetch
    fetch_stored
    /usr/bin/python3 - "$T/stored" "$1" <<'PY'
import json,sys
ev=[json.loads(l) for l in open(sys.argv[1])]
print(eval(sys.argv[2]))
PY
}
at_least() { [[ $(count "$1") -ge $2 ]]; }
reads() { grep -c '^read rc=0' "$T/reads" 2>/dev/null || echo 0; }
changesets='len([e for e in ev if e["type"]=="inventory_changed"])'
added='len([e for e in ev if e["type"]=="filter_added"])'
crit='sorted(e["filter"]["id"] for e in ev if e["type"]=="alert" and e["severity"]=="critical")'

# --- live inventory through the stand-in engine ----------------------------------------------
cp "$CAP/1-baseline-filters.xml" "$T/engine.xml"
config "$T/w.json" "$T/wdata" '[ { "type": "wfp", "debounce_ms": 400, "full_every_ms": 600000 } ]'
WFPW_FAKE_WFP="$T/engine.xml" WFPW_FAKE_WFP_READS="$T/reads" "$FAKE" run --config "$T/w.json" >"$T/w.log" 2>&1 &
APID=$!
EXTRA_PIDS="$APID"
check "baseline: the first read becomes one change set" wait_until 20 at_least "$changesets" 1
base_added=$(count "$added")
eq "baseline: every filter of the engine is reported once" "$base_added" \
    "$(grep -c '<filterKey>' "$CAP/1-baseline-filters.xml")"
eq "baseline: one inventory read" "$(reads)" 1

cp "$CAP/2-after-attack-filters.xml" "$T/engine.next" && mv "$T/engine.next" "$T/engine.xml"
check "attack: the change notification leads to a second change set" wait_until 20 at_least "$changesets" 2
check "attack: the two EDRSilencer filters raise critical alerts" \
    wait_until 10 at_least 'len([e for e in ev if e["type"]=="alert" and e["severity"]=="critical"])' 2
eq "attack: critical alerts name the attack filters" "$(count "$crit")" "[324367, 324368]"
eq "attack: read once, after the debounce (not by the 10-minute timer)" "$(reads)" 2

# a burst of notifications (the file rewritten 8 times within ~300 ms) is one read
for i in 1 2 3 4 5 6 7 8; do cp "$CAP/2-after-attack-filters.xml" "$T/engine.next"; mv "$T/engine.next" "$T/engine.xml"; sleep 0.04; done
check "burst: read again after the burst settles" wait_until 10 sh -c "[ \$(grep -c '^read rc=0' '$T/reads') -ge 3 ]"
sleep 1.5
eq "burst: 8 notifications, one read" "$(reads)" 3
check "burst: heartbeats count the notifications" wait_until 10 sh -c \
    "curl -s --cacert '$T/pki/ca.crt' -H 'Authorization: Bearer $TOKEN' '$(URL '/api/v1/events?host=agent-1&type=heartbeat&limit=10000')' | grep -Eq '\"change_notifications\":(9|[1-9][0-9])'"
eq "burst: an unchanged inventory adds no change set" "$(count "$changesets")" 2
check "heartbeat: the engine is being watched" grep -q . "$T/reads"
check "heartbeat: state 'watching' and the filter count" sh -c \
    "grep -q '\"engine\":\"watching\"' '$T/stored' && grep -q '\"filters\":$(grep -c '<filterKey>' "$CAP/2-after-attack-filters.xml")' '$T/stored'"
kill -TERM "$APID"; wait "$APID"
eq "stop: SIGTERM exits 0" "$?" 0
check "stop: the snapshot is kept as netsh state XML" grep -q '<wfpstate>' "$T/wdata/inventory.snapshot"

# restart: the kept snapshot is the attack inventory, so nothing changes and nothing repeats
before=$(count 'len([e for e in ev if e["type"] not in ("heartbeat", "agent_status")])')
WFPW_FAKE_WFP="$T/engine.xml" WFPW_FAKE_WFP_READS="$T/reads" "$FAKE" run --config "$T/w.json" >"$T/w2.log" 2>&1 &
APID=$!
EXTRA_PIDS="$APID"
check "restart: reads the engine" wait_until 20 sh -c "[ \$(grep -c '^read rc=0' '$T/reads') -ge 4 ]"
sleep 1.5
kill -TERM "$APID"; wait "$APID"
eq "restart: no inventory event stored twice" \
    "$(count 'len([e for e in ev if e["type"] not in ("heartbeat", "agent_status")])')" "$before"

# the Base Filtering Engine restarts (the stand-in models it: the old session's calls fail with
# RPC errors and its watch goes silent): the periodic session check notices, the source opens a
# new session, says so, and its first read shows what changed meanwhile (here the attack filters
# removed while BFE was down: no notification could tell)
echo "running 1" >"$T/engine.xml.bfe"
config "$T/b.json" "$T/bdata" '[ { "type": "wfp", "debounce_ms": 200, "full_every_ms": 600000, "retry_ms": 1000, "check_ms": 500 } ]'
WFPW_FAKE_WFP="$T/engine.xml" WFPW_FAKE_WFP_READS="$T/breads" "$FAKE" run --config "$T/b.json" >"$T/b.log" 2>&1 &
APID=$!
EXTRA_PIDS="$APID"
check "BFE: the first session reads the engine" wait_until 20 sh -c "[ \$(grep -c '^read rc=0' '$T/breads') -ge 1 ]"
echo stopped >"$T/engine.xml.bfe"
cp "$CAP/1-baseline-filters.xml" "$T/engine.next" && mv "$T/engine.next" "$T/engine.xml"
sleep 2
echo "running 2" >"$T/engine.xml.bfe"
check "BFE: after the restart a new session reads the engine" wait_until 20 sh -c "[ \$(grep -c '^read rc=0' '$T/breads') -ge 2 ]"
check "BFE: the filters removed meanwhile are reported" wait_until 10 at_least \
    'len([e for e in ev if e["type"]=="filter_removed" and e["filter"]["id"] in (324367, 324368)])' 2
check "BFE: the source says the engine went away" wait_until 10 at_least \
    'len([e for e in ev if e["type"]=="agent_status" and "the filter engine went away" in e["message"]])' 1
check "BFE: heartbeats count the reopened session" wait_until 10 sh -c \
    "curl -s --cacert '$T/pki/ca.crt' -H 'Authorization: Bearer $TOKEN' '$(URL '/api/v1/events?host=agent-1&type=heartbeat&limit=10000')' | grep -Eq '\"engine_reopened\":[1-9]'"
cp "$CAP/2-after-attack-filters.xml" "$T/engine.next" && mv "$T/engine.next" "$T/engine.xml"
check "BFE: the new session's change notifications arrive" wait_until 20 sh -c "[ \$(grep -c '^read rc=0' '$T/breads') -ge 3 ]"
kill -TERM "$APID"; wait "$APID"
eq "BFE: SIGTERM exits 0" "$?" 0
EXTRA_PIDS=""
rm -f "$T/engine.xml.bfe"

# a malformed engine answer is an error in the log and the heartbeat, and nothing is stored
cs_before_bad=$(count "$changesets")
printf '<wfpstate><layers><item><filters><item><filterKey>{x}' >"$T/engine.xml"
WFPW_FAKE_WFP="$T/engine.xml" WFPW_FAKE_WFP_READS="$T/reads" "$FAKE" run --config "$T/w.json" >"$T/w3.log" 2>&1 &
APID=$!
EXTRA_PIDS="$APID"
check "bad read: reported in the log" wait_until 10 grep -q 'source:wfp#1\] error: line' "$T/w3.log"
kill -TERM "$APID"; wait "$APID"
eq "bad read: no change set from it" "$(count "$changesets")" "$cs_before_bad"
EXTRA_PIDS=""

# alerts are shipped at once: with batch.max_delay_ms at 10 minutes, the ordinary events of the
# baseline wait, and the attack's critical alerts (and what was spooled before them) do not
reset_host
cp "$CAP/1-baseline-filters.xml" "$T/engine.xml"
config "$T/u.json" "$T/udata" '[ { "type": "wfp", "debounce_ms": 200, "full_every_ms": 600000 } ]'
sed -i 's/"max_delay_ms": 100/"max_delay_ms": 600000/' "$T/u.json"
WFPW_FAKE_WFP="$T/engine.xml" "$FAKE" run --config "$T/u.json" >"$T/u.log" 2>&1 &
APID=$!
EXTRA_PIDS="$APID"
sleep 3
eq "urgent: the baseline's events wait for the batch delay" "$(count 'len(ev)')" 0
cp "$CAP/2-after-attack-filters.xml" "$T/engine.next" && mv "$T/engine.next" "$T/engine.xml"
check "urgent: the critical alerts arrive without waiting 10 minutes" wait_until 20 at_least \
    'len([e for e in ev if e["type"]=="alert" and e["severity"]=="critical"])' 2
check "urgent: with the baseline spooled before them" at_least 'len([e for e in ev if e["type"]=="filter_added"])' \
    "$(grep -c '<filterKey>' "$CAP/1-baseline-filters.xml")"
kill -TERM "$APID"; wait "$APID"
EXTRA_PIDS=""

# --- net events through the stand-in engine ------------------------------------------------------
reset_host
cp "$CAP/2-after-attack-filters.xml" "$T/engine.xml"
rm -f "$T/engine.xml.collect" "$T/engine.xml.keywords"
: >"$T/netevents"
config "$T/n.json" "$T/ndata" '[ { "type": "wfp" }, { "type": "netevent", "check_ms": 1000, "queue_events": 16 } ]'
WFPW_FAKE_WFP="$T/engine.xml" WFPW_FAKE_NETEVENTS="$T/netevents" "$FAKE" run --config "$T/n.json" >"$T/n.log" 2>&1 &
APID=$!
EXTRA_PIDS="$APID"
check "netevent: subscribes with the newest version" wait_until 20 grep -q 'subscribed to net events (FwpmNetEventSubscribe4)' "$T/n.log"
check "netevent: the baseline inventory is read first" wait_until 20 at_least "$changesets" 1
eq "netevent: collection turned on" "$(cat "$T/engine.xml.collect" 2>/dev/null)" 1
eq "netevent: the values found before (collection, keywords) are kept for uninstall" "$(cat "$T/ndata/netevents.previous" 2>/dev/null)" "0 0"
eq "netevent: capability and port-scanning drops are asked for (FWPM_NET_EVENT_KEYWORD_CAPABILITY_DROP | PORT_SCANNING_DROP)" \
   "$(cat "$T/engine.xml.keywords" 2>/dev/null)" 36
# 200 drops of Defender by the attack filters at once (more than the queue of 16 holds): every
# one is either stored or counted as dropped; then one capability drop
for i in $(seq 1 100); do
    echo "4 3 0 6 10.20.30.42 $((50000 + i)) 20.42.65.84 443 324367 48 3901 \\device\\harddiskvolume3\\programdata\\microsoft\\windows defender\\platform\\4.18.24090.11-0\\msmpeng.exe"
    echo "4 3 1 6 fd00:20:30::42 $((51000 + i)) 2603:1030:b:3::152 443 324368 50 3901 \\device\\harddiskvolume3\\programdata\\microsoft\\windows defender\\platform\\4.18.24090.11-0\\msmpeng.exe"
done >>"$T/netevents"
# (repeated drops of one flow are merged by the pipeline: count them by their `count`)
ne_stored='sum(e["count"] for e in ev if e["type"]=="connection_blocked" and e["source"]=="netevent")'
ne_dropped='max([h["stats"]["sources"]["netevent#2"].get("queue_dropped", 0) for h in ev if h["type"]=="heartbeat" and "netevent#2" in h["stats"].get("sources", {})] or [0])'
accounted() { [[ $(( $(count "$ne_stored") + $(count "$ne_dropped") )) -ge 200 ]]; }
wait_until 20 accounted
eq "netevent: all 200 accounted for (stored + counted drops)" "$(( $(count "$ne_stored") + $(count "$ne_dropped") ))" 200
# someone clears the keywords: the watchdog asks again and says so; then a capability drop arrives
echo 0 >"$T/engine.xml.keywords"
check "netevent: keywords cleared by someone else are set again" wait_until 10 sh -c "[ \"\$(cat '$T/engine.xml.keywords')\" = 36 ]"
check "netevent: and reported as a gap" wait_until 10 at_least \
    'len([e for e in ev if e["type"]=="agent_status" and "capability drops" in e["message"]])' 1
echo "4 7 0 6 10.20.30.42 50999 52.168.117.170 443 77 0 0 \\device\\harddiskvolume3\\windows\\systemapps\\app.exe" >>"$T/netevents"
check "netevent: a capability drop (app container) arrives" wait_until 20 at_least \
    'len([e for e in ev if e["source"]=="netevent" and e["filter"]["id"]==77 and e["layer"] is None])' 1
eq "netevent: Defender's drops name the attack filter from the live inventory" \
    "$(count 'sorted(set((e["filter"]["id"], e["filter"].get("name"), e["layer"], e["direction"]) for e in ev if e["source"]=="netevent" and "msmpeng" in e["process"]["path"]))')" \
    "[(324367, 'Custom Outbound Filter', 'ALE_AUTH_CONNECT_V4', 'outbound'), (324368, 'Custom Outbound Filter', 'ALE_AUTH_CONNECT_V6', 'outbound')]"
eq "netevent: paths in drive letters" \
    "$(count 'sorted(set(e["process"]["path"][:16] for e in ev if e["source"]=="netevent"))')" "['C:\\\\programdata\\\\m', 'C:\\\\windows\\\\syste']"
# someone turns collection off: the watchdog turns it on again and says so
echo 0 >"$T/engine.xml.collect"
check "netevent: collection turned off is turned on again" wait_until 10 sh -c "[ \"\$(cat '$T/engine.xml.collect')\" = 1 ]"
check "netevent: and reported as a gap" wait_until 10 at_least \
    'len([e for e in ev if e["type"]=="agent_status" and "turned off by someone else" in e["message"]])' 1
kill -TERM "$APID"; wait "$APID"
eq "netevent: SIGTERM exits 0" "$?" 0
eq "netevent: the values found before are not overwritten" "$(cat "$T/ndata/netevents.previous")" "0 0"
# the oldest subscribe version (FwpmNetEventSubscribe0, FWPM_NET_EVENT1) converts the same
: >"$T/netevents"
WFPW_FAKE_WFP="$T/engine.xml" WFPW_FAKE_NETEVENTS="$T/netevents" WFPW_FAKE_NETEVENTS_VERSION=0 "$FAKE" run --config "$T/n.json" >"$T/n0.log" 2>&1 &
APID=$!
EXTRA_PIDS="$APID"
wait_until 10 grep -q 'FwpmNetEventSubscribe0' "$T/n0.log"
echo "0 3 0 17 10.20.30.42 5353 224.0.0.251 5353 100023 48 3901 \\device\\harddiskvolume3\\tools\\v0.exe" >>"$T/netevents"
check "netevent: a version-0 event arrives" wait_until 20 at_least \
    'len([e for e in ev if e["source"]=="netevent" and e["process"]["path"]=="C:\\tools\\v0.exe" and e["protocol"]==17])' 1
kill -TERM "$APID"; wait "$APID"
EXTRA_PIDS=""
# a subscription that stays silent while the Security log reports blocks is renewed
: >"$T/netevents"
mkdir -p "$T/ncap"
cp "$CAP/3-blocked-connections.xml" "$T/ncap/"
config "$T/s.json" "$T/sdata" "[ { \"type\": \"netevent\", \"check_ms\": 1000 }, { \"type\": \"replay\", \"path\": \"$T/ncap\" } ]"
WFPW_FAKE_WFP="$T/engine.xml" WFPW_FAKE_NETEVENTS="$T/netevents" "$FAKE" run --config "$T/s.json" >"$T/ns.log" 2>&1 &
APID=$!
EXTRA_PIDS="$APID"
check "netevent: silent while 26 blocks came from the Security log: subscribed again" wait_until 20 at_least \
    'len([e for e in ev if e["type"]=="agent_status" and "no net event for 1000 ms while other sources reported 26 blocked connections" in e["message"]])' 1
eq "netevent: the renewed subscription is logged" "$(grep -c 'subscribed to net events' "$T/ns.log")" 2
kill -TERM "$APID"; wait "$APID"
EXTRA_PIDS=""

# --- the real agent on Linux: no engine --------------------------------------------------------
mkdir -p "$T/cap"
cp "$CAP/3-blocked-connections.xml" "$T/cap/"
config "$T/l.json" "$T/ldata" "[ { \"type\": \"wfp\" }, { \"type\": \"replay\", \"path\": \"$T/cap\" } ]"
reset_host
timeout 60 "$AGENT" run --config "$T/l.json" --until-drained >"$T/l.log" 2>&1
eq "Linux: the agent still drains and exits 0" "$?" 0
eq "Linux: 'Windows only' said once" "$(grep -c 'WFP engine exists on Windows only' "$T/l.log")" 1
eq "Linux: the replay source beside it delivers" "$(count 'len([e for e in ev if e["type"]=="connection_blocked"])')" 26
check "Linux: heartbeats say the engine is not available" grep -q '"engine":"not available on this platform"' "$T/stored"

# --- the Windows .exe under Wine (WFP is a stub there) ---------------------------------------
EXE=$ROOT/build/win64/agent/wfpwatch-agent.exe
WINE=/usr/lib/wine/wine64
export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/wfpwatch/wineprefix} WINEDEBUG=-all
if [[ -x $WINE && -f $EXE ]]; then
    config "$T/x.json" "Z:$T/xdata" "[ { \"type\": \"wfp\", \"retry_ms\": 1000 }, { \"type\": \"replay\", \"path\": \"Z:$T/cap\" }, { \"type\": \"netevent\", \"retry_ms\": 1000 } ]"
    sed -i -e "s#\"$T/pki#\"Z:$T/pki#g" "$T/x.json"
    reset_host
    timeout 60 "$WINE" "$EXE" run --config "Z:$T/x.json" >"$T/x.log" 2>&1 &
    WPID=$!
    EXTRA_PIDS="$WPID"
    # the live source never finishes: wait for the replay's events and a few retries, then stop
    wait_until 40 sh -c "grep -c 'FwpmEngineOpen0 failed' '$T/x.log' >/dev/null && \
        [ \$(curl -s --cacert '$T/pki/ca.crt' -H 'Authorization: Bearer $TOKEN' \
             '$(URL '/api/v1/events?host=agent-1&type=connection_blocked&limit=10000')' | grep -o '\"type\":\"connection_blocked\"' | wc -l) -ge 26 ]"
    sleep 3
    kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null  # (a Unix signal is no Windows console event)
    EXTRA_PIDS=""
    check "Wine: names the failing call and the service to check" \
        grep -q 'source:wfp#1\] error: FwpmEngineOpen0 failed: error 0x[0-9a-f]*.*Base Filtering Engine service (BFE)' "$T/x.log"
    eq "Wine: the error is logged once, not per retry" "$(grep -c 'source:wfp#1\] error: FwpmEngineOpen0 failed' "$T/x.log")" 1
    eq "Wine: the netevent source names it too, once" "$(grep -c 'source:netevent#3\] error: FwpmEngineOpen0 failed' "$T/x.log")" 1
    eq "Wine: the replay source beside it delivers" "$(count 'len([e for e in ev if e["type"]=="connection_blocked"])')" 26
    check "Wine: heartbeats say the engine is not open" grep -q '"engine":"engine not open"' "$T/stored"
else
    bad "Wine: wine64 or the Windows build is missing (tests/run.sh builds it before this suite)"
fi
finish
