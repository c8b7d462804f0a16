#!/bin/bash
# test-enroll.sh — zero-touch enrollment end to end against the real collector (mutual TLS,
# SQLite, its own CA): enrollment tokens (created hashed, listed, revoked, expired, used up);
# POST /api/v1/enroll refusals (wrong, expired, revoked and used-up tokens, malformed CSR,
# RSA key, missing fields, a second key for an enrolled agent id) with nothing issued; a
# retried request gets the same certificate; a native agent deployed with only the URL, the
# CA fingerprint and a token fetches and pins the CA, enrolls, ships, renews at 2/3 of a short
# validity without losing or repeating an event, and is refused at the TLS layer once revoked
# (and shown revoked in /api/v1/hosts); the .exe under Wine enrolls and ships too; the
# per-address rate limit answers 429.
. "$(dirname "$0")/lib.sh"
AGENT=$BUILD/agent/wfpwatch-agent
GEN="/usr/bin/python3 $ROOT/tests/integration/gencap.py"
APID=""
EXTRA_PIDS=""

"$COLLECTOR" pki init --dir "$T/pki" >/dev/null || { bad "pki init"; finish; exit 1; }
TOKEN=$("$COLLECTOR" token create --data "$T/data" --name siem 2>/dev/null)
cat >"$T/collector.json" <<JSON
{ "enroll": { "cert_validity_s": 60, "rate_per_minute": 600, "rate_burst": 100 } }
JSON
start_collector --config "$T/collector.json" || { bad "collector"; finish; exit 1; }

# --- tokens -----------------------------------------------------------------------------------
ET=$("$COLLECTOR" enroll-token create --data "$T/data" --max-uses 3 --name fleet 2>"$T/et.err")
eq "enroll-token create exits 0" "$?" 0
check "the token is printed once, with its prefix" grep -Eq '^wfpe_[A-Za-z0-9_-]{43}$' <<<"$ET"
check "and never stored in clear" not_in_store "$T/data" "$ET" "$(printf %s "$ET" | sha256sum | cut -c1-64)"
ETID=$(grep -o 'token [0-9a-f]\{12\}' "$T/et.err" | cut -d' ' -f2)
check "list shows its id, name and uses" grep -Eq "^$ETID  fleet .* uses 0/3$" <("$COLLECTOR" enroll-token list --data "$T/data")
EXPIRING=$("$COLLECTOR" enroll-token create --data "$T/data" --ttl 1s 2>/dev/null)
REVOKED=$("$COLLECTOR" enroll-token create --data "$T/data" --name gone 2>/dev/null)
ONCE=$("$COLLECTOR" enroll-token create --data "$T/data" --max-uses 1 2>/dev/null)
"$COLLECTOR" enroll-token revoke --data "$T/data" --id gone >/dev/null
eq "enroll-token revoke by name exits 0" "$?" 0
"$COLLECTOR" enroll-token revoke --data "$T/data" --id gone >/dev/null 2>&1
eq "revoking it again exits 2" "$?" 2
"$COLLECTOR" enroll-token create --data "$T/data" --ttl 3x >/dev/null 2>&1
eq "a bad --ttl exits 2" "$?" 2

# --- the endpoint, by hand ----------------------------------------------------------------------
openssl ecparam -name prime256v1 -genkey -noout -out "$T/k1.pem" 2>/dev/null
openssl req -new -key "$T/k1.pem" -subj /CN=ignored -out "$T/k1.csr" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$T/k2.pem" 2>/dev/null
openssl req -new -key "$T/k2.pem" -subj /CN=ignored -out "$T/k2.csr" 2>/dev/null
openssl genrsa -out "$T/rsa.pem" 2048 2>/dev/null
openssl req -new -key "$T/rsa.pem" -subj /CN=ignored -out "$T/rsa.csr" 2>/dev/null

