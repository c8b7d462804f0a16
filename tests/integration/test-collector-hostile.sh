#!/usr/bin/env bash
# test-collector-hostile.sh — the collector attacked as a hostile client would attack it, each
# attack kept as a regression test (docs/collector.md, "Threat model and limits"):
#   1. what is served is what the collector vouches for: forged reserved members, raw bytes
#      between tokens, NDJSON that stays one event a line and strict, host = certificate, the
#      batch's host-name claim against the certificate's, duplicates per (host, batch id),
#      control characters in log lines;
#   2. bounded cost before authentication: a client that pipelines and never reads, an RSA-8192
#      CSR with a huge exponent, a client certificate with such a key in the handshake, limits
#      at the headers (no 100 Continue for the unauthenticated), cipher suites, per-address caps
#      on connections and handshakes, bearer tokens checked in memory, an 8 MiB body of empty
#      arrays, one batch per certificate at a time;
#   3. revocation and identity corners: a missing or broken revocation list, a resumed session
#      with an expired certificate, renewal rate, superseded certificates, an expired agent id
#      taken over with a token.
. "$(dirname "$0")/lib.sh"
H="/usr/bin/python3 $ROOT/tests/integration/hostile.py"
ulimit -n 8192 2>/dev/null

metric() {  # metric NAME: its value on /metrics
    curl -s --cacert "$T/pki/ca.crt" "$(URL /metrics)" | awk -v m="wfpwatch_$1" '$1 == m {print $2}'
}
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$CPID/status"; }

setup_pki || exit 1
"$COLLECTOR" pki issue --dir "$T/pki" --name agent-2 >/dev/null
cat >"$T/collector.json" <<JSON
{ "enroll": { "cert_validity_s": 10, "rate_per_minute": 600, "rate_burst": 200, "renew_per_hour": 2 },
  "limits": { "max_connections_per_address": 1000, "handshakes_per_address_per_s": 1000 },
  "silent_after_s": 3600 }
JSON
# the per-address section runs with the defaults (64 connections, 20 handshakes/s, burst 40)
cat >"$T/defaults.json" <<JSON
{ "silent_after_s": 3600 }
JSON
start_collector --config "$T/collector.json" || exit 1

# ---- 1. what the collector serves is what it vouches for ------------------------------------------------------
$MKBATCH --events 3 "$T/base.json"
# a member the collector adds, sent by the agent: refused naming the field
for m in host id identity_mismatch received; do
    /usr/bin/python3 - "$T/base.json" "$T/forged.json" "$m" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d["events"][1][sys.argv[3]] = "dc01"
open(sys.argv[2], "w").write(json.dumps(d))
PY
    r=$(post "$T/forged.json")
    eq "an event carrying the reserved member \"$m\": 400" "${r%% *}" 400
    check "  naming it (events[1].$m)" grep -q "\"field\":\"events\[1\].$m\"" "$T/resp"
done
# raw whitespace between every token, a raw newline inside the event, key order unusual
/usr/bin/python3 - "$T/base.json" "$T/spaced.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
text = json.dumps(d, indent="\t", separators=(" ,\n ", " :\r\n "))
open(sys.argv[2], "w").write(text)
PY
r=$(post "$T/spaced.json")
eq "a batch with RFC 8259 whitespace everywhere is accepted" "${r%% *}" 200
curl -sS --cacert "$T/pki/ca.crt" -H "Authorization: Bearer $TOKEN" -H 'Accept: application/x-ndjson' \
    "$(URL '/api/v1/events?limit=10000')" >"$T/page.ndjson"
eq "the NDJSON page has one line per stored event" "$(grep -c . "$T/page.ndjson")" 3
eq "every line parses strictly, is canonical and says host = the certificate's CN" \
   "$($H strict-ndjson "$T/page.ndjson" agent-1)" "lines 3 bad 0"
