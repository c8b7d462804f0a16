#!/usr/bin/python3
"""hostile.py — the hostile clients of test-collector-hostile.sh, one subcommand each.

  bigrsa-csr OUT                      a PEM CSR with an RSA-8192 key and an 8184-bit public
                                      exponent, and a signature that does not verify
  bigrsa-handshake PORT [N]           N raw TLS 1.2 handshakes presenting a certificate with such a
                                      key (made here, signed by nobody): prints "closed_after_cert
                                      K/N" (the server ended each before our CertificateVerify) and
                                      the slowest time to close
  pipeline PORT CA PID SECONDS        pipelines GET /metrics on one connection and never reads;
                                      prints the collector's RSS before and after SECONDS (KiB),
                                      then waits up to 60 s more for the server to close it
  slowconns PORT N READY STOP         opens N TCP connections from 127.0.0.1 that never send a byte;
                                      after 1 s writes "held H" to READY (connections still open),
                                      holds them until the file STOP exists
  burst PORT N                        N TLS handshakes from one address as fast as possible:
                                      prints "ok K refused R"
  expect PORT CA PATH LENGTH [CERT KEY]  sends only the headers of a POST with Expect:
                                      100-continue; prints the first status line the server sends
  get-with-body PORT CA               a GET with a body; prints the status line
  nested OUT MIB                      a batch-shaped body of MIB MiB of empty arrays
  resume PORT CA CERT KEY WAIT        a request with a client certificate, then after WAIT s the
                                      TLS session resumed and a batch posted: prints "reused R
                                      status S"
  strict-ndjson FILE HOST             every line parses strictly (no NaN, no duplicate keys), is in
                                      canonical form and has host == HOST: prints "lines N bad B"
"""
import json
import os
import random
import socket
import ssl
import struct
import sys
import threading
import time


# ---- DER ------------------------------------------------------------------------------------------
def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(ln)]) + ln + body


def seq(*items):
    return tlv(0x30, b"".join(items))


def integer(v):
    b = v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big")
    return tlv(0x02, b)


def oid(dotted):
    parts = [int(x) for x in dotted.split(".")]
    out = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        enc = [p & 0x7F]
        p >>= 7
        while p:
            enc.insert(0, 0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(enc)
    return tlv(0x06, out)


def name(cn):
    return seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0C, cn.encode()))))


def bitstring(b):
    return tlv(0x03, b"\x00" + b)


RSA_SHA256 = seq(oid("1.2.840.113549.1.1.11"), b"\x05\x00")


def huge_rsa_spki(bits=8192, ebits=8184):
    n = random.getrandbits(bits) | (1 << (bits - 1)) | 1
    e = random.getrandbits(ebits) | (1 << (ebits - 1)) | 1
    return seq(seq(oid("1.2.840.113549.1.1.1"), b"\x05\x00"), bitstring(seq(integer(n), integer(e))))


def huge_rsa_cert():
    tbs = seq(tlv(0xA0, integer(2)), integer(random.getrandbits(63)), RSA_SHA256, name("wfpwatch test CA"),
              seq(tlv(0x17, b"250101000000Z"), tlv(0x17, b"350101000000Z")), name("agent-1"), huge_rsa_spki())
    return seq(tbs, RSA_SHA256, bitstring(os.urandom(1024)))


def huge_rsa_csr():
    cri = seq(integer(0), name("agent-x"), huge_rsa_spki(), tlv(0xA0, b""))
    der = seq(cri, RSA_SHA256, bitstring(os.urandom(1024)))
    import base64
    b64 = base64.b64encode(der).decode()
    return "-----BEGIN CERTIFICATE REQUEST-----\n" + "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64)) + \
        "\n-----END CERTIFICATE REQUEST-----\n"


# ---- raw TLS 1.2 ------------------------------------------------------------------------------------
def record(typ, body):
    return struct.pack(">BHH", typ, 0x0303, len(body)) + body


def hs(typ, body):
    return bytes([typ]) + len(body).to_bytes(3, "big") + body


