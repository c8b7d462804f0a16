#!/bin/bash
# test-deb.sh — the collector's Debian package as an administrator meets it: built by the one
# packaging command (deploy/build-packages.sh --deb), installed with dpkg on this machine,
# started (with systemd as PID 1 through the unit; otherwise the binary exactly as the unit
# runs it: its user, its command line), on SQLite and then on PostgreSQL (a cluster of the
# test's own with password authentication, set up as docs/deploy-collector.md says: role,
# database, the service user's .pgpass; a wrong password stops it at start with the database's
# reason and no password in its output), then removed (configuration, data and user stay) and
# purged (everything the package created is gone; the database is not the package's). It
# refuses to touch a machine where the package is already installed: that installation is
# someone's, not this test's.
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
# Where systemd runs, the unit itself; elsewhere its ExecStart= as its User=, from / with umask 0077,
# all read from the installed unit. run_as_unit execs it: in ( ) for a foreground run, with &
# for the service (its pid is then the collector's).
unit_field() { sed -n "s/^$1=//p" /usr/lib/systemd/system/wfpwatch-collector.service; }
run_as_unit() {  # run_as_unit LOG [timeout SECONDS]
    local log=$1; shift
    local user; user=$(unit_field User)
    cd / && umask 0077 && exec "$@" setpriv --reuid="$user" --regid="$user" --clear-groups -- $(unit_field ExecStart) \
        >"$log" 2>&1
}
start_as_unit() {  # start_as_unit WHAT LOG: the service started, checked as "WHAT: ..."
    if [[ $systemd_runs == 1 ]]; then
        systemctl start $PKG; eq "$1: systemctl start" "$?" 0
    else
        run_as_unit "$2" & CPID=$!
    fi
}
stop_as_unit() {  # stop_as_unit WHAT LOG: stopped, with exit 0 on SIGTERM; its log in LOG
    if [[ $systemd_runs == 1 ]]; then
        systemctl stop $PKG; eq "$1: systemctl stop" "$?" 0
        journalctl -q -u $PKG --no-pager >"$2" 2>&1
    else
        stop_collector; eq "$1: SIGTERM stops it with exit 0" "$STOP_RC" 0
    fi
}
eq "the unit runs as wfpwatch" "$(unit_field User)" wfpwatch
start_as_unit sqlite "$T/collector.log"
check "it serves (healthz over TLS with its own CA)" wait_until 15 \
    sh -c "curl -s --cacert '$T/ca.crt' https://localhost:$PORT/healthz | grep -q ok"
check "its store is in the state directory, the service's" sh -c \
    "test \"\$(stat -c %U /var/lib/wfpwatch/data/wfpwatch.db)\" = wfpwatch"
stop_as_unit sqlite "$T/collector.log"

# ---- the same package on PostgreSQL, set up as docs/deploy-collector.md says ---------------------
# A cluster of this test's own: password (scram) authentication for every role but its owner,
# as on a database host, and its socket outside /tmp (the unit's PrivateTmp=yes hides /tmp).
# The directory is 0711: the service's user reaches the socket, nobody lists or reads the data.
PGD=$(mktemp -d -p /run wfpw-deb-pg.XXXXXX)
trap 'pkg_cleanup; "$ROOT/tests/integration/pg-cluster.sh" stop "$PGD"; cleanup' EXIT
"$ROOT/tests/integration/pg-cluster.sh" start "$PGD" >/dev/null 2>"$T/pg.err"
eq "postgres: a cluster for the package (pg-cluster.sh)" "$?" 0
pgsu() {  # psql as the cluster's owner (peer authentication once pg_hba.conf is replaced)
    local db=$1; shift
    runuser -u postgres -- psql "host=$PGD dbname=$db user=postgres" -v ON_ERROR_STOP=1 -qAt "$@"
}
PW=$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')
pgsu postgres -c "CREATE ROLE wfpwatch LOGIN PASSWORD '$PW'" -c "CREATE DATABASE wfpwatch OWNER wfpwatch ENCODING 'UTF8'"
eq "postgres: the role and its database, as the documentation creates them" "$?" 0
printf 'local all postgres peer\nlocal all all scram-sha-256\n' >"$PGD/data/pg_hba.conf"
chown postgres: "$PGD/data/pg_hba.conf"
pgsu postgres -c "SELECT pg_reload_conf()" >/dev/null
chmod 0711 "$PGD"
DSN="host=$PGD dbname=wfpwatch user=wfpwatch passfile=/var/lib/wfpwatch/.pgpass"
pgpass() {  # the service user's libpq password file (0600, its own), with password $1
    (umask 0077 && printf '%s:5432:wfpwatch:wfpwatch:%s\n' "$PGD" "$1" >/var/lib/wfpwatch/.pgpass)
    chown wfpwatch: /var/lib/wfpwatch/.pgpass
}
check "postgres: a password is required (none given: refused)" sh -c \
    "! setpriv --reuid=wfpwatch --regid=wfpwatch --clear-groups -- psql 'host=$PGD dbname=wfpwatch user=wfpwatch' -c 'SELECT 1' </dev/null >/dev/null 2>&1"