check "no tab or carriage return the agent sent was served" sh -c "! grep -qP '[\t\r]' '$T/page.ndjson'"
api '/api/v1/events?limit=100' >/dev/null
check "the JSON page parses with jq as well" sh -c "jq -e '.events|length==3' '$T/api' >/dev/null"

# duplicates are per (host, batch id): another agent reusing an id is stored, a retry is not
$MKBATCH --events 2 --agent-id agent-2 --hostname agent-2 "$T/same-id.json"
r1=$(post "$T/same-id.json" agent-1); r2=$(post "$T/same-id.json" agent-2); r3=$(post "$T/same-id.json" agent-1)
eq "the same batch id from two agents: both stored" "${r1#* } ${r2#* }" '{"accepted":2,"duplicate":false} {"accepted":2,"duplicate":false}'
eq "  and the retry of one of them is a duplicate" "${r3#* }" '{"accepted":0,"duplicate":true}'

# control characters an agent chose do not reach the log raw
$MKBATCH --agent-id $'evil\x1b[2J\nFAKE LOG LINE: everything is fine' --hostname other "$T/ctl.json"
eq "a batch whose agent id holds ESC and a newline is stored (flagged)" "$(post "$T/ctl.json" | cut -d' ' -f1)" 200
check "  the log line shows them escaped" wait_until 5 grep -q 'claims agent id .evil\\x1b\[2J\\x0aFAKE LOG LINE' "$T/collector.log"
check "  and no forged line starts a log line" sh -c "! grep -q '^FAKE LOG LINE' '$T/collector.log'"
check "  and no raw ESC byte is in the log" sh -c "! grep -q \$'\x1b' '$T/collector.log'"

# the host name a batch claims against the one the CA certified (OU, set at enrollment)
ET=$("$COLLECTOR" enroll-token create --data "$T/data" --name hostile 2>/dev/null)
openssl ecparam -name prime256v1 -genkey -noout -out "$T/h1.key" 2>/dev/null
openssl req -new -key "$T/h1.key" -subj /CN=x -out "$T/h1.csr" 2>/dev/null
enroll_body() {  # TOKEN AGENT CSRFILE HOST [PREVCERT PROOF]
    /usr/bin/python3 -c '
import json, sys
t, a, c, h = sys.argv[1:5]
d = {"token": t, "agent_id": a, "hostname": h, "csr": open(c).read()}
if len(sys.argv) > 5: d["previous_certificate"] = open(sys.argv[5]).read(); d["proof"] = sys.argv[6]
print(json.dumps(d))' "$@"
}
enroll() {  # BODY -> status; certificate in $T/enr
    curl -sS -o "$T/enr" -w '%{http_code}' --cacert "$T/pki/ca.crt" -H 'Content-Type: application/json' \
        --data-binary "$1" "$(URL /api/v1/enroll)"
}
pem_of() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["certificate"], end="")' "$T/enr"; }
eq "enroll h1 as host REAL-HOST" "$(enroll "$(enroll_body "$ET" h1 "$T/h1.csr" REAL-HOST)")" 200
pem_of >"$T/h1.crt"
$MKBATCH --agent-id h1 --hostname evil-dc01 "$T/h1.json"
curl -sS -o "$T/resp" -w '%{http_code}' --cacert "$T/pki/ca.crt" --cert "$T/h1.crt" --key "$T/h1.key" \
    -H 'Content-Type: application/json' --data-binary "@$T/h1.json" "$(URL /api/v1/batches)" >"$T/code"
eq "h1's batch claiming host evil-dc01 is stored" "$(cat "$T/code")" 200
hostrow=$(api /api/v1/hosts | jq -c '.hosts[] | select(.host=="h1") | [.hostname, .hostname_claim, .hostname_verified, .hostname_mismatch]')
eq "  the host keeps its certified name; the claim is kept as a claim and flagged" "$hostrow" '["REAL-HOST","evil-dc01",true,true]'

