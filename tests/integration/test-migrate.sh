#!/bin/bash
# test-migrate.sh — `migrate --from sqlite:DATADIR --to postgres:DSN`: a collector's SQLite store
# (events, alerts and their outbox, hosts, inventories, tokens, enrollment tokens, issued and
# revoked certificates) copied into a new PostgreSQL database; the collector then serves from
# PostgreSQL and a SIEM's cursor taken on SQLite continues exactly where it was; new ids follow
# the copied ones; batches sent before are still known as duplicates; a second migration into
# the same database and a wrong source are refused with nothing written.
. "$(dirname "$0")/lib.sh"
[[ -n ${WFPW_PG_DSN:-} ]] || { bad "WFPW_PG_DSN is not set (tests/run.sh starts a PostgreSQL cluster)"; finish; exit 1; }
BIN=${REAL_COLLECTOR:-$COLLECTOR}   # the real binary, whatever store lib.sh wraps it for
DB=wfpw_migrate_$$
"$ROOT/tests/integration/pg-cluster.sh" createdb "$WFPW_PG_DSN" "$DB" || { bad "createdb"; finish; exit 1; }
echo "$DB" >>"$T/pg.dbs"
DSN="$WFPW_PG_DSN dbname=$DB"

"$BIN" pki init --dir "$T/pki" >/dev/null && "$BIN" pki issue --dir "$T/pki" --name agent-1 >/dev/null || bad "pki"
TOKEN=$("$BIN" token create --data "$T/data" --name siem 2>/dev/null)
"$BIN" token create --data "$T/data" --name old >/dev/null 2>&1 && "$BIN" token revoke --data "$T/data" --name old >/dev/null
"$BIN" enroll-token create --data "$T/data" --name fleet --max-uses 5 >/dev/null 2>&1
PORT=$(free_port)
# a webhook that never answers: the alerts' outbox rows stay pending, and move with the store
echo '{ "alerts": { "webhook": { "url": "http://127.0.0.1:1/hook", "timeout_ms": 500 }, "retry_max_s": 1 } }' >"$T/c.json"
serve() { "$BIN" serve --config "$T/c.json" --listen "127.0.0.1:$PORT" --pki "$T/pki" "$@" >>"$T/collector.log" 2>&1 & CPID=$!
          wait_until 15 sh -c "curl -s --cacert '$T/pki/ca.crt' https://localhost:$PORT/healthz | grep -q ok"; }
check "SQLite collector serves" serve --data "$T/data"
eq "golden batch (filters added, changed, removed) stored" "$(post "$ROOT/tests/data/proto/golden/all.json" | cut -d' ' -f1)" 200
$MKBATCH --events 40 --seq 100 "$T/b1.json"; $MKBATCH --events 3 --seq 200 --type alert "$T/b2.json"
eq "40 events" "$(post "$T/b1.json" | cut -d' ' -f1)" 200
eq "3 alerts" "$(post "$T/b2.json" | cut -d' ' -f1)" 200
"$BIN" pki issue --dir "$T/pki" --name agent-3 >/dev/null
$MKBATCH --events 2 --seq 1 --agent-id agent-3 --hostname agent-3 "$T/b4.json"
eq "agent-3's batch" "$(post "$T/b4.json" agent-3 | cut -d' ' -f1)" 200
# a SIEM half-way: its cursor after 2 pages of 10
c=0; for i in 1 2; do c=$(api "/api/v1/events?after=$c&limit=10" | jq_ 'd["next_cursor"]'); done
api "/api/v1/events?after=$c&limit=10000" >"$T/rest.sqlite"
api "/api/v1/alerts?limit=10000" >"$T/alerts.sqlite"
api "/api/v1/events?since=2000-01-01T00:00:00Z&limit=10000" >"$T/since.sqlite"
api "/api/v1/alerts?until=2100-01-01T00:00:00Z&limit=10000" >"$T/until.sqlite"
api "/api/v1/hosts" >"$T/hosts.sqlite"
api "/api/v1/hosts/agent-1/filters" >"$T/filters.sqlite"
maxid=$(api "/api/v1/events?limit=10000" | jq_ 'd["events"][-1]["id"]')
nev=$(api "/api/v1/events?limit=10000" | jq_ 'len(d["events"])')
stop_collector
"$BIN" cert revoke agent-1 --data "$T/data" --pki "$T/pki" >/dev/null 2>&1
"$BIN" cert list --data "$T/data" >"$T/certs.sqlite"

