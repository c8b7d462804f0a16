#!/usr/bin/env bash
# test-analyze.sh — `wfpwatch-agent analyze`, the offline analyzer responders run on a netsh
# dump: quiet on an ordinary host's dumps, critical on an EDRSilencer v1.4 dump, exit codes
# 0/2/3, JSON whose filters are valid proto v1 filter objects, baselines, and clear errors.
# Our own dumps only (tests/data/netsh); conformance-analyze.sh repeats the host checks on the
# real dumps of ../shared.
. "$(dirname "$0")/lib.sh"

AGENT=$BUILD/agent/wfpwatch-agent
D=$ROOT/tests/data/netsh

out=$("$AGENT" analyze --filters "$D/host-filters.xml"); rc=$?
eq "host filters dump: exit 0" "$rc" 0
check "host filters dump: no finding" grep -q '11 filters (netsh wfp show filters): 0 critical, 0 high, 0 medium, 0 low new' <<<"$out"
"$AGENT" analyze --filters "$D/host-state.xml" --format json >"$T/state.json"; rc=$?
eq "host state dump (with netsh's trailing <firewallState>): exit 0" "$rc" 0
eq "host state dump: summary" "$(jq_ 'd["summary"]["filters"], d["summary"]["sublayers"], len(d["findings"])' <"$T/state.json")" "4 9 0"

"$AGENT" analyze --filters "$D/edrsilencer-v14.xml" --format json >"$T/v14.json"; rc=$?
eq "EDRSilencer v1.4 dump: exit 3 (a finding at or above high)" "$rc" 3
eq "two critical app-id blocks (V4 and V6 twins)" \
   "$(jq_ 'sum(1 for f in d["findings"] if f["rule"] == "edr-app-block" and f["severity"] == "critical")' <"$T/v14.json")" 2
eq "impersonating provider named" \
   "$(jq_ 'sum(1 for f in d["findings"] if f["rule"] == "provider-impersonation")' <"$T/v14.json")" 2
eq "target is the Defender executable" \
   "$(jq_ 'd["findings"][0]["target"].endswith("msmpeng.exe")' <"$T/v14.json")" True
check "every finding's filter is a valid proto v1 filter" /usr/bin/python3 -c '
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
v = Draft202012Validator({**schema["$defs"]["filter"], "$defs": schema["$defs"]})
d = json.load(open(sys.argv[2]))
errs = [e.message for f in d["findings"] for e in v.iter_errors(f["filter"])]
print(errs[:3]); sys.exit(1 if errs or not d["findings"] else 0)' "$ROOT/proto/schema/wfpwatch-batch-v1.json" "$T/v14.json"

# a JSON inventory (the collector's /api/v1/hosts/{host}/filters answer) works the same way
/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = [e["filter"] for e in d["events"] if e["type"] == "filter_added"][0]
json.dump({"host": "WS-FIN-0042", "filters": [f]}, open(sys.argv[2], "w"))' "$ROOT/tests/data/proto/golden/all.json" "$T/inv.json"
"$AGENT" analyze --filters "$T/inv.json" --format json >"$T/inv-out.json"; rc=$?
eq "JSON inventory with the golden silencer filter: exit 3" "$rc" 3
eq "its finding is the critical app-id block" "$(jq_ 'd["findings"][0]["rule"], d["findings"][0]["severity"], d["summary"]["source"]' <"$T/inv-out.json")" "edr-app-block critical JSON inventory"
printf '{"filters":[{"key":"nope"}]}' >"$T/badinv.json"
err=$("$AGENT" analyze --filters "$T/badinv.json" 2>&1); rc=$?
eq "malformed JSON inventory: exit 2" "$rc" 2
check "and the error names the field ($err)" grep -q 'filters\[0\].key: expected a GUID' <<<"$err"

"$AGENT" analyze --filters "$D/conditions.xml" --fail-on critical >/dev/null; rc=$?
eq "--fail-on critical with only high findings: exit 0" "$rc" 0
"$AGENT" analyze --filters "$D/conditions.xml" --fail-on low >/dev/null; rc=$?
eq "--fail-on low: exit 3" "$rc" 3
"$AGENT" analyze --filters "$D/edrsilencer-v14.xml" --baseline "$D/edrsilencer-v14.xml" --format json >"$T/base.json"; rc=$?
eq "filters already in the baseline do not fail the run" "$rc" 0
eq "and are marked pre-existing" "$(jq_ 'all(f["preexisting"] for f in d["findings"]) and len(d["findings"]) > 0' <"$T/base.json")" True
"$AGENT" analyze --filters "$D/edrsilencer-v14.xml" --baseline "$D/host-filters.xml" >/dev/null; rc=$?
eq "filters added since the baseline fail the run" "$rc" 3
"$AGENT" analyze --filters "$D/host-filters.xml" --collector 10.0.0.1:8443 --product xyz.exe --endpoint 1.2.3.0/24 >/dev/null; rc=$?
eq "configuration options accepted" "$rc" 0

head -c 3000 "$D/edrsilencer-v14.xml" >"$T/cut.xml"
err=$("$AGENT" analyze --filters "$T/cut.xml" 2>&1 >/dev/null); rc=$?
eq "truncated dump: exit 2" "$rc" 2
check "and the error names line and element ($err)" grep -Eq 'line [0-9]+, <[a-zA-Z]+>: the document ends here' <<<"$err"
err=$("$AGENT" analyze --filters "$T/nonexistent.xml" 2>&1); rc=$?
eq "missing file: exit 2" "$rc" 2
"$AGENT" analyze --filters "$D/conditions.xml" --bogus 1 >/dev/null 2>&1; rc=$?
eq "unknown option: exit 2" "$rc" 2
"$AGENT" analyze --filters "$D/conditions.xml" --fail-on extreme >/dev/null 2>&1; rc=$?
eq "bad --fail-on: exit 2" "$rc" 2
finish
