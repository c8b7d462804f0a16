#!/usr/bin/env bash
# test-collector-alerts.sh — alerts leave through a durable outbox: an agent's alert is
# delivered to a webhook that was down when it arrived, exactly once, and to syslog as
# RFC 5424 + CEF; a host that stops sending becomes "silent" with an alert, and "host back"
# when it returns. Also: configuration errors exit 2 naming the key.
. "$(dirname "$0")/lib.sh"

setup_pki || exit 1
WPORT=$(free_port); SPORT=$(free_port)
cat >"$T/collector.json" <<JSON
{ "silent_after_s": 2,
  "alerts": { "webhook": { "url": "http://127.0.0.1:$WPORT/hook", "timeout_ms": 2000 },
              "syslog": { "host": "127.0.0.1", "port": $SPORT, "protocol": "tcp" },
              "retry_max_s": 1, "poll_ms": 100 } }
JSON

# Syslog over TCP is acknowledged by the connection and gets the webhook's guarantee
# (down -> up -> delivered once); UDP is best-effort and is checked below with a receiver
# that is already listening.

# -- configuration errors: exit 2, naming the key ----------------------------------------------------------
cfg_err() {  # description, json, expected text
    printf '%s' "$2" >"$T/bad.json"
    out=$("$COLLECTOR" serve --config "$T/bad.json" --data "$T/data" --pki "$T/pki" 2>&1); rc=$?
    eq "$1: exit 2" "$rc" 2
    check "$1: message names '$3'" grep -q -- "$3" <<<"$out"
}
cfg_err "unknown key" '{"limits":{"max_bodybytes":5}}' "limits.max_bodybytes: unknown key"
cfg_err "wrong type" '{"silent_after_s":"ten"}' "silent_after_s: expected an integer"
cfg_err "out of range" '{"limits":{"max_connections":0}}' "limits.max_connections: expected an integer from 1"
cfg_err "bad listen" '{"listen":"localhost"}' "listen: expected HOST:PORT"
cfg_err "bad protocol" '{"alerts":{"syslog":{"protocol":"tls"}}}' "alerts.syslog.protocol"
cfg_err "not JSON" '{"listen":' "malformed JSON"
"$COLLECTOR" serve --listen 127.0.0.1:1 --bogus x >/dev/null 2>&1; rc=$?
eq "unknown flag: exit 2" "$rc" 2

start_collector --config "$T/collector.json" || exit 1

# -- an alert arrives while the webhook is down ------------------------------------------------------------------
$MKBATCH --type alert --events 1 "$T/alert.json"
r=$(post "$T/alert.json")
eq "alert batch accepted while the webhook is down" "${r%% *}" 200
sleep 1.5
check "failed attempts are counted" sh -c "curl -s --cacert '$T/pki/ca.crt' '$(URL /metrics)' | grep -Eq '^wfpwatch_alerts_failed_total [1-9]'"
/usr/bin/python3 "$ROOT/tests/integration/webhook.py" "$WPORT" "$T/received" "tcp:$SPORT" &
EXTRA_PIDS=$!
for i in $(seq 1 100); do
    [[ -f "$T/received" ]] && grep -q 'edr-app-block' "$T/received" && grep -q '^syslog' "$T/received" && break
    sleep 0.1