# ---- 2. bounded cost before authentication ------------------------------------------------------------------
# an RSA-8192 CSR with an 8184-bit exponent and a broken signature: refused for its key type, so
# the signature was never checked (the key is checked first)
$H bigrsa-csr "$T/big.csr"
eq "a CSR with a huge RSA key: 400" "$(enroll "$(enroll_body "$ET" big1 "$T/big.csr" H)")" 400
check "  for its key type (not its signature: that was never checked)" grep -q 'must be ECDSA P-256 (got RSA)' "$T/enr"
ingested_before=$(metric events_accepted_total)
BIGPIDS=""
for i in $(seq 1 50); do enroll "$(enroll_body "$ET" "big$i" "$T/big.csr" H)" >"$T/big$i.code" & BIGPIDS="$BIGPIDS $!"; done
$MKBATCH --events 50 "$T/during.json"
eq "an agent delivers while 50 such requests run" "$(post "$T/during.json" | cut -d' ' -f1)" 200
wait $BIGPIDS
codes=$(for f in "$T"/big[0-9]*.code; do cat "$f"; echo; done)
eq "  all 50 refused with 400 or 429 (checks at once are bounded: $(sort <<<"$codes" | uniq -c | tr -s ' \n' ' '))" \
   "$(grep -vc '^400$\|^429$' <<<"$codes")" 0
check "  and the agent's events were counted" test "$(metric events_accepted_total)" -gt "$ingested_before"

# a client certificate with such a key, presented in the handshake: the connection ends at the
# Certificate message, before any signature over or by that key is checked
out=$($H bigrsa-handshake "$PORT" 3)
eq "a handshake with an RSA-8192/huge-exponent client certificate ends at its Certificate" \
   "$(awk '/^closed_after_cert/ {print $2}' <<<"$out")" 3/3
check "  counted" test "$(metric tls_client_key_refused_total)" -ge 3
# keys signed by our own CA but outside the policy, and one inside it
for k in p521 rsa3 rsa2048; do
    case $k in
        p521) openssl ecparam -name secp521r1 -genkey -noout -out "$T/$k.key" 2>/dev/null ;;
        rsa3) openssl genrsa -3 -out "$T/$k.key" 2048 2>/dev/null ;;
        rsa2048) openssl genrsa -out "$T/$k.key" 2048 2>/dev/null ;;
    esac
    openssl req -new -key "$T/$k.key" -subj "/CN=$k" -out "$T/$k.csr" 2>/dev/null
    openssl x509 -req -in "$T/$k.csr" -CA "$T/pki/ca.crt" -CAkey "$T/pki/ca.key" -CAcreateserial -days 2 \
        -extfile <(printf 'extendedKeyUsage=clientAuth\n') -out "$T/$k.crt" 2>/dev/null
    $MKBATCH --agent-id $k --hostname $k "$T/$k.json"
    curl -sS -o /dev/null -w '%{http_code}' --cacert "$T/pki/ca.crt" --cert "$T/$k.crt" --key "$T/$k.key" \
        -H 'Content-Type: application/json' --data-binary "@$T/$k.json" "$(URL /api/v1/batches)" >"$T/$k.code" 2>/dev/null
done
eq "a P-521 client certificate from our CA: no TLS session" "$(cat "$T/p521.code")" 000
eq "an RSA client certificate with exponent 3 from our CA: no TLS session" "$(cat "$T/rsa3.code")" 000
eq "an RSA-2048 client certificate with exponent 65537 from our CA is an agent" "$(cat "$T/rsa2048.code")" 200

