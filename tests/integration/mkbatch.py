#!/usr/bin/python3
"""mkbatch.py — writes proto v1 batches for the integration tests.

usage: mkbatch.py [--events N] [--seq S] [--agent-id ID] [--hostname H] [--type T]
                  [--batch-id UUID] [--pad BYTES] [--gzip] OUT
Events are connection_blocked (default) or agent_status / alert; each batch gets a fresh
random batch id unless --batch-id is given. --pad adds an unknown member of that many bytes
per event (up to 4096) to build large bodies.
"""
import argparse
import gzip
import json
import time
import uuid


def ts(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


def event(kind, seq, now, pad):
    ev = {"seq": seq, "type": kind, "time": ts(now), "source": "audit"}
    if kind == "connection_blocked":
        ev.update({
            "direction": "outbound", "protocol": 6,
            "local": {"ip": "10.0.0.5", "port": 50000 + seq % 10000},
            "remote": {"ip": "20.42.65.92", "port": 443},
            "process": {"pid": 3872, "path": "C:\\Program Files\\Windows Defender\\MsMpEng.exe"},
            "layer": "ALE_AUTH_CONNECT_V4", "filter": {"id": 324367}, "verdict": "policy_block",
            "count": 1, "first_seen": ts(now), "last_seen": ts(now),
            "origin": {"event_id": 5157, "record_id": seq}})
    elif kind == "agent_status":
        ev.update({"source": "agent", "state": "started", "message": "test %d" % seq})
    elif kind == "alert":
        ev.update({"source": "inventory", "rule": "edr-app-block", "severity": "critical",
                   "title": "WFP filter blocks Microsoft Defender", "details": "test alert %d" % seq,
                   "filter": None, "target": {"process": "MsMpEng.exe"}, "preexisting": False})
    else:
        raise SystemExit("unknown type " + kind)
    if pad:
        ev["x_pad"] = "p" * pad
    return ev


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1)
    ap.add_argument("--seq", type=int, default=1)
    ap.add_argument("--agent-id", default="agent-1")
    ap.add_argument("--hostname", default="agent-1")
    ap.add_argument("--type", default="connection_blocked")
    ap.add_argument("--batch-id")
    ap.add_argument("--pad", type=int, default=0)
    ap.add_argument("--gzip", action="store_true")
    ap.add_argument("out")
    a = ap.parse_args()
    now = int(time.time() * 1000)
    doc = {"schema": "wfpwatch/1", "batch_id": a.batch_id or str(uuid.uuid4()), "sent_at": ts(now),
           "agent": {"id": a.agent_id, "hostname": a.hostname, "version": "0.1.0", "os": "windows"},
           "events": [event(a.type, a.seq + i, now, a.pad) for i in range(a.events)]}
    data = json.dumps(doc, separators=(",", ":")).encode()
    if a.gzip:
        data = gzip.compress(data)
    with open(a.out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
