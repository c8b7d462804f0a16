#!/usr/bin/python3
"""make-blocked-connections.py — writes deploy/demo/capture/3-blocked-connections.xml, the audit trail
that follows the demo attack: Security events 5157 ("The Windows Filtering Platform has blocked
a connection", version 1, 13 fields by Data Name, as shared/facts/events.md section 3.6 lays
them out) rendered the way EvtRender(EvtRenderEventXml) renders them, inside an <Events> wrapper.

Most are MsMpEng.exe trying to reach its cloud and being cut off by the two attack filters of
2-after-attack-filters.xml (run-time ids 324367 for IPv4, 324368 for IPv6), enough of them in a
minute to trip the burst rule; two are an ordinary application blocked by an ordinary baseline
filter (100023), for contrast. Deterministic: run it again and the file is byte-identical."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DEFENDER = (r"\device\harddiskvolume3\programdata\microsoft\windows defender"
            r"\platform\4.18.24090.11-0\msmpeng.exe")
UPDATER = r"\device\harddiskvolume3\program files\contoso\updater\contosoupdate.exe"
LOCAL4, LOCAL6 = "10.20.30.42", "fd00:20:30::42"
# Defender cloud endpoints are names behind many addresses; these stand in for them.
CLOUD4 = ["20.42.65.84", "20.42.73.25", "52.168.117.170", "40.126.29.6"]
CLOUD6 = ["2603:1030:b:3::152", "2603:1030:20e:3::23"]

TEMPLATE = """  <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
    <System>
      <Provider Name="Microsoft-Windows-Security-Auditing" Guid="{{54849625-5478-4994-A5BA-3E3B0328C30D}}"/>
      <EventID>5157</EventID>
      <Version>1</Version>
      <Level>0</Level>
      <Task>12810</Task>
      <Opcode>0</Opcode>
      <Keywords>0x8010000000000000</Keywords>
      <TimeCreated SystemTime="{time}"/>
      <EventRecordID>{record}</EventRecordID>
      <Correlation/>
      <Execution ProcessID="4" ThreadID="{thread}"/>
      <Channel>Security</Channel>
      <Computer>WS-FIN-0042.corp.example</Computer>
      <Security/>
    </System>
    <EventData>
      <Data Name="ProcessID">{pid}</Data>
      <Data Name="Application">{app}</Data>
      <Data Name="Direction">%%14593</Data>
      <Data Name="SourceAddress">{src}</Data>
      <Data Name="SourcePort">{sport}</Data>
      <Data Name="DestAddress">{dst}</Data>
      <Data Name="DestPort">443</Data>
      <Data Name="Protocol">6</Data>
      <Data Name="FilterRTID">{filter}</Data>
      <Data Name="LayerName">%%14611</Data>
      <Data Name="LayerRTID">{layer}</Data>
      <Data Name="RemoteUserID">S-1-0-0</Data>
      <Data Name="RemoteMachineID">S-1-0-0</Data>
    </EventData>
  </Event>
"""


def event(i, sec, app, pid, v6, dst, filt):
    # ALE_AUTH_CONNECT_V4 has run-time layer id 48 and _V6 50 on the hosts in events.md
    return TEMPLATE.format(time="2026-11-20T14:%02d:%02d.%03d0000Z" % (2 + sec // 60, sec % 60, (i * 137) % 1000),
                           record=48213377 + i, thread=92 + (i % 3) * 4, pid=pid, app=app,
                           src=LOCAL6 if v6 else LOCAL4, sport=51200 + i * 3, dst=dst,
                           filter=filt, layer=50 if v6 else 48)


def main():
    out = ['<?xml version="1.0" encoding="utf-8"?>\n',
           "<!-- wfpwatch demo capture (constructed by deploy/demo/make-blocked-connections.py, not a real host):\n"
           "     what the Security log records after the attack in 2-after-attack-filters.xml -->\n",
           "<Events>\n"]
    i = 0
    for k in range(24):  # Defender retries its cloud every couple of seconds
        v6 = k % 4 == 3
        dst = CLOUD6[k % len(CLOUD6)] if v6 else CLOUD4[k % len(CLOUD4)]
        out.append(event(i, 5 + k * 2, DEFENDER, 3932, v6, dst, 324368 if v6 else 324367))
        i += 1
        if k in (6, 17):  # an ordinary block by an ordinary filter, for contrast
            out.append(event(i, 6 + k * 2, UPDATER, 7716, False, "198.51.100.23", 100023))
            i += 1
    out.append("</Events>\n")
    with open(os.path.join(HERE, "capture", "3-blocked-connections.xml"), "w", newline="\n") as f:
        f.write("".join(out))


if __name__ == "__main__":
    main()
