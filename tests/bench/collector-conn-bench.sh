#!/usr/bin/env bash
# collector-conn-bench.sh — what a fleet's kept-alive connections cost the collector (benchmark,
# not a test): N mutual-TLS agent connections (full handshakes with a client certificate, one
# request each, then idle and kept open), opened one after another by a Python client. Reports
# the collector's resident memory before and after (per idle connection), and its CPU time
# during the opening (handshakes per collector CPU-second, user + system from /proc/PID/stat).
# The collector raises its own open-files limit to the hard limit (N + a few dozen needed).
# Release build. Env: N (default 10000).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
N=${N:-10000}
. "$root/tests/bench/lib.sh"
collector_bench_setup
"$C" pki init --dir "$t/pki" >/dev/null
"$C" pki issue --dir "$t/pki" --name bench-ag-00 >/dev/null
cat >"$t/c.json" <<JSON
{ "limits": { "max_connections": $((N + 100)), "max_connections_per_address": $((N + 100)),
              "handshakes_per_address_per_s": 100000, "idle_timeout_ms": 3600000 } }
JSON
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); open files hard limit $(ulimit -Hn)"
p=$(port)
"$C" serve --config "$t/c.json" --listen "127.0.0.1:$p" --pki "$t/pki" --data "$t/data" --log-level warn &
pids+=($!); cpid=$!
sleep 1
rss() { awk '/^VmRSS/ {print $2}' /proc/$cpid/status; }
cpu() { awk '{print $14 + $15}' /proc/$cpid/stat; }
cat >"$t/conns.py" <<'PY'
import resource, socket, ssl, sys, time
port, n, pki = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
ctx = ssl.create_default_context(cafile=pki + "/ca.crt")
ctx.load_cert_chain(pki + "/agents/bench-ag-00.crt", pki + "/agents/bench-ag-00.key")
ctx.options |= ssl.OP_NO_TICKET   # full handshakes, as agents starting up make
conns = []
for i in range(n):
    t = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
    t.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
    d = b""
    while b"ok" not in d:
        d += t.recv(4096)
    conns.append(t)
print("open %d" % len(conns), flush=True)
sys.stdin.readline()
PY
mkfifo "$t/hold"
r0=$(rss); c0=$(cpu); s0=$(date +%s.%N)
python3 "$t/conns.py" "$p" "$N" "$t/pki" <"$t/hold" >"$t/conns.out" 2>&1 &
pids+=($!)
exec 9>"$t/hold"   # keeps the client's stdin open: its connections stay until the end
while ! grep -q '^open ' "$t/conns.out"; do
    sleep 0.5
    grep -q Error "$t/conns.out" && { cat "$t/conns.out"; exit 1; }
done
s1=$(date +%s.%N); c1=$(cpu); sleep 2; r1=$(rss)
hz=$(getconf CLK_TCK)
python3 - "$N" "$r0" "$r1" "$c0" "$c1" "$hz" "$s0" "$s1" <<'PY'
import sys
n, r0, r1, c0, c1, hz, s0, s1 = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8])
cpu = (c1 - c0) / hz
print("connections                 %d kept-alive mutual-TLS agent connections, idle" % n)
print("collector RSS               %.1f MiB before, %.1f MiB with them" % (r0 / 1024, r1 / 1024))
print("memory per idle connection  %.1f KiB" % ((r1 - r0) / n))
print("handshakes per CPU-second   %.0f (collector %.1f s CPU for %d full handshakes in %.1f s)" % (n / cpu if cpu else 0, cpu, n, s1 - s0))
print("50,000 agents would need    %.2f GiB" % ((r1 - r0) / n * 50000 / 1024 / 1024))
PY
exec 9>&-
