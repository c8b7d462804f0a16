#!/bin/bash
# conformance-agent-e2e.sh — the real rendered Security events of ../shared/samples/events
# (third-party captures the repository does not carry) through the agent's replay source, the
# pipeline and the shipper into the real collector, between the two inventories of the demo
# capture: the same checks as section 8 of test-agent-e2e.sh, which uses our own events. Run by
# tests/run.sh's conformance suite only when ../shared/samples exists.
. "$(dirname "$0")/lib.sh"
AGENT=$BUILD/agent/wfpwatch-agent
S=$ROOT/../shared/samples/events
if [[ ! -d "$S" ]]; then
    bad "conformance data missing: $S does not exist (run this only where ../shared is beside the repository)"
    finish
    exit 1
fi

setup_pki || { bad "pki"; finish; exit 1; }
start_collector || { bad "collector"; finish; exit 1; }

# blocked connections stored: "blocked=N unique=N dupseq=N ordered=0|1"
summary() {
    fetch_stored
    /usr/bin/python3 - "$T/stored" <<'PY'
import json,sys
ev=[json.loads(l) for l in open(sys.argv[1])]
b=[e for e in ev if e["type"]=="connection_blocked"]
keys={(e["remote"]["ip"],e["remote"]["port"]) for e in b}
seqs=[e["seq"] for e in ev]
print("blocked=%d unique=%d dupseq=%d ordered=%d" % (len(b), len(keys), len(seqs)-len(set(seqs)),
      int(seqs==sorted(seqs))))
PY
}

mkdir -p "$T/cap"
cp "$ROOT/deploy/demo/capture/1-baseline-filters.xml" "$T/cap/01-baseline.xml"
cp "$ROOT/deploy/demo/capture/2-after-attack-filters.xml" "$T/cap/02-after.xml"
cp "$S/5157-evtx-rs-samples.xml" "$T/cap/03-5157.xml"
cp "$S/5152-evtx-rs-samples.xml" "$T/cap/04-5152.xml"
cat >"$T/a.json" <<JSON
{ "agent_id": "agent-1", "data_dir": "$T/a/data",
  "collector": { "url": "https://localhost:$PORT", "ca": "$T/pki/ca.crt",
                 "cert": "$T/pki/agents/agent-1.crt", "key": "$T/pki/agents/agent-1.key" },
  "sources": [ { "type": "replay", "path": "$T/cap" } ],
  "batch": { "max_delay_ms": 100 }, "retry": { "min_ms": 50, "max_ms": 300 },
  "aggregation": { "window_ms": 200 }, "heartbeat_s": 1, "log": { "level": "info" } }
JSON
timeout 60 "$AGENT" run --config "$T/a.json" --until-drained >"$T/a.log" 2>&1
eq "capture with real audit events drains (exit 0)" "$?" "0"
fetch_stored
eq "two inventory change sets" "$(grep -c '"inventory_changed"' "$T/stored")" "2"
check "the silencer's filter raises a critical alert" grep -q '"rule":"edr-app-block","severity":"critical"' "$T/stored"
eq "three blocked connections from the real audit samples" "$(grep -c '"source":"audit"' "$T/stored")" "3"
eq "restart replays nothing twice" "$(timeout 30 "$AGENT" run --config "$T/a.json" --until-drained >/dev/null 2>&1; summary | cut -d' ' -f1)" "blocked=3"
finish