/usr/bin/python3 - "$DSN" <<'EOF'
import json, sys
p = "/etc/wfpwatch/collector.json"
c = json.load(open(p))
c["store"] = "postgres"
c["postgres"] = {"dsn": sys.argv[1]}
c["retention"] = {"max_age_days": 90}   # max_bytes is SQLite's (refused with PostgreSQL)
open(p, "w").write(json.dumps(c, indent=2) + "\n")   # in place: mode and owner stay
EOF
eq "the configuration names the PostgreSQL store, still 0640 root:wfpwatch" \
    "$(stat -c '%a %U:%G' /etc/wfpwatch/collector.json)" "640 root:wfpwatch"
sqlite_before=$(stat -c '%s %Y' /var/lib/wfpwatch/data/wfpwatch.db)

# a wrong password: the collector does not serve, says why, and prints no password
BADPW="wrong-$PW"
pgpass "$BADPW"
(run_as_unit "$T/badpw.log" timeout 30)
rc=$?
check "wrong password: the collector exits non-zero at start (got $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
check "wrong password: it says the database refused it" grep -q 'password authentication failed' "$T/badpw.log"
eq "wrong password: no password in its output" "$(grep -c -e "$PW" "$T/badpw.log")" 0

pgpass "$PW"
start_as_unit postgres "$T/collector-pg.log"
check "postgres: it serves" wait_until 15 sh -c "curl -s --cacert '$T/ca.crt' https://localhost:$PORT/healthz | grep -q ok"
eq "postgres: the schema is in the database, owned by the service's role" \
    "$(pgsu wfpwatch -c "SELECT tableowner FROM pg_tables WHERE tablename = 'events'")" wfpwatch
TOKEN=$(as_service /usr/bin/wfpwatch-collector token create --dsn "$DSN" --name siem 2>"$T/token.err")
eq "postgres: token create --dsn as the service's user" "$?" 0
as_service /usr/bin/wfpwatch-collector pki issue --dir /var/lib/wfpwatch/pki --name agent-1 >/dev/null 2>&1
eq "postgres: pki issue for an agent" "$?" 0
mkdir -p "$T/pki/agents" && cp /var/lib/wfpwatch/pki/ca.crt "$T/pki/" &&
    cp /var/lib/wfpwatch/pki/agents/agent-1.crt /var/lib/wfpwatch/pki/agents/agent-1.key "$T/pki/agents/"
$MKBATCH --events 12 "$T/b1.json"
eq "postgres: an agent's batch is stored" "$(post "$T/b1.json" | cut -c1-3)" 200
serves_12() { [[ $(stored_events) == 12 ]]; }
check "postgres: the API serves it (the token read from the database within its reload second)" wait_until 5 serves_12
eq "postgres: the rows are in PostgreSQL" "$(pgsu wfpwatch -c 'SELECT count(*) FROM events')" 12
eq "postgres: the SQLite store is not touched" "$(stat -c '%s %Y' /var/lib/wfpwatch/data/wfpwatch.db)" "$sqlite_before"
stop_as_unit postgres "$T/collector-pg.log"
eq "postgres: no password in its log" "$(grep -c -e "$PW" "$T/collector-pg.log")" 0

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
eq "the database is not the package's: purge leaves its rows" "$(pgsu wfpwatch -c 'SELECT count(*) FROM events')" 12
finish
