#!/bin/bash
# test-agent-surface.sh — the `surface` source end to end into the real collector. Natively, in
# its `dir` mode (collected files, watched with libuv): the first reading is a baseline change
# set; silencing written into the folder is noticed from the change notification (not the
# 10-minute timer) and raises the rules' alerts; a change made while the agent was stopped is
# reported at the next start; a change set whose positions the spool never confirmed is handed
# over again exactly once. On Linux the live mode says once that it is Windows-only. Then the
# Windows .exe under Wine in its live mode: Wine's registry and hosts file (real there) — an
# NRPT sinkhole written with Wine's `reg add`, a QoS throttle, a hosts entry — are seen through
# the registry and folder change notifications and alerted at the collector; a rule deleted
# while the agent is down is reported removed after the restart. And the live route table as
# the .exe reads it through Wine, from routes made in a network namespace of the test's own.
. "$(dirname "$0")/lib.sh"
AGENT=$BUILD/agent/wfpwatch-agent
FIX=$ROOT/tests/integration/surface_fixtures.py

setup_pki || { bad "pki"; finish; exit 1; }
start_collector || { bad "collector"; finish; exit 1; }

count() {  # python expression over ev (the stored events), sc (surface changes), al (surface alerts)
    stored_eval "$1" 'sc=[e for e in ev if e["type"]=="surface_changed"]; al=[e for e in ev if e["type"]=="alert" and e["source"]=="surface"]'
}
at_least() { [[ $(count "$1") -ge $2 ]]; }
sets='len(set(e["change_set"] for e in sc))'
rules='" ".join(sorted(set(a["rule"] + "/" + a["severity"] for a in al if not a["preexisting"])))'
twice='len(sc) - len(set((e["change_set"], e["item"]["kind"], e["item"]["id"], e["change"]) for e in sc))'

# --- dir mode, natively ---------------------------------------------------------------------------
/usr/bin/python3 "$FIX" "$T/surf" clean
agent_config "$T/a.json" "$T/adata" "[ { \"type\": \"surface\", \"dir\": \"$T/surf\", \"debounce_ms\": 300, \"interval_ms\": 600000 } ]"
"$AGENT" run --config "$T/a.json" >"$T/a.log" 2>&1 &
APID=$!
EXTRA_PIDS="$APID"
check "baseline: the first reading is one change set" wait_until 20 at_least "$sets" 1
eq "baseline: every item reported added once, marked baseline" \
   "$(count 'len(sc), all(e["change"]=="added" and e["baseline"] for e in sc), len(al)')" "(7, True, 0)"
eq "baseline: items carry their values as exported" \
   "$(count '[v["data"] for e in sc if e["item"]["kind"]=="qos" for v in e["item"]["values"] if v["name"]=="DSCP Value"][0]')" '"46"'
/usr/bin/python3 "$FIX" "$T/surf" silenced
check "silenced: the folder's change notification leads to a second change set" wait_until 20 at_least "$sets" 2
check "silenced: an alert per technique" wait_until 10 at_least 'len([a for a in al if not a["preexisting"]])' 6
eq "silenced: the rules that fired" "$(count "$rules")" \
   "hosts-relocated/high hosts-sinkhole/critical nrpt-sinkhole/critical proxy-local/high qos-throttle/critical route-blackhole/critical"
eq "silenced: the alert carries the item it is about" \
   "$(count '[a["surface_item"]["kind"] + " " + a["surface_item"]["key"].rsplit(chr(92),1)[1] for a in al if a["rule"]=="nrpt-sinkhole"][0]')" \
   "nrpt {E16C9E47-6AAA-41BB-9219-CDBB6BF37AE7}"
eq "silenced: the QoS alert names the throttled program" "$(count '[a["target"]["process"] for a in al if a["rule"]=="qos-throttle"][0]')" "MsSense.exe"
eq "silenced: the changed proxy is reported with its previous value" \
   "$(count '[e["previous"]["summary"] + " -> " + e["item"]["summary"] for e in sc if e["change"]=="changed" and e["item"]["kind"]=="proxy"][0]')" \
   "WinHTTP proxy proxy.corp.example:8080 -> WinHTTP proxy 127.0.0.1:8080"
