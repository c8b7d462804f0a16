#!/bin/bash
# test-agent-eventlog.sh — the `eventlog` source (Security log subscription) end to end into
# the real collector, with stand-ins for the event log and the WFP engine
# (wfpwatch-agent-fakewin, link seam tests/agent/evtxml/fake-evtlog.c and wfp/fake-wfp.c):
# the attack's 5447s arrive before the inventory shows the filters, so the change set says who
# added them; Defender's 5157s arrive enriched from the live inventory with drive-letter
# paths; a restart resumes strictly after the last spooled record (nothing lost while stopped,
# nothing repeated); a cleared log (1102) raises an alert and a gap; a bookmark the log no
# longer holds is a reported gap; a broken subscription is resubscribed without loss. Then
# the real agent: Linux says once there is no event log; the Windows .exe under Wine (whose
# EvtNext is a stub) names the failing call and keeps resubscribing while a replay source
# beside it delivers.
. "$(dirname "$0")/lib.sh"
FAKE=$BUILD/tests/wfpwatch-agent-fakewin
AGENT=$BUILD/agent/wfpwatch-agent
CAP=$ROOT/deploy/demo/capture

setup_pki || { bad "pki"; finish; exit 1; }
start_collector || { bad "collector"; finish; exit 1; }

config() {  # file data_dir sources-json
    cat >"$1" <<JSON
{ "agent_id": "agent-1", "data_dir": "$2",
  "collector": { "url": "https://localhost:$PORT", "ca": "$T/pki/ca.crt",
                 "cert": "$T/pki/agents/agent-1.crt", "key": "$T/pki/agents/agent-1.key" },
  "sources": $3,
  "batch": { "max_delay_ms": 100 }, "aggregation": { "window_ms": 200 }, "heartbeat_s": 1 }
JSON
}
count() {  # python expression over ev (the stored events), after a fresh fetch
    fetch_stored
    /usr/bin/python3 - "$T/stored" "$1" <<'PY'
import json,sys
ev=[json.loads(l) for l in open(sys.argv[1])]
print(eval(sys.argv[2]))
PY
}
at_least() { [[ $(count "$1") -ge $2 ]]; }
events_of() {  # the <Event> elements of a rendered file
    /usr/bin/python3 -c 'import re,sys; print("\n".join(re.findall(r"<Event .*?</Event>", open(sys.argv[1]).read(), re.S)))' "$1"
}
blocks='len([e for e in ev if e["type"]=="connection_blocked"])'
nonhb='len([e for e in ev if e["type"] != "heartbeat" and e.get("state") not in ("started", "stopping")])'
run_fake() {  # log-suffix [env...]
    local log=$1; shift
    env WFPW_FAKE_WFP="$T/engine.xml" WFPW_FAKE_EVTLOG="$T/Security.xml" "$@" "$FAKE" run --config "$T/e.json" \
        >"$T/$log" 2>&1 &
    APID=$!
    EXTRA_PIDS="$APID"
}
stop_fake() { kill -TERM "$APID"; wait "$APID"; STOP=$?; EXTRA_PIDS=""; }

# --- the attack as the live sources see it ---------------------------------------------------
cp "$CAP/1-baseline-filters.xml" "$T/engine.xml"
echo '<Events>' >"$T/Security.xml"
echo '{0CCE9226-69AE-11D9-BED3-505054503030}=1' >"$T/Security.xml.audit"   # Connection: success only
config "$T/e.json" "$T/edata" \
    '[ { "type": "wfp", "debounce_ms": 1500, "full_every_ms": 600000 }, { "type": "eventlog", "retry_ms": 300, "devmap_refresh_ms": 1000 } ]'
run_fake e1.log
check "start: the baseline inventory arrives" wait_until 20 at_least 'len([e for e in ev if e["type"]=="inventory_changed"])' 1
check "start: subscribed from the oldest record (no bookmark yet)" wait_until 5 grep -q 'subscribed to the Security log from its oldest record' "$T/e1.log"

