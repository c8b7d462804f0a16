#!/bin/bash
# test-agent-standin.sh — the shipped wfpwatch-agent.exe under Wine, its live Windows code
# (src/win/wfp.c, src/win/evtlog.c) loading stand-ins for wevtapi.dll and fwpuclnt.dll
# (tests/windows/standin/) that behave as Windows is documented or observed to behave
# (docs/windows-behaviour.md, one row per behaviour with its source), into the real collector:
#   - the filter-change subscription asks for adds and deletes (flags 0 gets nothing), so the
#     attack is read within the debounce, not by the periodic read;
#   - the Base Filtering Engine restarts: the old session's calls fail with an RPC error and its
#     subscription falls silent; the agent opens a new session and reports what changed meanwhile;
#   - the net event keywords: a Windows older than 1903 refuses the port-scanning keyword, the
#     agent falls back to capability drops alone; what was set before is kept for uninstall;
#   - an idle pull subscription answers EvtNext with ERROR_INVALID_OPERATION (4317): nothing
#     now, not a broken subscription;
#   - a burst larger than one RPC answers RPC_S_INVALID_BOUND (1734), after which the stand-in
#     takes the refused batch as gone from that subscription (the worst reading): the agent
#     subscribes again after its bookmark with half the batch and loses nothing;
#   - the log is cleared while the agent runs (record ids start again, 1102 first): an alert and
#     a gap, then the new events; and cleared again while it is stopped: the bookmark is gone
#     (EvtSubscribeStrict: ERROR_NOT_FOUND), a reported gap, and the log read from its oldest record;
#   - 31 event ids (the Group Policy template allows 32): an XPath of more than 20 expressions
#     is refused (15001), the agent's structured query is accepted.
. "$(dirname "$0")/lib.sh"
WIN=$ROOT/build/win64
EXE=$WIN/agent/wfpwatch-agent.exe
WINE=/usr/lib/wine/wine64
CAP=$ROOT/deploy/demo/capture
export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/wfpwatch/wineprefix} WINEDEBUG=-all

if [[ ! -x $WINE || ! -f $EXE || ! -f $WIN/tests/standin/wevtapi.dll || ! -f $WIN/tests/standin/fwpuclnt.dll ]]; then
    bad "wine64, the Windows build or its stand-in DLLs are missing (tests/run.sh builds them before this suite)"
    finish
    exit 1
fi
setup_pki || { bad "pki"; finish; exit 1; }
start_collector || { bad "collector"; finish; exit 1; }

count() {  # python expression over ev (the stored events), after a fresh fetch
    fetch_stored
    /usr/bin/python3 - "$T/stored" "$1" <<'PY'
import json,sys
ev=[json.loads(l) for l in open(sys.argv[1])]
print(eval(sys.argv[2]))
PY
}
at_least() { [[ $(count "$1") -ge $2 ]]; }
calls() { grep -c -- "$2" "$1.calls" 2>/dev/null; true; }
changesets='len([e for e in ev if e["type"]=="inventory_changed"])'
swap() { cp "$1" "$T/engine.next" && mv "$T/engine.next" "$T/engine.xml"; }

# The .exe with the stand-ins beside it: Wine loads a DLL from the program's folder when the
# override says native first.
mkdir -p "$T/bin"
cp "$EXE" "$WIN/tests/standin/wevtapi.dll" "$WIN/tests/standin/fwpuclnt.dll" "$T/bin/"
export WINEDLLOVERRIDES="wevtapi=n;fwpuclnt=n"
export WFPW_STANDIN_WFP="Z:$T/engine.xml" WFPW_STANDIN_EVT="Z:$T/Security.xml" WFPW_STANDIN_WFP_BUILD=17763