eq "silenced: read after the notification, not by the 10-minute timer (one set per change)" "$(count "$sets")" 2
kill -TERM "$APID"; wait "$APID"
eq "stop: SIGTERM exits 0" "$?" 0
EXTRA_PIDS=""

# changed while the agent was down: the hosts sinkhole goes, a new NRPT catch-all arrives
sed -i '/cloudsink/d' "$T/surf/hosts"
/usr/bin/python3 -c '
import sys; sys.path.insert(0, sys.argv[1]); import surface_fixtures as f
f.reg(sys.argv[2] + "/catchall.reg", "[" + f.NRPT + "\\{5}]\n\"Name\"=\".\"\n\"GenericDNSServers\"=\"127.0.0.1\"\n\"ConfigOptions\"=dword:8\n")' \
    "$ROOT/tests/integration" "$T/surf"
before=$(count 'len(sc) + len(al)')
"$AGENT" run --config "$T/a.json" >"$T/a2.log" 2>&1 &
APID=$!
EXTRA_PIDS="$APID"
check "restart: what changed while the agent was down is one change set" wait_until 20 at_least "$sets" 3
check "restart: the catch-all sinkhole is alerted" wait_until 10 at_least \
    'len([a for a in al if a["rule"]=="nrpt-sinkhole" and "every name" in a["title"]])' 1
eq "restart: the removed hosts entry is reported removed" \
   "$(count '[e["item"]["id"] for e in sc if e["change"]=="removed" and e["change_set"]==sc[-1]["change_set"]]')" "['ts01-b.cloudsink.net 127.0.0.1']"
eq "restart: that set is the removal and the addition, nothing else" "$(count 'len(sc) + len(al)')" $((before + 3))
kill -TERM "$APID"; wait "$APID"
EXTRA_PIDS=""
eq "restart: nothing stored twice" "$(count "$twice")" 0

# a change set whose events the spool never confirmed (the agent died between keeping the state
# and spooling them; made here by moving the set's positions past what was spooled): the next
# start hands it over again — once
st=$(ls "$T/adata"/surface.*.state)
/usr/bin/python3 - "$st" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["base"] += 1000
d["change_set"] = "0d9f6a1e-5c3b-4e27-8a4d-1f2e3c4b5a69"
json.dump(d, open(sys.argv[1], "w"))
PY
"$AGENT" run --config "$T/a.json" >"$T/a3.log" 2>&1 &
APID=$!
EXTRA_PIDS="$APID"
check "replay: the unconfirmed set is handed over again" wait_until 20 at_least \
    'len([e for e in sc if e["change_set"]=="0d9f6a1e-5c3b-4e27-8a4d-1f2e3c4b5a69"])' 2
sleep 1
kill -TERM "$APID"; wait "$APID"
"$AGENT" run --config "$T/a.json" >"$T/a4.log" 2>&1 &
APID=$!
EXTRA_PIDS="$APID"
sleep 3
kill -TERM "$APID"; wait "$APID"
EXTRA_PIDS=""
eq "replay: its events once, even after another restart" \
   "$(count 'len([e for e in sc if e["change_set"]=="0d9f6a1e-5c3b-4e27-8a4d-1f2e3c4b5a69"])')" 2
check "replay: the log says so" grep -q 'not all spooled before the stop: handed over again' "$T/a3.log"

# a malformed file: the reading fails naming file and line; nothing is stored from it
good=$(count "$sets")
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n"v"=dword:zz\r\n' >"$T/surf/bad.reg"
"$AGENT" run --config "$T/a.json" >"$T/a5.log" 2>&1 &
APID=$!
EXTRA_PIDS="$APID"
check "malformed: reported in the log with file and line" wait_until 10 grep -q 'surf/bad.reg:4: dword: needs' "$T/a5.log"
kill -TERM "$APID"; wait "$APID"
EXTRA_PIDS=""
eq "malformed: no change set from it" "$(count "$sets")" "$good"
rm "$T/surf/bad.reg"

