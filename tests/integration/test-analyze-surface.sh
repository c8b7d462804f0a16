#!/usr/bin/env bash
# test-analyze-surface.sh — `wfpwatch-agent analyze --surface DIR`, the offline analyzer for
# silencing outside WFP, on what a responder collects (`reg export` files, UTF-16LE, and the
# hosts file): quiet on an ordinary host's files (corporate proxy, VoIP QoS, split DNS, an
# ad-blocking hosts list, a corporate route), a finding per technique on a silenced host,
# baselines, exit codes 0/2/3 and errors naming file and line. Then under Wine: registry values
# written with Wine's `reg add` and exported with its `reg export` are read by the native
# agent and by the Windows .exe, with the same verdicts.
. "$(dirname "$0")/lib.sh"

AGENT=$BUILD/agent/wfpwatch-agent
mkdir -p "$T/clean" "$T/silenced" "$T/bad"

/usr/bin/python3 "$ROOT/tests/integration/surface_fixtures.py" "$T/clean" clean
/usr/bin/python3 "$ROOT/tests/integration/surface_fixtures.py" "$T/silenced" silenced

out=$("$AGENT" analyze --surface "$T/clean"); rc=$?
eq "ordinary host (split DNS, VoIP QoS, corporate proxy and route, ad-blocking hosts): exit 0" "$rc" 0
check "ordinary host: no finding, every item read" grep -q '5 files, 7 items (1 NRPT, 2 hosts, 1 proxy, 1 QoS, 1 route, 1 other): 0 critical, 0 high, 0 medium, 0 low new' <<<"$out"
check "a value no rule reads is shown (DefaultConnectionSettings)" grep -q "1 value no rule reads (first: 'DefaultConnectionSettings')" <<<"$out"

"$AGENT" analyze --surface "$T/silenced" --format json >"$T/s.json"; rc=$?
eq "silenced host: exit 3" "$rc" 3
eq "one finding per technique" "$(jq_ '" ".join(sorted(f["rule"] + "/" + f["severity"] for f in d["findings"]))' <"$T/s.json")" \
   "hosts-relocated/high hosts-sinkhole/critical nrpt-sinkhole/critical proxy-local/high qos-throttle/critical route-blackhole/critical"
eq "the NRPT finding names the rule's file and line" \
   "$(jq_ '[f["item"]["file"].rsplit("/",1)[1] + ":" + str(f["item"]["line"]) for f in d["findings"] if f["rule"] == "nrpt-sinkhole"][0]' <"$T/s.json")" "nrpt.reg:11"
eq "the hosts finding names its line and target" \
   "$(jq_ '[str(f["item"]["line"]) + " " + f["target"] for f in d["findings"] if f["rule"] == "hosts-sinkhole"][0]' <"$T/s.json")" "4 *.cloudsink.net (CrowdStrike Falcon)"
eq "values shown as the export has them" \
   "$(jq_ '[v["data"] for f in d["findings"] if f["rule"] == "qos-throttle" for v in f["item"]["values"] if v["name"] == "ThrottleRate"][0]' <"$T/s.json")" "qword:1"

"$AGENT" analyze --surface "$T/silenced" --baseline "$T/clean" --format json >"$T/b.json"; rc=$?
eq "against the ordinary host's baseline: exit 3" "$rc" 3

# `live` reads this host through the platform layer: Windows only, said, exit 2; a folder
# named live is ./live
"$AGENT" analyze --surface live >"$T/live.out" 2>"$T/live.err"
eq "--surface live on Linux: exit 2" "$?" 2
check "--surface live on Linux: says it is Windows-only" grep -q "the live surface: .*read on Windows only" "$T/live.err"
mkdir -p "$T/cwd/live" && cp "$T/clean/"* "$T/cwd/live/"
(cd "$T/cwd" && "$AGENT" analyze --surface ./live >/dev/null 2>&1)
eq "a folder called live, given as ./live, is read as a folder" "$?" 0
eq "baseline: NRPT rule, QoS policy, route, hosts path and hosts entry added; proxy changed; its other value gone" \
   "$(jq_ 'd["summary"]["added"], d["summary"]["changed"], d["summary"]["removed"], d["summary"]["preexisting"]' <"$T/b.json")" "5 1 1 0"
"$AGENT" analyze --surface "$T/silenced" --baseline "$T/silenced" >"$T/self.txt"; rc=$?
eq "against itself: exit 0 (everything pre-existing)" "$rc" 0
check "and says so" grep -q '0 critical, 0 high, 0 medium, 0 low new; 6 pre-existing' "$T/self.txt"
"$AGENT" analyze --surface "$T/silenced" --fail-on critical >/dev/null; rc=$?
eq "--fail-on critical: exit 3" "$rc" 3
rm "$T/silenced/nrpt.reg" "$T/silenced/qos.reg" "$T/silenced/routes.reg" "$T/silenced/hosts"
"$AGENT" analyze --surface "$T/silenced" --fail-on critical >/dev/null; rc=$?
eq "--fail-on critical with only high findings left: exit 0" "$rc" 0