# audit policy: the subcategories the default event ids need, by GUID; what was there kept
eq "audit policy: turned on what the event ids need (by subcategory GUID)" "$(LC_ALL=C sort "$T/Security.xml.audit" | tr '\n' ' ')" \
    "{0CCE921E-69AE-11D9-BED3-505054503030}=1 {0CCE9225-69AE-11D9-BED3-505054503030}=2 {0CCE9226-69AE-11D9-BED3-505054503030}=3 {0CCE922B-69AE-11D9-BED3-505054503030}=1 {0CCE9233-69AE-11D9-BED3-505054503030}=1 {0CCE9234-69AE-11D9-BED3-505054503030}=1 "
eq "audit policy: the settings before are kept for uninstall" "$(tr '\n' ' ' <"$T/edata/auditpol.previous")" \
    "{0CCE9225-69AE-11D9-BED3-505054503030}=0 {0CCE9226-69AE-11D9-BED3-505054503030}=1 {0CCE9233-69AE-11D9-BED3-505054503030}=0 {0CCE9234-69AE-11D9-BED3-505054503030}=0 {0CCE922B-69AE-11D9-BED3-505054503030}=0 {0CCE921E-69AE-11D9-BED3-505054503030}=0 "
check "audit policy: Process Creation (4688) turned on to name exited programs" grep -q 'audit policy: Process Creation now audits success' "$T/e1.log"
check "audit policy: the change is logged in words" grep -q 'audit policy: Filtering Platform Connection now audits success and failure (was success)' "$T/e1.log"

# the attacker's tool starts (4688), adds two filters (Windows logs 5447 twice) and exits before
# the agent reads them; the engine shows the filters a moment later
events_of "$CAP/1-security-5447-attack.xml" >>"$T/Security.xml"
sleep 0.3
cp "$CAP/2-after-attack-filters.xml" "$T/engine.next" && mv "$T/engine.next" "$T/engine.xml"
check "attack: the change set arrives" wait_until 20 at_least 'len([e for e in ev if e["type"]=="inventory_changed"])' 2
eq "attack: both filter_added events say who added them (pid, account, 5447 record)" \
    "$(count 'sorted((e["filter"]["id"], e["changed_by"]["process_id"], e["changed_by"]["user"], e["changed_by"]["origin"]["record_id"]) for e in ev if e["type"]=="filter_added" and "changed_by" in e)')" \
    "[(324367, 6120, 'CORP\\\\adm-jdoe', 911201), (324368, 6120, 'CORP\\\\adm-jdoe', 911202)]"
eq "attack: so do the critical alerts" \
    "$(count 'sorted(a["filter"]["id"] for a in ev if a["type"]=="alert" and a["severity"]=="critical" and a.get("changed_by",{}).get("user")=="CORP\\adm-jdoe")')" "[324367, 324368]"
eq "attack: the program is named from its 4688 although it had exited (image, command line, parent)" \
    "$(count 'sorted(set((e["changed_by"]["process"]["resolved_from"], e["changed_by"]["process"]["image"], e["changed_by"]["process"]["command_line"], e["changed_by"]["process"]["parent"]["image"], e["changed_by"]["process"]["record_id"]) for e in ev if e["type"] in ("filter_added", "alert") and "changed_by" in e))')" \
    "[('process_creation_event', 'C:\\\\Users\\\\Public\\\\fwtool.exe', 'fwtool.exe block MsMpEng.exe', 'C:\\\\Windows\\\\System32\\\\cmd.exe', 911200)]"
hb_4688() { fetch_stored; grep -q '"processes_from_4688":2' "$T/stored"; }
check "attack: heartbeats count the program named from 4688" wait_until 10 hb_4688

# Defender is cut off: 26 5157s (24 by the attack filters)
events_of "$CAP/3-blocked-connections.xml" >>"$T/Security.xml"
check "blocks: all 26 arrive" wait_until 20 at_least "$blocks" 26
eq "blocks: enriched from the live inventory with the attack filter" \
    "$(count 'len([e for e in ev if e["type"]=="connection_blocked" and e["filter"]["id"] in (324367, 324368) and e["filter"].get("name")=="Custom Outbound Filter"])')" 24
