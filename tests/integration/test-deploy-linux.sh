#!/bin/bash
# test-deploy-linux.sh — deploy/linux, the collector host: the systemd unit passes
# `systemd-analyze verify`, is sandboxed as docs/deploy-collector.md promises (dedicated user,
# ProtectSystem=strict with only the state directory writable, private /tmp, no new
# privileges, no capabilities) and `systemd-analyze security` rates it OK; the example
# configuration loads and serves (with this test's PKI and data directory in place of
# /var/lib/wfpwatch) and stops cleanly on SIGTERM.
. "$(dirname "$0")/lib.sh"
UNIT=$ROOT/deploy/linux/wfpwatch-collector.service

# the unit, pointed at the binary built here (verify checks that ExecStart exists)
sed "s#/usr/bin/wfpwatch-collector#$COLLECTOR#" "$UNIT" >"$T/wfpwatch-collector.service"
systemd-analyze verify "$T/wfpwatch-collector.service" >"$T/verify.out" 2>&1
eq "unit: systemd-analyze verify passes" "$?" 0
eq "unit: without warnings" "$(wc -l <"$T/verify.out")" 0
for line in 'User=wfpwatch' 'ProtectSystem=strict' 'ReadWritePaths=/var/lib/wfpwatch' 'PrivateTmp=yes' \
            'NoNewPrivileges=yes' 'CapabilityBoundingSet=' 'AmbientCapabilities=' 'StateDirectoryMode=0700' 'UMask=0077'; do
    check "unit: $line" grep -qx "$line" "$UNIT"
done
eq "unit: nothing else writable" "$(grep -c '^ReadWritePaths=' "$UNIT")" 1
systemd-analyze security --offline=yes "$T/wfpwatch-collector.service" >"$T/security.out" 2>&1
level=$(sed -n 's/.*Overall exposure level for wfpwatch-collector.service: \([0-9.]*\) .*/\1/p' "$T/security.out")
check "unit: systemd-analyze security rates it at most 2.0 (got ${level:-none})" \
    /usr/bin/python3 -c "import sys; sys.exit(0 if '$level' and float('$level') <= 2.0 else 1)"
check "sysusers: a system user without a login shell" grep -q '^u wfpwatch - .* /usr/sbin/nologin$' "$ROOT/deploy/linux/wfpwatch.sysusers"

# the example configuration: every key valid, serves
setup_pki || { bad "pki"; finish; exit 1; }
PORT=$(free_port)
"$COLLECTOR" serve --config "$ROOT/deploy/linux/collector.json" --listen "127.0.0.1:$PORT" --data "$T/data" \
    --pki "$T/pki" >"$T/collector.log" 2>&1 &
CPID=$!
check "example config: the collector serves with it" wait_until 10 \
    sh -c "curl -s --cacert '$T/pki/ca.crt' https://localhost:$PORT/healthz | grep -q ok"

# the SIEM poller: every event once across runs, the cursor kept between them
POLL=$ROOT/deploy/linux/wfpwatch-poll
export WFPW_URL="https://localhost:$PORT" WFPW_CA="$T/pki/ca.crt" WFPW_TOKEN="$TOKEN"
$MKBATCH --events 25 "$T/b1.json"
post "$T/b1.json" >/dev/null
"$POLL" events "$T/cursor" 10 >"$T/p1.jsonl"
eq "poller: exits 0 when caught up" "$?" 0
eq "poller: pages through everything (25 events, 10 a page)" "$(wc -l <"$T/p1.jsonl")" 25
$MKBATCH --events 7 --seq 100 "$T/b2.json"
post "$T/b2.json" >/dev/null
"$POLL" events "$T/cursor" 10 >"$T/p2.jsonl"
eq "poller: the next run prints only what is new" "$(wc -l <"$T/p2.jsonl")" 7
eq "poller: no event twice across runs" "$(cat "$T/p1.jsonl" "$T/p2.jsonl" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p' | sort -u | wc -l)" 32
"$POLL" events "$T/cursor" >"$T/p3.jsonl"
eq "poller: caught up, nothing printed" "$(wc -l <"$T/p3.jsonl")" 0
WFPW_TOKEN=wrong "$POLL" events "$T/cursor" >/dev/null 2>"$T/p4.err"
eq "poller: a refused token exits 1" "$?" 1
eq "poller: and keeps the cursor" "$(cat "$T/cursor")" "$(tail -n1 "$T/p2.jsonl" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')"
stop_collector
eq "example config: SIGTERM stops it with exit 0" "$STOP_RC" 0
finish
