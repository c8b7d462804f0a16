#!/bin/bash
# test-deb.sh — the collector's Debian package as an administrator meets it: built by the one
# packaging command (deploy/build-packages.sh --deb), installed with dpkg on this machine,
# started (with systemd as PID 1 through the unit; otherwise the binary exactly as the unit
# runs it: its user, its command line), then removed (configuration, data and user stay) and
# purged (everything the package created is gone). It refuses to touch a machine where the
# package is already installed: that installation is someone's, not this test's.
. "$(dirname "$0")/lib.sh"
PKG=wfpwatch-collector
installed() { dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'install ok installed'; }
known() { dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -qv 'not-installed'; }
if known; then
    bad "$PKG is already installed here (dpkg -P $PKG first): this test installs and purges it"
    finish; exit 1
fi
pkg_cleanup() { known && dpkg -P "$PKG" >/dev/null 2>&1; }
trap 'pkg_cleanup; cleanup' EXIT
systemd_runs=0; [[ -d /run/systemd/system ]] && systemd_runs=1

# ---- the package ------------------------------------------------------------------------------
"$ROOT/deploy/build-packages.sh" --deb "$T/pk" >"$T/build.log" 2>&1
eq "build-packages.sh --deb builds it" "$?" 0
DEB=$(ls "$T"/pk/${PKG}_*_amd64.deb 2>/dev/null | head -n1)
check "named ${PKG}_VERSION_amd64.deb" test -s "$DEB"
deps=$(dpkg-deb -f "$DEB" Depends)
for lib in libuv1 libmbedtls14 libsqlite3-0 libpq5 libcurl4 zlib1g libcjson1; do
    check "Depends on $lib (from the libraries it links)" grep -q "\\b$lib\\b" <<<"$deps"
done
eq "the example configuration is a conffile" "$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles)" /etc/wfpwatch/collector.json
dpkg-deb -c "$DEB" | awk '{print $6}' >"$T/files"
for f in ./usr/bin/wfpwatch-collector ./usr/bin/wfpwatch-poll ./usr/lib/systemd/system/wfpwatch-collector.service \
         ./usr/lib/sysusers.d/wfpwatch.conf ./usr/share/doc/wfpwatch-collector/deploy-collector.md; do
    check "holds $f" grep -qx "$f" "$T/files"
done
eq "nothing under /usr/local" "$(grep -c '^./usr/local' "$T/files")" 0
check "the packaged unit starts the packaged binary" sh -c \
    "dpkg-deb --fsys-tarfile '$DEB' | tar -xO ./usr/lib/systemd/system/wfpwatch-collector.service | grep -qx 'ExecStart=/usr/bin/wfpwatch-collector serve --config /etc/wfpwatch/collector.json'"

# ---- install ----------------------------------------------------------------------------------
user_before=0; getent passwd wfpwatch >/dev/null && user_before=1
dpkg -i "$DEB" >"$T/install.log" 2>&1
eq "dpkg -i installs it" "$?" 0
check "it says the service waits for its configuration" grep -q 'installed, not started' "$T/install.log"
check "installed" installed
check "the user wfpwatch exists" sh -c "getent passwd wfpwatch >/dev/null"
eq "a system user (uid below 1000) without a login shell" \
    "$(getent passwd wfpwatch | awk -F: '{print ($3 < 1000) ":" $7}')" "1:/usr/sbin/nologin"
eq "state directory /var/lib/wfpwatch: 0700 wfpwatch" "$(stat -c '%a %U' /var/lib/wfpwatch)" "700 wfpwatch"
eq "configuration readable by the service only: 0640 root:wfpwatch" \
    "$(stat -c '%a %U:%G' /etc/wfpwatch/collector.json)" "640 root:wfpwatch"
eq "the binary runs" "$(/usr/bin/wfpwatch-collector version 2>&1 | grep -c "$(dpkg-deb -f "$DEB" Version)")" 1
if [[ $systemd_runs == 1 ]]; then
    eq "the service is not enabled before its configuration is edited" "$(systemctl is-enabled $PKG 2>&1)" disabled
    eq "nor running" "$(systemctl is-active $PKG 2>&1)" inactive
fi

# ---- configure and start, as the documentation says ----------------------------------------------
PORT=$(free_port)
sed -i "s/\"listen\": \"0.0.0.0:8443\"/\"listen\": \"127.0.0.1:$PORT\"/" /etc/wfpwatch/collector.json
check "the configuration is edited" grep -q "127.0.0.1:$PORT" /etc/wfpwatch/collector.json
as_service() { setpriv --reuid=wfpwatch --regid=wfpwatch --clear-groups --reset-env -- "$@"; }
as_service /usr/bin/wfpwatch-collector pki init --dir /var/lib/wfpwatch/pki --server-name localhost >"$T/pki.log" 2>&1
eq "pki init as the service's user" "$?" 0
cp /var/lib/wfpwatch/pki/ca.crt "$T/ca.crt"
if [[ $systemd_runs == 1 ]]; then
    systemctl start $PKG
    eq "systemctl start" "$?" 0
else
    # the unit's User=, Group= and ExecStart=, read from the installed unit
    exec_start=$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/wfpwatch-collector.service)
    user=$(sed -n 's/^User=//p' /usr/lib/systemd/system/wfpwatch-collector.service)
    eq "the unit runs as wfpwatch" "$user" wfpwatch
    (cd / && umask 0077 && exec setpriv --reuid="$user" --regid="$user" --clear-groups -- $exec_start) >"$T/collector.log" 2>&1 &
    CPID=$!
fi
check "it serves (healthz over TLS with its own CA)" wait_until 15 \
    sh -c "curl -s --cacert '$T/ca.crt' https://localhost:$PORT/healthz | grep -q ok"
check "its store is in the state directory, the service's" sh -c \
    "test \"\$(stat -c %U /var/lib/wfpwatch/data/wfpwatch.db)\" = wfpwatch"
if [[ $systemd_runs == 1 ]]; then
    systemctl stop $PKG; eq "systemctl stop" "$?" 0
else
    stop_collector; eq "SIGTERM stops it with exit 0" "$STOP_RC" 0
fi

# ---- remove: binaries go, configuration and data stay ------------------------------------------
dpkg -r "$PKG" >"$T/remove.log" 2>&1
eq "dpkg -r removes it" "$?" 0
check "the binary is gone" test ! -e /usr/bin/wfpwatch-collector
check "the unit is gone" test ! -e /usr/lib/systemd/system/wfpwatch-collector.service
check "the edited configuration stays" grep -q "127.0.0.1:$PORT" /etc/wfpwatch/collector.json
check "the data stays" test -s /var/lib/wfpwatch/data/wfpwatch.db
check "the user stays" sh -c "getent passwd wfpwatch >/dev/null"

# ---- purge: whatever it created is gone ------------------------------------------------------------
dpkg -P "$PKG" >"$T/purge.log" 2>&1
eq "dpkg -P purges it" "$?" 0
check "not known to dpkg any more" sh -c "! dpkg-query -W -f='\${Status}' $PKG 2>/dev/null | grep -qv not-installed"
check "/etc/wfpwatch is gone" test ! -e /etc/wfpwatch
check "/var/lib/wfpwatch is gone" test ! -e /var/lib/wfpwatch
if [[ $user_before == 0 ]]; then
    check "the user it created is gone" sh -c '! getent passwd wfpwatch'
    check "and its group" sh -c '! getent group wfpwatch'
else
    check "the user that existed before stays" sh -c "getent passwd wfpwatch >/dev/null"
fi
finish
