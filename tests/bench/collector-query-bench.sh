#!/usr/bin/env bash
# collector-query-bench.sh — REST query latency on a filled store, idle and while ingest goes on,
# for each store engine in the same run (benchmark, not a test; issue #16 measured host=nope at
# 0.52 s and type=alert at 0.44 s over 2,000,000 events before the queries were index seeks).
#
# Per engine: a collector on a new store (SQLite: synchronous=FULL; PostgreSQL 15: a cluster of
# its own in a temporary directory with fsync and synchronous_commit on, shared_buffers 256 MB,
# on the same machine), filled through the collector (wfpw-loadgen, 1000-event batches over
# HOSTS agent certificates); then Q requests of each query shape over one kept-alive connection
# (request sent to last byte read, in the client), first idle, then while a second loadgen
# keeps ingesting 1000-event batches as fast as the collector takes them; the ingest rate
# during those queries is read from the collector's /metrics. Release build; everything
# (collector, database, load generator, client) shares the machine's cores.
# Env: EVENTS (default 2000000), HOSTS (16), Q (200), STORES ("sqlite postgres").
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
EVENTS=${EVENTS:-2000000}; HOSTS=${HOSTS:-16}; Q=${Q:-200}; STORES=${STORES:-sqlite postgres}
. "$root/tests/bench/lib.sh"
collector_bench_setup

"$C" pki init --dir "$t/pki" >/dev/null
agents "$C" "$t/pki" "$HOSTS"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# $EVENTS events over $HOSTS hosts, $Q requests per shape"
cat >"$t/q.py" <<'PY'
import http.client, ssl, sys, time
port, ca, token, label, q = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
ctx = ssl.create_default_context(cafile=ca)
for shape in sys.argv[6:]:
    c = http.client.HTTPSConnection("localhost", int(port), context=ctx)  # kept alive, as a poller does
    v, bad = [], 0
    for i in range(q):
        t0 = time.perf_counter()
        c.request("GET", "/api/v1/events?" + shape, headers={"Authorization": "Bearer " + token})
        r = c.getresponse(); r.read()
        v.append(time.perf_counter() - t0)
        bad += r.status != 200
    c.close()
    v.sort()
    print("%-22s %-52s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms%s" % (label, shape, v[len(v) // 2] * 1e3,
          v[int(len(v) * 0.99)] * 1e3, v[-1] * 1e3, "  (%d answers not 200)" % bad if bad else ""))
PY
# every agent connects from 127.0.0.1 here: the per-address limits made for a hostile client
# would refuse a fleet's worth of agents behind one address
cat >"$t/c.json" <<JSON
{ "limits": { "max_connections": $((2 * HOSTS + 200)), "max_connections_per_address": $((2 * HOSTS + 100)),
              "handshakes_per_address_per_s": 100000, "max_batches_in_flight": $((2 * HOSTS + 100)),
              "store_queue": $((4 * HOSTS + 256)) } }
JSON
metric() {  # NAME: its value on the collector's /metrics (0 when it did not answer)
    local n
    n=$(curl -s --max-time 10 --cacert "$t/pki/ca.crt" "https://localhost:$p/metrics" | awk -v m="wfpwatch_$1" '$1 == m {print $2}')
    echo "${n:-0}"
}
accepted() { metric events_accepted_total; }   # events the collector took so far

for store in $STORES; do
    p=$(port)
    case $store in
    sqlite) args=(--data "$t/data-sqlite"); admin=(--data "$t/data-sqlite") ;;
    postgres)
        pgdir=$(mktemp -d /tmp/wfpw-pg.XXXXXX)
        dsn="$(WFPW_PG_DURABLE=1 "$root/tests/integration/pg-cluster.sh" start "$pgdir") dbname=postgres"
        trap 'kill ${pids[@]:-} 2>/dev/null; wait 2>/dev/null; "$root/tests/integration/pg-cluster.sh" stop "$pgdir"; rm -rf "$t"' EXIT
        args=(--dsn "$dsn"); admin=(--dsn "$dsn") ;;
    *) echo "STORES: sqlite or postgres, not $store" >&2; exit 2 ;;
    esac
    "$C" serve --config "$t/c.json" --listen "127.0.0.1:$p" --pki "$t/pki" "${args[@]}" --log-level warn &
    cpid=$!; pids+=($cpid)
    sleep 1
    tok=$("$C" token create "${admin[@]}" --name bench)
    sleep 1.5   # the in-memory token set is reloaded every second
    s0=$(date +%s.%N)
    "$L" --url "https://localhost:$p/api/v1/batches" "${auth[@]}" --connections "$HOSTS" --events 1000 \
         --requests $((EVENTS / 1000)) --label "fill" >"$t/fill.out" ||
        { cat "$t/fill.out"; echo "## the collector's /metrics after the failed fill:"
          curl -s --max-time 10 --cacert "$t/pki/ca.crt" "https://localhost:$p/metrics" | grep -v '^#'; exit 1; }
    s1=$(date +%s.%N)
    n=$(accepted)
    echo "## $store: stored ${n:-?} events over $HOSTS hosts (fill: $(python3 -c "print('%.0f' % (${n:-0} / ($s1 - $s0)))") events/s)"
    top=${n:-$EVENTS}   # ids are 1..n
    h3=$(printf "bench-ag-$AGENT_FMT" 3)
    shapes=("host=nope&limit=10" "type=alert&limit=10" "after=$((top - 100))&limit=100"
            "host=$h3&limit=100" "host=$h3&type=connection_blocked&limit=100"
            "since=2030-01-01T00:00:00Z&limit=100")
    /usr/bin/python3 "$t/q.py" "$p" "$t/pki/ca.crt" "$tok" "$store idle" "$Q" "${shapes[@]}"
    "$L" --url "https://localhost:$p/api/v1/batches" "${auth[@]}" --connections "$HOSTS" --events 1000 \
         --requests 100000000 --label "ingest" >"$t/ingest.out" 2>&1 &
    ing=$!
    # its HOSTS agents connect first, a full handshake each (about 6 ms of the collector's loop
    # thread apiece, docs/performance.md): the rows measure steady ingest, so they start once
    # every agent is connected and 20,000 more events have been stored after that
    conns=0
    for _ in $(seq 1 1500); do
        conns=$(metric connections)
        (( conns >= HOSTS )) && break
        sleep 0.2
    done
    (( conns >= HOSTS )) ||
        echo "## $store: WARNING: only $conns of $HOSTS agents connected after 300 s; the ingesting rows include handshakes"
    b0=$(accepted)
    for _ in $(seq 1 600); do
        sleep 0.2
        a=$(accepted)
        (( a > b0 + 20000 )) && break
    done
    (( a > b0 + 20000 )) ||
        echo "## $store: WARNING: fewer than 20,000 events stored in 120 s before the ingesting rows"
    a0=$(accepted); i0=$(date +%s.%N)
    /usr/bin/python3 "$t/q.py" "$p" "$t/pki/ca.crt" "$tok" "$store ingesting" "$Q" "${shapes[@]}"
    a1=$(accepted); i1=$(date +%s.%N)
    kill "$ing" 2>/dev/null; wait "$ing" 2>/dev/null || true
    echo "## $store: ingest during the ingesting rows: $(python3 -c "print('%.0f' % (($a1 - $a0) / ($i1 - $i0)))") events/s"
    kill -TERM "$cpid"; wait "$cpid" 2>/dev/null || true
    if [[ $store == postgres ]]; then "$root/tests/integration/pg-cluster.sh" stop "$pgdir"; fi
done