done
sleep 2   # time for any repeat to show up
hooks=$(grep -c 'edr-app-block' <(grep -v '^syslog' "$T/received"))
eq "webhook delivered the alert once after coming up" "$hooks" 1
eq "syslog (TCP) delivered the alert once after coming up" "$(grep '^syslog' "$T/received" | grep -c 'edr-app-block')" 1
aid=$(grep -v '^syslog' "$T/received" | grep 'edr-app-block' | cut -f1)
eq "webhook delivery carries the alert id" "$aid" "$(api /api/v1/alerts | jq_ 'd["alerts"][0]["id"]')"
check "webhook body is the alert with its host" sh -c "grep -v '^syslog' '$T/received' | grep 'edr-app-block' | cut -f2 | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if d[\"host\"]==\"agent-1\" and d[\"severity\"]==\"critical\" else 1)'"
sl=$(grep '^syslog' "$T/received" | grep 'edr-app-block' | head -n1 | cut -f2)
check "syslog: RFC 5424 header, local0.crit" grep -Eq '^<130>1 [0-9T:.-]+Z [^ ]+ wfpwatch-collector - alert - ' <<<"$sl"
check "syslog: CEF body with rule, title, severity 10, host and alert id" \
      grep -Eq 'CEF:0\|wfpwatch\|wfpwatch-collector\|0\.1\|edr-app-block\|WFP filter blocks Microsoft Defender\|10\|dhost=agent-1 msg=test alert 1 cs1Label=alertId cs1=[0-9]+$' <<<"$sl"
eq "alert queryable at /api/v1/alerts" "$(api /api/v1/alerts | jq_ 'd["alerts"][0]["rule"], d["alerts"][0]["host"]')" "edr-app-block agent-1"

# -- silent host, then host back --------------------------------------------------------------------------------
for i in $(seq 1 60); do
    [[ "$(api /api/v1/hosts | jq_ 'd["hosts"][0]["status"]')" == silent ]] && break
    sleep 0.1
done
eq "host without batches for silent_after_s is silent" "$(api /api/v1/hosts | jq_ 'd["hosts"][0]["status"]')" silent
eq "silent_host alert" "$(api '/api/v1/alerts?type=silent_host' | jq_ 'd["alerts"][0]["severity"], d["alerts"][0]["host"]')" "high agent-1"
$MKBATCH "$T/again.json"
post "$T/again.json" >/dev/null
eq "host reporting again is ok" "$(api /api/v1/hosts | jq_ 'd["hosts"][0]["status"]')" ok
eq "host_back alert" "$(api '/api/v1/alerts?type=host_back' | jq_ 'len(d["alerts"])')" 1
for i in $(seq 1 50); do
    grep -q 'host_back' "$T/received" && break
    sleep 0.1
done
check "silent_host delivered to the webhook" grep -q 'silent_host' "$T/received"
check "host_back delivered to the webhook" grep -q 'host_back' "$T/received"
eq "each alert delivered once per target" "$(grep -v '^syslog' "$T/received" | cut -f1 | sort | uniq -d | wc -l)" 0

# -- the outbox survives a restart ---------------------------------------------------------------------------------
kill -9 $EXTRA_PIDS; wait $EXTRA_PIDS 2>/dev/null; EXTRA_PIDS=""
$MKBATCH --type alert --events 1 --seq 50 "$T/alert2.json"
post "$T/alert2.json" >/dev/null
stop_collector
eq "SIGTERM with undelivered alerts: exit 0" "$STOP_RC" 0
start_collector --config "$T/collector.json" || exit 1
/usr/bin/python3 "$ROOT/tests/integration/webhook.py" "$WPORT" "$T/received2" &
EXTRA_PIDS=$!
for i in $(seq 1 100); do
    [[ -f "$T/received2" ]] && grep -q 'test alert 50' "$T/received2" && break
    sleep 0.1
done
eq "alert queued before a restart is delivered after it" "$(grep -c 'test alert 50' "$T/received2" 2>/dev/null)" 1
stop_collector

