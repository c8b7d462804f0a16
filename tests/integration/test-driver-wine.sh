#!/bin/bash
# test-driver-wine.sh — the callout driver wfpw_drv.sys, built by this run, loaded by Wine's kernel
# (winedevice.exe) with a stand-in fwpkclnt.sys in place of Windows' own
# (tests/windows/standin/fwpkclnt_sys.c), read by the real wfpwatch-agent.exe (the `driver` source)
# and stored by the native collector:
#   - the driver registers 8 callouts, adds its provider, sublayer, callouts and filters in one
#     transaction, and subscribes to the engine's state; the stand-in refuses nothing it did;
#   - the device: a handshake with another major version is refused (ERROR_REVISION_MISMATCH), a
#     READ before the handshake too;
#   - injected discards at connect (v4), recv/accept (v6) and listen arrive with layer, addresses,
#     process, filter id;
#   - 100,000 discards in bursts: each one stored exactly once, or counted in the driver's
#     overflow counter and seen by the agent as a gap;
#   - one discard every 5 ms for 10 s: all 2,000 arrive, none dropped;
#   - the Base Filtering Engine stops and starts: the driver adds its objects again and discards
#     flow again;
#   - the agent stopped while discards continue: they wait in the driver's ring and arrive after
#     its restart;
#   - the driver stopped while the agent is connected with reads pending: the reads are
#     cancelled, the agent says it lost the driver and reconnects once the driver is back.
# Wine runs everything at PASSIVE_LEVEL and implements WFP not at all: what this cannot show is in
# docs/driver.md.
. "$(dirname "$0")/lib.sh"
WIN=$ROOT/build/win64
EXE=$WIN/agent/wfpwatch-agent.exe
SYS=$WIN/agent/driver/wfpw_drv.sys
STANDIN=$WIN/tests/standin/fwpkclnt.sys
CTL=$WIN/tests/standin/fwpk-ctl.exe
WINE=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver
export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/wfpwatch/wineprefix} WINEDEBUG=-all
for f in "$EXE" "$SYS" "$STANDIN" "$CTL"; do
    [[ -f $f ]] || { bad "missing $f (tests/run.sh builds the Windows tree before this suite)"; finish; exit 1; }
done
[[ -x $WINE ]] || { bad "wine64 is missing"; finish; exit 1; }
setup_pki || { bad "pki"; finish; exit 1; }
start_collector || { bad "collector"; finish; exit 1; }

sc() { timeout 90 "$WINE" sc "$@" 2>&1 | tr -d '\r'; }
state() { sc query "$1" | awk '/STATE/{print $4}'; }
ctl() { timeout 120 "$WINE" "$CTL" "$@" 2>&1 | tr -d '\r'; }
dumpv() { ctl dump | awk -F= -v k="$1" '$1==k{print $2}'; }
start_svc() {  # the first start after a new prefix may time out (1053): ask again, then wait
    local i
    for i in 1 2 3; do
        [[ "$(state "$1")" == RUNNING ]] && return 0
        sc start "$1" >/dev/null
        wait_until 20 sh -c "[ \"\$(timeout 30 '$WINE' sc query '$1' 2>/dev/null | tr -d '\r' | awk '/STATE/{print \$4}')\" = RUNNING ]" && return 0
    done
    return 1
}
remove_services() {  # stopped (and seen stopped) before deleted: a running one would stay "marked for delete"
    local s
    for s in wfpwatch wfpwfwpk; do
        sc stop "$s" >/dev/null
        wait_until 30 sh -c "! timeout 30 '$WINE' sc query '$s' 2>/dev/null | tr -d '\r' | grep -Eq 'STATE +: +[234] '"
        sc delete "$s" >/dev/null
    done
}
# a fresh wineserver kept up between commands; the drivers' DbgPrint and Wine's errors go to
# wine.log (printed when a check fails)
"$WINESERVER" -k 2>/dev/null
"$WINESERVER" -w 2>/dev/null
# persistent first: a server started by a client exits as soon as no client but Wine's own
# services is left (between two runs of the agent here), taking the drivers with it
"$WINESERVER" -p
WINEDEBUG=err+all,+debugstr "$WINE" cmd /c exit 0 >"$T/wine.log" 2>&1
drivers=$WINEPREFIX/drive_c/windows/system32/drivers
trap 'kill ${APID:-} 2>/dev/null; remove_services; rm -f "$drivers/fwpkclnt.sys" "$drivers/wfpw_drv.sys"; "$WINESERVER" -k; cleanup' EXIT
remove_services                             # leftovers of an interrupted run
cp "$SYS" "$STANDIN" "$drivers/"
# one load-order group: Wine loads a group's drivers into one winedevice process, so the driver's
# import of fwpkclnt.sys is the stand-in service already running there
sc create wfpwfwpk type= kernel start= demand group= wfpwatch binpath= 'C:\windows\system32\drivers\fwpkclnt.sys' >/dev/null
sc create wfpwatch type= kernel start= demand group= wfpwatch binpath= 'C:\windows\system32\drivers\wfpw_drv.sys' >/dev/null
# a 1 MiB ring (Parameters\RingBytes): about 3,300 records, so 10,000 made while the agent is away overflow it
timeout 60 "$WINE" reg add 'HKLM\System\CurrentControlSet\Services\wfpwatch\Parameters' /v RingBytes /t REG_DWORD /d 1048576 /f >/dev/null 2>&1
check "the stand-in fwpkclnt.sys starts" start_svc wfpwfwpk
check "wfpw_drv.sys starts" start_svc wfpwatch
ctl dump >"$T/dump1"
eq "driver: 8 callouts registered (connect, recv/accept, listen, resource assignment; v4 and v6)" \
    "$(awk -F= '$1=="registered_callouts"{print $2}' "$T/dump1")" 8
