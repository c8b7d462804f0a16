#!/bin/bash
# pgstore.sh — the integration tests on the PostgreSQL store (lib.sh, WFPW_STORE=postgres).
# Sourced: pg_db_of DATADIR (the database standing for that data directory) and pg_dsn_of
# DATADIR (its connection string; the database is created on first use and listed in
# $T/pg.dbs for cleanup). Run as `pgstore.sh exec REAL_COLLECTOR T ARGS...`: the collector's
# command line with each `--data DIR` mapped to that directory's database — `serve` keeps
# --data and gains `--store postgres --dsn DSN`, every other command gets `--dsn DSN` instead
# of `--data DIR`. Needs ROOT and WFPW_PG_DSN (a cluster's connection string, no dbname).
pg_db_of() {  # DATADIR -> database name
    echo "wfpw_$(printf '%s' "$1" | md5sum | cut -c1-20)"
}
pg_dsn_of() {  # DATADIR -> connection string
    local db
    db=$(pg_db_of "$1")
    (
        flock 9
        if ! grep -qx "$db" "$T/pg.dbs" 2>/dev/null; then
            PGOPTIONS='-c client_min_messages=warning' "$ROOT/tests/integration/pg-cluster.sh" createdb \
                "$WFPW_PG_DSN" "$db" && echo "$db" >>"$T/pg.dbs"
        fi
    ) 9>"$T/pg.lock" || { echo "pgstore: cannot create the database for $1" >&2; return 1; }
    echo "$WFPW_PG_DSN dbname=$db"
}
if [[ ${1:-} == exec ]]; then
    real=$2 T=$3
    shift 3
    ROOT=${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
    args=() data="" serve=0
    [[ ${1:-} == serve ]] && serve=1
    while [[ $# -gt 0 ]]; do
        if [[ $1 == --data && $# -ge 2 ]]; then
            data=$2
            if [[ $serve == 1 ]]; then args+=(--data "$2"); fi
            shift 2
            continue
        fi
        args+=("$1")
        shift
    done
    if [[ -n $data ]]; then
        dsn=$(pg_dsn_of "$data") || exit 1
        if [[ $serve == 1 ]]; then args+=(--store postgres --dsn "$dsn"); else args+=(--dsn "$dsn"); fi
    elif [[ $serve == 1 ]]; then
        # serve without --data: its default data directory, ./var/data
        dsn=$(pg_dsn_of "$(pwd)/var/data") || exit 1
        args+=(--store postgres --dsn "$dsn")
    fi
    exec "$real" "${args[@]}"
fi
