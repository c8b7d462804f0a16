#!/usr/bin/env bash
# pg-cluster.sh — a throw-away PostgreSQL cluster for the tests (Debian's postgresql package):
#   pg-cluster.sh start DIR     initdb in DIR, start it listening on a unix socket in DIR only
#                               (no TCP port), print the libpq connection string (no dbname)
#   pg-cluster.sh stop DIR      stop it (immediate) and remove DIR
#   pg-cluster.sh down DIR      the server goes away at once (as in a crash: -m immediate)
#   pg-cluster.sh up DIR        and comes back (crash recovery)
#   pg-cluster.sh createdb DSN NAME   a fresh empty database NAME (dropped first if it exists)
# The server refuses to run as root: as root the cluster belongs to the `postgres` user (created
# by the package), otherwise to the caller. Trust authentication on the socket only; fsync off
# (a crash of this cluster loses nothing a test needs: it is thrown away) unless
# WFPW_PG_DURABLE=1 (benchmarks: the same durability as the SQLite store's synchronous=FULL).
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[[ -n $bindir && -x $bindir/initdb ]] || { echo "pg-cluster: PostgreSQL server binaries missing (apt-get install postgresql)" >&2; exit 1; }
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${1:-}" in
start)
    dir=${2:?DIR}
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    chmod 0700 "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    "$0" up "$dir"
    echo "host=$dir port=5432 user=postgres"
    ;;
up)
    dir=${2:?DIR}
    opts="-c fsync=off -c full_page_writes=off"
    [[ ${WFPW_PG_DURABLE:-0} == 1 ]] && opts="-c fsync=on -c synchronous_commit=on -c shared_buffers=256MB"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -w -t 60 -l "$dir/server.log" \
        -o "-k $dir -c listen_addresses='' $opts -c max_connections=200" start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    ;;
down)
    dir=${2:?DIR}
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
stop)
    dir=${2:?DIR}
    [[ -d $dir/data ]] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
createdb)
    dsn=${2:?DSN} name=${3:?NAME}
    PGOPTIONS="-c client_min_messages=warning" psql "$dsn dbname=postgres" -v ON_ERROR_STOP=1 -qAt \
        -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" -c "CREATE DATABASE \"$name\"" >/dev/null
    ;;
*)
    echo "usage: pg-cluster.sh start DIR | stop DIR | down DIR | up DIR | createdb DSN NAME" >&2; exit 2 ;;
esac