eq "blocks: device paths become drive-letter paths (QueryDosDevice map)" \
    "$(count 'sorted(set(tuple(e["process"]["path"].split(chr(92))[:2]) for e in ev if e["type"]=="connection_blocked"))')" \
    "[('C:', 'program files'), ('C:', 'programdata')]"
check "blocks: the burst alert fires" wait_until 10 at_least 'len([e for e in ev if e["type"]=="alert" and e["rule"]=="edr-block-burst"])' 1
hb_state() { fetch_stored; grep -q '"state":"subscribed","log_generation":0,"last_record_id":48213402' "$T/stored"; }
check "heartbeat: the subscription's last record and state" wait_until 10 hb_state
# Group Policy takes failure auditing away again: reported (not fought)
sed -i 's/{0CCE9226-69AE-11D9-BED3-505054503030}=3/{0CCE9226-69AE-11D9-BED3-505054503030}=1/' "$T/Security.xml.audit"
check "audit policy: drift is reported" wait_until 10 grep -q 'audit policy: Filtering Platform Connection no longer audits failure' "$T/e1.log"
eq "audit policy: and not fought" "$(grep -c '{0CCE9226-69AE-11D9-BED3-505054503030}=1' "$T/Security.xml.audit")" 1
stop_fake
eq "stop: SIGTERM exits 0" "$STOP" 0

# --- restart: strictly after the last spooled record; what came while stopped arrives --------
before=$(count "$nonhb")
cat >>"$T/Security.xml" <<'XML'
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>5157</EventID><Version>1</Version><TimeCreated SystemTime="2026-11-20T14:09:00.000000000Z"/><EventRecordID>48213500</EventRecordID><Channel>Security</Channel><Computer>WS-FIN-0042.corp.example</Computer></System><EventData><Data Name="ProcessID">2208</Data><Data Name="Application">\device\harddiskvolume4\tools\while-stopped.exe</Data><Data Name="Direction">%%14593</Data><Data Name="SourceAddress">10.20.30.42</Data><Data Name="SourcePort">50100</Data><Data Name="DestAddress">203.0.113.9</Data><Data Name="DestPort">443</Data><Data Name="Protocol">6</Data><Data Name="FilterRTID">100023</Data><Data Name="LayerName">%%14611</Data><Data Name="LayerRTID">48</Data></EventData></Event>
XML
run_fake e2.log
check "restart: resumes after the last spooled record" wait_until 10 grep -q 'subscribed to the Security log after the last spooled record' "$T/e2.log"
check "restart: the event written while stopped arrives (D: mapped too)" wait_until 20 sh -c \
    "curl -s --cacert '$T/pki/ca.crt' -H 'Authorization: Bearer $TOKEN' '$(URL '/api/v1/events?host=agent-1&type=connection_blocked&limit=10000')' | grep -q 'D:\\\\\\\\tools\\\\\\\\while-stopped.exe'"
sleep 1
eq "restart: nothing else repeated" "$(count "$nonhb")" "$((before + 1))"

