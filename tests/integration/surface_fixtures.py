#!/usr/bin/python3
"""surface_fixtures.py DIR clean|silenced — what a responder collects from a host for
`analyze --surface` (reg export files: UTF-16LE with a byte order mark, CRLF; a hosts file),
built from the documented layouts (docs/windows-behaviour.md S1-S7), never copied from a host.

clean: an ordinary host — split DNS for an internal domain, VoIP QoS marking, a corporate
WinHTTP proxy, a corporate persistent route, an ad-blocking hosts list.
silenced: the same plus one silencing per technique — the Atomic Red Team NRPT sinkhole,
EDRChoker's QoS throttle on MsSense.exe, a route sending a CrowdStrike address on-link, a
WinHTTP proxy at loopback, the hosts file moved, a hosts sinkhole (and a file that is not read).
"""
import os
import sys

NRPT = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\Dnscache\Parameters\DnsPolicyConfig"
QOS = r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Microsoft\Windows\QoS"
ROUTES = r"HKEY_LOCAL_MACHINE\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\PersistentRoutes"
CONN = r"HKEY_LOCAL_MACHINE\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections"


def reg(path, text):
    body = ("Windows Registry Editor Version 5.00\r\n\r\n" + text).replace("\r\n", "\n").replace("\n", "\r\n")
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(b"\xff\xfe" + body.encode("utf-16-le"))
    os.replace(tmp, path)  # a watcher sees the whole file or none of it


def multi(*names):
    b = b"".join(n.encode("utf-16-le") + b"\0\0" for n in names) + b"\0\0"
    return "hex(7):" + ",".join("%02x" % c for c in b)


def winhttp(proxy):
    p = proxy.encode()
    b = bytes([0x18, 0, 0, 0, 0, 0, 0, 0, 3 if p else 1, 0, 0, 0]) + len(p).to_bytes(4, "little") + p + bytes(4)
    return "hex:" + ",".join("%02x" % c for c in b)


CLEAN = {
    "nrpt.reg": f"[{NRPT}]\n\n[{NRPT}\\{{0A1B}}]\n\"Name\"={multi('.corp.example')}\n"
                "\"GenericDNSServers\"=\"10.0.0.53\"\n\"ConfigOptions\"=dword:00000008\n\"Version\"=dword:00000002\n",
    "qos.reg": f"[{QOS}]\n\n[{QOS}\\Teams]\n\"Version\"=\"1.0\"\n\"Application Name\"=\"Teams.exe\"\n"
               "\"DSCP Value\"=\"46\"\n\"Throttle Rate\"=\"-1\"\n",
    "routes.reg": f"[{ROUTES}]\n\"10.99.100.0,255.255.255.0,10.99.99.1,1\"=\"\"\n",
    "proxy.reg": f"[{CONN}]\n\"WinHttpSettings\"={winhttp('proxy.corp.example:8080')}\n"
                 "\"DefaultConnectionSettings\"=hex:46,00,00,00\n",
}
HOSTS = "# Copyright (c) 1993-2009 Microsoft Corp.\r\n#\t127.0.0.1       localhost\r\n0.0.0.0 ads.example.com doubleclick.net\r\n"


def write(d, variant):
    os.makedirs(d, exist_ok=True)
    for name, text in CLEAN.items():
        reg(os.path.join(d, name), text)
    with open(os.path.join(d, "hosts"), "w") as f:
        f.write(HOSTS)
    if variant == "clean":
        return
    reg(os.path.join(d, "nrpt.reg"), CLEAN["nrpt.reg"] +
        f"\n[{NRPT}\\{{E16C9E47-6AAA-41BB-9219-CDBB6BF37AE7}}]\n\"Name\"={multi('.endpoint.security.microsoft.com')}\n"
        "\"GenericDNSServers\"=\"127.0.0.1\"\n\"ConfigOptions\"=dword:00000008\n"
        "\"Comment\"=\"Silenced by Name Resolution Policy Table\"\n")
    reg(os.path.join(d, "qos.reg"), CLEAN["qos.reg"] +
        f"\n[{QOS}\\1A2B3C4D]\n\"Application Name\"=\"MsSense.exe\"\n\"ThrottleRate\"=hex(b):01,00,00,00,00,00,00,00\n")
    reg(os.path.join(d, "routes.reg"), CLEAN["routes.reg"] + "\"52.25.223.26,255.255.255.255,0.0.0.0,1\"=\"\"\n")
    reg(os.path.join(d, "proxy.reg"), f"[{CONN}]\n\"WinHttpSettings\"={winhttp('127.0.0.1:8080')}\n")
    reg(os.path.join(d, "tcpip.reg"), "[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters]\n"
        "\"DataBasePath\"=\"C:\\\\Users\\\\Public\\\\etc\"\n")
    with open(os.path.join(d, "hosts"), "a") as f:
        f.write("127.0.0.1 ts01-b.cloudsink.net  # sinkholed\r\n")
    with open(os.path.join(d, "notes.txt"), "w") as f:
        f.write("not read\n")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in ("clean", "silenced"):
        sys.exit("usage: surface_fixtures.py DIR clean|silenced")
    write(sys.argv[1], sys.argv[2])
