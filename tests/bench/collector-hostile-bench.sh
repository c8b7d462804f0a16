#!/usr/bin/env bash
# collector-hostile-bench.sh — what hostile requests cost the collector (benchmark, not a test).
#
#   1. one signature check with a hostile key, measured alone (wfpw-rsacost): the work a collector
#      that checked a CSR's or a client certificate's signature before its key would do for anyone;
#   2. the time a CSR with an RSA-8192 key and an 8184-bit exponent takes to be refused (curl's
#      time_total, 20 requests one after another: median and max), beside an ordinary P-256 request
#      refused for its token;
#   3. the collector's own CPU time per refused enrollment (utime + stime of the serving process
#      from /proc, 200 requests one after another, each its own connection and TLS handshake): the
#      huge-RSA CSR beside the ordinary P-256 CSR with an unknown token, same run, same accounting.
#      The client's CPU is not counted: on a 2-core machine a flood of client processes slows
#      everything for reasons that are not the collector's;
#   4. the cost of the canonical re-encoding at ingest (wfpw-ingestcost), decode alone and decode +
#      re-encode of a 1000-event batch, same process, same run.
# Release build; collector with SQLite (synchronous=FULL).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${WFPW_BUILD:-$root/build/release}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target wfpwatch-collector wfpw-rsacost wfpw-ingestcost >/dev/null
C=$build/collector/wfpwatch-collector
H="/usr/bin/python3 $root/tests/integration/hostile.py"
t=$(mktemp -d /tmp/wfpw-bench.XXXXXX)
pids=()
trap 'kill ${pids[@]:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$t"' EXIT
. "$root/tests/bench/lib.sh"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

echo "## 1. one public-key operation"
"$build/tests/bench/wfpw-rsacost" 3

"$C" pki init --dir "$t/pki" >/dev/null
ET=$("$C" enroll-token create --data "$t/data" 2>/dev/null)
cat >"$t/c.json" <<JSON
{ "enroll": { "rate_per_minute": 100000, "rate_burst": 100000 },
  "limits": { "max_connections_per_address": 10000, "handshakes_per_address_per_s": 100000 } }
JSON
p=$(port)
"$C" serve --config "$t/c.json" --listen "127.0.0.1:$p" --pki "$t/pki" --data "$t/data" --log-level warn 2>"$t/collector.log" &
pids+=($!)
sleep 1
$H bigrsa-csr "$t/big.csr"
openssl ecparam -name prime256v1 -genkey -noout -out "$t/ok.key" 2>/dev/null
openssl req -new -key "$t/ok.key" -subj /CN=x -out "$t/ok.csr" 2>/dev/null
body() { /usr/bin/python3 -c 'import json,sys; print(json.dumps({"token":sys.argv[1],"agent_id":"b","hostname":"h","csr":open(sys.argv[2]).read()}))' "$@"; }
body "$ET" "$t/big.csr" >"$t/big.json"
body wfpe_not_a_token "$t/ok.csr" >"$t/ok.json"
times() {  # FILE: 20 requests, prints "median max" in ms and checks each was a 400/401
    for i in $(seq 1 20); do
        curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --cacert "$t/pki/ca.crt" \
            -H 'Content-Type: application/json' --data-binary "@$1" "https://localhost:$p/api/v1/enroll"
    done | sort -k2 -n | awk '{a[NR]=$2*1000; c[$1]++} END {printf "median %.2f ms, max %.2f ms (statuses:", a[int((NR+1)/2)], a[NR]; for (k in c) printf " %s x%d", k, c[k]; print ")"}'
}
echo "## 2. time to refusal (client side, over mutual-TLS-capable HTTPS, new connection each)"
echo "huge RSA CSR:              $(times "$t/big.json")"
echo "P-256 CSR, unknown token:  $(times "$t/ok.json")"

echo "## 3. collector CPU per refused enrollment (200 requests each, new connection each)"
cpu_ms() { awk '{print ($14 + $15) * 1000 / '"$(getconf CLK_TCK)"'}' "/proc/$1/stat"; }
per_request() {  # FILE: collector CPU-ms per request over 200 requests
    local before after i
    before=$(cpu_ms "${pids[0]}")
    for i in $(seq 1 200); do
        curl -s -o /dev/null --cacert "$t/pki/ca.crt" -H 'Content-Type: application/json' \
            --data-binary "@$1" "https://localhost:$p/api/v1/enroll"
    done
    after=$(cpu_ms "${pids[0]}")
    awk -v a="$before" -v b="$after" 'BEGIN {printf "%.2f", (b - a) / 200}'
}
big=$(per_request "$t/big.json"); ok=$(per_request "$t/ok.json")
echo "huge RSA CSR:              $big CPU-ms per request"
echo "P-256 CSR, unknown token:  $ok CPU-ms per request"
awk -v b="$big" -v o="$ok" 'BEGIN {printf "huge / ordinary: %.2f\n", b / o}'

echo "## 4. canonical re-encoding at ingest"
"$build/tests/bench/wfpw-ingestcost" 200