swap "$CAP/1-baseline-filters.xml"
echo "running 1" >"$T/engine.xml.bfe"
: >"$T/engine.xml.netevents"
echo '<Events>' >"$T/Security.xml"
printf 'idle-error 4317\nmax-batch 10\n' >"$T/Security.xml.scenario"
# 31 ids, none next to another: 31 expressions without the agent's split into Selects
ids="\"5157\""
for i in $(seq 0 29); do ids="$ids, \"$((4600 + 2 * i))\""; done
cat >"$T/x.json" <<JSON
{ "agent_id": "agent-1", "data_dir": "Z:$T/xdata",
  "collector": { "url": "https://localhost:$PORT", "ca": "Z:$T/pki/ca.crt",
                 "cert": "Z:$T/pki/agents/agent-1.crt", "key": "Z:$T/pki/agents/agent-1.key" },
  "sources": [ { "type": "wfp", "debounce_ms": 300, "full_every_ms": 600000, "retry_ms": 1000, "check_ms": 500 },
               { "type": "netevent", "check_ms": 1000, "retry_ms": 500 },
               { "type": "eventlog", "event_ids": [ $ids ], "retry_ms": 300 } ],
  "batch": { "max_delay_ms": 100 }, "aggregation": { "window_ms": 200 }, "heartbeat_s": 1 }
JSON
timeout 300 "$WINE" "$T/bin/wfpwatch-agent.exe" run --config "Z:$T/x.json" >"$T/x.log" 2>&1 &
WPID=$!
EXTRA_PIDS="$WPID"
alive() { kill -0 "$WPID" 2>/dev/null; }
# an agent that exits at start (a configuration it refuses) fails here, not after every wait
if ! wait_until 60 sh -c "grep -q 'subscribe changes' '$T/engine.xml.calls' 2>/dev/null || ! kill -0 $WPID 2>/dev/null" || ! alive; then
    bad "the agent runs under Wine with the stand-ins"
    cat "$T/x.log"
    finish
    exit 1
fi

# --- the engine ----------------------------------------------------------------------------------
check "wfp: the baseline inventory arrives" wait_until 60 at_least "$changesets" 1
eq "wfp: the change subscription asks for adds and deletes (FWPM_SUBSCRIPTION_FLAG_NOTIFY_ON_ADD | _ON_DELETE)" \
    "$(grep -m1 'subscribe changes' "$T/engine.xml.calls")" "subscribe changes flags 3"
eq "wfp: every filter of the engine is reported once" "$(count 'len([e for e in ev if e["type"]=="filter_added"])')" \
    "$(grep -c '<filterKey>' "$CAP/1-baseline-filters.xml")"
swap "$CAP/2-after-attack-filters.xml"
check "wfp: the attack is read after its notification (the periodic read is 10 minutes away)" \
    wait_until 20 at_least "$changesets" 2
eq "wfp: the EDRSilencer filters raise critical alerts" \
    "$(count 'sorted(e["filter"]["id"] for e in ev if e["type"]=="alert" and e["severity"]=="critical")')" "[324367, 324368]"

# net events: the keywords on a Windows before 1903, then a drop
check "netevent: subscribed through the stand-in" wait_until 20 grep -q 'subscribe net events 4' "$T/engine.xml.calls"
eq "netevent: port scanning and capability drops asked for first" "$(calls "$T/engine.xml" 'set keywords 36 refused')" 1
eq "netevent: refused by this Windows, capability drops alone" "$(cat "$T/engine.xml.keywords" 2>/dev/null)" 4
eq "netevent: collection turned on" "$(cat "$T/engine.xml.collect" 2>/dev/null)" 1
eq "netevent: the values found before are kept for uninstall" "$(cat "$T/xdata/netevents.previous" 2>/dev/null)" "0 0"
echo "4 3 0 6 10.20.30.42 50001 20.42.65.84 443 324367 48 3901 \\device\\harddiskvolume3\\programdata\\microsoft\\windows defender\\platform\\4.18.24090.11-0\\msmpeng.exe" \
    >>"$T/engine.xml.netevents"