# cipher suites: TLS 1.2, ECDHE, AEAD only
suite_ok() { openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -cipher "$1" </dev/null >/dev/null 2>&1; }
check "ECDHE-ECDSA-AES128-GCM-SHA256 is offered" suite_ok ECDHE-ECDSA-AES128-GCM-SHA256
check "ECDHE-ECDSA-CHACHA20-POLY1305 is offered" suite_ok ECDHE-ECDSA-CHACHA20-POLY1305
check "a CBC suite is not (ECDHE-ECDSA-AES128-SHA256)" sh -c "! openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA256 </dev/null >/dev/null 2>&1"
check "static RSA key exchange is not (AES128-GCM-SHA256)" sh -c "! openssl s_client -connect 127.0.0.1:$PORT -tls1_2 -cipher AES128-GCM-SHA256 </dev/null >/dev/null 2>&1"

# limits at the headers: nobody unauthenticated gets 100 Continue or has a body read
eq "POST /api/v1/batches with Expect and no certificate: 401 at once, no 100 Continue" \
   "$($H expect "$PORT" "$T/pki/ca.crt" /api/v1/batches 5000000)" "HTTP/1.1 401 Unauthorized"
eq "POST /api/v1/renew with Expect and no certificate: 401 at once" \
   "$($H expect "$PORT" "$T/pki/ca.crt" /api/v1/renew 1000)" "HTTP/1.1 401 Unauthorized"
eq "POST /api/v1/enroll announcing 40000 bytes: 413 at once" \
   "$($H expect "$PORT" "$T/pki/ca.crt" /api/v1/enroll 40000)" "HTTP/1.1 413 Payload Too Large"
eq "POST /api/v1/enroll announcing 1000 bytes: 100 Continue" \
   "$($H expect "$PORT" "$T/pki/ca.crt" /api/v1/enroll 1000)" "HTTP/1.1 100 Continue"
eq "POST /api/v1/batches with a certificate: 100 Continue" \
   "$($H expect "$PORT" "$T/pki/ca.crt" /api/v1/batches 1000 "$T/pki/agents/agent-1.crt" "$T/pki/agents/agent-1.key")" \
   "HTTP/1.1 100 Continue"
eq "a GET with a body: 400" "$($H get-with-body "$PORT" "$T/pki/ca.crt")" "HTTP/1.1 400 Bad Request"

# bearer tokens: checked in memory, a bad one never becomes a store job; create/revoke in
# another process take effect within two seconds
jobs_before=$(metric store_jobs_total)
for i in $(seq 1 20); do
    curl -s -o /dev/null --cacert "$T/pki/ca.crt" -H "Authorization: Bearer wfpw_guess$i" "$(URL /api/v1/events)"
done
eq "20 requests with wrong tokens ran no store job" "$(metric store_jobs_total)" "$jobs_before"
check "  and were counted" test "$(metric api_unauthorized_total)" -ge 20
NEWTOK=$("$COLLECTOR" token create --data "$T/data" --name late 2>/dev/null)
tok_status() { curl -s -o /dev/null -w '%{http_code}' --cacert "$T/pki/ca.crt" -H "Authorization: Bearer $1" "$(URL /api/v1/hosts)"; }
tok_is() { [[ "$(tok_status "$1")" == "$2" ]]; }
check "a token created while serving works within 2 s" wait_until 2 tok_is "$NEWTOK" 200
"$COLLECTOR" token revoke --data "$T/data" --name late >/dev/null
check "  and once revoked is refused within 2 s" wait_until 2 tok_is "$NEWTOK" 401

# an 8 MiB body of empty arrays: refused by the pre-scan (the token bound) before any tree
$H nested "$T/nested.json" 8
rss0=$(rss)
r=$(post "$T/nested.json")
eq "an 8 MiB body of empty arrays: 400" "${r%% *}" 400
check "  naming the bound" grep -q 'more than 1000000 JSON values' "$T/resp"
rss1=$(rss)
check "  the collector grew by less than 40 MiB doing it ($(( (rss1 - rss0) / 1024 )) MiB)" test $((rss1 - rss0)) -lt 40960

