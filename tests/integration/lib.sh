# lib.sh — shared helpers for the collector integration tests (sourced, not run).
#
# Every test gets its own temporary directory, PKI, data directory, API token and a
# collector on a free loopback port; everything is torn down on exit. Checks are counted;
# the script exits non-zero when any failed, printing "N passed, N failed".
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${WFPW_BUILD:-$ROOT/build/native}
COLLECTOR=$BUILD/collector/wfpwatch-collector
MKBATCH="/usr/bin/python3 $ROOT/tests/integration/mkbatch.py"
T=$(mktemp -d /tmp/wfpw-it.XXXXXX)
PASS=0
FAIL=0
CPID=""

cleanup() {
    [[ -n "$CPID" ]] && kill -9 "$CPID" 2>/dev/null
    [[ -n "${EXTRA_PIDS:-}" ]] && kill -9 $EXTRA_PIDS 2>/dev/null
    wait 2>/dev/null
    if [[ $FAIL -ne 0 ]]; then
        echo "--- collector log:"; tail -n 40 "$T/collector.log" 2>/dev/null
    fi
    if [[ $STORE == postgres && -f $T/pg.dbs ]]; then
        local db
        while read -r db; do
            PGOPTIONS='-c client_min_messages=warning' psql "$WFPW_PG_DSN dbname=postgres" -qAt \
                -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1
        done <"$T/pg.dbs"
    fi
    rm -rf "$T"
}

# The store the collector runs on: WFPW_STORE=sqlite (default) or postgres (with WFPW_PG_DSN, a
# cluster's connection string without dbname: tests/run.sh starts one). On PostgreSQL, COLLECTOR
# is a wrapper around the real binary that gives every data directory a database of its own
# (the same commands an operator runs with --dsn instead of --data): `serve ... --data DIR`
# gets `--store postgres --dsn DSN(DIR)`, an administration command's `--data DIR` becomes
# `--dsn DSN(DIR)`. Tests that start several collectors on one data directory share a database,
# exactly as they share a SQLite file.
STORE=${WFPW_STORE:-sqlite}
. "$ROOT/tests/integration/pgstore.sh"   # pg_db_of, pg_dsn_of
if [[ $STORE == postgres ]]; then
    [[ -n ${WFPW_PG_DSN:-} ]] || { echo "FAIL - WFPW_STORE=postgres needs WFPW_PG_DSN (tests/run.sh starts a cluster)"; echo "0 passed, 1 failed"; exit 1; }
    REAL_COLLECTOR=$COLLECTOR
    COLLECTOR=$T/wfpwatch-collector
    cat >"$COLLECTOR" <<WRAP
#!/bin/bash
# the collector on the PostgreSQL store: each --data DIR is a database of its own (lib.sh)
exec /bin/bash "$ROOT/tests/integration/pgstore.sh" exec "$REAL_COLLECTOR" "$T" "\$@"
WRAP
    chmod +x "$COLLECTOR"
fi
# The store's raw content (to show that a secret is not in it): SQLite's file and its WAL (where
# the last commits are until a checkpoint), PostgreSQL's dump.
store_dump() {  # DATADIR
    if [[ $STORE == postgres ]]; then
        pg_dump "$(pg_dsn_of "$1")" 2>/dev/null
    else
        cat "$1/wfpwatch.db" "$1/wfpwatch.db-wal" 2>/dev/null; true
    fi
}
# TEXT is nowhere in the store of DATADIR, and KNOWN (something the store must hold, e.g. the
# secret's hash) is: the dump is of the right store and holds data, not only a schema.
not_in_store() {  # DATADIR TEXT KNOWN
    store_dump "$1" >"$T/store.dump" || return 1
    grep -qaF -- "$3" "$T/store.dump" && ! grep -qaF -- "$2" "$T/store.dump"
}
# Empty the store of DATADIR (a fresh one is made on next use).
store_wipe() {  # DATADIR
    rm -rf "$1"
    if [[ $STORE == postgres ]]; then
        local db; db=$(pg_db_of "$1")
        PGOPTIONS='-c client_min_messages=warning' psql "$WFPW_PG_DSN dbname=postgres" -qAt \
            -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
        sed -i "/^$db\$/d" "$T/pg.dbs"
    fi
}
trap cleanup EXIT