# --- the log is cleared while the agent runs: 1102 and record ids from 1 ---------------------
cat >"$T/Security.new" <<'XML'
<Events>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Eventlog" Guid="{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}"/><EventID>1102</EventID><Version>0</Version><TimeCreated SystemTime="2026-11-20T14:10:00.000000000Z"/><EventRecordID>1</EventRecordID><Channel>Security</Channel><Computer>WS-FIN-0042.corp.example</Computer></System><UserData><LogFileCleared xmlns="http://manifests.microsoft.com/win/2004/08/windows/eventlog"><SubjectUserSid>S-1-5-21-3623811015-3361044348-30300820-1104</SubjectUserSid><SubjectUserName>adm-jdoe</SubjectUserName><SubjectDomainName>CORP</SubjectDomainName><SubjectLogonId>0x5a1f2</SubjectLogonId></LogFileCleared></UserData></Event>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Security-Auditing"/><EventID>5157</EventID><Version>1</Version><TimeCreated SystemTime="2026-11-20T14:10:05.000000000Z"/><EventRecordID>2</EventRecordID><Channel>Security</Channel><Computer>WS-FIN-0042.corp.example</Computer></System><EventData><Data Name="ProcessID">2208</Data><Data Name="Application">\device\harddiskvolume4\tools\after-clear.exe</Data><Data Name="Direction">%%14593</Data><Data Name="SourceAddress">10.20.30.42</Data><Data Name="SourcePort">50101</Data><Data Name="DestAddress">203.0.113.9</Data><Data Name="DestPort">443</Data><Data Name="Protocol">6</Data><Data Name="FilterRTID">100023</Data><Data Name="LayerName">%%14611</Data><Data Name="LayerRTID">48</Data></EventData></Event>
XML
mv "$T/Security.new" "$T/Security.xml"
check "cleared: a high alert names who cleared it" wait_until 20 at_least \
    'len([e for e in ev if e["type"]=="alert" and e["rule"]=="security-log-cleared" and e["severity"]=="high" and "CORP\\adm-jdoe" in e["details"]])' 1
check "cleared: the gap is reported (record ids started again)" at_least \
    'len([e for e in ev if e["type"]=="agent_status" and "record ids started again" in e["message"]])' 1
check "cleared: the first event of the new log arrives" wait_until 10 at_least \
    'len([e for e in ev if e["type"]=="connection_blocked" and e["process"]["path"].endswith("after-clear.exe")])' 1
stop_fake

# --- the bookmark is gone while stopped (the log wrapped): a reported gap, then the rest ----
sed -e 's#<EventRecordID>1</EventRecordID>#<EventRecordID>1000</EventRecordID>#' \
    -e 's#<EventRecordID>2</EventRecordID>#<EventRecordID>1001</EventRecordID>#' \
    -e 's#after-clear.exe#after-wrap.exe#' -e 's#<EventID>1102<#<EventID>4624<#' "$T/Security.xml" >"$T/Security.new"
mv "$T/Security.new" "$T/Security.xml"
run_fake e3.log
check "wrapped: the lost bookmark is reported as a gap" wait_until 20 at_least \
    'len([e for e in ev if e["type"]=="agent_status" and "is gone" in e["message"]])' 1
check "wrapped: then reads from the oldest record" wait_until 10 at_least \
    'len([e for e in ev if e["type"]=="connection_blocked" and e["process"]["path"].endswith("after-wrap.exe")])' 1
stop_fake

# --- a subscription that breaks is resubscribed without loss or repeats ----------------------
before=$(count "$blocks")
for r in 1002 1003 1004 1005; do
    sed -n '/after-wrap.exe/p' "$T/Security.xml" | sed -e "s#<EventRecordID>1001<#<EventRecordID>$r<#" -e "s#after-wrap.exe#broken-$r.exe#" >>"$T/Security.xml"
done
run_fake e4.log WFPW_FAKE_EVTLOG_FAIL_AFTER=2
check "broken: all four arrive after the resubscription" wait_until 20 at_least "$blocks" $((before + 4))
check "broken: the failure is named" grep -q 'fake event log: the subscription broke' "$T/e4.log"
sleep 1
eq "broken: none twice" "$(count "$blocks")" $((before + 4))
check "broken: heartbeats count the resubscription" grep -q '"resubscribes":1' "$T/stored"
stop_fake