# one batch per certificate at a time: concurrent posts of one agent get 429, the store gets them once
$MKBATCH --events 5000 --pad 200 "$T/big1.json"; $MKBATCH --events 5000 --pad 200 "$T/big2.json"
busy0=$(metric batches_busy_total)
for round in 1 2 3 4; do
    $MKBATCH --events 5000 --pad 200 "$T/bigA.json"; $MKBATCH --events 5000 --pad 200 "$T/bigB.json"
    post "$T/bigA.json" >"$T/cA.$round" & a=$!
    post "$T/bigB.json" >"$T/cB.$round" & b=$!
    wait $a $b
done
check "concurrent batches of one certificate: some refused with 429 (batches_busy_total)" \
      test "$(metric batches_busy_total)" -gt "$busy0"
check "  every answer was 200 or 429" sh -c "! cat $T/cA.* $T/cB.* | cut -d' ' -f1 | grep -qv '^200$\|^429$'"

# the rest of this part on a fresh collector with the default limits; ASan's quarantine (which
# keeps freed memory on purpose) is off for it, so its RSS is what the collector itself holds
stop_collector
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0 start_collector --config "$T/defaults.json" || exit 1
# a client that pipelines and never reads: the collector stops reading it at ~1 MiB of answers,
# its memory stays put, agents keep ingesting, and the connection is closed by the write timeout
$H pipeline "$PORT" "$T/pki/ca.crt" "$CPID" 30 >"$T/pipe" &
PIPE=$!
sleep 2
for i in 1 2 3; do
    $MKBATCH --events 20 "$T/p$i.json"
    eq "an agent delivers while a client pipelines without reading ($i)" "$(post "$T/p$i.json" | cut -d' ' -f1)" 200
    sleep 5
done
wait $PIPE
before=$(awk '/^rss_before_kib/ {print $2}' "$T/pipe"); after=$(awk '/^rss_after_kib/ {print $2}' "$T/pipe")
check "after 30 s of pipelined requests never read ($(awk '/^requests_sent/ {print $2}' "$T/pipe") sent), RSS grew by less than 32 MiB ($(( (after - before) / 1024 )) MiB)" \
      test $((after - before)) -lt 32768
check "  reading was paused (read_pauses_total)" test "$(metric read_pauses_total)" -ge 1
check "  and the client was closed by the write timeout (after $(awk '/^closed_after_s/ {print $2}' "$T/pipe") s)" \
      sh -c "awk '/^closed_after_s/ {exit !(\$2 != \"None\" && \$2 < 90)}' '$T/pipe'"
check "  counted (write_stalls_total)" test "$(metric write_stalls_total)" -ge 1

# 1,000 slow anonymous connections from one address: capped; an agent from another address delivers
rm -f "$T/slow.ready" "$T/slow.stop"
$H slowconns "$PORT" 1000 "$T/slow.ready" "$T/slow.stop" &
SLOW=$!
wait_until 30 test -e "$T/slow.ready"
held=$(awk '/^held/ {print $2}' "$T/slow.ready")
check "1000 slow connections from 127.0.0.1: at most 64 held ($held)" test "$held" -le 64
$MKBATCH --events 5 "$T/other.json"
code=$(curl -sS -o /dev/null -w '%{http_code}' --interface 127.0.0.2 --cacert "$T/pki/ca.crt" \
       --cert "$T/pki/agents/agent-1.crt" --key "$T/pki/agents/agent-1.key" -H 'Content-Type: application/json' \
       --data-binary "@$T/other.json" "$(URL /api/v1/batches)")
eq "  meanwhile an agent at 127.0.0.2 delivers" "$code" 200
touch "$T/slow.stop"; wait $SLOW
refused=$(( $(metric connections_address_refused_total) + $(metric handshakes_rate_refused_total) ))
check "  the others were refused before any TLS work ($refused)" test "$refused" -ge 900
sleep 2.5  # the address's handshake budget refills
out=$($H burst "$PORT" 100)
check "100 handshakes at once from one address: the rate cap refuses some ($out)" \
      test "$(awk '{print $4}' <<<"$out")" -gt 0
