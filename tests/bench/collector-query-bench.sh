#!/usr/bin/env bash
# collector-query-bench.sh — REST query latency on a filled SQLite store, while ingest goes on
# (benchmark, not a test; issue #16 measured host=nope at 0.52 s and type=alert at 0.44 s over
# 2,000,000 events before the queries were index seeks).
#
# Fills the store through the collector (wfpw-loadgen, 1000-event batches over HOSTS agent
# certificates), then times Q requests of each query shape over one kept-alive connection
# (request sent to answer read, in the client), first on an idle collector, then while a second
# loadgen keeps ingesting 1000-event batches as fast as the collector takes them. Release build.
# Env: EVENTS (default 2000000), HOSTS (16), Q (200).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
EVENTS=${EVENTS:-2000000}; HOSTS=${HOSTS:-16}; Q=${Q:-200}
. "$root/tests/bench/lib.sh"
collector_bench_setup

"$C" pki init --dir "$t/pki" >/dev/null
agents "$C" "$t/pki" "$HOSTS"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
p=$(port)
"$C" serve --listen "127.0.0.1:$p" --pki "$t/pki" --data "$t/data" --log-level warn &
pids+=($!)
sleep 1
tok=$("$C" token create --data "$t/data" --name bench)
sleep 1.5   # the in-memory token set is reloaded every second
"$L" --url "https://localhost:$p/api/v1/batches" "${auth[@]}" --connections "$HOSTS" --events 1000 \
     --requests $((EVENTS / 1000)) --label "fill" >/dev/null
n=$(curl -s --cacert "$t/pki/ca.crt" -H "Authorization: Bearer $tok" \
      "https://localhost:$p/metrics" | awk '/^wfpwatch_events_accepted_total/{print $2}')
echo "# stored events: ${n:-?} over $HOSTS hosts"
top=${n:-$EVENTS}   # ids are 1..n

shapes=("host=nope&limit=10" "type=alert&limit=10" "after=$((top - 100))&limit=100"
        "host=bench-ag-03&limit=100" "host=bench-ag-03&type=connection_blocked&limit=100"
        "since=2030-01-01T00:00:00Z&limit=100")
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
    print("%-10s %-52s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms%s" % (label, shape, v[len(v) // 2] * 1e3,
          v[int(len(v) * 0.99)] * 1e3, v[-1] * 1e3, "  (%d answers not 200)" % bad if bad else ""))
PY
run() { /usr/bin/python3 "$t/q.py" "$p" "$t/pki/ca.crt" "$tok" "$1" "$Q" "${shapes[@]}"; }
run idle
"$L" --url "https://localhost:$p/api/v1/batches" "${auth[@]}" --connections "$HOSTS" --events 1000 \
     --requests 1000000 --label "ingest" >"$t/ingest.out" 2>&1 &
ing=$!
sleep 2
run ingesting
kill "$ing" 2>/dev/null; wait "$ing" 2>/dev/null || true
