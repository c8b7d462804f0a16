#!/usr/bin/python3
"""webhook.py PORT OUTFILE [udp:P | tcp:P] — test receiver for alert deliveries.

Appends one line per webhook POST: "<X-Wfpwatch-Alert-Id>\t<body>", and, with a syslog
listener, one line per message: "syslog\t<message>" (UDP datagrams, or RFC 6587
octet-counted frames over TCP). PORT 0: no webhook. Runs until killed.
"""
import http.server
import socket
import sys
import threading

port, out = int(sys.argv[1]), sys.argv[2]
lock = threading.Lock()


def record(line):
    with lock, open(out, "a") as f:
        f.write(line + "\n")


class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        record(self.headers.get("X-Wfpwatch-Alert-Id", "?") + "\t" + body)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *a):
        pass


def udp(p):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", p))
    while True:
        record("syslog\t" + s.recv(65535).decode())


def tcp_client(c):
    buf = b""
    while True:
        data = c.recv(65536)
        if not data:
            return
        buf += data
        while b" " in buf:
            n, rest = buf.split(b" ", 1)
            if len(rest) < int(n):
                break
            record("syslog\t" + rest[:int(n)].decode())
            buf = rest[int(n):]


def tcp(p):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", p))
    s.listen()
    while True:
        c, _ = s.accept()
        threading.Thread(target=tcp_client, args=(c,), daemon=True).start()


if len(sys.argv) > 3:
    kind, p = sys.argv[3].split(":")
    threading.Thread(target=udp if kind == "udp" else tcp, args=(int(p),), daemon=(port != 0)).start()

if port:
    http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