sleep 2.5

stop_collector
start_collector --config "$T/collector.json" || exit 1

# ---- 3. revocation and identity ---------------------------------------------------------------------------
# renewal is rate-limited per agent (2 an hour here); the third within the hour is refused
renew() {  # CERT KEY CSR -> status; answer in $T/enr
    curl -sS -o "$T/enr" -w '%{http_code}' --cacert "$T/pki/ca.crt" --cert "$1" --key "$2" \
        -H 'Content-Type: application/json' --data-binary "$(/usr/bin/python3 -c 'import json,sys; print(json.dumps({"csr": open(sys.argv[1]).read()}))' "$3")" \
        "$(URL /api/v1/renew)"
}
openssl ecparam -name prime256v1 -genkey -noout -out "$T/s1.key" 2>/dev/null
openssl req -new -key "$T/s1.key" -subj /CN=x -out "$T/s1.csr" 2>/dev/null
eq "enroll s1" "$(enroll "$(enroll_body "$ET" s1 "$T/s1.csr" S1)")" 200
pem_of >"$T/s1.crt"
for n in 2 3 4; do
    openssl ecparam -name prime256v1 -genkey -noout -out "$T/s$n.key" 2>/dev/null
    openssl req -new -key "$T/s$n.key" -subj /CN=x -out "$T/s$n.csr" 2>/dev/null
done
eq "renewal 1 of s1" "$(renew "$T/s1.crt" "$T/s1.key" "$T/s2.csr")" 200
pem_of >"$T/s2.crt"
eq "renewal 2 of s1" "$(renew "$T/s1.crt" "$T/s1.key" "$T/s3.csr")" 200
pem_of >"$T/s3.crt"
eq "renewal 3 within the hour: 429" "$(renew "$T/s1.crt" "$T/s1.key" "$T/s4.csr")" 429
# once the agent uses its newest certificate, the ones before it are revoked
$MKBATCH --agent-id s1 --hostname S1 "$T/s1.json"
code=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$T/pki/ca.crt" --cert "$T/s3.crt" --key "$T/s3.key" \
       -H 'Content-Type: application/json' --data-binary "@$T/s1.json" "$(URL /api/v1/batches)")