# --- a program still running deletes a filter: named from the live process; an id that now
#     belongs to a younger process is not believed -------------------------------------------
printf '7001\t2026-11-20T14:20:00.000Z\t640\tC:\\Program Files\\FwAdmin\\fwadmin.exe\tfwadmin.exe --remove 324367\tS-1-5-21-3623811015-3361044348-30300820-500\n' >"$T/procs"
printf '640\t2026-11-20T08:00:00.000Z\t4\tC:\\Windows\\explorer.exe\t\t\n' >>"$T/procs"
printf '7002\t2026-11-21T09:00:00.000Z\t640\tC:\\Windows\\notepad.exe\t\t\n' >>"$T/procs"
events_of "$CAP/1-security-5447-attack.xml" | /usr/bin/python3 -c '
import re,sys
evs=[e for e in re.findall(r"<Event .*?</Event>", sys.stdin.read(), re.S) if "<EventID>5447<" in e]
for i,(e,pid) in enumerate(zip(evs,("7001","7002"))):
    e=re.sub(r"<EventRecordID>\d+<", "<EventRecordID>%d<" % (1006+i), e)
    e=e.replace("%%16384", "%%16385").replace("2026-11-20T14:01:5", "2026-11-20T14:30:0")
    print(re.sub(r"(Name=.ProcessId.>)\d+<", r"\g<1>%s<" % pid, e))
' >>"$T/Security.xml"
run_fake e5.log WFPW_FAKE_PROCS="$T/procs"
sleep 0.5
cp "$CAP/1-baseline-filters.xml" "$T/engine.next" && mv "$T/engine.next" "$T/engine.xml"
check "running: the removals arrive" wait_until 20 at_least 'len([e for e in ev if e["type"]=="filter_removed"])' 2
eq "running: the live program, its command line and parent" \
    "$(count '[(e["changed_by"]["process"]["resolved_from"], e["changed_by"]["process"]["image"], e["changed_by"]["process"]["command_line"], e["changed_by"]["process"]["parent"]["image"], e["changed_by"]["process"]["start_time"]) for e in ev if e["type"]=="filter_removed" and e["changed_by"]["process_id"]==7001]')" \
    "[('running_process', 'C:\\\\Program Files\\\\FwAdmin\\\\fwadmin.exe', 'fwadmin.exe --remove 324367', 'C:\\\\Windows\\\\explorer.exe', '2026-11-20T14:20:00.000Z')]"
eq "running: a process id reused by a younger process is not taken for the one that made the change" \
    "$(count '[(e["changed_by"]["process"]["resolved_from"], e["changed_by"]["process"]["image"], "now belongs to a process started after the change" in e["changed_by"]["process"]["note"]) for e in ev if e["type"]=="filter_removed" and e["changed_by"]["process_id"]==7002]')" \
    "[('unresolved', None, True)]"
stop_fake

# --- a security product blocked through the Windows Firewall: its own log names the rule and
#     the program that added it; the change set carries them on the firewall service's filters
cat >"$T/Security.xml.Firewall" <<'XML'
<Events>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Windows Firewall With Advanced Security" Guid="{d1bc9aff-2abf-4d71-9146-ecb2a986eb85}"/><EventID>2004</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode><Keywords>0x8000020000000000</Keywords><TimeCreated SystemTime="2026-11-20T15:00:00.1000000Z"/><EventRecordID>6661</EventRecordID><Correlation/><Execution ProcessID="2352" ThreadID="19044"/><Channel>Microsoft-Windows-Windows Firewall With Advanced Security/Firewall</Channel><Computer>WS-FIN-0042.corp.example</Computer><Security UserID="S-1-5-19"/></System><EventData><Data Name="RuleId">{8736B31E-8792-452E-8D2D-C45621F236AF}</Data><Data Name="RuleName">Block Rule for MsMpEng.exe</Data><Data Name="Origin">1</Data><Data Name="ApplicationPath">C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MsMpEng.exe</Data><Data Name="ServiceName"/><Data Name="Direction">2</Data><Data Name="Protocol">256</Data><Data Name="LocalPorts"/><Data Name="RemotePorts"/><Data Name="Action">2</Data><Data Name="Profiles">2147483647</Data><Data Name="LocalAddresses">*</Data><Data Name="RemoteAddresses">*</Data><Data Name="RemoteMachineAuthorizationList"/><Data Name="RemoteUserAuthorizationList"/><Data Name="EmbeddedContext">@EDR Rules</Data><Data Name="Flags">1</Data><Data Name="Active">1</Data><Data Name="EdgeTraversal">0</Data><Data Name="LooseSourceMapped">0</Data><Data Name="SecurityOptions">0</Data><Data Name="ModifyingUser">S-1-5-21-3623811015-3361044348-30300820-1104</Data><Data Name="ModifyingApplication">C:\Windows\System32\netsh.exe</Data><Data Name="SchemaVersion">542</Data><Data Name="RuleStatus">65536</Data><Data Name="LocalOnlyMapped">0</Data></EventData></Event>
XML
config "$T/f.json" "$T/edata" \
    '[ { "type": "wfp", "debounce_ms": 1500, "full_every_ms": 600000 }, { "type": "eventlog", "retry_ms": 300, "devmap_refresh_ms": 1000 }, { "type": "firewall", "retry_ms": 300 } ]'
