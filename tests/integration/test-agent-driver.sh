#!/bin/bash
# test-agent-driver.sh — recorded callout-driver output (records written by gendrv.py, an
# encoder independent of the C one) through `parse-records` and through the whole pipeline into
# the real collector: every record once, the driver's gaps reported in heartbeats, Defender's
# blocks enriched with the attack filter from the inventory replayed before them, packet drops
# aggregated, a corrupt or torn record stops its file with the byte named and nothing before it
# lost; the Windows .exe under Wine converts the same records to the same events.
. "$(dirname "$0")/lib.sh"
AGENT=$BUILD/agent/wfpwatch-agent
GEN="/usr/bin/python3 $ROOT/tests/integration/gendrv.py"

setup_pki || { bad "pki"; finish; exit 1; }
start_collector || { bad "collector"; finish; exit 1; }

# --- parse-records ---------------------------------------------------------------------------
$GEN "$T/gaps.wfd" 40 --gap-every 10
"$AGENT" parse-records "$T/gaps.wfd" >"$T/gaps.jsonl" 2>"$T/gaps.err"
eq "parse-records: exit 0" "$?" 0
eq "parse-records: one event per record" "$(wc -l <"$T/gaps.jsonl")" 40
eq "parse-records: each gap reported" "$(grep -c 'records missing before record' "$T/gaps.err")" 4
check "parse-records: the first event is Defender blocked by 324367 at the connect discard layer" \
    sh -c "head -n1 '$T/gaps.jsonl' | grep -q '\"layer\":\"ALE_AUTH_CONNECT_V4_DISCARD\",\"filter\":{\"id\":324367},\"verdict\":\"policy_block\"'"
eq "parse-records: IPv6 records keep their addresses" "$(grep -c '"remote":{"ip":"2603:1030:b:3::152","port":443}' "$T/gaps.jsonl")" 10
eq "parse-records: transport drops are the stack's (no filter)" \
    "$(grep -Ec '"layer":"INBOUND_TRANSPORT_V[46]_DISCARD","filter":\{"id":0\},"verdict":"stack_drop"' "$T/gaps.jsonl")" 4
$GEN "$T/bad.wfd" 5 --corrupt-at 3
out=$("$AGENT" parse-records "$T/bad.wfd" 2>"$T/bad.err"); rc=$?
eq "parse-records: a corrupt record exits 2" "$rc" 2
check "parse-records: and names its byte offset" grep -q 'corrupt record at byte 952' "$T/bad.err"
eq "parse-records: the records before it are printed" "$(printf '%s\n' "$out" | grep -c connection_blocked)" 3
printf 'WFPWDRV1\002\000\000\000\000\000\000\000' >"$T/v2.wfd"
"$AGENT" parse-records "$T/v2.wfd" 2>"$T/v2.err"; rc=$?
eq "parse-records: another major version is refused" "$rc" 2
check "parse-records: with a clear message" grep -q 'not a version 1 driver record file' "$T/v2.err"

# --- through the pipeline into the collector -------------------------------------------------
mkdir -p "$T/cap"
cp "$ROOT/deploy/demo/capture/1-baseline-filters.xml" "$T/cap/1-baseline.xml"
cp "$ROOT/deploy/demo/capture/2-after-attack-filters.xml" "$T/cap/2-after.xml"
$GEN "$T/cap/3-driver.wfd" 3000 --gap-every 100
cat >"$T/a.json" <<JSON
{ "agent_id": "agent-1", "data_dir": "$T/adata",
  "collector": { "url": "https://localhost:$PORT", "ca": "$T/pki/ca.crt",
                 "cert": "$T/pki/agents/agent-1.crt", "key": "$T/pki/agents/agent-1.key" },
  "sources": [ { "type": "replay", "path": "$T/cap" } ],
  "batch": { "max_delay_ms": 100 }, "aggregation": { "window_ms": 200 }, "heartbeat_s": 1 }