check "netevent: Defender's drop arrives named by the attack filter" wait_until 20 at_least \
    'len([e for e in ev if e["type"]=="connection_blocked" and e["source"]=="netevent" and e["filter"]["id"]==324367 and e["filter"].get("name")=="Custom Outbound Filter"])' 1

# the Base Filtering Engine restarts; meanwhile the attack filters go
echo stopped >"$T/engine.xml.bfe"
swap "$CAP/1-baseline-filters.xml"
sleep 2
echo "running 2" >"$T/engine.xml.bfe"
check "BFE: a new session is opened" wait_until 20 grep -q 'open ok run 2' "$T/engine.xml.calls"
check "BFE: the filters removed while it was down are reported" wait_until 20 at_least \
    'len([e for e in ev if e["type"]=="filter_removed" and e["filter"]["id"] in (324367, 324368)])' 2
check "BFE: the agent says the engine went away" wait_until 10 at_least \
    'len([e for e in ev if e["type"]=="agent_status" and "the filter engine went away" in e["message"]])' 1
cs=$(count "$changesets")
swap "$CAP/2-after-attack-filters.xml"
check "BFE: the new session's notifications arrive" wait_until 20 at_least "$changesets" $((cs + 1))
check "BFE: the net event subscription is renewed on the new session" wait_until 20 sh -c \
    "[ \$(grep -c 'subscribe net events 4' '$T/engine.xml.calls') -ge 2 ]"

# --- the Security log ---------------------------------------------------------------------------
eq "eventlog: 31 ids, structured query accepted" "$(calls "$T/Security.xml" '^subscribe ok')" 1
eq "eventlog: no query refused" "$(calls "$T/Security.xml" '^subscribe 15001')" 0
sleep 3   # idle: every EvtNext says 4317
check "eventlog: idle polls answered 4317" sh -c "[ \$(grep -c -- '-> 4317' '$T/Security.xml.calls') -ge 1 ]"
eq "eventlog: idle is not an error: subscribed once" "$(calls "$T/Security.xml" '^subscribe ok')" 1
eq "eventlog: idle is not an error: nothing logged" "$(grep -c 'EvtNext failed' "$T/x.log")" 0
# three blocks (handed over: the agent's bookmark follows them), then a burst of the other 23 at
# once, more than one answer may carry (10)
/usr/bin/python3 -c '
import re,sys
evs=re.findall(r"<Event .*?</Event>", open(sys.argv[1]).read(), re.S)
open(sys.argv[2],"w").write("\n".join(evs[:3])+"\n")
open(sys.argv[3],"w").write("\n".join(evs[3:])+"\n")' "$CAP/3-blocked-connections.xml" "$T/first.xml" "$T/burst.xml"
cat "$T/first.xml" >>"$T/Security.xml"
check "eventlog: the first three arrive" wait_until 30 at_least \
    'sum(e["count"] for e in ev if e["type"]=="connection_blocked" and e["source"]=="audit")' 3
cat "$T/burst.xml" >>"$T/Security.xml"   # one write
check "eventlog: all 26 blocks of the burst arrive" wait_until 30 at_least \
    'sum(e["count"] for e in ev if e["type"]=="connection_blocked" and e["source"]=="audit")' 26
eq "eventlog: exactly 26" "$(count 'sum(e["count"] for e in ev if e["type"]=="connection_blocked" and e["source"]=="audit")')" 26
eq "eventlog: the batch too large for one RPC was refused (1734)" "$(calls "$T/Security.xml" '^next 64 -> 1734')" 1
eq "eventlog: and asked again halved, down to what fits" "$(calls "$T/Security.xml" '^next 8 -> [78]$')" 3
eq "eventlog: after each refusal a new subscription (the old one's position is not trusted)" \
    "$(calls "$T/Security.xml" '^subscribe ok')" 4
eq "eventlog: each after the last event handed over (the bookmark followed the first three)" \
    "$(calls "$T/Security.xml" '^subscribe ok after 4821')" 3