eq "driver: 8 filters in the engine, each with its callout registered" "$(awk -F= '$1=="live_filters"{print $2}' "$T/dump1")" 8
eq "driver: one provider, one sublayer, one session" \
    "$(awk -F= '$1=="providers"||$1=="sublayers"||$1=="sessions"{printf "%s ", $2}' "$T/dump1")" "1 1 1 "
eq "driver: subscribed to the engine's state" "$(awk -F= '$1=="subscriptions"{print $2}' "$T/dump1")" 1
eq "driver: the stand-in refused nothing it asked" "$(awk -F= '$1=="refused"{print $2}' "$T/dump1")" 0
check "device: a handshake of this version is accepted" sh -c "timeout 60 '$WINE' '$CTL' hello 1 | grep -q 'handshake ok'"
check "device: another major version is refused (ERROR_REVISION_MISMATCH)" \
    sh -c "timeout 60 '$WINE' '$CTL' hello 9 | grep -q 'handshake failed error 1306'"
check "device: a READ before the handshake is refused" sh -c "timeout 60 '$WINE' '$CTL' read-first | grep -q 'read failed'"

# --- the agent reads the driver ----------------------------------------------------------------
cat >"$T/a.json" <<JSON
{ "agent_id": "agent-1", "data_dir": "Z:$T/adata",
  "collector": { "url": "https://localhost:$PORT", "ca": "Z:$T/pki/ca.crt",
                 "cert": "Z:$T/pki/agents/agent-1.crt", "key": "Z:$T/pki/agents/agent-1.key" },
  "sources": [ { "type": "driver", "reconnect_ms": 500 } ],
  "batch": { "max_delay_ms": 200 }, "aggregation": { "window_ms": 200 }, "heartbeat_s": 1,
  "spool": { "max_bytes": 268435456 } }