JSON
conns() { curl -s --cacert "$T/pki/ca.crt" "$(URL /metrics)" | awk '/^wfpwatch_connections_total/ {print $2}'; }
c0=$(conns)
timeout 120 "$AGENT" run --config "$T/a.json" --until-drained >"$T/a.log" 2>&1
eq "pipeline: drains and exits 0" "$?" 0
# every batch and heartbeat of the run on one kept-alive TLS connection: one handshake
# (the second metrics request counts itself)
eq "pipeline: one connection (keep-alive) for the whole run" "$(( $(conns) - c0 - 1 ))" 1
fetch_stored
summary() {
    /usr/bin/python3 - "$T/stored" <<'PY'
import json,sys
ev=[json.loads(l) for l in open(sys.argv[1])]
b=[e for e in ev if e["type"]=="connection_blocked" and e["source"]=="callout"]
conn=[e for e in b if "TRANSPORT" not in e["layer"]]
pk=[e for e in b if "TRANSPORT" in e["layer"]]
keys={(e["local"]["port"], e["remote"]["ip"]) for e in conn}
named={e["filter"].get("name") for e in conn}
miss=max([s.get("driver_records_missing", 0) for h in ev if h["type"]=="heartbeat"
          for s in h.get("stats", {}).get("sources", {}).values()] or [0])
print("conn=%d unique=%d packets=%d count=%d named=%s missing=%d" % (len(conn), len(keys), len(pk),
      sum(e["count"] for e in pk), sorted(n for n in named if n), miss))
PY
}
eq "pipeline: every record once (2,700 connects, 300 packet drops), enriched, gaps in the heartbeat" \
    "$(summary)" "conn=2700 unique=2700 packets=300 count=300 named=['Custom Outbound Filter'] missing=30"
check "pipeline: the gaps are logged" grep -q 'driver records 100..100 missing' "$T/a.log"
check "pipeline: the attack raised its critical alert" grep -q '"rule":"edr-app-block","severity":"critical"' "$T/stored"
check "pipeline: Defender blocked 20 times raised the burst alert" grep -q '"rule":"edr-block-burst"' "$T/stored"
timeout 60 "$AGENT" run --config "$T/a.json" --until-drained >"$T/a2.log" 2>&1
fetch_stored
eq "pipeline: a restart replays nothing twice" "$(summary | cut -d' ' -f1-4)" "conn=2700 unique=2700 packets=300 count=300"

# a torn last record and a corrupt one: what precedes them arrives, the error names the byte
mkdir -p "$T/cap2"
$GEN "$T/cap2/1-torn.wfd" 50 --truncate
$GEN "$T/cap2/2-corrupt.wfd" 30 --corrupt-at 20
sed -e "s#$T/cap#$T/cap2#" -e "s#$T/adata#$T/adata2#" "$T/a.json" >"$T/b.json"
reset_host
timeout 60 "$AGENT" run --config "$T/b.json" --until-drained >"$T/b.log" 2>&1
eq "torn/corrupt: drains and exits 0" "$?" 0
check "torn/corrupt: the torn record is named" grep -q '1-torn.wfd: truncated driver record at byte' "$T/b.log"
check "torn/corrupt: the corrupt record is named" grep -q '2-corrupt.wfd: corrupt driver record at byte' "$T/b.log"
fetch_stored
# 45 + 18 connects and 4 + 2 packet drops; the drops of both files share flows, so they merge
eq "torn/corrupt: the 49 + 20 records before them arrive" "$(summary | cut -d' ' -f1,4)" "conn=63 count=6"

# --- the live driver source without a driver ---------------------------------------------------
sed -e 's#"sources": \[ { "type": "replay", "path": "[^"]*" } \]#"sources": [ { "type": "driver", "reconnect_ms": 300 }, { "type": "replay", "path": "'"$T"'/gaps.wfd" } ]#' \
    -e "s#$T/adata#$T/ddata#" "$T/a.json" >"$T/d.json"
timeout 60 "$AGENT" run --config "$T/d.json" --until-drained >"$T/d.log" 2>&1
eq "driver source on Linux: the agent still drains and exits 0" "$?" 0
check "driver source on Linux: says once that the driver exists on Windows only" \
    grep -q 'the callout driver exists on Windows only; this source stays idle' "$T/d.log"
fetch_stored
check "driver source on Linux: its heartbeat state is unsupported" grep -q '"driver#1":{"type":"driver".*"state":"unsupported"' "$T/stored"

