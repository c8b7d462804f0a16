#!/usr/bin/python3
"""make-policy-changes.py — writes deploy/demo/capture/1-security-5447-attack.xml: the Security
event 4688 ("A new process has been created") of the attack tool, then the two Security events
5447 ("A Windows Filtering Platform filter has been changed", Change Type Add) that Windows logs
when the tool adds its filters, rendered the way EvtRender renders them. The 4688 (version 2, as
Microsoft's event-4688 page lays it out: hex process ids, ParentProcessName, CommandLine when
its policy is on) is what names the tool once it has exited. Fields by Data Name as shared/facts/events.md section 3.13 lays them out; the Conditions
text in the layout of section 5 (the app id as a hex dump of its UTF-16LE path).

The filters (keys, ids, layers, weight, provider, app id) are read from
2-after-attack-filters.xml, so the events describe exactly the filters the inventory shows. The
process and account are the attacker's: an administrator running the tool. The file sorts
between the baseline and the after-attack inventory, as the events happen between the two.
Deterministic: run it again and the file is byte-identical."""
import os
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
CAPTURE = os.path.join(HERE, "capture")
LAYER_GUIDS = {"FWPM_LAYER_ALE_AUTH_CONNECT_V4": "{C38D57D1-05A7-4C33-904F-7FBCEEE60E82}",
               "FWPM_LAYER_ALE_AUTH_CONNECT_V6": "{4A72393B-319F-44BC-84C3-BA54DCB3B6B4}"}
LAYER_NAMES = {"FWPM_LAYER_ALE_AUTH_CONNECT_V4": "ALE Connect v4 Layer",
               "FWPM_LAYER_ALE_AUTH_CONNECT_V6": "ALE Connect v6 Layer"}
APP_ID = "{d78e1e87-8644-4ea5-9437-d809ecefc971}"
ATTACKER_PID, ATTACKER_SID, ATTACKER = 6120, "S-1-5-21-3623811015-3361044348-30300820-1104", "CORP\\adm-jdoe"

TOOL = "C:\\Users\\Public\\fwtool.exe"
PROCESS_CREATED = """  <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
    <System>
      <Provider Name="Microsoft-Windows-Security-Auditing" Guid="{{54849625-5478-4994-A5BA-3E3B0328C30D}}"/>
      <EventID>4688</EventID>
      <Version>2</Version>
      <Level>0</Level>
      <Task>13312</Task>
      <Opcode>0</Opcode>
      <Keywords>0x8020000000000000</Keywords>
      <TimeCreated SystemTime="2026-11-20T14:01:49.8020000Z"/>
      <EventRecordID>{record}</EventRecordID>
      <Correlation/>
      <Execution ProcessID="4" ThreadID="8164"/>
      <Channel>Security</Channel>
      <Computer>WS-FIN-0042.corp.example</Computer>
      <Security/>
    </System>
    <EventData>
      <Data Name="SubjectUserSid">{sid}</Data>
      <Data Name="SubjectUserName">adm-jdoe</Data>
      <Data Name="SubjectDomainName">CORP</Data>
      <Data Name="SubjectLogonId">0x5d2f1</Data>
      <Data Name="NewProcessId">0x{pid:x}</Data>
      <Data Name="NewProcessName">{tool}</Data>
      <Data Name="TokenElevationType">%%1937</Data>
      <Data Name="ProcessId">0x1394</Data>
      <Data Name="CommandLine">fwtool.exe block MsMpEng.exe</Data>
      <Data Name="TargetUserSid">S-1-0-0</Data>
      <Data Name="TargetUserName">-</Data>
      <Data Name="TargetDomainName">-</Data>
      <Data Name="TargetLogonId">0x0</Data>
      <Data Name="ParentProcessName">C:\\Windows\\System32\\cmd.exe</Data>
      <Data Name="MandatoryLabel">S-1-16-12288</Data>
    </EventData>
  </Event>"""