# malformed input: exit 2, file, line and fault named, nothing else printed
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n"v"=dword:xyz\r\n' >"$T/bad/bad.reg"
err=$("$AGENT" analyze --surface "$T/bad" 2>&1 >"$T/bad.out"); rc=$?
eq "malformed export: exit 2" "$rc" 2
check "names file, line and fault ($err)" grep -q 'bad/bad.reg:4: dword: needs 1 to 8 hexadecimal digits' <<<"$err"
eq "and prints no report" "$(wc -c <"$T/bad.out")" 0
rm "$T/bad/bad.reg"
printf '127.0.0.1 localhost\nts01-b.cloudsink.net 127.0.0.1\n' >"$T/bad/hosts"
err=$("$AGENT" analyze --surface "$T/bad" 2>&1 >/dev/null); rc=$?
eq "malformed hosts file: exit 2" "$rc" 2
check "names file and line ($err)" grep -q "bad/hosts:2: the first field 'ts01-b.cloudsink.net' is not an IPv4 or IPv6 address" <<<"$err"
mkdir -p "$T/empty"
err=$("$AGENT" analyze --surface "$T/empty" 2>&1); rc=$?
eq "a directory with nothing to read: exit 2" "$rc" 2
check "says so" grep -q 'no hosts file and no .reg file' <<<"$err"
"$AGENT" analyze --surface "$T/nonexistent" >/dev/null 2>&1; rc=$?
eq "missing directory: exit 2" "$rc" 2
"$AGENT" analyze --surface "$T/clean" --filters "$ROOT/tests/data/netsh/host-filters.xml" >/dev/null 2>&1; rc=$?
eq "--surface with --filters: exit 2" "$rc" 2

# Wine: its reg.exe writes the values and exports them; both builds read the export
EXE=$ROOT/build/win64/agent/wfpwatch-agent.exe
WINE=/usr/lib/wine/wine64
export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/wfpwatch/wineprefix} WINEDEBUG=-all
if [[ -x $WINE && -f $EXE ]]; then
    wine_up
    trap '/usr/lib/wine/wineserver -k; cleanup' EXIT
    N='HKLM\SYSTEM\CurrentControlSet\Services\Dnscache\Parameters\DnsPolicyConfig'
    Q='HKLM\SOFTWARE\Policies\Microsoft\Windows\QoS'
    "$WINE" reg delete "$N" /f >/dev/null 2>&1; "$WINE" reg delete "$Q" /f >/dev/null 2>&1
    eq "Wine: reg add wrote the NRPT and QoS values" "$(wine_reg_adds \
        "$N\\{E16C9E47-6AAA-41BB-9219-CDBB6BF37AE7}" Name REG_MULTI_SZ '.endpoint.security.microsoft.com\0endpoint.security.microsoft.com' \
        "$N\\{E16C9E47-6AAA-41BB-9219-CDBB6BF37AE7}" GenericDNSServers REG_SZ 127.0.0.1 \
        "$N\\{E16C9E47-6AAA-41BB-9219-CDBB6BF37AE7}" ConfigOptions REG_DWORD 8 \
        "$N\\{0A1B}" Name REG_MULTI_SZ .corp.example "$N\\{0A1B}" GenericDNSServers REG_SZ 10.0.0.53 \
        "$N\\{0A1B}" ConfigOptions REG_DWORD 8 \
        "$Q\\1A2B3C4D" 'Application Name' REG_SZ SentinelAgent.exe "$Q\\1A2B3C4D" ThrottleRate REG_QWORD 1)" 8
    mkdir -p "$T/wine"
    "$WINE" reg export "$N" "Z:$T/wine/nrpt.reg" /y >/dev/null 2>&1; rc1=$?
    "$WINE" reg export "$Q" "Z:$T/wine/qos.reg" /y >/dev/null 2>&1; rc2=$?
    eq "Wine: reg export of both keys" "$rc1 $rc2" "0 0"
    eq "Wine: the export is UTF-16LE with a byte order mark" "$(head -c 2 "$T/wine/nrpt.reg" | od -An -tx1 | tr -d ' ')" fffe
    "$AGENT" analyze --surface "$T/wine" --format json >"$T/wn.json"; rc=$?
    eq "native agent on Wine's export: exit 3" "$rc" 3
    "$WINE" "$EXE" analyze --surface "Z:$T/wine" --format json 2>"$T/we.err" | tr -d '\r' >"$T/we.json"; rc=${PIPESTATUS[0]}
    eq "Windows agent under Wine on the same export: exit 3" "$rc" 3
    verdicts='" ".join(sorted(f["rule"] + "/" + f["severity"] + ":" + f["title"] for f in d["findings"]))'
    eq "native verdicts" "$(jq_ "$verdicts" <"$T/wn.json")" \
       "nrpt-sinkhole/critical:NRPT rule sends .endpoint.security.microsoft.com to DNS server 127.0.0.1 qos-throttle/critical:QoS policy throttles security product SentinelAgent.exe"
    eq "the Windows build's verdicts are the native ones" "$(jq_ "$verdicts" <"$T/we.json" 2>&1)" "$(jq_ "$verdicts" <"$T/wn.json")"
    eq "native: the export's items (two NRPT rules, one QoS policy)" "$(jq_ 'd["summary"]["items"], d["summary"]["nrpt"], d["summary"]["qos"]' <"$T/wn.json")" "3 2 1"
    eq "the Windows build sees the same items" "$(jq_ 'd["summary"]["items"], d["summary"]["nrpt"], d["summary"]["qos"]' <"$T/we.json" 2>&1)" "3 2 1"
    "$WINE" reg delete "$N" /f >/dev/null 2>&1; "$WINE" reg delete "$Q" /f >/dev/null 2>&1
else
    bad "Wine: wine64 or the Windows build is missing (tests/run.sh builds it before this suite)"
fi
finish