env WFPW_FAKE_WFP="$T/engine.xml" WFPW_FAKE_EVTLOG="$T/Security.xml" "$FAKE" run --config "$T/f.json" >"$T/e6.log" 2>&1 &
APID=$!; EXTRA_PIDS="$APID"
check "firewall: subscribed to the firewall's log" wait_until 10 grep -q 'subscribed to the Microsoft-Windows-Windows Firewall With Advanced Security/Firewall log' "$T/e6.log"
sleep 0.5
# the firewall service's filter for that rule (provider MPSSVC, the rule's name) appears
# (its twin keeps the attacker's own provider but takes the same name: a look-alike, not the rule's)
/usr/bin/python3 - "$CAP/2-after-attack-filters.xml" "$T/engine.next" <<'PY'
import sys
t=open(sys.argv[1]).read()
i=t.index("<name>Custom Outbound Filter</name>")
j=t.index("<providerKey>{a1d5c3e7-0b2f-4e68-8c94-5f7a3b1d9e20}</providerKey>", i)
t=t[:i]+"<name>Block Rule for MsMpEng.exe</name>"+t[i+len("<name>Custom Outbound Filter</name>"):j]+"<providerKey>FWPM_PROVIDER_MPSSVC_WF</providerKey>"+t[j+len("<providerKey>{a1d5c3e7-0b2f-4e68-8c94-5f7a3b1d9e20}</providerKey>"):]
t=t.replace("<name>Custom Outbound Filter</name>", "<name>Block Rule for MsMpEng.exe</name>")
open(sys.argv[2],"w").write(t)
PY
mv "$T/engine.next" "$T/engine.xml"
fwr='[(e["type"], e["firewall_rule"]["name"], e["firewall_rule"]["group"], e["firewall_rule"]["action"], e["firewall_rule"]["changed_by"]["application"], e["firewall_rule"]["changed_by"]["origin"]["record_id"]) for e in ev if "firewall_rule" in e]'
check "firewall: the rule arrives on the filter and its alert" wait_until 20 at_least "len($fwr)" 2
eq "firewall: the rule, its group, block, and netsh.exe that added it (2004)" "$(count "sorted(set($fwr))")" \
    "[('alert', 'Block Rule for MsMpEng.exe', '@EDR Rules', 'block', 'C:\\\\Windows\\\\System32\\\\netsh.exe', 6661), ('filter_added', 'Block Rule for MsMpEng.exe', '@EDR Rules', 'block', 'C:\\\\Windows\\\\System32\\\\netsh.exe', 6661)]"
eq "firewall: the same-named filter of the attacker's own provider gets no rule" \
    "$(count 'sorted((e["filter"]["provider"]["key"].lower() in ("fwpm_provider_mpssvc_wf", "{decc16ca-3f33-4346-be1e-8fb4ae0f3d62}"), "firewall_rule" in e) for e in ev if e["type"]=="filter_added" and e["filter"]["name"]=="Block Rule for MsMpEng.exe")')" \
    "[(False, False), (True, True)]"
