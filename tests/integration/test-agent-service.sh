#!/bin/bash
# test-agent-service.sh — `wfpwatch-agent service ...` and `restore-system`. Under Wine (which
# has a service manager; its wineserver is kept alive for the test so the service outlives
# the commands) the .exe refuses to install with a configuration that does not load,
# installs as LocalSystem with automatic start, refuses a second install, starts, runs the
# whole pipeline (the replay source delivers the demo capture to the real collector), stops
# gracefully on the manager's stop request, and uninstalls. restore-system puts back the audit
# policy and net event collection recorded before the agent changed them (stand-in platform).
# On Linux the commands say the service manager is Windows-only.
. "$(dirname "$0")/lib.sh"
AGENT=$BUILD/agent/wfpwatch-agent
FAKE=$BUILD/tests/wfpwatch-agent-fakewin
CAP=$ROOT/deploy/demo/capture

# --- Linux --------------------------------------------------------------------------------
"$AGENT" service status >"$T/l.out" 2>&1
eq "Linux: service status exits 1" "$?" 1
check "Linux: and says why" grep -q 'Windows services exist on Windows only' "$T/l.out"

# --- restore-system (stand-in platform: audit policy and engine option are files) ----------
mkdir -p "$T/rdata"
printf '{0CCE9226-69AE-11D9-BED3-505054503030}=1\n{0CCE9234-69AE-11D9-BED3-505054503030}=0\n' >"$T/rdata/auditpol.previous"
echo 0 >"$T/rdata/netevents.previous"
printf '{0CCE9226-69AE-11D9-BED3-505054503030}=3\n{0CCE9234-69AE-11D9-BED3-505054503030}=1\n' >"$T/log.audit"
echo 1 >"$T/engine.xml.collect"
WFPW_FAKE_EVTLOG="$T/log" WFPW_FAKE_WFP="$T/engine.xml" "$FAKE" restore-system --data "$T/rdata" >"$T/r.out" 2>&1
eq "restore-system: exits 0" "$?" 0
eq "restore-system: the audit policy is put back" "$(sort "$T/log.audit" | tr '\n' ' ')" \
    "{0CCE9226-69AE-11D9-BED3-505054503030}=1 {0CCE9234-69AE-11D9-BED3-505054503030}=0 "
eq "restore-system: net event collection is off again" "$(cat "$T/engine.xml.collect")" 0
check "restore-system: says what it did" grep -q 'audit policy: Other Policy Change Events audits nothing again' "$T/r.out"
check "restore-system: the records are gone once applied" sh -c "! ls '$T/rdata/auditpol.previous' '$T/rdata/netevents.previous' 2>/dev/null"
printf 'garbage\n' >"$T/rdata/auditpol.previous"
WFPW_FAKE_EVTLOG="$T/log" WFPW_FAKE_WFP="$T/engine.xml" "$FAKE" restore-system --data "$T/rdata" >"$T/r2.out" 2>&1
eq "restore-system: a damaged record exits 1" "$?" 1
check "restore-system: naming the line" grep -q "auditpol.previous line 1: not 'GUID=bits'" "$T/r2.out"
check "restore-system: and keeps it for a second look" test -f "$T/rdata/auditpol.previous"

# --- the service under Wine -----------------------------------------------------------------
EXE=$ROOT/build/win64/agent/wfpwatch-agent.exe
WINE=/usr/lib/wine/wine64
WINESERVER=/usr/lib/wine/wineserver
export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/wfpwatch/wineprefix} WINEDEBUG=-all
if [[ -x $WINE && -f $EXE ]]; then
    setup_pki || { bad "pki"; finish; exit 1; }
    start_collector || { bad "collector"; finish; exit 1; }
    wine_up   # keep Wine's service manager up between commands
    trap '"$WINE" "$EXE" service uninstall --config "Z:$T/s.json" >/dev/null 2>&1; "$WINESERVER" -k; cleanup' EXIT
    "$WINE" "$EXE" service uninstall >/dev/null 2>&1  # a leftover from an interrupted run
    mkdir -p "$T/cap"
    cp "$CAP/3-blocked-connections.xml" "$T/cap/"
    cat >"$T/s.json" <<JSON
{ "agent_id": "agent-1", "data_dir": "Z:$T/sdata",
  "collector": { "url": "https://localhost:$PORT", "ca": "Z:$T/pki/ca.crt",
                 "cert": "Z:$T/pki/agents/agent-1.crt", "key": "Z:$T/pki/agents/agent-1.key" },
  "sources": [ { "type": "replay", "path": "Z:$T/cap" } ],
  "batch": { "max_delay_ms": 100 }, "heartbeat_s": 1, "log": { "level": "info", "file": "Z:$T/service.log" } }
