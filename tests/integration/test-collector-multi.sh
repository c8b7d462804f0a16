#!/bin/bash
# test-collector-multi.sh — the promises of several collectors on one store (docs/collector.md,
# "Several collectors"): on PostgreSQL three collectors share one database (on SQLite, one
# collector: the same checks with a single writer). Eight agents post concurrently, each batch
# twice on two different collectors; two readers page with limit=50 across the collectors while
# they commit, one with a time filter: every event is stored once, and each reader's union
# equals the stored set, no event read twice (multi.py). Then: the same enrollment request on
# two collectors gives one certificate; each alert reaches the webhook once although every
# collector delivers; a certificate revoked through one collector's PKI directory is refused by
# every collector within 2 s.
. "$(dirname "$0")/lib.sh"
NCOLL=1; [[ $STORE == postgres ]] && NCOLL=3
setup_pki || { bad "pki"; finish; exit 1; }
for n in 2 3 4 5 6 7 8; do "$COLLECTOR" pki issue --dir "$T/pki" --name agent-$n >/dev/null || bad "pki issue agent-$n"; done
WPORT=$(free_port)
/usr/bin/python3 "$ROOT/tests/integration/webhook.py" "$WPORT" "$T/hooks" &
EXTRA_PIDS="$!"
cat >"$T/collector.json" <<JSON
{ "alerts": { "webhook": { "url": "http://127.0.0.1:$WPORT/hook", "timeout_ms": 2000 }, "retry_max_s": 1, "poll_ms": 100 },
  "enroll": { "rate_per_minute": 600, "rate_burst": 100 } }
JSON
PORTS=() PIDS=()
for i in $(seq 1 $NCOLL); do
    p=$(free_port)
    # each collector a PKI directory of its own, as on hosts of their own (the CRL it enforces)
    pki=$T/pki; [[ $i -gt 1 ]] && { pki=$T/pki$i; cp -a "$T/pki" "$pki"; }
    "$COLLECTOR" serve --config "$T/collector.json" --listen "127.0.0.1:$p" --data "$T/data" --pki "$pki" \
        >>"$T/collector$i.log" 2>&1 &
    PIDS+=($!); PORTS+=($p)
    EXTRA_PIDS="$EXTRA_PIDS $!"
done
for p in "${PORTS[@]}"; do
    check "collector on $p serves ($STORE)" wait_until 15 sh -c "curl -s --cacert '$T/pki/ca.crt' https://localhost:$p/healthz | grep -q ok"
done
PORT=${PORTS[0]}

# ---- concurrent ingest and paging ------------------------------------------------------------------
timeout 600 /usr/bin/python3 "$ROOT/tests/integration/multi.py" "$T/pki" "$TOKEN" "$(IFS=,; echo "${PORTS[*]}")" 40 25 >"$T/multi.out" 2>&1
cat "$T/multi.out"
line=$(tail -n1 "$T/multi.out")
if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    PASS=$((PASS + BASH_REMATCH[1])); FAIL=$((FAIL + BASH_REMATCH[2]))
else
    bad "multi.py did not finish (600 s at most)"
fi

# ---- the same enrollment request on two collectors: one certificate ------------------------------
ET=$("$COLLECTOR" enroll-token create --data "$T/data" --name multi 2>/dev/null)
openssl ecparam -name prime256v1 -genkey -noout -out "$T/k.pem" 2>/dev/null
openssl req -new -key "$T/k.pem" -subj /CN=ignored -out "$T/k.csr" 2>/dev/null
/usr/bin/python3 -c 'import json,sys; print(json.dumps({"token":sys.argv[1],"agent_id":"multi-agent","hostname":"WS-M","csr":open(sys.argv[2]).read()}))' \
    "$ET" "$T/k.csr" >"$T/enroll.json"
cpids=()
for i in 0 1; do
    p=${PORTS[$((i % NCOLL))]}
    curl -sS -o "$T/enr$i" -w '%{http_code}' --cacert "$T/pki/ca.crt" -H 'Content-Type: application/json' \
        --data-binary "@$T/enroll.json" "https://localhost:$p/api/v1/enroll" >"$T/enr$i.status" &
    cpids+=($!)
done
for p in "${cpids[@]}"; do wait "$p"; done
eq "the same request on two collectors: both answered 200" "$(cat "$T/enr0.status") $(cat "$T/enr1.status")" "200 200"
s0=$(jq -r .serial "$T/enr0" 2>/dev/null); s1=$(jq -r .serial "$T/enr1" 2>/dev/null)
eq "with the same certificate" "$s0" "$s1"
eq "one certificate issued for the agent" "$("$COLLECTOR" cert list --data "$T/data" | grep -c 'multi-agent')" 1

# ---- alerts: each delivered once, whichever collector takes it -------------------------------------
$MKBATCH --events 12 --type alert "$T/alerts.json"
r=$(post "$T/alerts.json")
eq "12 alerts accepted" "${r%% *}" 200
check "all 12 delivered to the webhook" wait_until 20 sh -c "test \$(cut -f1 '$T/hooks' 2>/dev/null | sort -u | wc -l) -ge 12"
sleep 1.5   # time for a second delivery, were there one
eq "each exactly once (12 deliveries, 12 distinct alert ids)" \
    "$(wc -l <"$T/hooks") $(cut -f1 "$T/hooks" | sort -u | wc -l)" "12 12"

# ---- a revocation through one collector is enforced by all within 2 s --------------------------------
for p in "${PORTS[@]}"; do
    eq "agent-8 is served by the collector on $p before" \
        "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/pki/ca.crt" --cert "$T/pki/agents/agent-8.crt" \
           --key "$T/pki/agents/agent-8.key" -H 'Content-Type: application/json' --data-binary @"$T/alerts.json" \
           "https://localhost:$p/api/v1/batches")" 200
done
refused_by() {  # PORT: agent-8's handshake fails (no HTTP status)
    [[ $(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/pki/ca.crt" --cert "$T/pki/agents/agent-8.crt" \
         --key "$T/pki/agents/agent-8.key" "https://localhost:$1/healthz") == 000 ]]
}
"$COLLECTOR" cert revoke agent-8 --data "$T/data" --pki "$T/pki" >/dev/null 2>&1
eq "cert revoke agent-8 (through the first collector's PKI directory)" "$?" 0
t0=$(date +%s%N)
for p in "${PORTS[@]}"; do
    check "the collector on $p refuses agent-8 within 2 s" wait_until 2 refused_by "$p"
done
echo "(all refused after $(( ($(date +%s%N) - t0) / 1000000 )) ms)"
for p in "${PORTS[@]}"; do   # the refusal is agent-8's alone: the collector still serves the others
    eq "the collector on $p still serves agent-7" \
        "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/pki/ca.crt" --cert "$T/pki/agents/agent-7.crt" \
           --key "$T/pki/agents/agent-7.key" "https://localhost:$p/healthz")" 200
done

for i in "${!PIDS[@]}"; do
    kill -TERM "${PIDS[$i]}"; wait "${PIDS[$i]}"; rc=$?
    eq "collector $((i + 1)) stops with exit 0" "$rc" 0
done
finish
