#!/usr/bin/python3
"""make-events.py — writes the Security events of tests/data/events/: WFP audit events of one
workstation (WS-FIN-0042, the host of tests/data/netsh/host-*.xml) rendered the way EvtRender
and exporters render them, and the same kind of events as NXLog im_msvistalog JSON records.
Constructed by wfpwatch, not captured: hosts, addresses (documentation ranges), processes,
keys, record ids and times are our own. Event ids, versions, tasks, keywords, the Data names and
their order, the %%n tokens and the Conditions layout follow Microsoft's auditing documentation
for each event and the msobjs.dll parameter table (the facts wfpwatch's decoder is written
from); the layer and condition GUIDs are the SDK's (fwpmu.h).

What each file exercises (tests/agent/evtxml/test-evtxml.c and test-wfpchange.c assert it):
  5157-v1-inbound-icmp.xml        one bare <Event>, v1 spelling ProcessID, System (pid 4), an
                                  inbound ICMP echo (the ports carry type/code), 9-digit fraction
  5152-v0-packet-drops.xml        an <Events> wrapper, v0 spelling ProcessId, a packet tied to no
                                  process (ProcessId 0, Application "-") at the Transport layer
  5157-v1-ipv6-and-loopback.xml   two bare sibling <Event>s: an outbound IPv6 connect, an inbound
                                  loopback connection (local is the source)
  5155-v0-listen-blocked.xml      listen blocked: local endpoint only
  5159-v0-bind-blocked.xml        bind blocked on the IPv6 wildcard: local only, V6 layer
  5031-v0-app-blocked.xml         the firewall blocked a listener: a DOS path, no endpoints
  515x-permitted.xml              5154, 5156 (IPv6 link-local to multicast, loopback), 5158: skipped
  5447-v0-appid-hexdump.xml       a filter added with an ALE_APP_ID hex dump, SDDL on its own
                                  line, a port as zero-padded hex
  5447-v0-changes.xml             add/delete; permit, block and callout actions; boot-time,
                                  persistent and not-persistent types; an "In range" address,
                                  a "Not equal to" package id with the "-" value
  5441/5446/5447/5448/5450-nxlog.json   NXLog records (first line names the source; a bare
                                  object or an array), EventData as top-level members

Deterministic: run it again and every file is byte-identical."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
COMPUTER = "WS-FIN-0042.corp.example"
VOL = "\\device\\harddiskvolume2\\"
SYNC = VOL + "program files\\contoso\\sync\\contososync.exe"
SVCHOST = VOL + "windows\\system32\\svchost.exe"
MPSSVC_WF = "{DECC16CA-3F33-4346-BE1E-8FB4AE0F3D62}"      # FWPM_PROVIDER_MPSSVC_WF (fwpmu.h)
MPSSVC_WSH = "{4B153735-1049-4480-AAB4-D1B9BDC03710}"     # FWPM_PROVIDER_MPSSVC_WSH
LAYERS = {  # name: (GUID from fwpmu.h, LayerName text, LayerId)
    "ALE_AUTH_LISTEN_V4": ("{88BB5DAD-76D7-4227-9C71-DF0A3ED7BE7E}", "ALE Listen v4 Layer", 40),
    "ALE_AUTH_RECV_ACCEPT_V4": ("{E1CD9FE7-F4B5-4273-96C0-592E487B8650}", "ALE Receive/Accept v4 Layer", 44),
    "ALE_AUTH_RECV_ACCEPT_V6": ("{A3B42C97-9F04-4672-B87E-CEE9C483257F}", "ALE Receive/Accept v6 Layer", 46),
    "ALE_AUTH_CONNECT_V4": ("{C38D57D1-05A7-4C33-904F-7FBCEEE60E82}", "ALE Connect v4 Layer", 48),
    "ALE_AUTH_CONNECT_V6": ("{4A72393B-319F-44BC-84C3-BA54DCB3B6B4}", "ALE Connect v6 Layer", 50),
}
COND = {  # condition GUIDs (fwpmu.h)
    "ALE_APP_ID": "{d78e1e87-8644-4ea5-9437-d809ecefc971}",
    "ALE_USER_ID": "{af043a0a-b34d-4f86-979c-c90371af6e66}",
    "ALE_PACKAGE_ID": "{71bc78fa-f17c-4997-a602-6abb261f351c}",
    "IP_PROTOCOL": "{3971ef2b-623e-4f9a-8cb1-6e79b806b9a7}",
    "IP_LOCAL_PORT": "{0c1ba1af-5765-453f-af22-a8f791ac775b}",
    "IP_REMOTE_ADDRESS": "{b235ae9a-1d64-49b8-a44c-5ff3d9095045}",
    "IP_REMOTE_PORT": "{c35a604d-d22b-4e1a-91b4-68f674ee674b}",
    "FLAGS": "{632ce23b-5167-435c-86d7-e903684aa80c}",
    "ORIGINAL_PROFILE_ID": "{46ea1551-2255-492b-8019-aabeee349f40}",
    "CURRENT_PROFILE_ID": "{ab3033c9-c0e3-4759-937d-5758c65d4ae3}",
}
HEADER = ("wfpwatch test fixture (constructed, not a capture), written by tests/data/events/make-events.py; "
          "see that script for what each file exercises")


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def event(eid, version, task, keywords, time, record, data, thread=88):
    """One rendered <Event>, Data in the given order ([(name, value)])."""
    lines = ['<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">',
             "  <System>",
             '    <Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/>',
             "    <EventID>%d</EventID>" % eid,
             "    <Version>%d</Version>" % version,
             "    <Level>0</Level>",
             "    <Task>%d</Task>" % task,
             "    <Opcode>0</Opcode>",
             "    <Keywords>%s</Keywords>" % keywords,
             '    <TimeCreated SystemTime="%s"/>' % time,
             "    <EventRecordID>%d</EventRecordID>" % record,
             "    <Correlation/>",
             '    <Execution ProcessID="4" ThreadID="%d"/>' % thread,
             "    <Channel>Security</Channel>",
             "    <Computer>%s</Computer>" % COMPUTER,
             "    <Security/>",
             "  </System>",
             "  <EventData>"]
    lines += ['    <Data Name="%s">%s</Data>' % (k, esc(v)) for k, v in data]
    lines += ["  </EventData>", "</Event>"]
    return "\n".join(lines)


FAILURE, SUCCESS = "0x8010000000000000", "0x8020000000000000"


def connection(eid, version, time, record, pid, app, direction, src, sport, dst, dport, proto, rtid, layer, layer_rtid):
    """5152/5156/5157 (5152 has no Remote*ID; v1 spells ProcessID)."""
    data = [("ProcessID" if version >= 1 else "ProcessId", str(pid)), ("Application", app), ("Direction", direction),
            ("SourceAddress", src), ("SourcePort", str(sport)), ("DestAddress", dst), ("DestPort", str(dport)),
            ("Protocol", str(proto)), ("FilterRTID", str(rtid)), ("LayerName", layer), ("LayerRTID", str(layer_rtid))]
    if eid != 5152:
        data += [("RemoteUserID", "S-1-0-0"), ("RemoteMachineID", "S-1-0-0")]
    task = 12809 if eid == 5152 else 12810
    return event(eid, version, task, SUCCESS if eid == 5156 else FAILURE, time, record, data)


def local_only(eid, time, record, pid, app, addr, port, proto, rtid, layer, layer_rtid):
    """5154/5155 (listen) and 5158/5159 (bind): the local endpoint only."""
    data = [("ProcessId", str(pid)), ("Application", app), ("SourceAddress", addr), ("SourcePort", str(port)),
            ("Protocol", str(proto)), ("FilterRTID", str(rtid)), ("LayerName", layer), ("LayerRTID", str(layer_rtid))]
    return event(eid, 0, 12810, SUCCESS if eid in (5154, 5158) else FAILURE, time, record, data)


def hexdump(data):
    """A byte blob as Conditions renders it: 16 bytes a line, '-' after the 8th."""
    lines = []
    for off in range(0, len(data), 16):
        chunk = data[off:off + 16]
        cells = ["%02x" % b for b in chunk]
        area = " ".join(cells[:8]) + ("-" + " ".join(cells[8:]) if len(cells) > 8 else "")
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append("    %08x  %-47s  %s" % (off, area, text))
    return "\n".join(lines)


def conditions(conds):
    """The Conditions text of 5441/5447: [(field, match text, rendered value)]."""
    out = "\n"
    for field, match, value in conds:
        out += "\tCondition ID:\t%s\n\tMatch value:\t%s\n\tCondition value:\t%s\n\n" % (COND[field], match, value)
    return out


def app_value(path):
    return "\n" + hexdump((path + "\0").encode("utf-16-le")) + "\n"


def sddl_value(sddl):
    return "\n" + sddl + "\n"


ACTIONS = {"%%16389": "Block", "%%16390": "Permit", "%%16391": "Callout"}
TYPES = {"%%16386": "Boot-time", "%%16387": "Persistent", "%%16388": "Not persistent"}


def filter_change(time, record, change, key, name, ftype, fid, layer, weight, conds, action,
                  callout=("{00000000-0000-0000-0000-000000000000}", "-"), pid=2716, sid="S-1-5-19",
                  user="NT AUTHORITY\\LOCAL SERVICE", provider=(MPSSVC_WF, "Microsoft Corporation")):
    """5447 with Data in the documented order; Conditions rendered as Windows renders it."""
    lk, ln, lid = LAYERS[layer]
    data = [("ProcessId", str(pid)), ("UserSid", sid), ("UserName", user), ("ProviderKey", provider[0]),
            ("ProviderName", provider[1]), ("ChangeType", change), ("FilterKey", key), ("FilterName", name),
            ("FilterType", ftype), ("FilterId", str(fid)), ("LayerKey", lk), ("LayerName", ln), ("LayerId", str(lid)),
            ("Weight", str(weight)), ("Conditions", conditions(conds)), ("Action", action),
            ("CalloutKey", callout[0]), ("CalloutName", callout[1])]
    return event(5447, 0, 13573, SUCCESS, time, record, data, thread=3104)


def write(name, text):
    with open(os.path.join(HERE, name), "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def xml_file(name, what, events, wrapper):
    body = "\n".join(events)
    if wrapper:
        body = "<Events>\n" + body + "\n</Events>"
    write(name, "<!-- %s: %s -->\n%s\n" % (HEADER, what, body))


# ---- connection events ---------------------------------------------------------------------------

def connection_files():
    xml_file("5157-v1-inbound-icmp.xml", "5157 v1, inbound ICMP echo blocked at Receive/Accept, System", [
        connection(5157, 1, "2026-11-20T14:05:11.482913500Z", 5520173, 4, "System", "%%14592",
                   "198.51.100.23", 8, "192.0.2.10", 0, 1, 88777, "%%14610", 44)], wrapper=False)
    xml_file("5152-v0-packet-drops.xml", "5152 v0, an inbound RDP packet tied to no process and an ICMP echo", [
        connection(5152, 0, "2026-11-20T14:05:02.115000000Z", 5520150, 0, "-", "%%14592",
                   "203.0.113.77", 61022, "192.0.2.10", 3389, 6, 88790, "%%14597", 13),
        connection(5152, 0, "2026-11-20T14:05:11.482913500Z", 5520172, 4, "System", "%%14592",
                   "198.51.100.23", 8, "192.0.2.10", 0, 1, 88777, "%%14610", 44)], wrapper=True)
    xml_file("5157-v1-ipv6-and-loopback.xml", "5157 v1, an outbound IPv6 connect and an inbound loopback connection", [
        connection(5157, 1, "2026-11-20T14:06:40.000120300Z", 5520301, 6120, SYNC, "%%14593",
                   "2001:db8:42::17", 50122, "2001:db8:7::443", 443, 6, 90211, "%%14611", 50),
        connection(5157, 1, "2026-11-20T14:06:41.250000000Z", 5520302, 6120, SYNC, "%%14592",
                   "127.0.0.1", 49822, "127.0.0.1", 5985, 6, 66517, "%%14610", 44)], wrapper=False)
    xml_file("5155-v0-listen-blocked.xml", "5155, a listen blocked", [
        local_only(5155, "2026-11-20T14:07:00.500000000Z", 5520320, 6120, SYNC, "0.0.0.0", 22000, 6, 88410,
                   "%%14609", 40)], wrapper=False)
    xml_file("5159-v0-bind-blocked.xml", "5159, a bind on the IPv6 wildcard blocked", [
        local_only(5159, "2026-11-20T14:07:01.750000000Z", 5520321, 7340,
                   VOL + "users\\jdoe\\downloads\\tools\\listener.exe", "::", 5555, 6, 88411, "%%14608", 38)],
        wrapper=False)
    xml_file("5031-v0-app-blocked.xml", "5031, the firewall blocked a program from accepting connections", [
        event(5031, 0, 12810, FAILURE, "2026-11-20T14:07:03.000000000Z", 5520322,
              [("Profiles", "Domain"), ("Application", "C:\\Users\\jdoe\\Downloads\\tools\\listener.exe")])],
        wrapper=False)
    xml_file("515x-permitted.xml", "permitted listen, connections and bind (5154, 5156, 5158)", [
        local_only(5154, "2026-11-20T14:08:00.000000000Z", 5520400, 2716, SVCHOST, "0.0.0.0", 135, 6, 66300,
                   "%%14609", 40),
        connection(5156, 1, "2026-11-20T14:08:01.000000000Z", 5520401, 1288, SVCHOST, "%%14593",
                   "fe80::5d1e:8a33:7c2b:4f0e", 546, "ff02::1:2", 547, 17, 66310, "%%14611", 50),
        connection(5156, 1, "2026-11-20T14:08:02.000000000Z", 5520402, 4, "System", "%%14592",
                   "127.0.0.1", 49910, "127.0.0.1", 445, 6, 66311, "%%14610", 44),
        local_only(5158, "2026-11-20T14:08:03.000000000Z", 5520403, 6120, SYNC, "0.0.0.0", 22000, 6, 0,
                   "%%14608", 36)], wrapper=True)


# ---- policy changes as rendered XML ------------------------------------------------------------------

SYNC_SDDL = "O:SYG:SYD:(A;;CCRC;;;S-1-5-21-3623811015-3361044348-30300820-1104)"


def policy_files():
    xml_file("5447-v0-appid-hexdump.xml", "5447, a firewall rule added, its app id as a hex dump", [
        filter_change("2026-11-20T13:57:41.902114000Z", 5519870, "%%16384", "{9B2E4F70-1C8D-4A36-B5E2-7F0A9D3C6E14}",
                      "Contoso Sync (TCP-In)", "%%16388", 88410, "ALE_AUTH_RECV_ACCEPT_V4", 12682136550675316736,
                      [("ALE_APP_ID", "Equal to", app_value(SYNC)), ("ALE_USER_ID", "Equal to", sddl_value(SYNC_SDDL)),
                       ("IP_LOCAL_PORT", "Equal to", "0x55f0")], "%%16390")], wrapper=False)
    xml_file("5447-v0-changes.xml", "5447: add and delete, permit, block and callout actions", [
        filter_change("2026-11-20T13:57:42.000310000Z", 5519871, "%%16384", "{1E8B3F57-6C20-4D9A-A4F3-8B7C5D2E0A61}",
                      "Contoso Backup (TCP-Out)", "%%16388", 88412, "ALE_AUTH_CONNECT_V4", 12682136550675316748,
                      [("ALE_PACKAGE_ID", "Not equal to", "-"),
                       ("IP_REMOTE_ADDRESS", "In range", "0xc0000200 - 0xc00002ff"),
                       ("ORIGINAL_PROFILE_ID", "Equal to", "0x00000001"),
                       ("CURRENT_PROFILE_ID", "Equal to", "0x00000001"),
                       ("ALE_USER_ID", "Equal to", sddl_value("O:LSD:(A;;CC;;;S-1-15-3-1)(A;;CC;;;WD)"))], "%%16390"),
        filter_change("2026-11-20T13:57:42.000980000Z", 5519872, "%%16385", "{27C0E5A1-9F38-4B6D-8E02-D4A7B1C3F958}",
                      "Contoso Backup (TCP-Out)", "%%16388", 88301, "ALE_AUTH_CONNECT_V4", 12682136550675316748,
                      [("IP_REMOTE_PORT", "Equal to", "0x20fb")], "%%16390"),
        filter_change("2026-11-20T13:57:43.118000000Z", 5519873, "%%16384", "{C51F8E26-7A04-4D9B-8E3A-2B6D0F1C9A57}",
                      "Quarantine Default Inbound Block", "%%16387", 66517, "ALE_AUTH_RECV_ACCEPT_V6",
                      8070450532247928832, [("FLAGS", "No flags set", "0x00000001"),
                                            ("IP_PROTOCOL", "Equal to", "0x3a")], "%%16389",
                      provider=(MPSSVC_WSH, "Microsoft Corporation")),
        filter_change("2026-11-20T13:57:43.502000000Z", 5519874, "%%16384", "{D2F6A8C1-9E35-4B70-8C14-6A2E0F9B3D75}",
                      "Northwind VPN DNS redirect", "%%16386", 90211, "ALE_AUTH_CONNECT_V6", 1970324836974592,
                      [("IP_REMOTE_PORT", "Equal to", "0x0035")], "%%16391",
                      callout=("{6F1E2D3C-4B5A-4978-8A6B-5C4D3E2F1A11}", "Northwind VPN DNS redirect callout"),
                      pid=4, sid="S-1-5-18", user="NT AUTHORITY\\SYSTEM",
                      provider=("{6F1E2D3C-4B5A-4978-8A6B-5C4D3E2F1A09}", "Northwind Traders"))], wrapper=True)


# ---- NXLog records --------------------------------------------------------------------------------

def nxlog(eid, task, record, time, message, fields):
    """An im_msvistalog record: System members, the formatted Message, EventData members."""
    rec = {"EventTime": time.replace("T", " ")[:19], "Hostname": COMPUTER, "Keywords": -9214364837600034816,
           "EventType": "AUDIT_SUCCESS", "SeverityValue": 2, "Severity": "INFO", "EventID": eid,
           "SourceName": "Microsoft-Windows-Security-Auditing", "ProviderGuid": "{54849625-5478-4994-A5BA-3E3B0328C30D}",
           "Version": 0, "Task": task, "OpcodeValue": 0, "RecordNumber": record, "ExecutionProcessID": 2716,
           "ExecutionThreadID": 3104, "Channel": "Security", "Category": "Filtering Platform Policy Change",
           "Opcode": "Info", "Message": message, "SourceModuleName": "eventlog", "SourceModuleType": "im_msvistalog"}
    rec.update(fields)
    return rec


def filter_fields(key, name, ftype, fid, layer, weight, conds, action, provider=(MPSSVC_WF, "Microsoft Corporation"),
                  callout=("{00000000-0000-0000-0000-000000000000}", "-")):
    lk, ln, lid = LAYERS[layer]
    return {"ProviderKey": provider[0].lower(), "ProviderName": provider[1], "FilterKey": key.lower(), "FilterName": name,
            "FilterType": ftype, "FilterId": str(fid), "LayerKey": lk.lower(), "LayerName": ln, "LayerId": str(lid),
            "Weight": str(weight), "Conditions": conditions(conds), "Action": action, "CalloutKey": callout[0].lower(),
            "CalloutName": callout[1]}


def filter_message(kind, f, change=None, subject=None):
    head = {"5441": "The following filter was present when the Windows Filtering Platform Base Filtering Engine started.",
            "5447": "A Windows Filtering Platform filter has been changed."}[kind]
    parts = [head, ""]
    if subject:
        parts += ["Subject:", "\tSecurity ID:\t\t%s" % subject[0], "\tAccount Name:\t\t%s" % subject[1], "",
                  "Process Information:", "\tProcess ID:\t%s" % subject[2], ""]
    parts += ["Provider Information:", "\tID:\t\t%s" % f["ProviderKey"], "\tName:\t\t%s" % f["ProviderName"], ""]
    if change:
        parts += ["Change Information:", "\tChange Type:\t%s" % change, ""]
    parts += ["Filter Information:", "\tID:\t\t%s" % f["FilterKey"], "\tName:\t\t%s" % f["FilterName"],
              "\tType:\t\t%s" % TYPES[f["FilterType"]], "\tRun-Time ID:\t%s" % f["FilterId"], "",
              "Layer Information:", "\tID:\t\t%s" % f["LayerKey"], "\tName:\t\t%s" % f["LayerName"],
              "\tRun-Time ID:\t%s" % f["LayerId"], "", "Additional Information:", "\tWeight:\t%s" % f["Weight"],
              "\tConditions:\t%s" % f["Conditions"], "\tFilter Action:\t%s" % ACTIONS[f["Action"]],
              "\tCallout ID:\t%s" % f["CalloutKey"], "\tCallout Name:\t%s" % f["CalloutName"]]
    return "\r\n".join(parts)


def subject_fields(sid, user, pid):
    return {"UserSid": sid, "UserName": user, "ProcessId": pid}


def json_file(name, what, records):
    doc = records[0] if len(records) == 1 else records  # a single record is stored bare
    write(name, "// %s: %s; strip this first line before parsing\n%s\n" % (HEADER, what, json.dumps(doc, indent=1)))


def nxlog_files():
    boot = filter_fields("{4B7E2A90-D3C1-4E58-8F26-1A9C5E0D7B34}", "Boot Time Filter", "%%16386", 1,
                         "ALE_AUTH_RECV_ACCEPT_V6", 18446744073709551615,
                         [("IP_PROTOCOL", "Equal to", "0x3a"), ("IP_LOCAL_PORT", "Equal to", "0x0222")], "%%16390")
    persistent = filter_fields("{8F3D1B6E-4A27-4C95-B0E8-5D9A2F7C1E43}",
                               "Block all outbound traffic from PrintFilterPipelineSvc", "%%16387", 2,
                               "ALE_AUTH_CONNECT_V4", 274877906944,
                               [("ALE_APP_ID", "Equal to", app_value(VOL + "windows\\system32\\printfilterpipelinesvc.exe"))],
                               "%%16389", provider=(MPSSVC_WSH, "Microsoft Corporation"))
    json_file("5441-nxlog.json", "5441, filters present at BFE start (boot-time and persistent)", [
        nxlog(5441, 13572, 5518001, "2026-11-20T07:30:02Z", filter_message("5441", boot), boot),
        nxlog(5441, 13572, 5518002, "2026-11-20T07:30:02Z", filter_message("5441", persistent), persistent)])

    subj = ("S-1-5-19", "NT AUTHORITY\\LOCAL SERVICE", "2716")
    add = filter_fields("{9B2E4F70-1C8D-4A36-B5E2-7F0A9D3C6E14}", "Contoso Sync (TCP-In)", "%%16388", 88410,
                        "ALE_AUTH_RECV_ACCEPT_V4", 12682136550675316736,
                        [("ALE_APP_ID", "Equal to", app_value(SYNC)), ("ALE_USER_ID", "Equal to", sddl_value(SYNC_SDDL)),
                         ("IP_LOCAL_PORT", "Equal to", "0x55f0"), ("IP_PROTOCOL", "Equal to", "0x06")], "%%16390")
    add.update(subject_fields(*subj), ChangeType="%%16384")
    delete = filter_fields("{27C0E5A1-9F38-4B6D-8E02-D4A7B1C3F958}", "Contoso Backup (TCP-Out)", "%%16388", 88301,
                           "ALE_AUTH_CONNECT_V4", 12682136550675316748, [("IP_REMOTE_PORT", "Equal to", "0x20fb")],
                           "%%16390")
    delete.update(subject_fields(*subj), ChangeType="%%16385")
    vpn = filter_fields("{D2F6A8C1-9E35-4B70-8C14-6A2E0F9B3D75}", "Northwind VPN DNS redirect", "%%16387", 90211,
                        "ALE_AUTH_CONNECT_V4", 1970324836974592,
                        [("IP_REMOTE_PORT", "Equal to", "0x0035"), ("IP_PROTOCOL", "Equal to", "0x11")], "%%16391",
                        provider=("{6F1E2D3C-4B5A-4978-8A6B-5C4D3E2F1A09}", "Northwind Traders"),
                        callout=("{6F1E2D3C-4B5A-4978-8A6B-5C4D3E2F1A11}", "Northwind VPN DNS redirect callout"))
    vpn.update(subject_fields("S-1-5-18", "NT AUTHORITY\\SYSTEM", 4), ChangeType="%%16384")  # a number, not a string
    json_file("5447-nxlog.json", "5447, a filter added with an app id hex dump, one deleted, a callout filter added", [
        nxlog(5447, 13573, 5519880, "2026-11-20T13:57:41Z", filter_message("5447", add, "Add", subj), add),
        nxlog(5447, 13573, 5519881, "2026-11-20T13:57:42Z", filter_message("5447", delete, "Delete", subj), delete),
        nxlog(5447, 13573, 5519882, "2026-11-20T13:57:43Z",
              filter_message("5447", vpn, "Add", ("S-1-5-18", "NT AUTHORITY\\SYSTEM", "4")), vpn)])

    callout = {"ProviderKey": "{6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a09}", "ProviderName": "Northwind Traders",
               "ChangeType": "%%16384", "CalloutKey": "{6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a11}",
               "CalloutName": "Northwind VPN DNS redirect callout", "CalloutType": "%%16387", "CalloutId": "312",
               "LayerKey": "{4a72393b-319f-44bc-84c3-ba54dcb3b6b4}", "LayerName": "ALE Connect v6 Layer", "LayerId": "50"}
    callout.update(subject_fields("S-1-5-18", "NT AUTHORITY\\SYSTEM", "4"))
    msg = ("A Windows Filtering Platform callout has been changed.\r\n\t\r\nSubject:\r\n\tSecurity ID:\t\tS-1-5-18\r\n"
           "\tAccount Name:\t\tNT AUTHORITY\\SYSTEM\r\n\r\nProcess Information:\r\n\tProcess ID:\t4\r\n\r\n"
           "Provider Information:\r\n\tID:\t\t%s\r\n\tName:\t\tNorthwind Traders\r\n\r\nChange Information:\r\n"
           "\tChange Type:\tAdd\r\n\r\nCallout Information:\r\n\tID:\t\t%s\r\n\tName:\t\t%s\r\n\tType:\t\tPersistent\r\n"
           "\tRun-Time ID:\t312\r\n\r\nLayer Information:\r\n\tID:\t\t%s\r\n\tName:\t\tALE Connect v6 Layer\r\n"
           "\tRun-Time ID:\t50" % (callout["ProviderKey"], callout["CalloutKey"], callout["CalloutName"],
                                  callout["LayerKey"]))
    json_file("5446-nxlog.json", "5446, a callout added", [nxlog(5446, 13572, 5519860, "2026-11-20T13:57:40Z", msg, callout)])

    prov = {"ProviderKey": "{6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a09}", "ProviderName": "Northwind Traders",
            "ChangeType": "%%16384", "ProviderType": "%%16387"}
    prov.update(subject_fields("S-1-5-18", "NT AUTHORITY\\SYSTEM", "4"))
    msg = ("A Windows Filtering Platform provider has been changed.\r\n\t\r\nSubject:\r\n\tSecurity ID:\t\tS-1-5-18\r\n"
           "\tAccount Name:\t\tNT AUTHORITY\\SYSTEM\r\n\r\nProcess Information:\r\n\tProcess ID:\t4\r\n\r\n"
           "Change Information:\r\n\tChange Type:\tAdd\r\n\r\nProvider Information:\r\n\tID:\t\t%s\r\n"
           "\tName:\t\tNorthwind Traders\r\n\tType:\t\tPersistent" % prov["ProviderKey"])
    json_file("5448-nxlog.json", "5448, a provider added", [nxlog(5448, 13572, 5519858, "2026-11-20T13:57:39Z", msg, prov)])

    sub = {"SubLayerKey": "{6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a10}", "SubLayerName": "Northwind VPN sublayer",
           "SubLayerType": "%%16387", "ProviderKey": "{00000000-0000-0000-0000-000000000000}", "ProviderName": "-",
           "ChangeType": "%%16385", "Weight": "16384"}
    sub.update(subject_fields("S-1-5-18", "NT AUTHORITY\\SYSTEM", "4"))
    msg = ("A Windows Filtering Platform sub-layer has been changed.\r\n\t\r\nSubject:\r\n\tSecurity ID:\t\tS-1-5-18\r\n"
           "\tAccount Name:\t\tNT AUTHORITY\\SYSTEM\r\n\r\nProcess Information:\r\n\tProcess ID:\t4\r\n\r\n"
           "Provider Information:\r\n\tProvider ID:\t{00000000-0000-0000-0000-000000000000}\r\n\tProvider Name:\t-\r\n\r\n"
           "Change Information:\r\n\tChange Type:\tDelete\r\n\r\nSub-layer Information:\r\n\tSub-layer ID:\t%s\r\n"
           "\tSub-layer Name:\tNorthwind VPN sublayer\r\n\tSub-layer Type:\tPersistent\r\n\r\nAdditional Information:\r\n"
           "\tWeight:\t16384" % sub["SubLayerKey"])
    json_file("5450-nxlog.json", "5450, a sublayer deleted", [nxlog(5450, 13572, 5520990, "2026-11-20T15:12:09Z", msg, sub)])


def main():
    connection_files()
    policy_files()
    nxlog_files()


if __name__ == "__main__":
    main()