# -- syslog over UDP (best-effort: the receiver is up first) ---------------------------------------------------
kill -9 $EXTRA_PIDS; wait $EXTRA_PIDS 2>/dev/null
UPORT=$(free_port)
/usr/bin/python3 "$ROOT/tests/integration/webhook.py" 0 "$T/udp" "udp:$UPORT" &
EXTRA_PIDS=$!
sleep 0.3
printf '{"alerts":{"syslog":{"host":"127.0.0.1","port":%d,"protocol":"udp"},"poll_ms":100}}' "$UPORT" >"$T/udp.json"
start_collector --config "$T/udp.json" || exit 1
$MKBATCH --type alert --events 1 --seq 60 "$T/alert3.json"
post "$T/alert3.json" >/dev/null
for i in $(seq 1 50); do grep -q 'test alert 60' "$T/udp" 2>/dev/null && break; sleep 0.1; done
eq "syslog over UDP delivered" "$(grep -c 'test alert 60' "$T/udp" 2>/dev/null)" 1
check "UDP syslog message is RFC 5424 + CEF" grep -Eq '^syslog.<130>1 .* CEF:0\|wfpwatch\|' "$T/udp"
# who made the change: the agent's changed_by (and the program behind the process id) as CEF
# source fields; '=' and '\' in them escaped
$MKBATCH --type alert --events 1 --seq 70 "$T/alert4.json"
/usr/bin/python3 - "$T/alert4.json" <<'PY'
import json,sys
b=json.load(open(sys.argv[1]))
b["events"][0]["changed_by"]={"process_id":6120,"user_sid":"S-1-5-21-1-2-3-1104","user":"CORP\\adm-jdoe",
  "origin":{"event_id":5447,"record_id":911201},"change":"add",
  "process":{"resolved_from":"process_creation_event","image":"C:\\Users\\Public\\fwtool.exe",
             "command_line":"fwtool.exe --mode=block MsMpEng.exe","user_sid":"S-1-5-21-1-2-3-1104","user":"CORP\\adm-jdoe",
             "start_time":"2026-11-20T14:01:50.800Z","parent":{"process_id":5012,"image":"C:\\Windows\\System32\\cmd.exe"},
             "record_id":911200}}
json.dump(b,open(sys.argv[1],"w"))
PY
r=$(post "$T/alert4.json")
eq "alert with changed_by.process accepted" "${r%% *}" 200
for i in $(seq 1 50); do grep -q 'test alert 70' "$T/udp" 2>/dev/null && break; sleep 0.1; done
check "CEF names who made the change: spid, suser, sproc, command line (escaped)" \
    grep -Fq 'msg=test alert 70 cs1Label=alertId cs1=' "$T/udp"
check "CEF source fields" grep -Eq 'test alert 70 cs1Label=alertId cs1=[0-9]+ spid=6120 suser=CORP\\\\adm-jdoe sproc=C:\\\\Users\\\\Public\\\\fwtool.exe cs2Label=commandLine cs2=fwtool.exe --mode\\=block MsMpEng.exe$' "$T/udp"
# a filter of the Windows Firewall: the rule in cs3, the program that changed it as sproc
$MKBATCH --type alert --events 1 --seq 71 "$T/alert5.json"
/usr/bin/python3 - "$T/alert5.json" <<'PY'
import json,sys
b=json.load(open(sys.argv[1]))
b["events"][0]["firewall_rule"]={"change":"added","id":"{8736B31E-8792-452E-8D2D-C45621F236AF}","name":"Block Rule for MsMpEng.exe",
  "group":"@EDR Rules","application":None,"service":None,"direction":"outbound","action":"block",
  "changed_by":{"user_sid":"S-1-5-21-1-2-3-500","application":"C:\\Windows\\System32\\netsh.exe","origin":{"event_id":2004,"record_id":6661}}}
json.dump(b,open(sys.argv[1],"w"))
PY
r=$(post "$T/alert5.json")
eq "alert with firewall_rule accepted" "${r%% *}" 200
for i in $(seq 1 50); do grep -q 'test alert 71' "$T/udp" 2>/dev/null && break; sleep 0.1; done
check "CEF names the firewall rule and the program that added it" \
    grep -Eq 'test alert 71 cs1Label=alertId cs1=[0-9]+ cs3Label=firewallRule cs3=Block Rule for MsMpEng.exe sproc=C:\\\\Windows\\\\System32\\\\netsh.exe$' "$T/udp"
stop_collector
finish
