#!/usr/bin/python3
"""multi.py — several collectors on one store under concurrent load (test-collector-multi.sh).

Eight agents (agent-1..agent-8, their certificates in PKI/agents) each post BATCHES batches of
EVENTS events to the collectors in turn, every batch twice at the same moment, to two different
collectors (a retry racing its original after a lost answer: it must be stored once). Meanwhile two readers
page /api/v1/events?after=CURSOR&limit=50 continuously, each page from the next collector, one
of them with a time filter that matches everything (since=2000-01-01). When the agents are done
the readers page until caught up. Checks: every batch answered 200; no reader saw an id twice;
each reader's union equals the stored set (read again at the end); the stored
set holds each (host, seq) exactly once and all of them. Prints ok/FAIL lines and the summary.

usage: multi.py PKI TOKEN PORT[,PORT...] [BATCHES EVENTS]"""
import http.client
import json
import ssl
import sys
import threading
import time
import uuid

pki, token, ports = sys.argv[1], sys.argv[2], [int(p) for p in sys.argv[3].split(",")]
BATCHES = int(sys.argv[4]) if len(sys.argv) > 4 else 40
EVENTS = int(sys.argv[5]) if len(sys.argv) > 5 else 25
AGENTS = 8
passed = failed = 0


def result(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print("ok - " + what)
    else:
        failed += 1
        print("FAIL - " + what)
    sys.stdout.flush()


def ctx(agent=None):
    c = ssl.create_default_context(cafile=pki + "/ca.crt")
    if agent:
        c.load_cert_chain("%s/agents/%s.crt" % (pki, agent), "%s/agents/%s.key" % (pki, agent))
    return c


def ts(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


def batch(agent, first_seq):
    now = int(time.time() * 1000)
    evs = [{"seq": first_seq + i, "type": "agent_status", "time": ts(now), "source": "agent", "state": "started",
            "message": "multi %d" % (first_seq + i)} for i in range(EVENTS)]
    return json.dumps({"schema": "wfpwatch/1", "batch_id": str(uuid.uuid4()), "sent_at": ts(now),
                       "agent": {"id": agent, "hostname": agent, "version": "0.1.0", "os": "windows"},
                       "events": evs}, separators=(",", ":")).encode()


errors = []


def send(agent, c, conns, b, port, body):
    for attempt in range(20):
        try:
            h = conns.get(port) or http.client.HTTPSConnection("localhost", port, context=c, timeout=30)
            conns[port] = h
            h.request("POST", "/api/v1/batches", body, {"Content-Type": "application/json"})
            r = h.getresponse()
            data = r.read()
            if r.status == 429:
                time.sleep(0.05 * (attempt + 1))
                continue
            if r.status != 200:
                errors.append("%s batch %d: HTTP %d %s" % (agent, b, r.status, data[:200]))
            return
        except (OSError, http.client.HTTPException) as e:
            conns.pop(port, None)
            if attempt == 19:
                errors.append("%s batch %d: %s" % (agent, b, e))
            time.sleep(0.05)


def agent_main(n):
    agent = "agent-%d" % n
    c = ctx(agent)
    conns = [{}, {}]   # one connection per collector for each of the two copies
    for b in range(BATCHES):
        body = batch(agent, 1 + b * EVENTS)
        # the batch and its copy at once, on two collectors (one with a single collector)
        t = [threading.Thread(target=send, args=(agent, c, conns[k], b, ports[(n + b + k) % len(ports)], body))
             for k in (0, 1)]
        for x in t:
            x.start()
        for x in t:
            x.join()


def get(port, path, conns={}):
    h = conns.get(port) or http.client.HTTPSConnection("localhost", port, context=ctx(), timeout=30)
    conns[port] = h
    try:
        h.request("GET", path, headers={"Authorization": "Bearer " + token})
        r = h.getresponse()
        data = r.read()
    except (OSError, http.client.HTTPException):
        conns.pop(port, None)
        raise
    if r.status != 200:
        raise RuntimeError("GET %s: HTTP %d %s" % (path, r.status, data[:200]))
    return json.loads(data)


class Reader:
    """Pages /api/v1/events?after=CURSOR&limit=50QUERY continuously, each page from the next
    collector, until caught up on every collector after the agents were done."""

    def __init__(self, query):
        self.query, self.seen, self.seen_set, self.dup_reads, self.pages = query, [], set(), 0, 0
        self.conns = {}   # its own connections: one thread each

    def run(self):
        cursor, i, idle, failing = "0", 0, 0, 0
        while True:
            finished = done.is_set()
            try:
                d = get(ports[i % len(ports)], "/api/v1/events?after=%s&limit=50%s" % (cursor, self.query),
                        self.conns)
            except (OSError, RuntimeError, http.client.HTTPException, ValueError) as e:
                errors.append("reader%s: %s" % (self.query, e))
                i += 1            # the next collector
                failing += 1
                if failing >= 100:   # failing for good: stop (the check below fails), never hang
                    return
                time.sleep(0.05)
                continue
            failing = 0
            i += 1
            self.pages += 1
            for e in d["events"]:
                if e["id"] in self.seen_set:
                    self.dup_reads += 1
                self.seen_set.add(e["id"])
                self.seen.append((e["id"], e["host"], e["seq"]))
            # a time-filtered page may be empty with "more" (its scan budget): not caught up
            if d["events"] or d.get("more"):
                cursor = d["next_cursor"]
                idle = 0
            elif finished:
                idle += 1
                if idle >= 2 * len(ports):   # caught up on every collector after the agents were done
                    return
            else:
                time.sleep(0.01)


done = threading.Event()
# one plain reader, and one whose time filter matches everything: its windows end at the last
# id committed (PostgreSQL: wfpw_top), never at a row still in flight on another collector
readers = [Reader(""), Reader("&since=2000-01-01T00:00:00Z")]


threads = [threading.Thread(target=agent_main, args=(n,)) for n in range(1, AGENTS + 1)]
rthreads = [threading.Thread(target=r.run) for r in readers]
for t in rthreads:
    t.start()
t0 = time.time()
for t in threads:
    t.start()
for t in threads:
    t.join()
done.set()
for t in rthreads:
    t.join()
took = time.time() - t0

result(not errors, "every batch and page answered (%s)" % ("; ".join(errors[:3]) if errors else "none failed"))
for r in readers:
    result(r.dup_reads == 0, "reader%s: no event seen twice (%d duplicates in %d pages)" % (r.query, r.dup_reads, r.pages))
# the stored set, read again from the start on the first collector
stored, cursor = [], "0"
while True:
    d = get(ports[0], "/api/v1/events?after=%s&limit=10000" % cursor)
    if not d["events"]:
        break
    stored += [(e["id"], e["host"], e["seq"]) for e in d["events"]]
    cursor = d["next_cursor"]
want = AGENTS * BATCHES * EVENTS
keys = {(h, s) for _, h, s in stored}
result(len(stored) == want and len(keys) == want,
       "every event stored once: %d stored, %d distinct (host, seq), %d sent (each batch twice)" %
       (len(stored), len(keys), want))
for r in readers:
    result(sorted(r.seen) == sorted(stored),
           "reader%s: its union equals the stored set (%d read while %d collectors committed concurrently)" %
           (r.query, len(r.seen), len(ports)))
print("(%d agents x %d batches x %d events over %d collectors in %.1f s)" % (AGENTS, BATCHES, EVENTS, len(ports), took))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