# body TOKEN AGENT CSRFILE [HOST]: an enroll request body
body() {
    /usr/bin/python3 -c '
import json,sys
t,a,c=sys.argv[1:4]
d={"token":t,"agent_id":a,"csr":open(c).read() if c!="-" else "not a csr"}
if len(sys.argv)>4: d["hostname"]=sys.argv[4]
print(json.dumps(d))' "$@"
}
# enroll BODY: prints "STATUS"; the answer is in $T/enr
enroll() {
    curl -sS -o "$T/enr" -w '%{http_code}' --cacert "$T/pki/ca.crt" -H 'Content-Type: application/json' \
        --data-binary "$1" "$(URL /api/v1/enroll)"
}
certs() { "$COLLECTOR" cert list --data "$T/data" | grep -c . ; }

eq "wrong token: 401" "$(enroll "$(body wfpe_nope m1 "$T/k1.csr" HOST1)")" 401
check "  saying so" grep -q '"error":"unknown enrollment token","field":"token"' "$T/enr"
sleep 1.2
eq "expired token: 401" "$(enroll "$(body "$EXPIRING" m1 "$T/k1.csr" HOST1)")" 401
check "  saying so" grep -q 'enrollment token expired' "$T/enr"
eq "revoked token: 401" "$(enroll "$(body "$REVOKED" m1 "$T/k1.csr" HOST1)")" 401
check "  saying so" grep -q 'enrollment token revoked' "$T/enr"
eq "malformed CSR: 400" "$(enroll "$(body "$ET" m1 - HOST1)")" 400
check "  naming the field" grep -q '"field":"csr"' "$T/enr"
eq "RSA key: 400" "$(enroll "$(body "$ET" m1 "$T/rsa.csr" HOST1)")" 400
check "  saying which key type is wanted" grep -q 'must be ECDSA P-256' "$T/enr"
eq "missing agent id: 400" "$(enroll '{"token":"x","csr":"y"}')" 400
check "  naming it" grep -q '"field":"agent_id"' "$T/enr"
eq "agent id with a comma: 400" "$(enroll "$(body "$ET" 'a,CN=b' "$T/k1.csr" HOST1)")" 400
eq "not JSON: 400" "$(enroll 'hello')" 400
eq "nothing was issued by any of that" "$(certs)" 0

eq "a good request: 200" "$(enroll "$(body "$ET" m1 "$T/k1.csr" HOST1)")" 200
jq_ 'd["certificate"]' <"$T/enr" >"$T/m1.crt"
SERIAL=$(jq_ 'd["serial"]' <"$T/enr")
check "  the certificate names the agent and host, for client use" sh -c \
    "openssl x509 -in '$T/m1.crt' -noout -subject -ext extendedKeyUsage | tr -d ' ' | grep -q 'CN=m1,OU=HOST1' &&
     openssl x509 -in '$T/m1.crt' -noout -ext extendedKeyUsage | grep -q 'Client Authentication'"
check "  and chains to the CA (returned with it)" sh -c \
    "openssl verify -CAfile '$T/pki/ca.crt' '$T/m1.crt' >/dev/null"
eq "  the key stayed here: the certificate holds the request's key" \
    "$(openssl x509 -in "$T/m1.crt" -noout -pubkey | sha256sum)" "$(openssl ec -in "$T/k1.pem" -pubout 2>/dev/null | sha256sum)"