TEMPLATE = """  <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
    <System>
      <Provider Name="Microsoft-Windows-Security-Auditing" Guid="{{54849625-5478-4994-A5BA-3E3B0328C30D}}"/>
      <EventID>5447</EventID>
      <Version>0</Version>
      <Level>0</Level>
      <Task>13573</Task>
      <Opcode>0</Opcode>
      <Keywords>0x8020000000000000</Keywords>
      <TimeCreated SystemTime="{time}"/>
      <EventRecordID>{record}</EventRecordID>
      <Correlation/>
      <Execution ProcessID="{bfe}" ThreadID="{thread}"/>
      <Channel>Security</Channel>
      <Computer>WS-FIN-0042.corp.example</Computer>
      <Security/>
    </System>
    <EventData>
      <Data Name="ProcessId">{pid}</Data>
      <Data Name="UserSid">{sid}</Data>
      <Data Name="UserName">{user}</Data>
      <Data Name="ProviderKey">{provider}</Data>
      <Data Name="ProviderName">{provider_name}</Data>
      <Data Name="ChangeType">%%16384</Data>
      <Data Name="FilterKey">{key}</Data>
      <Data Name="FilterName">{name}</Data>
      <Data Name="FilterType">%%16387</Data>
      <Data Name="FilterId">{id}</Data>
      <Data Name="LayerKey">{layer_key}</Data>
      <Data Name="LayerName">{layer_name}</Data>
      <Data Name="LayerId">{layer_id}</Data>
      <Data Name="Weight">{weight}</Data>
      <Data Name="Conditions">{conditions}</Data>
      <Data Name="Action">%%16389</Data>
      <Data Name="CalloutKey">{{00000000-0000-0000-0000-000000000000}}</Data>
      <Data Name="CalloutName">-</Data>
    </EventData>
  </Event>
"""


def hexdump(data):
    """The rendering of a byte blob in Conditions: 16 bytes a line, '-' after the 8th."""
    lines = []
    for off in range(0, len(data), 16):
        chunk = data[off:off + 16]
        cells = ["%02x" % b for b in chunk]
        left, right = " ".join(cells[:8]), " ".join(cells[8:])
        area = left + ("-" + right if right else "")
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append("    %08x  %-47s  %s" % (off, area, text))
    return "\n".join(lines)


def main():
    root = ET.parse(os.path.join(CAPTURE, "2-after-attack-filters.xml")).getroot()
    providers = {p.findtext("providerKey"): p.findtext("displayData/name") for p in root.iter("item")
                 if p.find("providerKey") is not None and p.find("filterKey") is None}
    out = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
           "<!-- wfpwatch demo capture, written by deploy/demo/make-policy-changes.py: the Security events 4688",
           "     and 5447 that record the demo attack's tool starting and adding its two filters",
           "     (see deploy/demo/README.md) -->",
           "<Events>"]
    record = 911200
    out.append(PROCESS_CREATED.format(record=record, sid=ATTACKER_SID, pid=ATTACKER_PID, tool=TOOL))
    for f in root.iter("item"):
        if f.findtext("filterId") not in ("324367", "324368"):
            continue
        app = [c for c in f.iter("item") if c.findtext("fieldKey") == "FWPM_CONDITION_ALE_APP_ID"][0]
        path = app.findtext("conditionValue/byteBlob/asString")
        blob = (path + "\0").encode("utf-16-le")
        conditions = ("\n\tCondition ID:\t%s\n\tMatch value:\tEqual to\n\tCondition value:\t\n%s\n\n"
                      % (APP_ID, hexdump(blob)))
        layer = f.findtext("layerKey")
        provider = f.findtext("providerKey")
        record += 1
        out.append(TEMPLATE.format(
            time="2026-11-20T14:01:%02d.%03d0000Z" % (50 + record % 2, 311 + record % 7),
            record=record, bfe=3188, thread=7400 + record % 13, pid=ATTACKER_PID, sid=ATTACKER_SID,
            user=ATTACKER.replace("&", "&amp;"), provider=provider.upper(), provider_name=providers[provider],
            key=f.findtext("filterKey").upper(), name=f.findtext("displayData/name"), id=f.findtext("filterId"),
            layer_key=LAYER_GUIDS[layer], layer_name=LAYER_NAMES[layer], layer_id=48 if layer.endswith("V4") else 50,
            weight=f.findtext("weight/uint64"),
            conditions=conditions.replace("&", "&amp;").replace("<", "&lt;")).rstrip("\n"))
    out.append("</Events>")
    with open(os.path.join(CAPTURE, "1-security-5447-attack.xml"), "w", newline="\n") as fh:
        fh.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
