#!/usr/bin/env bash
# agent-bench.sh — the agent pipeline's cost (benchmark, not a test; figures in docs/performance.md).
#
# Replay -> pipeline (parse, validate, enrich, detect, aggregate) -> durable spool -> libcurl
# shipper over mutual TLS, release build:
#   1. full speed into a local collector (SQLite): events per agent CPU-second, peak RSS;
#      the collector must hold every event afterwards
#   2. 1,000 events/s into the collector, default batch delay (5 s) and 1 s: p50/p99/max latency
#      from the moment the replay source emits an event to the moment the collector takes the
#      request that carries it (events.received). Event i is due at S + i ms, S being the
#      replay's start as its log line stamps it; the capture stamps event i T0 + i ms
#      (tests/integration/gencap.py), so latency = received - time - (S - T0). Also the agent's
#      resident set once running (samples after the first 5 s)
#   3. the same full-speed replay into nginx (`return 204`, mutual TLS) from the agent and from
#      syslog-ng 3.38 (file source -> http destination posting JSON-array batches with a client
#      certificate, flow control so it drops nothing), memory queue and reliable disk buffer:
#      shipper CPU per event and the ratio
# Every process's CPU and peak RSS come from wait4's rusage when it exits (tests/bench/measure.py),
# the agent's and syslog-ng's alike.
# Full-speed figures are the best of R runs (2 cores: the sink shares them with the shipper).
# The agent is built as the Windows agent links curl: statically, HTTP(S) only, on mbedTLS
# (deploy/windows/build-deps.sh --native), not on Debian's libcurl with OpenSSL and the rest.
# Env: N (default 200000 events), LAT_N (30000 events at 1,000/s), R (3);
#      CURL=debian: build the agent on Debian's libcurl instead;
#      BASE=<git revision>: also that revision's agent (from `git archive`, its own CMake, on
#      Debian's libcurl), run into the same nginx in turn with this one: CPU seconds on this
#      machine drift by tens of percent over an hour, so a before/after ratio is only worth
#      what one run measures side by side;
#      CALLGRIND=1: also instructions per event (valgrind's callgrind, user space, start-up and
#      exit included; CG_N events, 50000) of this agent and of BASE's, into the same nginx:
#      a count that does not drift with the machine's load.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${WFPW_BUILD:-$root/build/release}
N=${N:-200000}; LAT_N=${LAT_N:-30000}; R=${R:-3}
need=()
command -v nginx >/dev/null || need+=(nginx-light)
command -v syslog-ng >/dev/null || need+=(syslog-ng-core)
[[ -e /usr/lib/syslog-ng/3.38/libhttp.so || -e /usr/lib/x86_64-linux-gnu/syslog-ng/libhttp.so ]] ||
    dpkg -s syslog-ng-mod-http >/dev/null 2>&1 || need+=(syslog-ng-mod-http)