eq "s1 ships with its renewed certificate" "$code" 200
old_refused() {
    [[ "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$T/pki/ca.crt" --cert "$T/s1.crt" --key "$T/s1.key" \
          "$(URL /healthz)")" == 000 ]]
}
check "  its superseded certificates are refused in the handshake within 3 s" wait_until 3 old_refused
check "  the store says why" sh -c "'$COLLECTOR' cert list --data '$T/data' | grep -c '^s1 .*REVOKED' | grep -qx 2"
check "  counted (certs_superseded_total)" test "$(metric certs_superseded_total)" -eq 2

# an agent id whose certificate expired is not free for whoever holds a token
openssl ecparam -name prime256v1 -genkey -noout -out "$T/e1.key" 2>/dev/null
openssl req -new -key "$T/e1.key" -subj /CN=x -out "$T/e1.csr" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$T/e2.key" 2>/dev/null
openssl req -new -key "$T/e2.key" -subj /CN=x -out "$T/e2.csr" 2>/dev/null
eq "enroll e1 (10 s certificate)" "$(enroll "$(enroll_body "$ET" e1 "$T/e1.csr" E1)")" 200
pem_of >"$T/e1.crt"
eq "enroll e2 (10 s certificate)" "$(enroll "$(enroll_body "$ET" e2 "$T/e2.csr" E2)")" 200
pem_of >"$T/e2.crt"
# a session resumed after the certificate expired is refused (resumption verifies nothing itself)
$MKBATCH --agent-id e1 --hostname E1 "$T/e1.json"
out=$($H resume "$PORT" "$T/pki/ca.crt" "$T/e1.crt" "$T/e1.key" 12 "$T/e1.json")
eq "a session resumed after the certificate expired posts nothing" "$out" "reused True status HTTP/1.1 401 Unauthorized"
check "  counted (expired_refused_total)" test "$(metric expired_refused_total)" -ge 1
for n in 1 2; do
    openssl ecparam -name prime256v1 -genkey -noout -out "$T/e${n}b.key" 2>/dev/null
    openssl req -new -key "$T/e${n}b.key" -subj /CN=x -out "$T/e${n}b.csr" 2>/dev/null
done
ET2=$("$COLLECTOR" enroll-token create --data "$T/data" --name attacker 2>/dev/null)
eq "the expired id e1 with a new key and a token: 409" "$(enroll "$(enroll_body "$ET2" e1 "$T/e1b.csr" EVIL)")" 409
check "  saying what it takes" grep -q 'proof from its previous key' "$T/enr"
proof=$(openssl dgst -sha256 -sign "$T/e2.key" "$T/e1b.csr" | base64 -w0)
eq "  a proof made with another agent's key: 400" "$(enroll "$(enroll_body "$ET2" e1 "$T/e1b.csr" E1 "$T/e2.crt" "$proof")")" 400
proof=$(openssl dgst -sha256 -sign "$T/e1.key" "$T/e2b.csr" | base64 -w0)
eq "  a proof by e1's key over another request: 400" "$(enroll "$(enroll_body "$ET2" e1 "$T/e1b.csr" E1 "$T/e1.crt" "$proof")")" 400
proof=$(openssl dgst -sha256 -sign "$T/e1.key" "$T/e1b.csr" | base64 -w0)
eq "e1 with its old certificate and a signature by its old key: 200" \
   "$(enroll "$(enroll_body "$ET2" e1 "$T/e1b.csr" E1 "$T/e1.crt" "$proof")")" 200
eq "the expired id e2 without proof: 409" "$(enroll "$(enroll_body "$ET2" e2 "$T/e2b.csr" E2)")" 409
"$COLLECTOR" cert release e2 --data "$T/data" >/dev/null
eq "  cert release exits 0" "$?" 0
eq "  after an operator released it: 200" "$(enroll "$(enroll_body "$ET2" e2 "$T/e2b.csr" E2)")" 200

# the revocation list: replaced only by one that parses; required at start when revocations exist
cp "$T/pki/ca.crl" "$T/crl.good"
echo "not a CRL" >"$T/pki/ca.crl"
sleep 3
check "a revocation list that stops parsing leaves the one in force: s1's old certificate still refused" old_refused
check "  logged" grep -q 'cannot load the revocation list' "$T/collector.log"
rm -f "$T/pki/ca.crl"
sleep 3
check "a revocation list that disappears un-revokes nothing" old_refused
stop_collector
"$COLLECTOR" serve --config "$T/collector.json" --listen "127.0.0.1:$PORT" --data "$T/data" --pki "$T/pki" \
    >"$T/nocrl.out" 2>&1
eq "start with revocations in the store and no revocation list: exit 1" "$?" 1
check "  saying why and what to run" grep -q 'revocation list .* is missing: run `wfpwatch-collector cert crl`' "$T/nocrl.out"
echo "garbage" >"$T/pki/ca.crl"
"$COLLECTOR" serve --config "$T/collector.json" --listen "127.0.0.1:$PORT" --data "$T/data" --pki "$T/pki" \
    >"$T/badcrl.out" 2>&1
eq "start with a revocation list that does not parse: exit 1" "$?" 1
"$COLLECTOR" cert crl --data "$T/data" --pki "$T/pki" >/dev/null
start_collector --config "$T/collector.json" || exit 1
check "after cert crl it starts, and s1's old certificate is still refused" old_refused
stop_collector
finish