ok()   { PASS=$((PASS + 1)); echo "ok - $*"; }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
check() {  # description, then a command that must succeed
    local d=$1; shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
eq() {  # description actual expected
    if [[ "$2" == "$3" ]]; then ok "$1"; else bad "$1 (got '$2', want '$3')"; fi
}
finish() {
    echo "$PASS passed, $FAIL failed"
    [[ $FAIL -eq 0 ]]
}

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# setup_pki: CA + server cert + agent "agent-1" (and TOKEN for the API)
setup_pki() {
    "$COLLECTOR" pki init --dir "$T/pki" >/dev/null || return 1
    "$COLLECTOR" pki issue --dir "$T/pki" --name agent-1 >/dev/null || return 1
    TOKEN=$("$COLLECTOR" token create --data "$T/data" --name siem 2>/dev/null) || return 1
}

# start_collector [extra serve args...]: starts on PORT, waits for /healthz
start_collector() {
    PORT=${PORT:-$(free_port)}
    "$COLLECTOR" serve --listen "127.0.0.1:$PORT" --data "$T/data" --pki "$T/pki" "$@" \
        >>"$T/collector.log" 2>&1 &
    CPID=$!
    local i
    for i in $(seq 1 100); do
        curl -s --cacert "$T/pki/ca.crt" "https://localhost:$PORT/healthz" >/dev/null 2>&1 && return 0
        kill -0 "$CPID" 2>/dev/null || { echo "collector exited:"; cat "$T/collector.log"; return 1; }
        sleep 0.1
    done
    echo "collector did not come up"; return 1
}

stop_collector() {  # SIGTERM and wait; the exit code goes to STOP_RC (no subshell: wait needs us)
    kill -TERM "$CPID" 2>/dev/null
    STOP_RC=0
    wait "$CPID" || STOP_RC=$?
    CPID=""
}

URL() { echo "https://localhost:$PORT$1"; }

# post FILE [agent] [curl args...]: prints "STATUS BODY"
post() {
    local file=$1 agent=${2:-agent-1}; shift 2 2>/dev/null || shift
    curl -sS -o "$T/resp" -w '%{http_code}' --cacert "$T/pki/ca.crt" \
        --cert "$T/pki/agents/$agent.crt" --key "$T/pki/agents/$agent.key" \
        -H 'Content-Type: application/json' --data-binary "@$file" "$@" "$(URL /api/v1/batches)"
    printf ' %s' "$(cat "$T/resp" 2>/dev/null)"
}

# api PATH [curl args...]: GET with the token; prints the body; status in $T/status
api() {
    local path=$1; shift
    curl -sS -o "$T/api" -w '%{http_code}' --cacert "$T/pki/ca.crt" \
        -H "Authorization: Bearer $TOKEN" "$@" "$(URL "$path")" >"$T/status"
    cat "$T/api"
}

jq_() {  # jq_ 'python expression on d' < json
    /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

# count of stored events (all pages)
stored_events() {
    api "/api/v1/events?limit=10000" | jq_ 'len(d["events"])'
}

# every event stored for agent-1 (all pages, following the cursor), as JSON lines in $T/stored
fetch_stored() {
    local after="" page
    : >"$T/stored"
    while :; do
        page=$(api "/api/v1/events?host=agent-1&limit=10000${after:+&after=$after}")
        echo "$page" | /usr/bin/python3 -c '
import json,sys
d=json.load(sys.stdin)
for e in d["events"]: print(json.dumps(e, separators=(",", ":")))
print((d.get("next_cursor") or "") if d["events"] else "", file=sys.stderr)' >>"$T/stored" 2>"$T/cursor"
        after=$(cat "$T/cursor")
        [[ -z "$after" ]] && break   # an empty page ends the walk
    done
}

# a fresh collector store (and API token) on the same port and PKI
reset_host() {
    stop_collector
    store_wipe "$T/data"
    TOKEN=$("$COLLECTOR" token create --data "$T/data" --name siem 2>/dev/null)
    start_collector
}
# wait_until SECONDS CMD...: run CMD every 0.2 s until it succeeds (0) or the time is up (1)
wait_until() {
    local n=$(( $1 * 5 )) i; shift
    for ((i = 0; i < n; i++)); do
        "$@" && return 0
        sleep 0.2
    done
    return 1
}

# agent_config FILE DATA_DIR SOURCES_JSON: agent-1 shipping to this test's collector (batches
# cut after 100 ms, a heartbeat every second)
agent_config() {
    cat >"$1" <<JSON
{ "agent_id": "agent-1", "data_dir": "$2",
  "collector": { "url": "https://localhost:$PORT", "ca": "$T/pki/ca.crt",
                 "cert": "$T/pki/agents/agent-1.crt", "key": "$T/pki/agents/agent-1.key" },
  "sources": $3,
  "batch": { "max_delay_ms": 100 }, "heartbeat_s": 1 }
JSON
}

# stored_eval EXPR [PRELUDE]: a python expression over ev (every event stored for agent-1, fetched
# afresh); PRELUDE (python) may name parts of it first
stored_eval() {
    fetch_stored
    /usr/bin/python3 - "$T/stored" "$1" "${2:-}" <<'PY'
import json,sys
ev=[json.loads(l) for l in open(sys.argv[1])]
exec(sys.argv[3])
print(eval(sys.argv[2]))
PY
}

# wine_reg_adds KEY NAME TYPE DATA [KEY NAME TYPE DATA]...: Wine's `reg add` for each; prints how
# many succeeded
wine_reg_adds() {  # a value whose reg.exe fails is tried once more (Wine's reg.exe fails now and
    local ok=0 try  # then when started while the server is busy); what it said goes to $T/reg-add.err
    while [[ $# -ge 4 ]]; do
        for try in 1 2; do
            if "$WINE" reg add "$1" /v "$2" /t "$3" /d "$4" /f >/dev/null 2>>"$T/reg-add.err"; then
                ok=$((ok + 1))
                break
            fi
            echo "reg add $1 /v $2 failed (try $try)" >>"$T/reg-add.err"
            sleep 1
        done
        shift 4
    done
    echo "$ok"
}

# wine_up: a wineserver of this test's own, kept up between its Wine commands (stop it with
# `/usr/lib/wine/wineserver -k` at exit). It first waits for a server that is still exiting (the
# previous suite's: a Wine command started in that moment can fail, e.g. `reg import` exit 1).
wine_up() {
    timeout 30 /usr/lib/wine/wineserver -w 2>/dev/null
    /usr/lib/wine/wineserver -p
}