[[ -z "${CALLGRIND:-}" ]] || command -v valgrind >/dev/null || need+=(valgrind)
[[ ${#need[@]} -eq 0 ]] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
curl_prefix=""
[[ ${CURL:-mbedtls} == debian ]] || curl_prefix=$("$root/deploy/windows/build-deps.sh" --native | tail -n1)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DWFPW_CURL_PREFIX="$curl_prefix" >/dev/null
cmake --build "$build" -j"$(nproc)" --target wfpwatch-agent wfpwatch-collector >/dev/null
A=$build/agent/wfpwatch-agent
C=$build/collector/wfpwatch-collector
GEN="/usr/bin/python3 $root/tests/integration/gencap.py"
MEASURE="/usr/bin/python3 $root/tests/bench/measure.py"
t=$(mktemp -d /tmp/wfpw-abench.XXXXXX)
pids=()
trap 'kill ${pids[@]:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$t"' EXIT
. "$root/tests/bench/lib.sh"
now_ms() { date +%s%3N; }
py() { /usr/bin/python3 -c "$@"; }

BA=""
if [[ -n "${BASE:-}" ]]; then
    mkdir -p "$t/base-src"
    git -C "$root" archive "$BASE" | tar -x -C "$t/base-src"
    cmake -S "$t/base-src" -B "$t/base-build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$t/base-build" -j"$(nproc)" --target wfpwatch-agent >/dev/null
    BA=$t/base-build/agent/wfpwatch-agent
fi

"$C" pki init --dir "$t/pki" >/dev/null
for n in bench-lat5 bench-lat1 $(for i in $(seq "$R"); do echo "bench-full$i bench-nginx$i bench-base$i"; done) bench-cg bench-cgbase; do "$C" pki issue --dir "$t/pki" --name "$n" >/dev/null; done
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# $("$A" version) ($(git -C "$root" describe --always --dirty 2>/dev/null || echo 'not a git checkout'), curl: ${CURL:-mbedtls}), $(syslog-ng --version | head -n1), nginx $(nginx -v 2>&1 | cut -d/ -f2)"
[[ -z "$BA" ]] || echo "# base: $("$BA" version) at $BASE ($(git -C "$root" rev-parse --short "$BASE"), Debian's libcurl)"

# agent_cfg NAME URL CAPTURE [extra members]
agent_cfg() {
    cat >"$t/$1.json" <<JSON
{ "agent_id": "$1", "data_dir": "$t/$1",
  "collector": { "url": "$2", "ca": "$t/pki/ca.crt",
                 "cert": "$t/pki/agents/$1.crt", "key": "$t/pki/agents/$1.key" },
  "sources": [ { "type": "replay", "path": "$3" ${5:-} } ],
  "log": { "level": "info", "file": "$t/$1.log" } ${4:-} }
JSON
}

cp=$(port)
"$C" serve --listen "127.0.0.1:$cp" --pki "$t/pki" --data "$t/coll" --log-level warn &
pids+=($!)
for _ in $(seq 50); do curl -s --cacert "$t/pki/ca.crt" "https://localhost:$cp/healthz" >/dev/null && break; sleep 0.1; done
db=$t/coll/wfpwatch.db
stored() { py "import sqlite3; print(sqlite3.connect('file:$db?mode=ro', uri=True).execute(\"SELECT count(*) FROM events WHERE host='$1' AND type='connection_blocked'\").fetchone()[0])"; }

# best RESULT-JSON... -> the one with the least CPU
best() { py "import json, sys; print(min((json.loads(a) for a in sys.argv[1:]), key=lambda r: r['cpu_s']))" "$@" | tr "'" '"'; }

# 1. full speed into the collector
$GEN "$N" "$t/full.jsonl"
runs=()
for i in $(seq "$R"); do
    agent_cfg "bench-full$i" "https://localhost:$cp" "$t/full.jsonl"
    runs+=("$($MEASURE -- "$A" run --config "$t/bench-full$i.json" --until-drained)")
    got=$(stored "bench-full$i")
    [[ $got -eq $N ]] || { echo "collector holds $got of $N events (run $i)"; exit 1; }
done
r=$(best "${runs[@]}")
py "import json; r=json.loads('$r'); print('full speed -> collector: %d events, agent CPU %.2f s (user %.2f, sys %.2f), %.0f events per agent CPU-second, peak RSS %.1f MiB, wall %.2f s; collector holds all %d (best of $R)' % ($N, r['cpu_s'], r['user_s'], r['sys_s'], $N / r['cpu_s'], r['peak_rss_kib'] / 1024, r['wall_s'], $got))"

# 2. latency at 1,000 events/s
lat_run() {  # NAME DELAY_MS
    local t0
    t0=$(( $(now_ms) + 1500 ))
    $GEN "$LAT_N" "$t/$1.jsonl" 1 "$t0" 1000
    agent_cfg "$1" "https://localhost:$cp" "$t/$1.jsonl" ", \"batch\": { \"max_delay_ms\": $2 }" ', "rate": 1000'
    while [[ $(now_ms) -lt $t0 ]]; do sleep 0.01; done
    r=$($MEASURE -- "$A" run --config "$t/$1.json" --until-drained)
    py "
import datetime, json, re, sqlite3
r = json.loads('$r')
m = re.search(r'^(\\S+) \\[source:replay#1\\] info: replaying', open('$t/$1.log').read(), re.M)
start = int(datetime.datetime.strptime(m.group(1), '%Y-%m-%dT%H:%M:%S.%f%z').timestamp() * 1000)
lag = start - $t0
lat = sorted(x - lag for (x,) in sqlite3.connect('file:$db?mode=ro', uri=True).execute(
    \"SELECT received - time FROM events WHERE host='$1' AND type='connection_blocked'\"))
assert len(lat) == $LAT_N, 'collector holds %d of $LAT_N' % len(lat)
steady = [kib for (s, kib) in r['rss_samples_kib'] if s >= 5] or [kib for (s, kib) in r['rss_samples_kib']]
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print('1,000 events/s, batch delay $2 ms: %d events, latency p50 %d ms, p99 %d ms, max %d ms (start-up %d ms excluded); RSS after 5 s: median %.1f MiB, max %.1f MiB; agent CPU %.2f s for %.1f s' % (
    len(lat), q(0.50), q(0.99), lat[-1], lag, sorted(steady)[len(steady) // 2] / 1024, max(steady) / 1024, r['cpu_s'], r['wall_s']))"
}
lat_run bench-lat5 5000
lat_run bench-lat1 1000

# 3. agent and syslog-ng into the same nginx sink
np=$(port)
nginx_sink "$t/nginx" "$t/pki" "$np" 2m
pids+=("$NGINX_PID")
# Both shippers are measured the same way: measure.py runs the process and reads wait4's rusage
# when it exits (all threads, start-up and shutdown included); the agent exits by itself once
# the sink acknowledged everything (--until-drained), syslog-ng is sent SIGTERM once its
# `written` counter reaches N (polled every 100 ms). Best of R by CPU for each.
# shipper_line LABEL RESULT-JSON
shipper_line() {
    py "import json; r=json.loads('$2'); print('full speed -> nginx, $1: %.2f CPU s (user %.2f, sys %.2f), %.0f events per CPU-second, peak RSS %.1f MiB, %d voluntary context switches, wall %.2f s (best of $R)' % (r['cpu_s'], r['user_s'], r['sys_s'], $N / r['cpu_s'], r['peak_rss_kib'] / 1024, r['vcsw'], r['wall_s']))"
}
runs=(); bruns=()
for i in $(seq "$R"); do
    agent_cfg "bench-nginx$i" "https://localhost:$np" "$t/full.jsonl"
    runs+=("$($MEASURE -- "$A" run --config "$t/bench-nginx$i.json" --until-drained)")
    if [[ -n "$BA" ]]; then  # in turn, so both see the machine as it is
        agent_cfg "bench-base$i" "https://localhost:$np" "$t/full.jsonl"
        bruns+=("$($MEASURE -- "$BA" run --config "$t/bench-base$i.json" --until-drained)")
    fi
done
r=$(best "${runs[@]}")
agent_cpu=$(py "import json; print(json.loads('$r')['cpu_s'])")
shipper_line wfpwatch-agent "$r"
if [[ -n "$BA" ]]; then
    b=$(best "${bruns[@]}")
    shipper_line "wfpwatch-agent at $BASE" "$b"
    py "import json; c=json.loads('$b')['cpu_s']; print('  this agent / $BASE events per CPU-second: %.2fx' % (c / $agent_cpu))"
fi

if [[ -n "${CALLGRIND:-}" ]]; then
    CG_N=${CG_N:-50000}
    $GEN "$CG_N" "$t/cg.jsonl"
    cg_run() {  # LABEL BINARY NAME
        agent_cfg "$3" "https://localhost:$np" "$t/cg.jsonl"
        valgrind --tool=callgrind --callgrind-out-file="$t/$3.cg" "$2" run --config "$t/$3.json" --until-drained \
            >"$t/$3.vg.log" 2>&1 || { tail -n 5 "$t/$3.vg.log"; exit 1; }
        py "
import re
ir = int(re.search(r'^summary: (\\d+)', open('$t/$3.cg').read(), re.M).group(1))
print('callgrind, $1: %d instructions for $CG_N events, %d per event' % (ir, ir // $CG_N))"
    }
    cg_run wfpwatch-agent "$A" bench-cg
    [[ -z "$BA" ]] || cg_run "wfpwatch-agent at $BASE" "$BA" bench-cgbase
fi

sng_run() {  # LABEL QUEUE-OPTIONS -> measure.py's JSON line on stdout
    local d=$t/sng-$1 mpid pid w=0
    rm -rf "$d"; mkdir -p "$d"
    cat >"$d/sng.conf" <<SNG
@version: 3.38
options { stats-level(1); keep-hostname(yes); };
source s_cap { file("$t/full.jsonl" flags(no-parse) follow-freq(1) log-fetch-limit(1000) log-iw-size(100000)); };
destination d_http {
    http(url("https://localhost:$np/api/v1/batches") method("POST")
         headers("Content-Type: application/json")
         body-prefix("[") delimiter(",") body-suffix("]") body("\${MESSAGE}")
         batch-lines(5000) batch-bytes(1048576) batch-timeout(5000) workers(1)
         tls(ca-file("$t/pki/ca.crt") cert-file("$t/pki/agents/bench-nginx1.crt")
             key-file("$t/pki/agents/bench-nginx1.key") peer-verify(yes))
         $2);
};
log { source(s_cap); destination(d_http); flags(flow-control); };
SNG
    $MEASURE -- syslog-ng -F -f "$d/sng.conf" -R "$d/persist" -p "$d/pid" -c "$d/ctl" --no-caps >"$d/measure.json" 2>"$d/out.log" &
    mpid=$!
    pids+=($mpid)
    for _ in $(seq 1 6000); do
        w=$(syslog-ng-ctl stats -c "$d/ctl" 2>/dev/null | awk -F';' '$1 ~ /^dst.http/ && $5 == "written" {print $6}' | head -n1 || true)
        [[ "${w:-0}" -ge "$N" ]] && break
        kill -0 "$mpid" 2>/dev/null || break  # it refused the configuration: out.log says why
        sleep 0.1
    done
    [[ "${w:-0}" -ge "$N" ]] || { echo "syslog-ng ($1) delivered ${w:-0} of $N" >&2; tail -n 5 "$d/out.log" >&2; exit 1; }
    pid=$(cat "$d/pid")
    kill -TERM "$pid"
    wait "$mpid" || true
    cat "$d/measure.json"
}
sng_best() {  # LABEL QUEUE-OPTIONS
    local i r runs=()
    for i in $(seq "$R"); do runs+=("$(sng_run "$1" "$2")"); done
    r=$(best "${runs[@]}")
    shipper_line "syslog-ng ($1)" "$r"
    py "import json; c=json.loads('$r')['cpu_s']; print('  agent / syslog-ng ($1) events per CPU-second: %.2fx' % (c / $agent_cpu))"
}
sng_best memory-queue ""
sng_best disk-buffer "disk-buffer(reliable(yes) dir(\"$t/sng-disk-buffer\") disk-buf-size(1073741824))"
