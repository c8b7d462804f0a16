#!/usr/bin/env bash
# test-collector-ingest.sh — POST /api/v1/batches over real mutual TLS with real curl:
# stored and queryable, duplicates stored once, gzip, every malformed batch of
# tests/data/proto/mutations.json answered 400 naming its field with nothing stored, wrong
# content type 415, oversize and gzip bomb 413, identity taken from the certificate,
# NDJSON, filters, metrics, one kept-alive connection across idle moments (its TLS buffers'
# pages given back each time), and a clean exit 0 on SIGTERM.
. "$(dirname "$0")/lib.sh"

setup_pki || exit 1
start_collector || exit 1

# -- a valid batch is stored and can be read back -------------------------------------------
golden=$ROOT/tests/data/proto/golden/all.json
r=$(post "$golden")
eq "valid batch accepted" "$r" '200 {"accepted":8,"duplicate":false}'
n=$(stored_events)
eq "8 events stored" "$n" 8
first=$(api "/api/v1/events?limit=1" | jq_ 'd["events"][0]["host"], d["events"][0]["type"], d["events"][0]["id"], d["next_cursor"]')
eq "event carries host (certificate CN), type, id and cursor" "$first" "agent-1 connection_blocked 1 1"
eq "batch claiming another identity is flagged" \
   "$(api "/api/v1/events?limit=1" | jq_ 'd["events"][0].get("identity_mismatch")')" "True"

# -- the same batch again: 200, duplicate, nothing more stored --------------------------------
r=$(post "$golden")
eq "duplicate batch acknowledged as duplicate" "$r" '200 {"accepted":0,"duplicate":true}'
eq "duplicate stored nothing" "$(stored_events)" 8

# -- gzip body ----------------------------------------------------------------------------------
$MKBATCH --events 50 --seq 100 --gzip "$T/gz.json.gz"
r=$(post "$T/gz.json.gz" agent-1 -H 'Content-Encoding: gzip')
eq "gzip batch accepted" "$r" '200 {"accepted":50,"duplicate":false}'
eq "gzip events stored" "$(stored_events)" 58
eq "matching agent id is not flagged" \
   "$(api "/api/v1/events?after=8&limit=1" | jq_ 'd["events"][0].get("identity_mismatch")')" "None"

# -- every malformed batch: 400 naming the field, nothing stored --------------------------------
/usr/bin/python3 - "$ROOT/tests/data/proto" "$T" <<'PY'
import copy, json, sys
data, out = sys.argv[1], sys.argv[2]
base = json.load(open(data + "/golden/all.json"))
idx = open(out + "/mut.idx", "w")
for i, c in enumerate(json.load(open(data + "/mutations.json"))):
    if c.get("expect") == "ok":
        continue
    d = copy.deepcopy(base)
    *parents, last = c["path"]
    node = d
    for s in parents:
        node = node[s]
    if c["op"] == "delete":
        del node[last]
    else:
        node[last] = c["repeat"][0] * c["repeat"][1] if "repeat" in c else c["value"]
    open("%s/mut-%d.json" % (out, i), "w").write(json.dumps(d, separators=(",", ":")))
    idx.write("%d\t%s\t%s\n" % (i, c["field"], c["name"]))
PY
mal_ok=0 mal_bad=0
while IFS=$'\t' read -r i field name; do
    r=$(post "$T/mut-$i.json")
    got_field=$(sed 's/^[0-9]* //' <<<"$r" | jq_ 'd.get("field")' 2>/dev/null)
    if [[ "${r%% *}" == 400 && "$got_field" == "$field" ]]; then
        mal_ok=$((mal_ok + 1))
    else
        mal_bad=$((mal_bad + 1)); echo "  malformed case '$name': got $r (want 400 naming $field)"
    fi
