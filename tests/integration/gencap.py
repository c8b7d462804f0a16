#!/usr/bin/python3
"""gencap.py N FILE [START] — N connection_blocked proto events as JSON lines, each a distinct
flow (remote port = START + i), so the agent ships every one individually and tests can
count them exactly (the remote port identifies the input line)."""
import json, sys

n, path = int(sys.argv[1]), sys.argv[2]
start = int(sys.argv[3]) if len(sys.argv) > 3 else 1
with open(path, "w") as f:
    for i in range(n):
        t = "2026-11-22T10:%02d:%02d.%03dZ" % ((i // 60000) % 60, (i // 1000) % 60, i % 1000)
        ev = {"seq": 1, "type": "connection_blocked", "time": t, "source": "callout",
              "direction": "outbound", "protocol": 6,
              "local": {"ip": "10.0.0.5", "port": 50000},
              "remote": {"ip": "20.42.%d.%d" % ((start + i) // 65536 % 256, (start + i) // 256 % 256),
                         "port": (start + i) % 65536},
              "process": {"pid": 3872, "path": "C:\\Program Files\\Example\\app.exe"},
              "layer": "ALE_AUTH_CONNECT_V4", "filter": {"id": 0}, "verdict": "stack_drop",
              "count": 1, "first_seen": t, "last_seen": t}
        f.write(json.dumps(ev, separators=(",", ":")) + "\n")
