#!/usr/bin/python3
"""gendrv.py OUT N [--raw] [--gap-every K] [--corrupt-at I] [--truncate] [--first-port P] — N records of the
wfpwatch callout driver as the READ IOCTL delivers them, written from the layout in
agent/driver/wfpw_device.h by an encoder independent of the C one (so the two cross-check):
Defender's outbound connects blocked by filter 324367 (IPv4) / 324368 (IPv6), each a distinct
flow (local port P + i, P = 40000 unless --first-port), plus every 10th record a transport-layer packet drop.
Without --raw the file starts with the 16-byte driver record file header the replay source
recognises. --gap-every K leaves out every K-th sequence number (the driver's ring was full);
--corrupt-at I flips one byte of record I; --truncate cuts the last record in half."""
import struct, sys

FILETIME_1970 = 116444736000000000
T0 = (1795183200 * 1000) * 10000 + FILETIME_1970  # 2026-11-20T14:00:00Z


def crc32c(data, crc=0):
    table = crc32c.table
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xFF]
    return crc ^ 0xFFFFFFFF


crc32c.table = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
    crc32c.table.append(c)


def record(seq, i, first_port=40000):
    v6 = i % 4 == 3
    packet = i % 10 == 9
    path = r"\device\harddiskvolume3\programdata\microsoft\windows defender\platform\4.18.24090.11-0\msmpeng.exe"
    p16 = path.encode("utf-16-le")
    flags = 0x01 | 0x02 | 0x10 | (0 if packet else 0x08)  # pid, path, discard, filter id
    if packet:
        layer, module, reason, fid = (15 if v6 else 13), 1, 4, 0   # inbound transport discard
    else:
        layer, module, reason, fid = (51 if v6 else 49), 2, 0, (324368 if v6 else 324367)
    if v6:
        local = bytes.fromhex("fd000020003000000000000000000042")
        remote = bytes.fromhex("26031030000b00030000000000000152")
    else:
        local = bytes([10, 20, 30, 42]) + bytes(12)
        remote = bytes([20, 42, 65, 84 + i % 4]) + bytes(12)
    head = struct.pack("<HBBIQQQQIHBBBBHHHII16s16s16s", 0, 0xD1, 1, 0, seq, T0 + i * 10000, 3932, fid, flags,
                       layer, 1 if packet else 0, 6 if v6 else 4, 6, 0, first_port + i % 20000, 443, len(p16),
                       module, reason, local, remote, bytes(16))
    assert len(head) == 112
    size = (112 + len(p16) + 7) & ~7
    rec = bytearray(head + p16 + bytes(size - 112 - len(p16)))
    struct.pack_into("<H", rec, 0, size)
    struct.pack_into("<I", rec, 4, crc32c(rec))
    return bytes(rec)


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    args = sys.argv[3:]
    opt = lambda name: int(args[args.index(name) + 1]) if name in args else None
    gap, corrupt = opt("--gap-every"), opt("--corrupt-at")
    first_port = opt("--first-port") or 40000
    data = bytearray() if "--raw" in args else bytearray(b"WFPWDRV1" + struct.pack("<HHI", 1, 0, 0))
    seq = 0
    for i in range(n):
        seq += 1
        if gap and seq % gap == 0:
            seq += 1
        rec = bytearray(record(seq, i, first_port))
        if corrupt is not None and i == corrupt:
            rec[60] ^= 0x01
        if "--truncate" in args and i == n - 1:
            rec = rec[: len(rec) // 2]
        data += rec
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