done <"$T/mut.idx"
eq "every malformed batch answered 400 naming its field ($mal_ok cases)" "$mal_bad" 0
check "more than 80 malformed cases ran" test "$mal_ok" -gt 80
for raw in '{"schema":"wfpwatch/1","schema":"wfpwatch/1"}' $'{"a":"\xff"}' '[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]' \
           '{"a":"\u0000"}' '{"a":01}' 'not json' ''; do
    printf '%s' "$raw" >"$T/raw.json"
    r=$(post "$T/raw.json")
    eq "raw malformed body answered 400: $(printf '%q' "$raw" | cut -c1-40)" "${r%% *}" 400
done
eq "nothing stored by malformed batches" "$(stored_events)" 58

# -- Expect: 100-continue is answered (curl would otherwise wait --expect100-timeout) ----------------
$MKBATCH --events 5 "$T/exp.json"
t0=$(date +%s%N)
r=$(post "$T/exp.json" agent-1 -H 'Expect: 100-continue' --expect100-timeout 10)
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
eq "Expect: 100-continue batch accepted" "${r%% *}" 200
check "100 Continue sent at once (${ms} ms, not the 10 s fallback)" test "$ms" -lt 5000

# -- content type, encoding, size limits ----------------------------------------------------------
$MKBATCH "$T/one.json"
r=$(post "$T/one.json" agent-1 -H 'Content-Type: text/plain')
eq "wrong content type: 415" "${r%% *}" 415
r=$(post "$T/one.json" agent-1 -H 'Content-Encoding: br')
eq "unknown content encoding: 415" "${r%% *}" 415
$MKBATCH --events 2600 --pad 3500 "$T/big.json"     # ~9.5 MB, over the 8 MiB default
r=$(post "$T/big.json")
eq "oversize body: 413" "${r%% *}" 413
head -c 200000000 /dev/zero | gzip -9 >"$T/bomb.gz"  # 200 MB of zeros in ~200 KB
r=$(post "$T/bomb.gz" agent-1 -H 'Content-Encoding: gzip')
eq "gzip bomb: 413" "${r%% *}" 413
printf 'garbage' | gzip | head -c 20 >"$T/trunc.gz"
r=$(post "$T/trunc.gz" agent-1 -H 'Content-Encoding: gzip')
eq "truncated gzip: 400" "${r%% *}" 400
eq "nothing stored by refused bodies" "$(stored_events)" 63

# -- read API -----------------------------------------------------------------------------------------
nd=$(api "/api/v1/events?after=7&limit=3" -H 'Accept: application/x-ndjson')
eq "NDJSON: one event per line" "$(wc -l <<<"$nd")" 3
eq "NDJSON lines are JSON events" "$(head -n1 <<<"$nd" | jq_ 'd["id"]')" 8
api "/api/v1/events?after=7&limit=3" -H 'Accept: application/x-ndjson' -D "$T/hdr" >/dev/null
check "NDJSON: the next cursor in X-Next-Cursor (the last line's id)" grep -qi '^X-Next-Cursor: 10' "$T/hdr"
# a time filter far from every event: the page examines all ids (few here) and comes back empty,
# caught up: no "more", the cursor past every row it examined
eq "since in the future: empty, caught up (no more), cursor moved past the events examined" \
    "$(api "/api/v1/events?since=2099-01-01T00:00:00Z" | jq_ 'len(d["events"]), d.get("more"), int(d["next_cursor"]) > 10')" \
    "0 None True"
