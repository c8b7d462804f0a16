#!/usr/bin/env bash
# collector-pg-ingest-bench.sh — ingest on the PostgreSQL store against the floor PostgreSQL
# itself sets (benchmark, not a test), all in one run on one machine:
#   1. one collector: N events in 1000-event batches (wfpw-loadgen, CONNS agent connections);
#      events per collector CPU-second, and the database server's CPU per event;
#   2. `psql \copy` of the same rows (exported from step 1) into a table made LIKE events
#      (same columns, indexes and identity), the server's CPU per event for that;
#   3. two collectors on the same database, the load split between them.
# CPU is user + system time from /proc (the collector process; every process of the cluster,
# postmaster and backends, summed over the phase). The cluster is its own, in a temporary
# directory, with fsync and synchronous_commit on (the same durability as SQLite's
# synchronous=FULL). Release build. Env: N (default 2000000), CONNS (16).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
N=${N:-2000000}; CONNS=${CONNS:-16}
. "$root/tests/bench/lib.sh"
collector_bench_setup
"$C" pki init --dir "$t/pki" >/dev/null
agents "$C" "$t/pki" "$CONNS"
pgdir=$(mktemp -d /tmp/wfpw-pg.XXXXXX)
dsn="$(WFPW_PG_DURABLE=1 "$root/tests/integration/pg-cluster.sh" start "$pgdir") dbname=postgres"
trap 'kill ${pids[@]:-} 2>/dev/null; wait 2>/dev/null; "$root/tests/integration/pg-cluster.sh" stop "$pgdir"; rm -rf "$t"' EXIT
hz=$(getconf CLK_TCK)
pg_cpu() {  # ticks of every process of the cluster (the postmaster and its children)
    local pm; pm=$(head -n1 "$pgdir/data/postmaster.pid")
    { echo "$pm"; pgrep -P "$pm"; } | while read -r pid; do awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null; done |
        awk '{s += $1} END {print s + 0}'
}
# the postmaster's children exit and are replaced (backends per connection): their CPU is
# read while they live, so phases keep their connections open until after the second reading
proc_cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
cfg() {
    cat >"$t/c.json" <<JSON
{ "limits": { "max_connections_per_address": 1000, "handshakes_per_address_per_s": 100000,
              "max_batches_in_flight": 1000, "store_queue": 2000 } }
JSON
}
cfg
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); PostgreSQL $(psql "$dsn" -Atc 'show server_version')"
echo "# $N events, 1000 per batch, $CONNS agent connections"

start_collector() {  # PORT -> pid in $!
    "$C" serve --config "$t/c.json" --listen "127.0.0.1:$1" --pki "$t/pki" --dsn "$dsn" --log-level warn &
    pids+=($!)
}
# ---- 1. one collector ------------------------------------------------------------------------------
p1=$(port); start_collector "$p1"; c1=$!
sleep 1.5
cc0=$(proc_cpu "$c1"); pc0=$(pg_cpu); s0=$(date +%s.%N)
"$L" --url "https://localhost:$p1/api/v1/batches" "${auth[@]}" --connections "$CONNS" --events 1000 \
     --requests $((N / 1000)) --label one >"$t/one.out"
s1=$(date +%s.%N); cc1=$(proc_cpu "$c1"); pc1=$(pg_cpu)
stored=$(psql "$dsn" -Atc 'select count(*) from events')
python3 - "$N" "$stored" "$cc0" "$cc1" "$pc0" "$pc1" "$hz" "$s0" "$s1" <<'PY'
import sys
n, stored, cc0, cc1, pc0, pc1, hz = (int(x) for x in sys.argv[1:8])
s0, s1 = float(sys.argv[8]), float(sys.argv[9])
cc, pc = (cc1 - cc0) / hz, (pc1 - pc0) / hz
print("one collector     %d events stored in %.1f s: %.0f events/s; collector %.1f s CPU (%.0f events per collector CPU-second), server %.1f s CPU (%.2f us per event)" % (stored, s1 - s0, stored / (s1 - s0), cc, stored / cc, pc, pc / stored * 1e6))
open("/tmp/.wfpw-bench-one", "w").write("%f %f %d" % (cc, pc, stored))
PY
kill -TERM "$c1"; wait "$c1" 2>/dev/null || true

# ---- 2. psql \copy of the same rows ------------------------------------------------------------------
psql "$dsn" -qAt -c "\\copy (select host, type, time, received, batch_id, seq, mismatch, json from events order by id) to '$t/rows.tsv'"
psql "$dsn" -qAt -c 'create table events_copy (like events including all)'
pc0=$(pg_cpu); s0=$(date +%s.%N)
# one psql session whose backend stays (pg_sleep) after the copy: its CPU is read while it lives
psql "$dsn" -qAt <<SQL >/dev/null &
\\copy events_copy (host, type, time, received, batch_id, seq, mismatch, json) from '$t/rows.tsv'
select pg_sleep(3);
SQL
cp_pid=$!
sleep 0.5
while ! psql "$dsn" -Atc "select count(*) from pg_stat_activity where query like 'select pg_sleep(3)%'" | grep -qx 1; do sleep 0.05; done
s1=$(date +%s.%N); pc1=$(pg_cpu)
wait "$cp_pid"
python3 - "$pc0" "$pc1" "$hz" "$s0" "$s1" <<'PY'
import sys
pc0, pc1, hz, s0, s1 = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
cc, pc, n = (float(x) for x in open("/tmp/.wfpw-bench-one").read().split())
copy = (pc1 - pc0) / hz
print("psql \\copy        %d rows in %.1f s: server %.1f s CPU (%.2f us per event)" % (n, s1 - s0, copy, copy / n * 1e6))
print("ratio             collector + server per event / \\copy's server per event = %.2f (goal <= 1.25)" % ((cc + pc) / copy))
PY
rm -f /tmp/.wfpw-bench-one

# ---- 3. two collectors on one database ------------------------------------------------------------------
pa=$(port); start_collector "$pa"; ca=$!
pb=$(port); start_collector "$pb"; cb=$!
sleep 1.5
before=$(psql "$dsn" -Atc 'select count(*) from events')
pc0=$(pg_cpu); s0=$(date +%s.%N)
"$L" --url "https://localhost:$pa/api/v1/batches" "${auth[@]}" --connections $((CONNS / 2)) --events 1000 \
     --requests $((N / 2000)) --label two-a >"$t/a.out" &
la=$!
"$L" --url "https://localhost:$pb/api/v1/batches" "${auth[@]}" --connections $((CONNS / 2)) --events 1000 \
     --requests $((N / 2000)) --label two-b >"$t/b.out" &
lb=$!
wait "$la" "$lb"
s1=$(date +%s.%N); pc1=$(pg_cpu)
after=$(psql "$dsn" -Atc 'select count(*) from events')
python3 - "$before" "$after" "$pc0" "$pc1" "$hz" "$s0" "$s1" <<'PY'
import sys
b, a, pc0, pc1, hz, s0, s1 = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
n = a - b
print("two collectors    %d events stored in %.1f s: %.0f events/s together; server %.1f s CPU (%.2f us per event)" % (n, s1 - s0, n / (s1 - s0), (pc1 - pc0) / hz, (pc1 - pc0) / hz / n * 1e6))
PY