JSON
    echo '{ "agent_id": ' >"$T/bad.json"
    "$WINE" "$EXE" service install --config "Z:$T/bad.json" >"$T/i0.out" 2>&1
    eq "Wine: a configuration that does not load is not installed (exit 2)" "$?" 2
    check "Wine: and says so" grep -q 'not installed: the configuration does not load' "$T/i0.out"
    eq "Wine: nothing was installed" "$("$WINE" "$EXE" service status | tr -d '\r' | head -n1)" "state: not installed"
    # the data directory taken over before install: a symbolic link (Wine reports a Unix link as
    # a reparse point, as Windows does a junction) is refused, so is a link planted inside
    mkdir -p "$T/elsewhere" "$T/pdata"
    ln -s "$T/elsewhere" "$T/linkdata"
    ln -s "$T/elsewhere" "$T/pdata/spool"
    sed "s#Z:$T/sdata#Z:$T/linkdata#" "$T/s.json" >"$T/link.json"
    "$WINE" "$EXE" service install --config "Z:$T/link.json" >"$T/il.out" 2>&1
    eq "Wine: a data directory that is a symbolic link is refused (exit 1)" "$?" 1
    check "Wine: naming it" grep -q "linkdata is a junction or symbolic link: refused" "$T/il.out"
    sed "s#Z:$T/sdata#Z:$T/pdata#" "$T/s.json" >"$T/planted.json"
    "$WINE" "$EXE" service install --config "Z:$T/planted.json" >"$T/ip.out" 2>&1
    eq "Wine: a link planted inside an existing data directory is refused (exit 1)" "$?" 1
    check "Wine: naming the link" grep -q "pdata.spool is a junction or symbolic link inside the data directory" "$T/ip.out"
    eq "Wine: and nothing was installed" "$("$WINE" "$EXE" service status | tr -d '\r' | head -n1)" "state: not installed"
    check "Wine: nothing was written through the links" sh -c "[ -z \"\$(ls -A '$T/elsewhere')\" ]"

    "$WINE" "$EXE" service install --config "Z:$T/s.json" >"$T/i1.out" 2>&1
    rc=$?
    eq "Wine: install exits 0" "$rc" 0
    [[ $rc -eq 0 ]] || { echo "--- install said:"; cat "$T/i1.out"; }
    "$WINE" "$EXE" service status | tr -d '\r' >"$T/st1"
    # (Wine's service manager may already have started an automatic service when it started itself)
    check "Wine: installed" grep -Eqx 'state: (stopped|start pending|running)' "$T/st1"
    check "Wine: automatic start" grep -qx 'start: automatic' "$T/st1"
    check "Wine: as LocalSystem" grep -qx 'account: LocalSystem' "$T/st1"
    check "Wine: runs service-run with the configuration" grep -q 'command: ".*wfpwatch-agent.exe" service-run --config ".*s.json"' "$T/st1"
    check "Wine: the data directory was created" test -d "$T/sdata"
    check "Wine: the Application log source names the agent's message table (EventMessageFile)" sh -c \
        "'$WINE' reg query 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\wfpwatch-agent' /v EventMessageFile | tr -d '\r' | grep -Eqi 'REG_EXPAND_SZ.*wfpwatch-agent\.exe'"
    "$WINE" "$EXE" service install --config "Z:$T/s.json" >"$T/i2.out" 2>&1
    eq "Wine: a second install exits 1" "$?" 1
    check "Wine: saying to uninstall first" grep -q 'uninstall it first' "$T/i2.out"

    timeout 60 "$WINE" "$EXE" service start >"$T/start.out" 2>&1
    eq "Wine: start exits 0" "$?" 0
    check "Wine: the service runs the pipeline (the capture reaches the collector)" wait_until 60 sh -c \
        "[ \$(curl -s --cacert '$T/pki/ca.crt' -H 'Authorization: Bearer $TOKEN' \
             '$(URL '/api/v1/events?host=agent-1&type=connection_blocked&limit=10000')' | grep -o '\"type\":\"connection_blocked\"' | wc -l) -eq 26 ]"
    eq "Wine: status says running" "$("$WINE" "$EXE" service status | tr -d '\r' | head -n1)" "state: running"
    timeout 60 "$WINE" "$EXE" service stop >"$T/stop.out" 2>&1
    eq "Wine: stop exits 0" "$?" 0
    check "Wine: the agent stopped gracefully on the manager's request" \
        grep -q 'stopping (stop requested by the service manager)' "$T/service.log"
    check "Wine: and finished cleanly" grep -q '\[agent:stop\] info: stopped' "$T/service.log"
    eq "Wine: status says stopped" "$("$WINE" "$EXE" service status | tr -d '\r' | head -n1)" "state: stopped"

    "$WINE" "$EXE" service uninstall --config "Z:$T/s.json" >"$T/u.out" 2>&1
    eq "Wine: uninstall exits 0" "$?" 0
    check "Wine: removed" grep -q 'removed service wfpwatch-agent' "$T/u.out"
    eq "Wine: not installed any more" "$("$WINE" "$EXE" service status | tr -d '\r' | head -n1)" "state: not installed"
    "$WINE" "$EXE" service-run --config "Z:$T/s.json" >"$T/sr.out" 2>&1
    eq "Wine: service-run outside the service manager exits 1" "$?" 1
    check "Wine: saying how to run it instead" grep -q 'not started by the service manager' "$T/sr.out"

    # Group Policy: the registry values under HKLM\SOFTWARE\Policies\wfpwatch\Agent override the file
    POL='HKLM\SOFTWARE\Policies\wfpwatch\Agent'
    "$WINE" reg add "$POL" /v collector.url /t REG_SZ /d https://collector.corp.example:8443 /f >/dev/null 2>&1
    "$WINE" reg add "$POL" /v batch.max_events /t REG_DWORD /d 1234 /f >/dev/null 2>&1
    "$WINE" reg add "$POL" /v detection.products /t REG_MULTI_SZ /d 'acme-edr.exe\0acme-sensor.exe' /f >/dev/null 2>&1
    "$WINE" "$EXE" check-config --config "Z:$T/s.json" 2>&1 | tr -d '\r' >"$T/pol.out"
    check "Group Policy: a REG_SZ value overrides the file" grep -q '"url":.*"https://collector.corp.example:8443"' "$T/pol.out"
    check "Group Policy: a REG_DWORD value too" grep -q '"max_events":.*1234' "$T/pol.out"
    check "Group Policy: a REG_MULTI_SZ value becomes a list" \
        sh -c "tr -d '\n\t ' <'$T/pol.out' | grep -q '\"products\":\[\"acme-edr.exe\",\"acme-sensor.exe\"\]'"
    "$WINE" reg add "$POL" /v batch.max_events /t REG_DWORD /d 0 /f >/dev/null 2>&1
    "$WINE" "$EXE" check-config --config "Z:$T/s.json" >"$T/pol2.out" 2>&1
    eq "Group Policy: an out-of-range value is refused (exit 2)" "$?" 2
    check "Group Policy: naming the key and where it came from" grep -q 'batch.max_events.*(Group Policy value)' "$T/pol2.out"
    "$WINE" reg delete "$POL" /f >/dev/null 2>&1
    "$WINE" "$EXE" check-config --config "Z:$T/s.json" 2>&1 | tr -d '\r' >"$T/pol3.out"
    check "Group Policy: without the key the file's values hold" grep -q '"max_events":.*5000' "$T/pol3.out"
else
    bad "Wine: wine64 or the Windows build is missing (tests/run.sh builds it before this suite)"
fi
[[ $FAIL -ne 0 ]] && { for f in "$T"/i2.out "$T"/start.out "$T"/stop.out "$T"/service.log; do echo "--- $f"; head -n 40 "$f"; done; }
finish