hb_fw() { fetch_stored; grep -q '"firewall_rule_changes_seen":1,"filters_given_their_rule":[1-9]' "$T/stored"; }
check "firewall: heartbeats count the rule change and the filter given it" wait_until 10 hb_fw
stop_fake

# --- the real agent on Linux: no event log ---------------------------------------------------
mkdir -p "$T/cap"
cp "$CAP/3-blocked-connections.xml" "$T/cap/"
config "$T/l.json" "$T/ldata" "[ { \"type\": \"eventlog\" }, { \"type\": \"replay\", \"path\": \"$T/cap\" } ]"
reset_host
timeout 60 "$AGENT" run --config "$T/l.json" --until-drained >"$T/l.log" 2>&1
eq "Linux: the agent still drains and exits 0" "$?" 0
eq "Linux: 'Windows only' said once" "$(grep -c 'Windows event log exists on Windows only' "$T/l.log")" 1
eq "Linux: the replay source beside it delivers" "$(count "$blocks")" 26

# --- the Windows .exe under Wine (EvtNext is a stub there) -----------------------------------
EXE=$ROOT/build/win64/agent/wfpwatch-agent.exe
WINE=/usr/lib/wine/wine64
export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/wfpwatch/wineprefix} WINEDEBUG=-all
if [[ -x $WINE && -f $EXE ]]; then
    config "$T/x.json" "Z:$T/xdata" "[ { \"type\": \"eventlog\", \"retry_ms\": 300 }, { \"type\": \"replay\", \"path\": \"Z:$T/cap\" } ]"
    sed -i -e "s#\"$T/pki#\"Z:$T/pki#g" "$T/x.json"
    reset_host
    timeout 60 "$WINE" "$EXE" run --config "Z:$T/x.json" >"$T/x.log" 2>&1 &
    WPID=$!
    EXTRA_PIDS="$WPID"
    wait_until 40 sh -c "[ \$(curl -s --cacert '$T/pki/ca.crt' -H 'Authorization: Bearer $TOKEN' \
        '$(URL '/api/v1/events?host=agent-1&type=connection_blocked&limit=10000')' | grep -o '\"type\":\"connection_blocked\"' | wc -l) -ge 26 ]"
    sleep 3
    kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null  # (a Unix signal is no Windows console event)
    EXTRA_PIDS=""
    check "Wine: names the failing call" grep -q 'source:eventlog#1\] error: EvtNext failed: error 120' "$T/x.log"
    eq "Wine: the error is logged once, not per retry" "$(grep -c 'EvtNext failed' "$T/x.log")" 1
    eq "Wine: the replay source beside it delivers" "$(count "$blocks")" 26
    check "Wine: heartbeats count the resubscriptions" grep -Eq '"eventlog#1":\{"type":"eventlog".*"resubscribes":[1-9]' "$T/stored"
    # the process query a 5447's attribution makes, through Wine's real process calls
    "$WINE" "$EXE" process >"$T/self.json" 2>"$T/self.err"
    eq "Wine: process query of a running process (exit status)" "$?" 0
    eq "Wine: OpenProcess/QueryFullProcessImageNameW/GetProcessTimes/the token's SID read it" "$(/usr/bin/python3 -c '
import json,sys,time,datetime
j=json.load(open(sys.argv[1]))
t=datetime.datetime.strptime(j["start_time"],"%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()
print(j["resolved_from"], j["image"].lower().endswith("\\wfpwatch-agent.exe"), j["user_sid"].startswith("S-1-5-"), abs(time.time()-t) < 120)
' "$T/self.json" 2>&1)" "running_process True True True"
    "$WINE" "$EXE" process 99999 >"$T/gone.json" 2>>"$T/self.err"
    eq "Wine: a process id nobody holds is unresolved, saying why (exit 1)" \
        "$?:$(/usr/bin/python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j["resolved_from"], "had exited" in j["note"])' "$T/gone.json" 2>&1)" \
        "1:unresolved True"
else
    bad "Wine: wine64 or the Windows build is missing (tests/run.sh builds it before this suite)"
fi
finish
