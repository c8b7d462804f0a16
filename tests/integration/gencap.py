#!/usr/bin/python3
"""gencap.py N FILE [START [T0_MS RATE]] — N connection_blocked proto events as JSON lines, each
a distinct flow (remote port = START + i), so the agent ships every one individually and tests
can count them exactly (the remote port identifies the input line). With T0_MS and RATE, event
i is stamped T0_MS + i * 1000 / RATE (the moment a replay at RATE started at T0_MS emits it),
which tests/bench/agent-bench.sh compares with the collector's receive time."""
import datetime, json, sys

n, path = int(sys.argv[1]), sys.argv[2]
start = int(sys.argv[3]) if len(sys.argv) > 3 else 1
t0_ms, rate = (int(sys.argv[4]), int(sys.argv[5])) if len(sys.argv) > 5 else (None, None)
with open(path, "w") as f:
    for i in range(n):
        if t0_ms is None:
            t = "2026-11-22T10:%02d:%02d.%03dZ" % ((i // 60000) % 60, (i // 1000) % 60, i % 1000)
        else:
            ms = t0_ms + i * 1000 // rate
            t = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + \
                "%03dZ" % (ms % 1000)
        ev = {"seq": 1, "type": "connection_blocked", "time": t, "source": "callout",
              "direction": "outbound", "protocol": 6,
              "local": {"ip": "10.0.0.5", "port": 50000},
              "remote": {"ip": "20.42.%d.%d" % ((start + i) // 65536 % 256, (start + i) // 256 % 256),
                         "port": (start + i) % 65536},
              "process": {"pid": 3872, "path": "C:\\Program Files\\Example\\app.exe"},
              "layer": "ALE_AUTH_CONNECT_V4", "filter": {"id": 0}, "verdict": "stack_drop",
              "count": 1, "first_seen": t, "last_seen": t}
        f.write(json.dumps(ev, separators=(",", ":")) + "\n")
