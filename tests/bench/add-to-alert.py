#!/usr/bin/env python3
"""add-to-alert.py — time from a WFP filter being added to its alert at the collector's API.

Driven by add-to-alert-bench.sh, which starts a real collector and the agent built with the
engine stand-in (wfpwatch-agent-fakewin: tests/agent/wfp/fake-wfp.c, a netsh dump whose
change is noticed by a watcher polling every 20 ms, as the engine's notification). Each round
adds one EDRSilencer-shaped block filter (a new key and id) to the engine and polls
GET /api/v1/alerts every 5 ms over one keep-alive connection until the alert naming that
filter id is there: notification -> debounce -> inventory read -> change set -> rules -> spool
-> ship -> store -> API. Prints every round and p50 / p90 / p99 / max.

usage: add-to-alert.py ENGINE_XML BASE_DUMP PORT CAFILE TOKEN ROUNDS
"""
import http.client
import json
import os
import re
import ssl
import sys
import time
import uuid

engine, base_path, port, cafile, token, rounds = sys.argv[1:7]
port, rounds = int(port), int(rounds)
base = open(base_path, encoding="utf-8").read()
m = re.search(r"\t\t<item>\n\t\t\t<filterKey>\{5d1e8a33-7c2b-4f0e-9a61-2b8c4d7e9f10\}</filterKey>.*?\n\t\t</item>\n", base, re.S)
if not m:
    sys.exit("add-to-alert.py: the attack filter 324367 is not in " + base_path)
template = m.group(0)
ctx = ssl.create_default_context(cafile=cafile)
conn = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=10)
hdr = {"Authorization": "Bearer " + token}
cursor = ""


def alerts():
    """New alerts since the last call (following the cursor)."""
    global cursor
    out = []
    while True:
        conn.request("GET", "/api/v1/alerts?host=agent-1&limit=1000" + ("&after=" + cursor if cursor else ""), headers=hdr)
        r = conn.getresponse()
        d = json.loads(r.read())
        if r.status != 200:
            sys.exit("add-to-alert.py: the API answered %d: %s" % (r.status, d))
        out += d["alerts"]
        if not d["alerts"]:
            return out
        cursor = d["next_cursor"]


def install(text):
    with open(engine + ".next", "w", encoding="utf-8") as f:
        f.write(text)
    os.rename(engine + ".next", engine)


# the baseline (with the two attack filters) first: wait for its alerts
deadline = time.time() + 60
seen = 0
while seen < 2 and time.time() < deadline:
    seen += len([a for a in alerts() if a.get("filter", {}).get("id") in (324367, 324368)])
    time.sleep(0.05)
if seen < 2:
    sys.exit("add-to-alert.py: the baseline alerts never arrived")

added = ""
lat = []
for i in range(rounds):
    fid = 900000 + i
    item = template.replace("{5d1e8a33-7c2b-4f0e-9a61-2b8c4d7e9f10}", "{%s}" % uuid.uuid4()) \
                   .replace("<filterId>324367</filterId>", "<filterId>%d</filterId>" % fid)
    added += item
    text = base.replace(template, template + added, 1)
    t0 = time.monotonic()
    install(text)
    found = False
    while not found:
        if time.monotonic() - t0 > 30:
            sys.exit("add-to-alert.py: no alert for filter %d after 30 s" % fid)
        found = any(a.get("filter", {}).get("id") == fid for a in alerts())
        if not found:
            time.sleep(0.005)
    ms = (time.monotonic() - t0) * 1000
    lat.append(ms)
    print("round %3d filter %d: %.0f ms" % (i + 1, fid, ms), flush=True)
    time.sleep(0.3)

lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(round(p / 100.0 * len(lat) + 0.5)) - 1)]
print("add-to-alert over %d additions: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms"
      % (len(lat), q(50), q(90), q(99), lat[-1]))