eq "type filter" "$(api "/api/v1/events?type=filter_added" | jq_ 'len(d["events"])')" 1
eq "host filter (unknown host)" "$(api "/api/v1/events?host=nobody" | jq_ 'len(d["events"])')" 0
eq "since/until filter" "$(api "/api/v1/events?since=2025-11-22T03:16:22Z&until=2025-11-22T03:16:24.000Z" | jq_ 'len(d["events"])')" 2
api "/api/v1/events?until=1969-12-31T00:00:00Z" >/dev/null
eq "a time before 1970 is refused (it would read as no bound)" "$(cat "$T/status") $(jq_ 'd["field"]' <"$T/api")" "400 until"
api "/api/v1/events?limit=0" >/dev/null
eq "limit 0 is refused" "$(cat "$T/status")" 400
eq "the refusal names the parameter" "$(api "/api/v1/events?limit=99999" | jq_ 'd["field"]')" limit
api "/api/v1/events?bogus=1" >/dev/null
eq "unknown query parameter: 400" "$(cat "$T/status")" 400
# the golden batch adds, removes, then changes (re-adds) the same filter: one remains
f=$(api "/api/v1/hosts/agent-1/filters" | jq_ 'len(d["filters"]), d["filters"][0]["weight"]["value"]')
eq "filter inventory of the host (added, removed, changed applied in order)" "$f" "1 18446744073709551615"
h=$(api "/api/v1/hosts" | jq_ 'd["hosts"][0]["host"], d["hosts"][0]["status"], d["hosts"][0]["batches"], d["hosts"][0]["events"]')
eq "hosts: identity, status, counts" "$h" "agent-1 ok 3 63"
api "/api/v1/hosts/nobody/filters" >/dev/null
eq "unknown host: 404" "$(cat "$T/status")" 404
m=$(curl -sS --cacert "$T/pki/ca.crt" "$(URL /metrics)")
check "metrics: batches accepted counter" grep -q '^wfpwatch_batches_accepted_total 3$' <<<"$m"
check "metrics: duplicates counter" grep -q '^wfpwatch_batches_duplicate_total 1$' <<<"$m"
check "metrics: requests by route and status" grep -q 'wfpwatch_http_requests_total{route="batches",status="413"} 2' <<<"$m"
eq "healthz" "$(curl -sS --cacert "$T/pki/ca.crt" "$(URL /healthz)")" '{"status":"ok"}'

# -- one kept-alive agent connection across idle moments ---------------------------------------------
# Each time it falls idle the collector gives the inner pages of its TLS record buffers back to
# the kernel (they read as zeros afterwards); every later record must still decrypt and verify:
# batches of ~200 KB (full 16 KiB records through every page), answered 200 and stored.
before=$(stored_events)
rel0=$(curl -sS --cacert "$T/pki/ca.crt" "$(URL /metrics)" | awk '$1 == "wfpwatch_tls_idle_releases_total" {print $2}')
for i in 1 2 3 4; do $MKBATCH --events 400 --seq $((1000 * i)) "$T/keep-$i.json"; done
/usr/bin/python3 - "$T" "$PORT" >"$T/keep.out" 2>&1 <<'PY'
import http.client, ssl, sys, time
t, port = sys.argv[1], int(sys.argv[2])
c = ssl.create_default_context(cafile=t + "/pki/ca.crt")
c.load_cert_chain(t + "/pki/agents/agent-1.crt", t + "/pki/agents/agent-1.key")
h = http.client.HTTPSConnection("localhost", port, context=c, timeout=30)
for i in (1, 2, 3, 4):
    h.request("POST", "/api/v1/batches", open("%s/keep-%d.json" % (t, i), "rb").read(),
              {"Content-Type": "application/json"})
    r = h.getresponse()
    print(r.status, r.read().decode())
    h.request("GET", "/healthz")
    r = h.getresponse()
    print(r.status, r.read().decode())
    time.sleep(0.3)
print("one connection:", h.sock.fileno() >= 0)
PY
eq "kept-alive: 4 batches and 4 health checks answered on one connection" \
    "$(grep -c -e '^200 {"accepted":400,"duplicate":false}$' -e '^200 {"status":"ok"}$' "$T/keep.out")" 8
eq "kept-alive: their 1,600 events stored" "$(stored_events)" $((before + 1600))
rel1=$(curl -sS --cacert "$T/pki/ca.crt" "$(URL /metrics)" | awk '$1 == "wfpwatch_tls_idle_releases_total" {print $2}')
check "kept-alive: the idle connection's TLS buffer pages were given back each time (metric ${rel0:-?} -> ${rel1:-?})" \
    test "${rel1:-0}" -ge $((${rel0:-0} + 8))

# -- SIGTERM: exit 0 -----------------------------------------------------------------------------------
stop_collector
eq "SIGTERM: clean exit 0" "$STOP_RC" 0
check "shutdown logged as complete" grep -q 'info: stopped' "$T/collector.log"
finish
