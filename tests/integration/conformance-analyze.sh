#!/usr/bin/env bash
# conformance-analyze.sh — the offline analyzer on the real `netsh wfp show filters|state`
# dumps in ../shared/samples/edrsilencer (third-party captures the repository does not carry):
# quiet on a real host, the state dump's objects counted, a real host as the baseline of an
# attack. Run by tests/run.sh's conformance suite only when ../shared/samples exists;
# test-analyze.sh checks the same on our own dumps.
. "$(dirname "$0")/lib.sh"

AGENT=$BUILD/agent/wfpwatch-agent
S=$ROOT/../shared/samples/edrsilencer
D=$ROOT/tests/data/netsh
if [[ ! -d "$S" ]]; then
    bad "conformance data missing: $S does not exist (run this only where ../shared is beside the repository)"
    finish
    exit 1
fi

out=$("$AGENT" analyze --filters "$S/netsh_wfp_show_filters.excerpt.xml"); rc=$?
eq "real filters dump: exit 0" "$rc" 0
check "real filters dump: no finding" grep -q '12 filters (netsh wfp show filters): 0 critical, 0 high, 0 medium, 0 low new' <<<"$out"
"$AGENT" analyze --filters "$S/netsh_wfp_show_state.excerpt.xml" --format json >"$T/state.json"; rc=$?
eq "real state dump: exit 0" "$rc" 0
eq "real state dump: summary" "$(jq_ 'd["summary"]["filters"], d["summary"]["sublayers"], len(d["findings"])' <"$T/state.json")" "3 29 0"
"$AGENT" analyze --filters "$D/edrsilencer-v14.xml" --baseline "$S/netsh_wfp_show_filters.excerpt.xml" >/dev/null; rc=$?
eq "filters added since a real baseline fail the run" "$rc" 3
"$AGENT" analyze --filters "$S/netsh_wfp_show_filters.excerpt.xml" --collector 10.0.0.1:8443 --product xyz.exe --endpoint 1.2.3.0/24 >/dev/null; rc=$?
eq "configuration options accepted on a real dump" "$rc" 0
finish