eq "the same request again: 200 (a retry after a lost answer)" "$(enroll "$(body "$ET" m1 "$T/k1.csr" HOST1)")" 200
eq "  with the same certificate" "$(jq_ 'd["serial"] + " " + str(d["reissued"])' <"$T/enr")" "$SERIAL True"
eq "  nothing new issued" "$(certs)" 1
eq "another key for the enrolled agent id: 409" "$(enroll "$(body "$ET" m1 "$T/k2.csr" HOST1)")" 409
check "  saying it renews instead" grep -q 'enrolled already' "$T/enr"
eq "the same key for another agent id: 409" "$(enroll "$(body "$ET" m2 "$T/k1.csr" HOST2)")" 409
eq "a one-use token: first use 200" "$(enroll "$(body "$ONCE" m3 "$T/k2.csr" HOST3)")" 200
openssl ecparam -name prime256v1 -genkey -noout -out "$T/k3.pem" 2>/dev/null
openssl req -new -key "$T/k3.pem" -subj /CN=x -out "$T/k3.csr" 2>/dev/null
eq "  second use 401" "$(enroll "$(body "$ONCE" m4 "$T/k3.csr" HOST4)")" 401
check "  used up" grep -q 'enrollment token used up' "$T/enr"
check "uses are counted" grep -Eq "^$ETID  fleet .* uses 1/3$" <("$COLLECTOR" enroll-token list --data "$T/data")
eq "renew without a client certificate: 401" "$(curl -sS -o "$T/enr" -w '%{http_code}' --cacert "$T/pki/ca.crt" \
    -H 'Content-Type: application/json' --data '{"csr":"x"}' "$(URL /api/v1/renew)")" 401
eq "GET /api/v1/ca is the CA" "$(curl -sS --cacert "$T/pki/ca.crt" "$(URL /api/v1/ca)" | sha256sum)" "$(sha256sum <"$T/pki/ca.crt")"
check "the refusals are counted in /metrics" grep -Eq '^wfpwatch_enroll_refused_total (1[0-9]|[2-9][0-9])$' \
    <(curl -sS --cacert "$T/pki/ca.crt" "$(URL /metrics)")
check "no token reached the log" sh -c "! grep -q -e '$ET' -e '$ONCE' -e '$REVOKED' '$T/collector.log'"

# --- a native agent: fingerprint + token only; enroll, ship, renew, revoke --------------------
FP=$(openssl x509 -in "$T/pki/ca.crt" -noout -fingerprint -sha256 | cut -d= -f2)
$GEN 2500 "$T/cap.jsonl" 1
cat >"$T/a.json" <<JSON
{ "agent_id": "agent-1", "data_dir": "$T/adata",
  "collector": { "url": "https://localhost:$PORT", "ca_fingerprint": "$FP", "enroll_token": "$ET" },
  "sources": [ { "type": "replay", "path": "$T/cap.jsonl", "rate": 40 } ],
  "batch": { "max_delay_ms": 200 }, "retry": { "min_ms": 100, "max_ms": 1000 },
  "aggregation": { "window_ms": 200 }, "heartbeat_s": 1, "log": { "level": "info" } }