def client_hello():
    suites = struct.pack(">HHH", 4, 0xC02B, 0xC02F)
    exts = b""
    exts += struct.pack(">HHH", 0x000A, 6, 4) + struct.pack(">HH", 0x0017, 0x0018)   # supported_groups
    exts += struct.pack(">HHB", 0x000B, 2, 1) + b"\x00"                                # ec_point_formats
    sigs = struct.pack(">HHH", 0x0403, 0x0401, 0x0501)
    exts += struct.pack(">HHH", 0x000D, len(sigs) + 2, len(sigs)) + sigs               # signature_algorithms
    body = struct.pack(">H", 0x0303) + os.urandom(32) + b"\x00" + suites + b"\x01\x00" + struct.pack(">H", len(exts)) + exts
    return record(22, hs(1, body))


def read_server_flight(s):
    """Reads handshake records until ServerHelloDone (14); returns True when seen."""
    buf, hsbuf = b"", b""
    s.settimeout(10)
    while True:
        while len(buf) < 5:
            d = s.recv(65536)
            if not d:
                return False
            buf += d
        typ, _, ln = struct.unpack(">BHH", buf[:5])
        while len(buf) < 5 + ln:
            d = s.recv(65536)
            if not d:
                return False
            buf += d
        body, buf = buf[5:5 + ln], buf[5 + ln:]
        if typ != 22:
            return False
        hsbuf += body
        while len(hsbuf) >= 4:
            mlen = int.from_bytes(hsbuf[1:4], "big")
            if len(hsbuf) < 4 + mlen:
                break
            if hsbuf[0] == 14:
                return True
            hsbuf = hsbuf[4 + mlen:]


G256 = bytes.fromhex("04" "6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"
                     "4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5")


def bigrsa_handshake(port):
    cert = huge_rsa_cert()
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(client_hello())
    if not read_server_flight(s):
        return None, 0.0
    certmsg = hs(11, (len(cert) + 3).to_bytes(3, "big") + len(cert).to_bytes(3, "big") + cert)
    cke = hs(16, bytes([len(G256)]) + G256)
    cv = hs(15, struct.pack(">HH", 0x0401, 1024) + os.urandom(1024))
    t0 = time.time()
    try:
        s.sendall(record(22, certmsg))
        time.sleep(0.05)
        s.sendall(record(22, cke + cv))
    except OSError:
        pass
    s.settimeout(30)
    closed_early = False
    try:
        while True:
            d = s.recv(4096)
            if not d:
                closed_early = True
                break
            if d[0] == 21:  # an alert instead of a close: the server went on to the signature
                break
    except (ConnectionResetError, BrokenPipeError):
        closed_early = True
    except socket.timeout:
        pass
    dt = time.time() - t0
    s.close()
    return closed_early, dt


