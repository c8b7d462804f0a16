#!/usr/bin/env bash
# test-quickstart.sh — ./deploy/quickstart.sh, the README's first command, works: it builds,
# starts a collector (here on a free port with a scratch var/), a local agent replays the demo
# attack into it (alerts and enriched blocks readable through the API), the curl lines it prints
# work, and a second run restarts cleanly and stores nothing twice.
. "$(dirname "$0")/lib.sh"

qport=$(free_port)
export WFPW_VAR="$T/var" WFPW_QUICKSTART_LISTEN="127.0.0.1:$qport"
stopq() { [[ -f "$T/var/collector.pid" ]] && kill -TERM "$(cat "$T/var/collector.pid")" 2>/dev/null; sleep 1; }
trap 'stopq; cleanup' EXIT

"$ROOT/deploy/quickstart.sh" >"$T/q1.log" 2>&1; rc=$?
eq "quickstart exits 0" "$rc" 0
[[ $rc -eq 0 ]] || tail -n 30 "$T/q1.log"
check "collector running after quickstart" kill -0 "$(cat "$T/var/collector.pid" 2>/dev/null)"
check "the analyzer flags the demo attack" grep -q '42 filters (netsh wfp show filters): 2 critical, 2 high' "$T/q1.log"
check "and reports the difference to the baseline" grep -q 'since the baseline: 2 added, 0 removed, 0 changed' "$T/q1.log"
check "a local agent replays the whole demo capture" grep -q 'finished (74 events, 3 skipped, 0 errors)' "$T/q1.log"
check "and stops once everything is delivered" grep -q 'stopping (every source finished and was delivered)' "$T/q1.log"
eq "var/ is private" "$(stat -c %a "$T/var")" 700
eq "token file is private" "$(stat -c %a "$T/var/api.token")" 600
eq "agent config (it names the key file) is private" "$(stat -c %a "$T/var/agent.json")" 600

# what the agent delivered, read back through the API as a SIEM would
qapi() { curl -sS --cacert "$T/var/pki/ca.crt" -H "Authorization: Bearer $(cat "$T/var/api.token")" "https://localhost:$qport$1"; }
alerts=$(qapi '/api/v1/alerts?limit=100')
eq "both attack filters raise a critical edr-app-block alert" \
    "$(jq_ 'sorted(a["filter"]["id"] for a in d["alerts"] if a["rule"]=="edr-app-block" and a["severity"]=="critical")' <<<"$alerts")" "[324367, 324368]"
eq "the fake Microsoft provider is called out" \
    "$(jq_ 'sum(1 for a in d["alerts"] if a["rule"]=="provider-impersonation")' <<<"$alerts")" 2
eq "Defender cut off 20 times within a minute raises the burst alert" \
    "$(jq_ '[a["host"] for a in d["alerts"] if a["rule"]=="edr-block-burst"]' <<<"$alerts")" "['WS-FIN-0042']"
eq "the Security log's 5447 names who added the attack filters, on their alerts" \
    "$(jq_ 'sorted(set((a["filter"]["id"], a["changed_by"]["process_id"], a["changed_by"]["user"], a["changed_by"]["origin"]["event_id"]) for a in d["alerts"] if "changed_by" in a))' <<<"$alerts")" \
    "[(324367, 6120, 'CORP\\\\adm-jdoe', 5447), (324368, 6120, 'CORP\\\\adm-jdoe', 5447)]"
eq "and on their filter_added events (and on no other filter)" \
    "$(qapi '/api/v1/events?type=filter_added&limit=10000' | jq_ 'sorted(e["filter"]["id"] for e in d["events"] if "changed_by" in e)')" "[324367, 324368]"
eq "the alerts name the program that added the filters, from its 4688 (it had exited)" \
    "$(jq_ 'sorted(set((a["changed_by"]["process"]["resolved_from"], a["changed_by"]["process"]["image"], a["changed_by"]["process"]["command_line"]) for a in d["alerts"] if "changed_by" in a))' <<<"$alerts")" \
    "[('process_creation_event', 'C:\\\\Users\\\\Public\\\\fwtool.exe', 'fwtool.exe block MsMpEng.exe')]"
check "quickstart prints who added them" grep -q '"changed_by":{"process_id":6120,"user_sid":"S-1-5-21-3623811015-3361044348-30300820-1104","user":"CORP' "$T/q1.log"
blocks=$(qapi '/api/v1/events?type=connection_blocked&limit=1000')
eq "every blocked connection of the capture arrives once" "$(jq_ 'len(d["events"])' <<<"$blocks")" 26
eq "Defender's blocks are enriched with the attack filter and its provider" \
    "$(jq_ 'sorted(set((e["filter"]["id"], e["filter"]["name"], e["filter"]["provider"]["name"]) for e in d["events"] if "msmpeng" in e["process"]["path"]))' <<<"$blocks")" \
    "[(324367, 'Custom Outbound Filter', 'Microsoft Corporation'), (324368, 'Custom Outbound Filter', 'Microsoft Corporation')]"
eq "the ordinary block keeps its ordinary filter" \
    "$(jq_ 'sorted(set((e["filter"]["id"], e["verdict"]) for e in d["events"] if "contoso" in e["process"]["path"]))' <<<"$blocks")" \
    "[(100023, 'policy_block')]"
total=$(qapi /api/v1/hosts | jq_ '[h["events"] for h in d["hosts"] if h["host"]=="WS-FIN-0042"][0]')

# run the printed curl lines as a user would
line=$(grep -m1 "api/v1/events?limit=10" "$T/q1.log" | sed 's/^ *//')
out=$(WFPW_TOKEN=$(cat "$T/var/api.token") bash -c "$line")
eq "printed events query works" "$(jq_ 'len(d["events"])' <<<"$out")" 10
line=$(grep -m1 "/filters'" "$T/q1.log" | sed 's/^ *//')
out=$(WFPW_TOKEN=$(cat "$T/var/api.token") bash -c "$line")
eq "printed filters query: the host's whole inventory after the attack" "$(jq_ 'len(d["filters"])' <<<"$out")" 42
line=$(grep -m1 "/metrics'" "$T/q1.log" | sed 's/^ *//')
check "printed metrics query works (every stored event counted)" sh -c "$line | grep -qx 'wfpwatch_events_accepted_total $total'"

"$ROOT/deploy/quickstart.sh" >"$T/q2.log" 2>&1; rc=$?
eq "second run exits 0" "$rc" 0
check "second run restarts the collector" grep -q 'stopping the collector started by an earlier quickstart' "$T/q2.log"
check "second run reuses the CA" grep -q 'reusing the existing CA' "$T/q2.log"
check "second run: the agent resumes where it stopped" grep -q 'finished (0 events, 0 skipped, 0 errors)' "$T/q2.log"
eq "second run: no blocked connection stored twice" "$(qapi '/api/v1/events?type=connection_blocked&limit=1000' | jq_ 'len(d["events"])')" 26
eq "second run: no alert raised twice" "$(qapi '/api/v1/alerts?limit=100' | jq_ 'len(d["alerts"])')" "$(jq_ 'len(d["alerts"])' <<<"$alerts")"
finish