JSON
run_agent() { timeout 900 "$WINE" "$EXE" run --config "Z:$T/a.json" >>"$T/agent.log" 2>&1 & APID=$!; }
run_agent
# sums over the stored callout events, read incrementally (100,000 of them: no full fetch each time)
cat >"$T/sum.py" <<'PY'
import json, os, ssl, sys, urllib.request
port, ca, token, state = sys.argv[1:5]
s = json.load(open(state)) if os.path.exists(state) else {"after": "", "n": 0, "events": 0}
ctx = ssl.create_default_context(cafile=ca)
while True:
    url = "https://localhost:%s/api/v1/events?host=agent-1&type=connection_blocked&limit=10000%s" % (port, "&after=" + s["after"] if s["after"] else "")
    d = json.load(urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": "Bearer " + token}), context=ctx))
    for e in d["events"]:
        if e.get("source") == "callout":
            s["n"] += e.get("count", 1); s["events"] += 1
            if s["events"] <= 50:
                open(state + ".first", "a").write(json.dumps(e) + "\n")
    if not d["events"]:
        break
    s["after"] = d["next_cursor"]
json.dump(s, open(state, "w"))
print(s["n"])
PY
stored() { /usr/bin/python3 "$T/sum.py" "$PORT" "$T/pki/ca.crt" "$TOKEN" "$T/sum.state"; }
hb() {  # the newest heartbeat's driver stat $1
    api "/api/v1/events?host=agent-1&type=heartbeat&limit=10000" | /usr/bin/python3 -c '
import json,sys
d=json.load(sys.stdin)["events"]
v=[e["stats"]["sources"]["driver#1"].get(sys.argv[1]) for e in d if "driver#1" in e.get("stats",{}).get("sources",{})]
v=[x for x in v if x is not None]   # (while disconnected a heartbeat has no driver counters)
print(v[-1] if v else "")' "$1"
}
at_least_stored() { [[ $(stored) -ge $1 ]]; }
check "agent: connected to the driver" wait_until 60 sh -c "grep -q 'connected to' '$T/agent.log' || grep -qi 'handshake' '$T/agent.log'"
check "agent: heartbeat says connected" wait_until 30 sh -c "[ \"\$(curl -s --cacert '$T/pki/ca.crt' -H 'Authorization: Bearer $TOKEN' '$(URL '/api/v1/events?host=agent-1&type=heartbeat&limit=10000')' | grep -c '\"state\":\"connected\"')\" -ge 1 ]"

ctl inject 49 10 >/dev/null                                   # ALE_AUTH_CONNECT_V4_DISCARD
ctl inject 47 3 -6 -lport 60000 -rport 51000 >/dev/null       # ALE_AUTH_RECV_ACCEPT_V6_DISCARD
ctl inject 41 2 -lport 8080 -loopback >/dev/null              # ALE_AUTH_LISTEN_V4_DISCARD
check "discards: 15 injected, 15 stored" wait_until 60 at_least_stored 15
eq "discards: exactly 15" "$(stored)" 15
/usr/bin/python3 - "$T/sum.state.first" >"$T/fields" <<'PY'
import json,sys
ev=[json.loads(l) for l in open(sys.argv[1])]
c=[e for e in ev if e["layer"].startswith("ALE_AUTH_CONNECT_V4")][0]
r=[e for e in ev if e["layer"].startswith("ALE_AUTH_RECV_ACCEPT_V6")][0]
l=[e for e in ev if e["layer"].startswith("ALE_AUTH_LISTEN_V4")][0]
print(c["direction"], c["protocol"], c["local"]["ip"], c["remote"]["ip"], c["remote"]["port"], c["filter"]["id"], c["process"]["pid"], c["process"]["path"].lower().endswith("msmpeng.exe"))
print(r["direction"], r["local"]["ip"], r["remote"]["ip"], r["local"]["port"] >= 60000)
print(l["protocol"], l.get("remote"), l.get("loopback"))
PY
eq "discards: connect v4: direction, protocol, addresses, port, filter id, process" "$(sed -n 1p "$T/fields")" \
    "outbound 6 10.20.30.42 20.42.65.84 443 324367 3932 True"
eq "discards: recv/accept v6: inbound, IPv6 addresses" "$(sed -n 2p "$T/fields")" "inbound fd00:20:30::42 2603:1030:b:3::152 True"
eq "discards: listen: TCP, no remote end, loopback flag" "$(sed -n 3p "$T/fields")" "6 None True"

# --- 100,000 discards in bursts ----------------------------------------------------------------
base=$(stored)
for i in $(seq 1 10); do ctl inject 49 10000 -lport $((1000 + i)) >/dev/null; done
burst_done() {
    local s d
    s=$(stored); d=$(hb driver_dropped)
    [[ -n $d && $((s - base + d)) -ge 100000 ]]
}
check "burst: 100,000 each stored or counted as dropped by the driver" wait_until 300 burst_done
s=$(stored); d=$(hb driver_dropped)
eq "burst: stored + dropped = 100,000 exactly" "$((s - base + d))" 100000
echo "# burst: $((s - base)) stored, $d dropped in the driver's ring"
# drops at the very end of a burst show as a gap only when the next record comes: one more
gap_seen() { [[ "$(hb records_missing)" == "$(hb driver_dropped)" ]]; }
base=$(stored)
ctl inject 49 1 -lport 9 >/dev/null
check "burst: every drop is seen by the agent as a gap (records_missing = driver_dropped)" wait_until 30 gap_seen
base=$((base + 1))

# --- one every 5 ms for 10 s -----------------------------------------------------------------------
base=$(stored); d0=$(hb driver_dropped)
ctl inject 49 1 5 2000 -lport 20000 >/dev/null
check "steady: 2,000 discards 5 ms apart all arrive" wait_until 120 at_least_stored $((base + 2000))
eq "steady: exactly 2,000" "$(( $(stored) - base ))" 2000
eq "steady: none dropped" "$(hb driver_dropped)" "$d0"

# --- the engine restarts -------------------------------------------------------------------------
ctl bfe stop >/dev/null
eq "BFE stopped: the driver's objects are gone with its session" "$(dumpv filters)" 0
ctl bfe start >/dev/null
check "BFE started: the driver adds its objects again" sh -c "timeout 60 '$WINE' '$CTL' wait live_filters 8 30 | grep -q ok"
base=$(stored)
ctl inject 51 7 -6 >/dev/null                                 # ALE_AUTH_CONNECT_V6_DISCARD
check "BFE restarted: discards flow again" wait_until 60 at_least_stored $((base + 7))
check "BFE restarted: heartbeats count the objects added twice" wait_until 30 sh -c "[ \"\$(curl -s --cacert '$T/pki/ca.crt' -H 'Authorization: Bearer $TOKEN' '$(URL '/api/v1/events?host=agent-1&type=heartbeat&limit=10000')' | grep -o '\"driver_engine_adds\":[0-9]*' | tail -1)\" = '\"driver_engine_adds\":2' ]"

# --- the agent stops while discards continue: 300, then 10,000 (more than the ring holds) ------------
down() { kill "$APID" 2>/dev/null; wait "$APID" 2>/dev/null; APID=""; sleep 1; }
down
gaps0=$(grep -c 'records missing before record' "$T/agent.log")
base=$(stored)
ctl inject 49 300 -lport 30000 >/dev/null
run_agent
check "agent restarted: the 300 discards made while it was down arrive" wait_until 120 at_least_stored $((base + 300))
sleep 2
eq "agent restarted: exactly 300" "$(( $(stored) - base ))" 300
eq "agent restarted: no gap reported for what it had stored before (positions continue)" \
    "$(grep -c 'records missing before record' "$T/agent.log")" "$gaps0"
d0=$(hb driver_dropped); m0=$(hb records_missing)
down
base=$(stored)
ctl inject 49 10000 -lport 40000 >/dev/null
run_agent
overflow_done() { local d; d=$(hb driver_dropped); [[ -n $d && $(( $(stored) - base + d - d0 )) -ge 10000 ]]; }
check "ring overflow: the 10,000 made while the agent was away: each stored or counted as dropped" wait_until 120 overflow_done
d=$(hb driver_dropped)
eq "ring overflow: stored + dropped = 10,000 exactly" "$(( $(stored) - base + d - d0 ))" 10000
check "ring overflow: the 1 MiB ring did overflow (drops counted by the driver)" test $((d - d0)) -gt 0
ctl inject 49 1 -lport 10 >/dev/null
# records_missing counts in this run of the agent; the driver's counter since it loaded
gap_seen_since() { [[ "$(hb records_missing)" == "$(( $(hb driver_dropped) - $1 ))" ]]; }
check "ring overflow: the agent (restarted) saw every drop as a gap" wait_until 30 gap_seen_since "$d0"

# --- the driver stops while the agent is connected (reads pending) ----------------------------------
sc stop wfpwatch >/dev/null
check "driver stop: the service stops with the agent's reads pending" wait_until 60 sh -c "[ \"\$(timeout 30 '$WINE' sc query wfpwatch | tr -d '\r' | awk '/STATE/{print \$4}')\" = STOPPED ]"
check "driver stop: the agent says it lost the driver" wait_until 30 grep -q 'lost the driver' "$T/agent.log"
check "driver stop: the stand-in is still there (the host did not crash)" sh -c "timeout 60 '$WINE' '$CTL' dump | grep -q bfe_state=3"
eq "driver stop: its callouts were unregistered" "$(dumpv registered_callouts)" 0
check "driver start again" start_svc wfpwatch
base=$(stored)
sleep 2
ctl inject 45 5 >/dev/null                                    # ALE_AUTH_RECV_ACCEPT_V4_DISCARD
check "driver back: the agent reconnects and the discards arrive" wait_until 60 at_least_stored $((base + 5))
check "driver back: counted as a driver restart" wait_until 30 sh -c "[ -n \"\$(curl -s --cacert '$T/pki/ca.crt' -H 'Authorization: Bearer $TOKEN' '$(URL '/api/v1/events?host=agent-1&type=heartbeat&limit=10000')' | grep -o '\"driver_restarts\":[1-9]')\" ]"
kill "$APID" 2>/dev/null; wait "$APID" 2>/dev/null; APID=""
[[ $FAIL -ne 0 ]] && { echo "--- agent log:"; tail -n 30 "$T/agent.log"; echo "--- stand-in:"; ctl dump;
                       echo "--- wine:"; grep -v 'winediag\|systray\|explorer' "$T/wine.log" | tail -n 40; }
finish