# ---- helpers ----------------------------------------------------------------------------------------
def tls_ctx(ca, cert=None, key=None):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if cert:
        ctx.load_cert_chain(cert, key)
    return ctx


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def strict_loads(text):
    def no_const(c):
        raise ValueError("non-JSON constant " + c)

    def pairs(kv):
        d = {}
        for k, v in kv:
            if k in d:
                raise ValueError("duplicate key " + k)
            d[k] = v
        return d
    return json.loads(text, parse_constant=no_const, object_pairs_hook=pairs)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "bigrsa-csr":
        open(args[0], "w").write(huge_rsa_csr())
    elif cmd == "bigrsa-handshake":
        port, n = int(args[0]), int(args[1]) if len(args) > 1 else 1
        closed, worst = 0, 0.0
        for _ in range(n):
            ok, dt = bigrsa_handshake(port)
            closed += 1 if ok else 0
            worst = max(worst, dt)
        print(f"closed_after_cert {closed}/{n}")
        print(f"slowest_close_s {worst:.3f}")
    elif cmd == "pipeline":
        port, ca, pid, secs = int(args[0]), args[1], int(args[2]), float(args[3])
        s = tls_ctx(ca).wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
        state = {"closed_at": None, "sent": 0}
        t0 = time.time()

        def sender():
            req = b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n" * 64
            try:
                while True:
                    s.sendall(req)
                    state["sent"] += 64
            except (OSError, ssl.SSLError):
                state["closed_at"] = time.time() - t0
        before = rss_kib(pid)
        th = threading.Thread(target=sender, daemon=True)
        th.start()
        time.sleep(secs)
        after = rss_kib(pid)
        print(f"rss_before_kib {before}")
        print(f"rss_after_kib {after}")
        print(f"requests_sent {state['sent']}")
        th.join(60)
        print(f"closed_after_s {state['closed_at']}")
    elif cmd == "slowconns":
        port, n, ready, stop = int(args[0]), int(args[1]), args[2], args[3]
        socks = []
        for _ in range(n):
            try:
                socks.append(socket.create_connection(("127.0.0.1", port), timeout=2))
            except OSError:
                pass
        time.sleep(1.0)
        held = 0
        for s in socks:
            s.setblocking(False)
            try:
                if s.recv(1) == b"":
                    continue
                held += 1
            except BlockingIOError:
                held += 1
            except OSError:
                pass
        with open(ready + ".tmp", "w") as f:
            f.write(f"opened {len(socks)}\nheld {held}\n")
        os.rename(ready + ".tmp", ready)
        for _ in range(600):
            if os.path.exists(stop):
                break
            time.sleep(0.1)
    elif cmd == "burst":
        port, n = int(args[0]), int(args[1])
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        ok = refused = 0
        for _ in range(n):
            try:
                s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5), server_hostname="x")
                ok += 1
                s.close()
            except (OSError, ssl.SSLError):
                refused += 1
        print(f"ok {ok} refused {refused}")
    elif cmd == "expect":
        port, ca, path, length = int(args[0]), args[1], args[2], int(args[3])
        ctx = tls_ctx(ca, *(args[4:6] if len(args) >= 6 else (None, None)))
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {length}\r\nExpect: 100-continue\r\n\r\n".encode())
        s.settimeout(5)
        try:
            line = s.recv(4096).split(b"\r\n")[0].decode()
        except socket.timeout:
            line = "nothing"
        print(line)
    elif cmd == "get-with-body":
        port, ca = int(args[0]), args[1]
        s = tls_ctx(ca).wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello")
        s.settimeout(5)
        print(s.recv(4096).split(b"\r\n")[0].decode())
    elif cmd == "nested":
        out, mib = args[0], int(args[1])
        with open(out, "w") as f:
            f.write('{"schema":"wfpwatch/1","events":[[]')
            f.write(",[]" * ((mib << 20) // 3 - 64))  # just under MIB MiB in all
            f.write("]}")
    elif cmd == "resume":
        port, ca, cert, key, wait = int(args[0]), args[1], args[2], args[3], float(args[4])
        ctx = tls_ctx(ca, cert, key)
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost")
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        while s.recv(4096):
            pass
        sess = s.session
        s.close()
        time.sleep(wait)
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost", session=sess)
        body = open(args[5], "rb").read()
        s.sendall(b"POST /api/v1/batches HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                  b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        s.settimeout(5)
        resp = b""
        try:
            while True:
                d = s.recv(4096)
                if not d:
                    break
                resp += d
        except (socket.timeout, ssl.SSLError, OSError):
            pass
        status = resp.split(b"\r\n")[0].decode() if resp else "none"
        print(f"reused {s.session_reused} status {status}")
    elif cmd == "strict-ndjson":
        path, host = args[0], args[1]
        lines = bad = 0
        for raw in open(path, encoding="utf-8").read().split("\n"):
            if raw == "":
                continue
            lines += 1
            try:
                d = strict_loads(raw)
                canon = json.dumps(d, separators=(",", ":"), ensure_ascii=False)
                if canon != raw or d.get("host") != host or not isinstance(d.get("id"), int):
                    bad += 1
                    print("not canonical or not ours: " + raw[:200], file=sys.stderr)
            except ValueError as e:
                bad += 1
                print(f"strict parse: {e}: {raw[:200]}", file=sys.stderr)
        print(f"lines {lines} bad {bad}")
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main()
