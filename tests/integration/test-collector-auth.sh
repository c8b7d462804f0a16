#!/usr/bin/env bash
# test-collector-auth.sh — who may talk to the collector: agents need a client certificate
# from the collector's CA (none, another CA's, an expired one and a server certificate are
# all refused and nothing is stored); API readers need an unrevoked bearer token; key files
# are private; `pki init` never overwrites a CA.
. "$(dirname "$0")/lib.sh"

setup_pki || exit 1
"$COLLECTOR" pki issue --dir "$T/pki" --name expired --not-before 20200101000000 --not-after 20200201000000 >/dev/null
"$COLLECTOR" pki init --dir "$T/other" >/dev/null
"$COLLECTOR" pki issue --dir "$T/other" --name agent-1 >/dev/null
start_collector || exit 1
$MKBATCH --events 3 "$T/b.json"

# -- files and CA safety ------------------------------------------------------------------------------
eq "CA key is 0600" "$(stat -c %a "$T/pki/ca.key")" 600
eq "server key is 0600" "$(stat -c %a "$T/pki/server.key")" 600
eq "agent key is 0600" "$(stat -c %a "$T/pki/agents/agent-1.key")" 600
out=$("$COLLECTOR" pki init --dir "$T/pki" 2>&1); rc=$?
eq "pki init refuses to overwrite a CA (exit 2)" "$rc" 2
check "and says why" grep -q 'refusing to overwrite' <<<"$out"
"$COLLECTOR" pki issue --dir "$T/pki" --name 'bad/name' >/dev/null 2>&1; rc=$?
eq "pki issue refuses a bad agent name (exit 2)" "$rc" 2
check "agent certificate has clientAuth" sh -c "openssl x509 -in '$T/pki/agents/agent-1.crt' -noout -text | grep -q 'TLS Web Client Authentication'"
check "server certificate names localhost" sh -c "openssl x509 -in '$T/pki/server.crt' -noout -text | grep -q 'DNS:localhost'"
check "certificates verify with openssl" openssl verify -CAfile "$T/pki/ca.crt" "$T/pki/server.crt" "$T/pki/agents/agent-1.crt"

# -- agents ---------------------------------------------------------------------------------------------
r=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$T/pki/ca.crt" -H 'Content-Type: application/json' \
    --data-binary @"$T/b.json" "$(URL /api/v1/batches)")
eq "no client certificate: 401" "$r" 401
r=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$T/pki/ca.crt" --cert "$T/other/agents/agent-1.crt" \
    --key "$T/other/agents/agent-1.key" -H 'Content-Type: application/json' --data-binary @"$T/b.json" \
    "$(URL /api/v1/batches)" 2>/dev/null)
check "certificate from another CA: refused (handshake or 401, got $r)" test "$r" = 401 -o "$r" = 000
r=$(post "$T/b.json" expired 2>/dev/null)
check "expired certificate: refused (got ${r%% *})" test "${r%% *}" = 401 -o "${r%% *}" = 000
r=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$T/pki/ca.crt" --cert "$T/pki/server.crt" \
    --key "$T/pki/server.key" -H 'Content-Type: application/json' --data-binary @"$T/b.json" \
    "$(URL /api/v1/batches)" 2>/dev/null)
check "server certificate used as a client certificate: refused (got $r)" test "$r" = 401 -o "$r" = 000
r=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$T/other/ca.crt" "$(URL /healthz)" 2>/dev/null)
eq "client refuses a collector its CA did not sign" "$r" 000
eq "nothing stored from refused agents" "$(stored_events)" 0
r=$(post "$T/b.json")
eq "the right certificate works" "${r%% *}" 200

# -- API readers -------------------------------------------------------------------------------------------
r=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$T/pki/ca.crt" "$(URL /api/v1/events)")
eq "no token: 401" "$r" 401
r=$(curl -sS -o /dev/null -w '%{http_code}' --cacert "$T/pki/ca.crt" -H 'Authorization: Bearer wfpw_wrong' "$(URL /api/v1/events)")
eq "wrong token: 401" "$r" 401
api /api/v1/events >/dev/null
eq "valid token: 200" "$(cat "$T/status")" 200
"$COLLECTOR" token revoke --data "$T/data" --name siem >/dev/null
api /api/v1/events >/dev/null
eq "revoked token: 401 at once (running collector)" "$(cat "$T/status")" 401
for p in /api/v1/alerts /api/v1/hosts /api/v1/hosts/agent-1/filters; do
    api "$p" >/dev/null
    eq "revoked token refused on $p" "$(cat "$T/status")" 401
done
check "token list marks it revoked" sh -c "'$COLLECTOR' token list --data '$T/data' | grep -q 'siem.*REVOKED'"
check "only the token's hash is stored" not_in_store "$T/data" "$TOKEN" "$(printf %s "$TOKEN" | sha256sum | cut -c1-64)"
"$COLLECTOR" token create --data "$T/data" --name siem >/dev/null 2>&1; rc=$?
eq "token names are unique (exit 2)" "$rc" 2
check "no secret in the log" sh -c "! grep -q '$TOKEN' '$T/collector.log'"

stop_collector
eq "SIGTERM: exit 0" "$STOP_RC" 0
finish
