#!/usr/bin/python3
"""gen-netsh.py N OUT [--changes K --seed S] — writes a `netsh wfp show filters`-shaped dump of N
filters (the shapes of a real host: firewall rules with app ids, SDDL and ports, service
hardening blocks, callout filters). With --changes K, K/2 filters are replaced by new keys
and the other K/2 get another local port where they have a port condition (about half do),
for diff benchmarks. Not real data."""
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
changes = int(sys.argv[sys.argv.index("--changes") + 1]) if "--changes" in sys.argv else 0
seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
rnd = random.Random(1)  # the same base inventory for every seed
chg = random.Random(seed)
apps = ["windows\\system32\\svchost.exe", "program files\\google\\chrome\\application\\chrome.exe",
        "windows\\system32\\searchfilterhost.exe", "program files\\microsoft office\\root\\office16\\outlook.exe",
        "windows\\explorer.exe", "program files\\mozilla firefox\\firefox.exe"]
layers = ["ALE_AUTH_CONNECT_V4", "ALE_AUTH_CONNECT_V6", "ALE_AUTH_RECV_ACCEPT_V4", "ALE_AUTH_RECV_ACCEPT_V6",
          "ALE_RESOURCE_ASSIGNMENT_V4", "INBOUND_TRANSPORT_V4", "OUTBOUND_TRANSPORT_V6"]
provs = ["FWPM_PROVIDER_MPSSVC_WF"] * 8 + ["FWPM_PROVIDER_MPSSVC_WSH", "FWPM_PROVIDER_MPSSVC_APP_ISOLATION", ""]


def guid(r):
    h = "%032x" % r.getrandbits(128)
    return "{%s-%s-%s-%s-%s}" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def blob(path):
    return "".join("%02x00" % ord(c) for c in path) + "0000"


changed = set(chg.sample(range(n), min(changes, n)))
replaced = set(list(changed)[: changes // 2])
w = open(out, "w", encoding="utf-8")
w.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<wfpdiag>\n\t<filters>\n')
for i in range(n):
    key = guid(rnd)
    if i in replaced:
        key = guid(chg)
    app = "\\device\\harddiskvolume3\\" + rnd.choice(apps)
    port = rnd.randrange(1, 65535)
    if i in changed:
        port = (port + 1) % 65535
    prov = rnd.choice(provs)
    action = rnd.choice(["FWP_ACTION_PERMIT"] * 8 + ["FWP_ACTION_BLOCK", "FWP_ACTION_CALLOUT_TERMINATING"])
    conds = [("ALE_APP_ID", "FWP_MATCH_EQUAL", "<type>FWP_BYTE_BLOB_TYPE</type>\n\t\t\t\t\t\t<byteBlob>\n\t\t\t\t\t\t\t<data>%s</data>\n\t\t\t\t\t\t\t<asString>%s</asString>\n\t\t\t\t\t\t</byteBlob>" % (blob(app), app)),
             ("ALE_USER_ID", "FWP_MATCH_EQUAL", "<type>FWP_SECURITY_DESCRIPTOR_TYPE</type>\n\t\t\t\t\t\t<sd>O:SYG:SYD:(A;;CCRC;;;S-1-5-80-%d)</sd>" % rnd.randrange(10**9)),
             ("IP_LOCAL_PORT", "FWP_MATCH_EQUAL", "<type>FWP_UINT16</type>\n\t\t\t\t\t\t<uint16>%d</uint16>" % port),
             ("IP_PROTOCOL", "FWP_MATCH_EQUAL", "<type>FWP_UINT8</type>\n\t\t\t\t\t\t<uint8>6</uint8>")][: rnd.randrange(1, 5)]
    w.write("\t\t<item>\n\t\t\t<filterKey>%s</filterKey>\n\t\t\t<displayData>\n\t\t\t\t<name>Generated rule %d</name>\n"
            "\t\t\t\t<description>Generated for benchmarks</description>\n\t\t\t</displayData>\n" % (key, i))
    w.write("\t\t\t<flags numItems=\"1\">\n\t\t\t\t<item>FWPM_FILTER_FLAG_INDEXED</item>\n\t\t\t</flags>\n")
    w.write("\t\t\t<providerKey>%s</providerKey>\n\t\t\t<providerData/>\n" % prov if prov else "\t\t\t<providerKey/>\n\t\t\t<providerData/>\n")
    w.write("\t\t\t<layerKey>FWPM_LAYER_%s</layerKey>\n\t\t\t<subLayerKey>FWPM_SUBLAYER_MPSSVC_WF</subLayerKey>\n" % rnd.choice(layers))
    w.write("\t\t\t<weight>\n\t\t\t\t<type>FWP_UINT8</type>\n\t\t\t\t<uint8>%d</uint8>\n\t\t\t</weight>\n" % rnd.randrange(16))
    w.write("\t\t\t<filterCondition numItems=\"%d\">\n" % len(conds))
    for f, m, v in conds:
        w.write("\t\t\t\t<item>\n\t\t\t\t\t<fieldKey>FWPM_CONDITION_%s</fieldKey>\n\t\t\t\t\t<matchType>%s</matchType>\n"
                "\t\t\t\t\t<conditionValue>\n\t\t\t\t\t\t%s\n\t\t\t\t\t</conditionValue>\n\t\t\t\t</item>\n" % (f, m, v))
    w.write("\t\t\t</filterCondition>\n\t\t\t<action>\n\t\t\t\t<type>%s</type>\n\t\t\t\t<filterType/>\n\t\t\t</action>\n" % action)
    w.write("\t\t\t<rawContext>0</rawContext>\n\t\t\t<reserved/>\n\t\t\t<filterId>%d</filterId>\n" % (100000 + i))
    w.write("\t\t\t<effectiveWeight>\n\t\t\t\t<type>FWP_UINT64</type>\n\t\t\t\t<uint64>%d</uint64>\n\t\t\t</effectiveWeight>\n\t\t</item>\n" % rnd.getrandbits(62))
w.write("\t</filters>\n\t<providers/>\n</wfpdiag>\n")
w.close()
