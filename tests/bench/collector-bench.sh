#!/usr/bin/env bash
# collector-bench.sh — collector throughput per CPU-second, beside nginx (benchmark, not a test).
#
# Same client (wfpw-loadgen: libcurl multi, N keep-alive mTLS connections) against:
#   1. nginx-light, one worker, `return 204` on a mutual-TLS server block   (1-event batches)
#   2. wfpwatch-collector --store none                                     (1-event batches)
#   3. wfpwatch-collector with SQLite (synchronous=FULL)                    (1000-event batches)
# Server CPU is read from /proc (utime+stime) of the serving process. Release build.
# Env: REQS (default 40000), CONNS (16), BIG_REQS (300), BIG_CONNS (4).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
REQS=${REQS:-40000}; CONNS=${CONNS:-16}; BIG_REQS=${BIG_REQS:-300}; BIG_CONNS=${BIG_CONNS:-4}
command -v nginx >/dev/null || apt-get install -y -qq nginx-light >/dev/null
. "$root/tests/bench/lib.sh"
collector_bench_setup

"$C" pki init --dir "$t/pki" >/dev/null
agents "$C" "$t/pki" "$CONNS"   # one agent certificate per connection
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# nginx $(nginx -v 2>&1 | cut -d/ -f2), client: libcurl $(curl-config --version 2>/dev/null | cut -d' ' -f2 || echo ?)"

# 1. nginx
np=$(port)
nginx_sink "$t/nginx" "$t/pki" "$np" 1m "ssl_protocols TLSv1.2;"
pids+=("$NGINX_PID")
worker=$NGINX_WORKER
"$L" --url "https://localhost:$np/api/v1/batches" "${auth[@]}" --connections "$CONNS" --events 1 \
     --requests "$REQS" --pid "$worker" --label "nginx-return-204"

# 2. collector, no store
cp=$(port)
"$C" serve --listen "127.0.0.1:$cp" --pki "$t/pki" --data "$t/none" --store none --log-level warn &
pids+=($!)
sleep 1
"$L" --url "https://localhost:$cp/api/v1/batches" "${auth[@]}" --connections "$CONNS" --events 1 \
     --requests "$REQS" --pid "${pids[-1]}" --label "collector-store-none"

# 3. collector, SQLite
sp=$(port)
"$C" serve --listen "127.0.0.1:$sp" --pki "$t/pki" --data "$t/data" --log-level warn &
pids+=($!)
sleep 1
"$L" --url "https://localhost:$sp/api/v1/batches" "${auth[@]}" --connections "$BIG_CONNS" --events 1000 \
     --requests "$BIG_REQS" --pid "${pids[-1]}" --label "collector-sqlite-1000"
"$L" --url "https://localhost:$sp/api/v1/batches" "${auth[@]}" --connections "$CONNS" --events 100 \
     --requests $((BIG_REQS * 5)) --pid "${pids[-1]}" --label "collector-sqlite-100"
echo "# stored events: $(/usr/bin/sqlite3 "$t/data/wfpwatch.db" 'select count(*) from events' 2>/dev/null || echo '(sqlite3 CLI not installed)')"