# --- the live driver source's logic against a stand-in device ----------------------------------
# wfpwatch-agent-fakedrv replaces the platform's device calls with recorded output: load 1,
# then a driver of another major version, then a restarted driver (sequence from 1 again).
FAKE=$BUILD/tests/wfpwatch-agent-fakedrv
$GEN "$T/load1.wfd" 1000 --gap-every 100
$GEN "$T/load2.wfd" 500 --first-port 50000
"$AGENT" parse-records "$T/load1.wfd" >/dev/null 2>"$T/load1.err"
gaps1=$(grep -o '[0-9]* records missing' "$T/load1.err" | awk '{s += $1} END {print s}')
reset_host
sed -e 's#"sources": \[ { "type": "replay", "path": "[^"]*" } \]#"sources": [ { "type": "driver", "device": "fake:'"$T/load1.wfd,mismatch,$T/load2.wfd"'", "reconnect_ms": 100, "queue_chunks": 2 } ]#' \
    -e "s#$T/adata#$T/fdata#" "$T/a.json" >"$T/f.json"
"$FAKE" run --config "$T/f.json" >"$T/f.log" 2>&1 &
FPID=$!
for _ in $(seq 1 100); do
    fetch_stored
    [[ "$(summary | cut -d' ' -f1,4)" == "conn=1350 count=150" ]] && grep -q '"driver_restarts":1' "$T/stored" && break
    sleep 0.3
done
kill -TERM "$FPID"; wait "$FPID"; frc=$?
fetch_stored
eq "driver source: both loads delivered once (1,350 connects, 150 packet drops)" "$(summary | cut -d' ' -f1,2,4)" "conn=1350 unique=1350 count=150"
eq "driver source: stops on SIGTERM with exit 0" "$frc" 0
check "driver source: the handshake of another major version is refused, naming it" \
    grep -Eq 'handshake failed: the driver refused agent protocol 1\.[0-9]+' "$T/f.log"
check "driver source: losing the driver is logged and retried" grep -q 'lost the driver' "$T/f.log"
check "driver source: gaps of load 1 logged" grep -q 'driver records missing before record 101: the driver.s ring was full' "$T/f.log"
check "driver source: heartbeats report the gaps and the restart" \
    grep -q "\"records_missing\":$gaps1,.*\"driver_restarts\":1" "$T/stored"
check "driver source: without an inventory the verdict comes from the discard metadata" \
    grep -q '"filter":{"id":324367},"verdict":"policy_block"' "$T/stored"

# --- the Windows .exe converts the same records the same way ---------------------------------
EXE=$ROOT/build/win64/agent/wfpwatch-agent.exe
WINE=/usr/lib/wine/wine64
export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/wfpwatch/wineprefix} WINEDEBUG=-all
if [[ -x "$WINE" && -f "$EXE" ]]; then
    "$WINE" "$EXE" parse-records "Z:$T/gaps.wfd" 2>/dev/null | tr -d '\r' >"$T/gaps-win.jsonl"
    check "Wine: the .exe prints the same 40 events as the native agent" cmp -s "$T/gaps.jsonl" "$T/gaps-win.jsonl"
    # the live source where no driver is installed: a clear error, retries, state in heartbeats
    sed -e "s#\"$T#\"Z:$T#g" -e 's#"driver", "reconnect_ms": 300#"driver", "reconnect_ms": 300#' \
        -e "s#$T/ddata#$T/wdata#" "$T/d.json" >"$T/w.json"
    reset_host
    timeout 25 "$WINE" "$EXE" run --config "Z:$T/w.json" >"$T/w.log" 2>&1 &
    WPID=$!
    for _ in $(seq 1 150); do
        fetch_stored
        grep -q '"state":"not connected".*"reconnects":[3-9]' "$T/stored" && break
        sleep 0.2
    done
    kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null
    check "Wine: no driver -> the error names the device and the fix" \
        grep -q 'cannot open \\\\.\\wfpwatch (is wfpw_drv installed and started' "$T/w.log"
    check "Wine: the source keeps retrying and heartbeats say not connected" \
        grep -q '"state":"not connected".*"reconnects":[3-9]' "$T/stored"
    check "Wine: the replay source next to it still delivers" grep -q '"layer":"ALE_AUTH_CONNECT_V4_DISCARD"' "$T/stored"
else
    bad "Wine: wine64 or the Windows build is missing (tests/run.sh builds it before this suite)"
fi
finish