JSON
# a pin that does not match the collector's CA: nothing is trusted, nothing enrolled
sed "s/\"ca_fingerprint\": \"[^\"]*\"/\"ca_fingerprint\": \"$(printf '0%.0s' $(seq 64))\"/; s#$T/adata#$T/bdata#" "$T/a.json" >"$T/b.json"
"$AGENT" run --config "$T/b.json" >"$T/b.log" 2>&1 &
BPID=$!
check "a wrong CA pin: the agent refuses the collector's CA" wait_until 20 grep -q 'not the pinned collector.ca_fingerprint' "$T/b.log"
kill -TERM "$BPID" 2>/dev/null; wait "$BPID" 2>/dev/null
check "  and neither keeps it nor enrolls" sh -c "! ls '$T/bdata/collector-ca.crt' '$T/bdata/agent.crt' 2>/dev/null"
"$AGENT" check-config --config "$T/a.json" >"$T/cc.out" 2>&1
eq "check-config accepts URL + fingerprint + token" "$?" 0
check "  the token is masked" sh -c "grep -q '\"enroll_token\":.*\"\\*\\*\\*\"' '$T/cc.out' && ! grep -q '$ET' '$T/cc.out'"
"$AGENT" run --config "$T/a.json" >"$T/a.log" 2>&1 &
APID=$!
EXTRA_PIDS="$APID"
check "the agent enrolls" wait_until 30 grep -q 'enrollment done' "$T/a.log"
S1=$(openssl x509 -in "$T/adata/agent.crt" -noout -serial 2>&1)
K1=$(sha256sum <"$T/adata/agent.key")
check "  it fetched the CA and kept it (pinned)" cmp -s "$T/adata/collector-ca.crt" "$T/pki/ca.crt"
check "  its key is private to it" sh -c "[ \"\$(stat -c %a '$T/adata/agent.key')\" = 600 ]"
check "  its events arrive under its id" wait_until 30 sh -c "[ \"\$(curl -s --cacert '$T/pki/ca.crt' -H 'Authorization: Bearer $TOKEN' '$(URL '/api/v1/events?host=agent-1&type=connection_blocked&limit=1')' | grep -c connection_blocked)\" -ge 1 ]"
check "it renews at 2/3 of its 60 s certificate" wait_until 70 grep -q 'renewal done' "$T/a.log"
S2=$(openssl x509 -in "$T/adata/agent.crt" -noout -serial 2>&1)
check "  with a new certificate ($S1 -> $S2)" test "$S1" != "$S2"
check "  for a new key" test "$K1" != "$(sha256sum <"$T/adata/agent.key")"
check "  the collector recorded both" sh -c "[ \$('$COLLECTOR' cert list --data '$T/data' | grep -c '^agent-1 ') -eq 2 ]"
check "all 2500 events arrive (shipping went on through the renewal)" wait_until 60 sh -c \
    "[ \"\$(curl -s --cacert '$T/pki/ca.crt' -H 'Authorization: Bearer $TOKEN' '$(URL '/api/v1/events?host=agent-1&type=connection_blocked&limit=10000')' | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"events\"]))')\" = 2500 ]"
fetch_stored
eq "  each exactly once" "$(/usr/bin/python3 -c '
import json,sys
ev=[json.loads(l) for l in open(sys.argv[1])]
b=[e["remote"]["port"] for e in ev if e["type"]=="connection_blocked"]
print(len(b), len(set(b)))' "$T/stored")" "2500 2500"
check "  and the agent never had a refused batch" sh -c "! grep -Eq 'HTTP (401|403)|SSL|TLS' '$T/a.log'"

"$COLLECTOR" cert revoke agent-1 --data "$T/data" --pki "$T/pki" >"$T/rv.out" 2>&1
eq "cert revoke exits 0" "$?" 0
check "  revoking both certificates" grep -q 'revoked 2 certificates of agent agent-1' "$T/rv.out"
check "  and writing a CRL openssl accepts" sh -c \
    "openssl verify -crl_check -CAfile '$T/pki/ca.crt' -CRLfile '$T/pki/ca.crl' '$T/adata/agent.crt' 2>&1 | grep -q 'certificate revoked'"
check "the host shows as revoked" wait_until 10 sh -c \
    "curl -s --cacert '$T/pki/ca.crt' -H 'Authorization: Bearer $TOKEN' '$(URL /api/v1/hosts)' | grep -q '\"host\":\"agent-1\".*\"status\":\"revoked\"'"
check "the revoked certificate is refused in the TLS handshake" wait_until 10 sh -c \
    "! curl -s -o /dev/null --cacert '$T/pki/ca.crt' --cert '$T/adata/agent.crt' --key '$T/adata/agent.key' '$(URL /healthz)'"
check "  and the running agent is cut off (its shipping fails)" wait_until 20 grep -Eq 'ship.*(SSL|TLS|handshake|Connection reset|Recv failure|HTTP 401)' "$T/a.log"
check "  which the collector counts" grep -Eq '^wfpwatch_revoked_refused_total [1-9]' \
    <(curl -sS --cacert "$T/pki/ca.crt" "$(URL /metrics)")