# ---- refused: wrong source, wrong destination syntax ---------------------------------------------------
"$BIN" migrate --from "sqlite:$T/nothing-here" --to "postgres:$DSN" >"$T/m0.out" 2>&1
eq "a source that is not a store: exit 1" "$?" 1
"$BIN" migrate --from "sqlite:$T/data" --to "mysql:x" >"$T/m0.out" 2>&1
eq "a destination that is not postgres:DSN: exit 2" "$?" 2

# ---- the move ----------------------------------------------------------------------------------------
"$BIN" migrate --from "sqlite:$T/data/wfpwatch.db" --to "postgres:$DSN" >"$T/m1.out" 2>&1
eq "migrate exits 0" "$?" 0
cat "$T/m1.out"
check "it counts the events it copied ($nev)" grep -Eq "^events +$nev rows\$" "$T/m1.out"
check "and the pending outbox rows" grep -Eq '^outbox +[1-9]' "$T/m1.out"
check "and the certificates" grep -Eq '^certs +[1-9]' "$T/m1.out"
"$BIN" migrate --from "sqlite:$T/data" --to "postgres:$DSN" >"$T/m2.out" 2>&1
eq "a second migration into the same database: exit 1" "$?" 1
check "  saying it is not empty, nothing written" grep -q 'not empty.*nothing was written' "$T/m2.out"

check "the collector serves from PostgreSQL" serve --dsn "$DSN"
check "its log says so" grep -q 'store: postgres' "$T/collector.log"
eq "the API token still works" "$(api /api/v1/hosts >/dev/null; cat "$T/status")" 200
eq "the SIEM's cursor continues exactly where it was" "$(api "/api/v1/events?after=$c&limit=10000")" "$(cat "$T/rest.sqlite")"
eq "alerts: the same" "$(api "/api/v1/alerts?limit=10000")" "$(cat "$T/alerts.sqlite")"
check "time-filtered pages served before the move hold rows" \
    sh -c "grep -q '\"id\"' '$T/since.sqlite' && grep -q '\"id\"' '$T/until.sqlite'"
eq "events since a time: the same (their window ends at the last id copied)" \
    "$(api "/api/v1/events?since=2000-01-01T00:00:00Z&limit=10000")" "$(cat "$T/since.sqlite")"
eq "alerts until a time: the same" "$(api "/api/v1/alerts?until=2100-01-01T00:00:00Z&limit=10000")" "$(cat "$T/until.sqlite")"
eq "filters: the same" "$(api /api/v1/hosts/agent-1/filters)" "$(cat "$T/filters.sqlite")"
eq "hosts: the same hosts, counts and times (agent-1 now revoked)" "$(api /api/v1/hosts | jq_ '[(h["host"], h["batches"], h["events"], h["first_seen"], h["status"]) for h in d["hosts"]]')" \
    "$(jq_ '[(h["host"], h["batches"], h["events"], h["first_seen"], "revoked" if h["host"] == "agent-1" else h["status"]) for h in d["hosts"]]' <"$T/hosts.sqlite")"
eq "certificates and revocations: the same" "$("$BIN" cert list --dsn "$DSN")" "$(cat "$T/certs.sqlite")"
eq "enrollment token kept (1 of them)" "$("$BIN" enroll-token list --dsn "$DSN" | grep -c fleet)" 1
check "a batch stored before the move is still known: a resend is a duplicate" \
    sh -c "curl -sS --cacert '$T/pki/ca.crt' --cert '$T/pki/agents/agent-3.crt' --key '$T/pki/agents/agent-3.key' \
           -H 'Content-Type: application/json' --data-binary @'$T/b4.json' https://localhost:$PORT/api/v1/batches | grep -q '\"duplicate\":true'"
eq "the revoked API token stays revoked" "$("$BIN" token list --dsn "$DSN" | grep old | grep -c -i revoked)" 1
stop_collector
# a new batch (agent-2: agent-1 is revoked) takes ids above the copied ones
"$BIN" pki issue --dir "$T/pki" --name agent-2 >/dev/null
check "serves again" serve --dsn "$DSN"
$MKBATCH --events 2 --seq 1 --agent-id agent-2 --hostname agent-2 "$T/b3.json"
eq "a new batch after the move" "$(post "$T/b3.json" agent-2 | cut -d' ' -f1)" 200
newid=$(api "/api/v1/events?host=agent-2" | jq_ 'd["events"][0]["id"]')
check "takes an id above every copied one ($newid > $maxid)" test "$newid" -gt "$maxid"
stop_collector
eq "SIGTERM: exit 0" "$STOP_RC" 0
finish
