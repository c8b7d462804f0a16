#!/bin/bash
# test-collector-fds.sh — a fleet keeps its connections open, one descriptor each: the collector
# raises its soft limit on open files to the hard limit by itself (the systemd unit sets
# LimitNOFILE=65536), says at start when limits.max_connections cannot fit, and with more
# kept-alive agent connections than the old soft limit it serves them all.
. "$(dirname "$0")/lib.sh"
setup_pki || { bad "pki"; finish; exit 1; }
hard=$(ulimit -Hn)
[[ $hard == unlimited || $hard -ge 2048 ]] || { bad "this test needs a hard limit of 2048 open files or more (have $hard)"; finish; exit 1; }
cat >"$T/c.json" <<'JSON'
{ "limits": { "max_connections": 1500, "max_connections_per_address": 2000, "handshakes_per_address_per_s": 100000,
              "idle_timeout_ms": 600000 } }
JSON
# soft limit 256, far below what 1,500 connections need
PORT=$(free_port)
(ulimit -Sn 256 && exec "$COLLECTOR" serve --config "$T/c.json" --listen "127.0.0.1:$PORT" --data "$T/data" --pki "$T/pki") \
    >>"$T/collector.log" 2>&1 &
CPID=$!
check "collector serves" wait_until 15 sh -c "curl -s --cacert '$T/pki/ca.crt' https://localhost:$PORT/healthz | grep -q ok"
soft=$(awk '/^Max open files/ {print $4}' /proc/$CPID/limits)
eq "it raised its soft limit on open files to the hard one (started with 256)" "$soft" "$hard"
check "no warning: max_connections fits" sh -c "! grep -q 'open files limited' '$T/collector.log'"
# 1,000 kept-alive mutual-TLS connections, each having made one request, all open at once
/usr/bin/python3 - "$PORT" 1000 "$T/pki" >"$T/conns.out" 2>&1 <<'PY' &
import resource, socket, ssl, sys, time
port, n, pki = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
ctx = ssl.create_default_context(cafile=pki + "/ca.crt")
ctx.load_cert_chain(pki + "/agents/agent-1.crt", pki + "/agents/agent-1.key")
conns = []
for i in range(n):
    t = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
    t.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
    d = b""
    while b"ok" not in d:
        d += t.recv(4096)
    conns.append(t)
print("open", len(conns), flush=True)
time.sleep(30)
PY
PYPID=$!; EXTRA_PIDS="$PYPID"
check "1,000 kept-alive agent connections open at once, each answered" wait_until 60 grep -q '^open 1000$' "$T/conns.out"
fds=$(ls /proc/$CPID/fd | wc -l)
check "the collector holds them ($fds descriptors)" test "$fds" -gt 1000
eq "and still answers a new one" "$(curl -s --cacert "$T/pki/ca.crt" "https://localhost:$PORT/healthz")" '{"status":"ok"}'
kill "$PYPID" 2>/dev/null
stop_collector
eq "SIGTERM: exit 0" "$STOP_RC" 0
# a limit that cannot hold max_connections is said at start
PORT=$(free_port)
(ulimit -Sn 512 && ulimit -Hn 512 && exec "$COLLECTOR" serve --config "$T/c.json" --listen "127.0.0.1:$PORT" --data "$T/data" --pki "$T/pki") \
    >"$T/small.log" 2>&1 &
CPID=$!
check "with a hard limit of 512 it still serves" wait_until 15 sh -c "curl -s --cacert '$T/pki/ca.crt' https://localhost:$PORT/healthz | grep -q ok"
check "and says the limit cannot hold max_connections" grep -q 'open files limited to 512: fewer than limits.max_connections (1500)' "$T/small.log"
stop_collector
finish