# a revoked agent cannot come back with the token either
eq "a revoked agent id cannot enroll again: 403" "$(enroll "$(body "$ET" agent-1 "$T/k3.csr" HOST1)")" 403
kill -TERM "$APID" 2>/dev/null; wait "$APID" 2>/dev/null; APID=""; EXTRA_PIDS=""
"$COLLECTOR" cert revoke nobody --data "$T/data" --pki "$T/pki" >"$T/rv0.out" 2>&1
eq "revoking an unknown agent exits 2" "$?" 2
check "  saying nothing was revoked" grep -q "no certificate of agent 'nobody' is known" "$T/rv0.out"
# a certificate made by hand (pki issue) is revoked by its serial
"$COLLECTOR" pki issue --dir "$T/pki" --name manual-1 >/dev/null
hs() { curl -s -o /dev/null -w '%{http_code}' --cacert "$T/pki/ca.crt" --cert "$T/pki/agents/manual-1.crt" \
           --key "$T/pki/agents/manual-1.key" "$(URL /healthz)"; }
eq "a pki issue certificate is accepted" "$(hs)" 200
"$COLLECTOR" cert revoke manual-1 --data "$T/data" --pki "$T/pki" >"$T/rv2.out" 2>&1
check "cert revoke finds it by its serial" grep -q 'revoked 1 certificate of agent manual-1' "$T/rv2.out"
check "  and it is refused from then on" wait_until 10 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --cacert '$T/pki/ca.crt' --cert '$T/pki/agents/manual-1.crt' --key '$T/pki/agents/manual-1.key' '$(URL /healthz)')\" = 000 ]"

# --- the .exe under Wine --------------------------------------------------------------------------
EXE=$ROOT/build/win64/agent/wfpwatch-agent.exe
WINE=/usr/lib/wine/wine64
export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/wfpwatch/wineprefix} WINEDEBUG=-all
if [[ -x $WINE && -f $EXE ]]; then
    $GEN 50 "$T/wcap.jsonl" 9000
    cat >"$T/w.json" <<JSON
{ "agent_id": "win-1", "data_dir": "Z:$T/wdata",
  "collector": { "url": "https://localhost:$PORT", "ca_fingerprint": "$FP", "enroll_token": "$ET" },
  "sources": [ { "type": "replay", "path": "Z:$T/wcap.jsonl" } ],
  "batch": { "max_delay_ms": 100 }, "retry": { "min_ms": 100, "max_ms": 1000 }, "heartbeat_s": 1 }
JSON
    timeout 120 "$WINE" "$EXE" run --config "Z:$T/w.json" --until-drained >"$T/w.log" 2>&1
    eq "Wine: the .exe enrolls and delivers everything (exit 0)" "$?" 0
    check "Wine: enrollment done" grep -q 'enrollment done' "$T/w.log"
    check "Wine: with a certificate for win-1" sh -c "openssl x509 -in '$T/wdata/agent.crt' -noout -subject | tr -d ' ' | grep -q 'CN=win-1'"
    eq "Wine: its 50 events are stored under win-1" "$(curl -s --cacert "$T/pki/ca.crt" -H "Authorization: Bearer $TOKEN" \
        "$(URL '/api/v1/events?host=win-1&type=connection_blocked&limit=1000')" | jq_ 'len(d["events"])')" 50
else
    bad "Wine or the Windows build is missing ($WINE, $EXE): ./tests/run.sh builds both"
fi

# --- rate limit -------------------------------------------------------------------------------------
stop_collector
cat >"$T/collector.json" <<JSON
{ "enroll": { "rate_per_minute": 1, "rate_burst": 3 } }
JSON
start_collector --config "$T/collector.json" || { bad "collector restart"; finish; exit 1; }
codes=""
for i in 1 2 3 4 5; do codes="$codes $(enroll "$(body wfpe_nope r$i "$T/k3.csr" H)")"; done
eq "rate limit: a burst of 3 per address, then 429" "$codes" " 401 401 401 429 429"
check "  with Retry-After" sh -c "curl -s -D - -o /dev/null --cacert '$T/pki/ca.crt' -H 'Content-Type: application/json' --data '{}' '$(URL /api/v1/enroll)' | grep -qi '^retry-after: '"
finish
