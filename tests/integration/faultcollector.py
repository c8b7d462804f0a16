#!/usr/bin/python3
"""faultcollector.py PORT PKI_DIR OUT_DIR — an HTTPS server that demands a client certificate
signed by PKI_DIR/ca.crt (like the collector) and answers POST /api/v1/batches by script:
any batch of more than 100 events gets 413, the first batch that fits gets 400, the rest 200. Every
batch it accepts is written to OUT_DIR/<batch_id>.json (decompressed) so the test can count."""
import gzip, json, os, ssl, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, pki, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
state = {"posts": 0}

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def answer(self, code, body):
        b = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def do_GET(self):
        self.answer(200, {"status": "ok"})
    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        batch = json.loads(raw)
        n = len(batch["events"])
        if n > 100:
            return self.answer(413, {"error": "decompressed body exceeds the limit"})
        state["posts"] += 1
        if state["posts"] == 1:
            return self.answer(400, {"error": "scripted rejection for the quarantine test", "field": "events[0]"})
        with open(os.path.join(out, batch["batch_id"] + ".json"), "wb") as f:
            f.write(raw)
        self.answer(200, {"accepted": n, "duplicate": False})

ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=os.path.join(pki, "ca.crt"))
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.load_cert_chain(os.path.join(pki, "server.crt"), os.path.join(pki, "server.key"))
srv = ThreadingHTTPServer(("127.0.0.1", port), H)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