# --- who did it: 4657 read by the eventlog source names the program on the surface's events ---------
# The event-log stand-in (wfpwatch-agent-fakewin, tests/agent/evtxml/fake-evtlog.c) plays the
# Security log: a tool starts (4688), writes an NRPT sinkhole (4657, as Windows writes it for a
# key whose SACL audits Set Value) and exits; the surface source, reading collected files here,
# sees the rule appear and its events say who wrote it, from the 4688 since the tool is gone.
FAKE=$BUILD/tests/wfpwatch-agent-fakewin
/usr/bin/python3 "$FIX" "$T/who" clean
echo '<Events>' >"$T/Security.xml"
agent_config "$T/w.json" "$T/wdata" "[ { \"type\": \"surface\", \"dir\": \"$T/who\", \"debounce_ms\": 300, \"interval_ms\": 600000 },
    { \"type\": \"eventlog\", \"retry_ms\": 300 } ]"
before_who=$(count "$sets")
WFPW_FAKE_EVTLOG="$T/Security.xml" "$FAKE" run --config "$T/w.json" >"$T/w.log" 2>&1 &
APID=$!
EXTRA_PIDS="$APID"
check "who: the baseline of the collected files arrives" wait_until 20 at_least "$sets" $((before_who + 1))
check "who: the Security log is subscribed" wait_until 10 grep -q 'subscribed to the Security log' "$T/w.log"
/usr/bin/python3 - "$T/Security.xml" <<'PY'
import datetime, sys
now = datetime.datetime.now(datetime.timezone.utc)
t = lambda d: (now + datetime.timedelta(seconds=d)).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")
head = ("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
        "<Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-A5BA-3E3B0328C30D}'/>"
        "<EventID>%d</EventID><Version>%d</Version><Level>0</Level><Task>%d</Task><Opcode>0</Opcode>"
        "<Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='%s'/><EventRecordID>%d</EventRecordID>"
        "<Channel>Security</Channel><Computer>WS-FIN-0042</Computer></System><EventData>")
d = lambda n, v: "<Data Name='%s'>%s</Data>" % (n, v)
subj = d("SubjectUserSid", "S-1-5-21-1-2-3-1104") + d("SubjectUserName", "adm-jdoe") + d("SubjectDomainName", "CORP")
ev4688 = (head % (4688, 2, 13312, t(-1), 9001) + subj + d("SubjectLogonId", "0x3e7") + d("NewProcessId", "0x1a2c")
          + d("NewProcessName", r"C:\Users\Public\nrpt.exe") + d("TokenElevationType", "%%1936") + d("ProcessId", "0x1394")
          + d("CommandLine", "nrpt.exe --sinkhole .cloudsink.net") + d("TargetUserSid", "S-1-0-0")
          + d("ParentProcessName", r"C:\Windows\System32\cmd.exe") + "</EventData></Event>")
key = r"\REGISTRY\MACHINE\SYSTEM\ControlSet001\Services\Dnscache\Parameters\DnsPolicyConfig\{7}"
ev4657 = lambda rec, value: (head % (4657, 0, 12801, t(0), rec) + subj + d("SubjectLogonId", "0x364eb") + d("ObjectName", key)
          + d("ObjectValueName", value) + d("HandleId", "0x54") + d("OperationType", "%%1904") + d("OldValueType", "-")
          + d("OldValue", "-") + d("NewValueType", "%%1873") + d("NewValue", "x") + d("ProcessId", "0x1a2c")
          + d("ProcessName", r"C:\Users\Public\nrpt.exe") + "</EventData></Event>")
with open(sys.argv[1], "a") as f:
    f.write(ev4688 + "\n" + ev4657(9002, "Name") + "\n" + ev4657(9003, "GenericDNSServers") + "\n")
PY
sleep 1
/usr/bin/python3 -c '
import sys; sys.path.insert(0, sys.argv[1]); import surface_fixtures as f
f.reg(sys.argv[2] + "/sinkhole.reg", "[" + f.NRPT + "\\{7}]\n\"Name\"=\".cloudsink.net\"\n\"GenericDNSServers\"=\"127.0.0.1\"\n\"ConfigOptions\"=dword:8\n")' \
    "$ROOT/tests/integration" "$T/who"
who_alert='[a for a in al if a["rule"]=="nrpt-sinkhole" and "{7}" in a["surface_item"]["key"]]'
check "who: the sinkhole's alert arrives" wait_until 20 at_least "len($who_alert)" 1
eq "who: the alert names the program that wrote the rule (gone; from its 4688) and the registry change" \
   "$(count "[(a['changed_by']['process']['image'], a['changed_by']['process']['resolved_from'], a['changed_by']['process']['command_line'], a['changed_by']['user'], a['changed_by']['origin']['event_id'], a['changed_by']['registry']['operation']) for a in $who_alert][0]")" \
   "('C:\\\\Users\\\\Public\\\\nrpt.exe', 'process_creation_event', 'nrpt.exe --sinkhole .cloudsink.net', 'CORP\\\\adm-jdoe', 4657, 'created')"
eq "who: the rule's surface_changed event says the same" \
   "$(count '[e["changed_by"]["process_id"] for e in sc if e["change"]=="added" and "{7}" in (e["item"]["key"] or "")]')" "[6700]"
kill -TERM "$APID"; wait "$APID"
EXTRA_PIDS=""

# --- a proxy that does not answer: tried when it appears or changes ------------------------------
# Not a loopback proxy (proxy-local judges those), so this host's own network address: a port
# where nothing listens is refused (alert), one where a listener answers is quiet. The first
# reading (baseline) tries nothing.
ip=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -1)
if [[ -n $ip ]]; then
    read -r open_port closed_port < <(/usr/bin/python3 -c '
import socket
a = socket.socket(); a.bind(("0.0.0.0", 0)); b = socket.socket(); b.bind(("0.0.0.0", 0))
print(a.getsockname()[1], b.getsockname()[1])')
    /usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(16)
time.sleep(600)' "$open_port" &
    LPID=$!
    /usr/bin/python3 "$FIX" "$T/px" clean
    agent_config "$T/p.json" "$T/pdata" "[ { \"type\": \"surface\", \"dir\": \"$T/px\", \"debounce_ms\": 300, \"interval_ms\": 600000, \"proxy_probe_ms\": 3000 } ]"
    before_px=$(count "$sets")
    "$AGENT" run --config "$T/p.json" >"$T/p.log" 2>&1 &
    APID=$!
    EXTRA_PIDS="$APID $LPID"
    check "proxy: the baseline arrives (its corporate proxy is not tried)" wait_until 20 at_least "$sets" $((before_px + 1))
    unanswered='[a for a in al if a["rule"]=="proxy-unreachable"]'
    /usr/bin/python3 -c '
import sys; sys.path.insert(0, sys.argv[1]); import surface_fixtures as f
f.reg(sys.argv[2] + "/winhttp.reg", "[" + f.CONN + "]\n\"WinHttpSettings\"=" + f.winhttp(sys.argv[3]) + "\n")' \
        "$ROOT/tests/integration" "$T/px" "$ip:$closed_port"
    check "proxy: a WinHTTP proxy where nothing listens raises proxy-unreachable" wait_until 20 at_least "len($unanswered)" 1
    eq "proxy: the alert names the endpoint, why, and the item" \
       "$(count "[(a['severity'], a['title'].endswith('$ip:$closed_port does not answer'), 'refused' in a['details'], a['surface_item']['kind'], a['preexisting']) for a in $unanswered][0]")" \
       "('high', True, True, 'proxy', False)"
    /usr/bin/python3 -c '
import sys; sys.path.insert(0, sys.argv[1]); import surface_fixtures as f
f.reg(sys.argv[2] + "/winhttp.reg", "[" + f.CONN + "]\n\"WinHttpSettings\"=" + f.winhttp(sys.argv[3]) + "\n")' \
        "$ROOT/tests/integration" "$T/px" "$ip:$open_port"
    check "proxy: the change to a proxy that answers is read" wait_until 20 at_least \
        "len([e for e in sc if e['change']=='changed' and '$ip:$open_port' in e['item']['summary']])" 1
    sleep 4  # longer than proxy_probe_ms: an answer that did not come would be an alert by now
    eq "proxy: a proxy that answers is quiet" "$(count "len($unanswered)")" 1
    hb_px() { fetch_stored; grep -q '"proxies_tried":2,"proxies_unanswered":1,"proxy_tries_skipped":0' "$T/stored"; }
    check "proxy: heartbeats count two tries, one unanswered" wait_until 10 hb_px
    kill -TERM "$APID"; wait "$APID"
    kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null
    EXTRA_PIDS=""
else
    bad "proxy: this host has no global IPv4 address to stand in for a network proxy"
fi

# --- restore-system reads surface.sacl as a hostile file -----------------------------------------
mkdir -p "$T/rs"
printf '1 SOFTWARE\\Policies\r\n\r\njunk line\n0 \n2 SYSTEM\\X\n' >"$T/rs/surface.sacl"
"$AGENT" restore-system --data "$T/rs" >"$T/rs.out" 2>"$T/rs.err"
eq "restore-system: a bad surface.sacl exits 1" "$?" 1
check "restore-system: names each bad line" sh -c "grep -c 'is not \"0|1 KEY\"' '$T/rs.err' | grep -qx 3"
check "restore-system: a CRLF line is read (here: Windows-only, said)" grep -qF 'registry auditing (SACLs) exists on Windows only' "$T/rs.err"
check "restore-system: the file is kept for another try" test -s "$T/rs/surface.sacl"

# --- live mode on Linux: Windows-only, said once ---------------------------------------------------
agent_config "$T/l.json" "$T/ldata" '[ { "type": "surface" } ]'
timeout 30 "$AGENT" run --config "$T/l.json" --until-drained >"$T/l.log" 2>&1
eq "Linux: the live mode finishes at once (nothing to drain) and exits 0" "$?" 0
eq "Linux: 'Windows only' said once" "$(grep -c 'read on Windows only' "$T/l.log")" 1

# --- the Windows .exe under Wine: the live registry and hosts file -------------------------------
EXE=$ROOT/build/win64/agent/wfpwatch-agent.exe
WINE=/usr/lib/wine/wine64
export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/wfpwatch/wineprefix} WINEDEBUG=-all
if [[ -x $WINE && -f $EXE ]]; then
    wine_up
    trap '/usr/lib/wine/wineserver -k; cleanup' EXIT
    N='HKLM\SYSTEM\CurrentControlSet\Services\Dnscache\Parameters\DnsPolicyConfig'
    Q='HKLM\SOFTWARE\Policies\Microsoft\Windows\QoS'
    R='{E16C9E47-6AAA-41BB-9219-CDBB6BF37AE7}'
    HOSTS="$WINEPREFIX/drive_c/windows/system32/drivers/etc/hosts"
    "$WINE" reg delete "$N" /f >/dev/null 2>&1; "$WINE" reg delete "$Q" /f >/dev/null 2>&1
    cp "$HOSTS" "$T/hosts.saved" 2>/dev/null || : >"$T/hosts.saved"
    trap '"$WINE" reg delete "$N" /f >/dev/null 2>&1; "$WINE" reg delete "$Q" /f >/dev/null 2>&1; cp "$T/hosts.saved" "$HOSTS"; /usr/lib/wine/wineserver -k; cleanup' EXIT
    "$WINE" reg add "$N" /f >/dev/null 2>&1
    agent_config "$T/x.json" "Z:$T/xdata" '[ { "type": "surface", "debounce_ms": 300, "interval_ms": 600000 } ]'
    sed -i -e "s#\"$T/pki#\"Z:$T/pki#g" "$T/x.json"
    reset_host
    timeout 120 "$WINE" "$EXE" run --config "Z:$T/x.json" >"$T/x.log" 2>&1 &
    WPID=$!
    EXTRA_PIDS="$WPID"
    check "Wine: the baseline reading arrives" wait_until 40 at_least "$sets" 1
    base=$(count 'len(sc)')
    eq "Wine: reg add wrote the NRPT rule" "$(wine_reg_adds "$N\\$R" ConfigOptions REG_DWORD 8 \
        "$N\\$R" GenericDNSServers REG_SZ 127.0.0.1 "$N\\$R" Name REG_MULTI_SZ .endpoint.security.microsoft.com)" 3
    check "Wine: the registry change notification brings the NRPT sinkhole alert" wait_until 30 at_least \
        'len([a for a in al if a["rule"]=="nrpt-sinkhole" and a["severity"]=="critical" and not a["preexisting"]])' 1
    eq "Wine: reg add wrote the QoS policy" "$(wine_reg_adds "$Q\\1A2B3C4D" 'Application Name' REG_SZ SentinelAgent.exe \
        "$Q\\1A2B3C4D" ThrottleRate REG_QWORD 1)" 2
    check "Wine: a QoS throttle on SentinelAgent.exe is alerted" wait_until 30 at_least \
        'len([a for a in al if a["rule"]=="qos-throttle" and a["target"]["process"]=="SentinelAgent.exe"])' 1
    printf '127.0.0.1 ts01-b.cloudsink.net\r\n' >>"$HOSTS"
    check "Wine: a hosts-file sinkhole is alerted (folder change notification)" wait_until 30 at_least \
        'len([a for a in al if a["rule"]=="hosts-sinkhole"])' 1
    eq "Wine: read on notifications, not the 10-minute timer (4 change sets)" "$(count "$sets")" 4
    # registry auditing: the audit entry in the SACL of the keys that exist (Wine keeps a key's
    # security descriptor), listed for restore-system
    check "Wine: audit entries (Everyone, Set Value) added to the surface keys' SACLs" \
        grep -qE 'registry auditing: an audit entry \(Everyone, Set Value\) added to [1-9][0-9]* key' "$T/x.log"
    nsacl=$(grep -cE '^[01] ' "$T/xdata/surface.sacl" 2>/dev/null)
    check "Wine: the keys given an entry are listed in surface.sacl" test "${nsacl:-0}" -ge 3
    check "Wine: SOFTWARE\\Policies is audited with inheritance (a new NRPT or QoS subkey inherits it)" \
        grep -qx '1 SOFTWARE\\Policies' "$T/xdata/surface.sacl"
    kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null  # (a Unix signal is no Windows console event)
    "$WINE" reg delete "$N\\$R" /f >/dev/null 2>&1
    timeout 120 "$WINE" "$EXE" run --config "Z:$T/x.json" >"$T/x2.log" 2>&1 &
    WPID=$!
    EXTRA_PIDS="$WPID"
    check "Wine: the rule deleted while the agent was down is reported removed" wait_until 40 at_least \
        'len([e for e in sc if e["change"]=="removed" and e["item"]["kind"]=="nrpt"])' 1
    kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null
    check "Wine: the second start finds its audit entries in place (read back from the SACL), adds none" \
        grep -qE 'registry auditing: an audit entry \(Everyone, Set Value\) added to 0 keys, already there on '"$nsacl"',' "$T/x2.log"
    "$WINE" "$EXE" restore-system --data "Z:$T/xdata" >"$T/restore.out" 2>&1
    eq "Wine: restore-system exits 0" "$?" 0
    eq "Wine: restore-system removes every audit entry it added" \
        "$(grep -c 'registry auditing: the audit entry on HKLM\\.* removed' "$T/restore.out")" "$nsacl"
    check "Wine: and forgets them" test ! -e "$T/xdata/surface.sacl"
    # an entry taken out while the agent runs is noticed at the next periodic reading and put back
    agent_config "$T/y.json" "Z:$T/xdata" '[ { "type": "surface", "debounce_ms": 300, "interval_ms": 2000 } ]'
    sed -i -e "s#\"$T/pki#\"Z:$T/pki#g" "$T/y.json"
    timeout 120 "$WINE" "$EXE" run --config "Z:$T/y.json" >"$T/y.log" 2>&1 &
    WPID=$!
    EXTRA_PIDS="$WPID"
    check "Wine: running again, the entries are added" wait_until 40 grep -qE 'added to [1-9][0-9]* key' "$T/y.log"
    "$WINE" "$EXE" restore-system --data "Z:$T/xdata" >"$T/restore2.out" 2>&1
    check "Wine: taken out behind the agent's back, the entries are noticed gone and put back" wait_until 30 \
        grep -qE 'registry auditing: the audit entry was gone from [1-9][0-9]* key' "$T/y.log"
    kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null
    EXTRA_PIDS=""
    "$WINE" "$EXE" restore-system --data "Z:$T/xdata" >"$T/restore3.out" 2>&1
    eq "Wine: and restore-system takes them out again at the end" "$?" 0
    EXTRA_PIDS=""
    eq "Wine: nothing stored twice" "$(count "$twice")" 0
    check "Wine: no error logged" sh -c "! grep -q 'error' '$T/x.log' '$T/x2.log'"

    # The live route table: Wine's GetIpForwardTable2 reads Linux's (through its nsiproxy), so
    # routes made with `ip route` in a network namespace of the test's own are what the .exe
    # reads: on-link over loopback, on-link over an Ethernet (veth) link and to a loopback
    # gateway are black holes; via a LAN router it is a doubt (medium); over a tunnel is how a
    # VPN looks (quiet).
    # A fresh wineserver inside the namespace, so its nsiproxy sees these routes.
    /usr/lib/wine/wineserver -k
    if unshare -n true 2>/dev/null; then
        unshare -n bash -c '
            set -e
            ip link set lo up
            ip link add v0 type veth peer name v1
            ip addr add 10.9.9.1/24 dev v0
            ip link set v0 up; ip link set v1 up
            ip tuntap add dev t0 mode tun; ip link set t0 up
            ip route add 52.25.223.26/32 dev lo
            ip route add 52.33.193.184/32 dev v0
            ip route add 54.68.92.116/32 via 127.0.0.1 dev lo
            ip route add 52.35.162.27/32 via 10.9.9.254
            ip route add 52.35.11.124/32 dev t0
            set +e
            "$0" "$1" analyze --surface live --format json >"$2/routes.json" 2>"$2/routes.err"
            echo $? >"$2/routes.rc"
            /usr/lib/wine/wineserver -k' "$WINE" "$EXE" "$T"
        eq "routes: analyze --surface live exits 3 (a new critical finding)" "$(cat "$T/routes.rc" 2>/dev/null)" 3
        eq "routes: the black holes and the LAN router, and only they, are found (the registry's findings above aside)" "$(/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(" ".join(sorted(f["rule"] + "/" + f["severity"] + ":" + f["target"] for f in r["findings"]
                      if f["item"]["kind"] == "route")))' "$T/routes.json" 2>&1)" \
            "route-blackhole/critical:52.25.223.26/32 route-blackhole/critical:52.33.193.184/32 route-blackhole/critical:54.68.92.116/32 route-blackhole/medium:52.35.162.27/32"
        eq "routes: the tunnel's route was read (quiet, not missing)" "$(/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(sorted(i["summary"].split(" via ")[0] for i in r["items"] if i["kind"] == "route" and ("52.35.11" in i["summary"])))' "$T/routes.json" 2>&1)" \
            "['active route 52.35.11.124/32']"
    else
        bad "routes: unshare -n (a network namespace) is not available here: the route table cannot be tested"
    fi
else
    bad "Wine: wine64 or the Windows build is missing (tests/run.sh builds it before this suite)"
fi
finish
