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
sed "s#/usr/local/bin/wfpwatch-collector#$COLLECTOR#" "$UNIT" >"$T/wfpwatch-collector.service"
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
stop_collector
eq "example config: SIGTERM stops it with exit 0" "$STOP_RC" 0
finish