eq "eventlog: no error logged for it" "$(grep -c 'EvtNext failed\|EvtSubscribe (after' "$T/x.log")" 0

# the log is cleared while the agent runs: a new file, 1102 first, record ids from 1
rec() {  # record-id event-id [extra data]
    cat <<XML
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Eventlog" Guid="{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}"/><EventID>$2</EventID><Version>0</Version><Level>4</Level><Task>104</Task><Opcode>0</Opcode><Keywords>0x4020000000000000</Keywords><TimeCreated SystemTime="2026-11-20T15:00:0$1.0000000Z"/><EventRecordID>$1</EventRecordID><Correlation/><Execution ProcessID="1" ThreadID="2"/><Channel>Security</Channel><Computer>WS-FIN-0042.corp.example</Computer><Security/></System>$3</Event>
XML
}
cleared='<UserData><LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog"><SubjectUserSid>S-1-5-21-1-2-3-500</SubjectUserSid><SubjectUserName>mallory</SubjectUserName><SubjectDomainName>CORP</SubjectDomainName><SubjectLogonId>0x3e7</SubjectLogonId></LogFileCleared></UserData>'
{ echo '<Events>'; rec 1 1102 "$cleared"; /usr/bin/python3 -c '
import re,sys
evs=re.findall(r"<Event .*?</Event>", open(sys.argv[1]).read(), re.S)[:3]
for i,e in enumerate(evs):
    print(re.sub(r"<EventRecordID>\d+</EventRecordID>", "<EventRecordID>%d</EventRecordID>" % (i + 2), e))' \
    "$CAP/3-blocked-connections.xml"; } >"$T/Security.new"
sleep 0.2
mv "$T/Security.new" "$T/Security.xml"
check "cleared: the security-log-cleared alert names the account" wait_until 20 at_least \
    'len([e for e in ev if e["type"]=="alert" and e.get("rule")=="security-log-cleared" and "mallory" in json.dumps(e)])' 1
check "cleared: the blocks logged after the clear arrive" wait_until 20 at_least \
    'sum(e["count"] for e in ev if e["type"]=="connection_blocked" and e["source"]=="audit")' 29
check "cleared: reported as a gap" wait_until 10 at_least \
    'len([e for e in ev if e["type"]=="agent_status" and "record ids started again" in e["message"]])' 1

kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null  # (a Unix signal is no Windows console event)
EXTRA_PIDS=""

# cleared again while the agent is stopped: its bookmark (the last spooled record) is gone
{ echo '<Events>'; rec 1 1102 "$cleared"; } >"$T/Security.xml"
: >"$T/Security.xml.scenario"
timeout 120 "$WINE" "$T/bin/wfpwatch-agent.exe" run --config "Z:$T/x.json" >"$T/x2.log" 2>&1 &
WPID=$!
EXTRA_PIDS="$WPID"
check "restart: the bookmark no longer in the log is refused (ERROR_NOT_FOUND)" wait_until 60 grep -q '^subscribe 1168' "$T/Security.xml.calls"
check "restart: reported as a gap" wait_until 30 at_least \
    'len([e for e in ev if e["type"]=="agent_status" and "the record after which to resume is gone" in e["message"]])' 1
check "restart: the log is read again from its oldest record (the 1102 alert)" wait_until 30 at_least \
    'len([e for e in ev if e["type"]=="alert" and e.get("rule")=="security-log-cleared"])' 2
kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null
EXTRA_PIDS=""
[[ $FAIL -ne 0 ]] && { echo "--- agent log:"; tail -n 60 "$T/x.log"; tail -n 20 "$T/x2.log" 2>/dev/null; echo "--- engine calls:"; tail -n 30 "$T/engine.xml.calls"; \
                       echo "--- event log calls:"; grep -v -- '-> 4317' "$T/Security.xml.calls" | tail -n 30; }
finish
