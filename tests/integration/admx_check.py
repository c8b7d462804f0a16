#!/usr/bin/python3
"""admx_check.py — deploy/windows/admx against the structure Group Policy expects and against
the agent: every referenced string and presentation exists, every element has its control,
every policy writes under Software\\Policies\\wfpwatch\\Agent a value the agent reads (a key of
`wfpwatch-agent config-help`) with the agent's own ranges and choices. With --reg FILE it also
writes a REGEDIT4 file setting every policy to a test value and prints "valueName=expected"
lines for the Wine import check.
usage: admx_check.py ADMX ADML CONFIG_HELP_TEXT [--reg FILE]"""
import re
import sys
import xml.etree.ElementTree as ET

NS = "{http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions}"
KEY = r"Software\Policies\wfpwatch\Agent"


# test values written by --reg; IN_FORCE: what check-config shows when it differs (normalized,
# or masked because it is a secret)
MULTI_VALUES = {
    "detection.allow_providers": ["{a1d5c3e7-0b2f-4e68-8c94-5f7a3b1d9e20}", "{4e27e7d4-2442-4891-912e-4205428a8555}"],
    "sources": ["replay", "eventlog"],
    "sources.eventlog.event_ids": ["5157", "5152", "5447"],
}
TEXT_VALUES = {
    "collector.url": "https://gpo.corp.example:8443",
    "collector.ca": r"C:\ProgramData\wfpwatch\gpo-ca.crt",
    "collector.ca_fingerprint": "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89",
    "collector.enroll_token": "wfpe_gpo-test-token",
}
IN_FORCE = {
    "collector.ca_fingerprint": "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
    "collector.enroll_token": "***",
}


def fail(msg):
    print("admx_check: " + msg)
    sys.exit(1)


def main():
    admx, adml, helptext = sys.argv[1:4]
    reg = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--reg" else None
    a = ET.parse(admx).getroot()
    l = ET.parse(adml).getroot()
    if a.tag != NS + "policyDefinitions" or l.tag != NS + "policyDefinitionResources":
        fail("root elements are not policyDefinitions / policyDefinitionResources")
    strings = {s.get("id") for s in l.iter(NS + "string")}
    presentations = {p.get("id"): p for p in l.iter(NS + "presentation")}
    for m in re.finditer(r"\$\(string\.([A-Za-z0-9_]+)\)", open(admx).read()):
        if m.group(1) not in strings:
            fail("string %s is referenced but not in the ADML" % m.group(1))
    # the agent's keys: "name  (type ...)" lines of config-help, with ranges and choices
    # a source's keys are "sources.TYPE.KEY" in policy; "sources" is the list of types
    keys = {}
    stype = None
    for line in open(helptext):
        m = re.match(r"^([a-z_][a-z_.]*)  \((\w+)(?: ([0-9]+)\.\.([0-9]+))?", line)
        if m:
            keys[m.group(1)] = (m.group(2), m.group(3), m.group(4))
        m = re.match(r'^  type "(\w+)":', line)
        if m:
            stype = m.group(1)
        m = re.match(r"^    sources\[\]\.([a-z_]+)  \((\w+)(?: ([0-9]+)\.\.([0-9]+))?", line)
        if m and stype:
            keys["sources.%s.%s" % (stype, m.group(1))] = (m.group(2), m.group(3), m.group(4))
    keys["sources"] = ("list", None, None)  # in policy: the types to run (config-help: the array)
    choices = {"log.level": {"error", "warn", "info", "debug"}, "detection.min_alert": {"critical", "high", "medium", "low"}}
    cats = {c.get("name") for c in a.iter(NS + "category")}
    tests = []
    n = 0
    for p in a.iter(NS + "policy"):
        n += 1
        name = p.get("name")
        if p.get("key") != KEY or p.get("class") != "Machine":
            fail("%s: key must be %s and class Machine" % (name, KEY))
        parent = p.find(NS + "parentCategory")
        if parent is None or parent.get("ref") not in cats:
            fail("%s: parent category missing" % name)
        pres = re.match(r"\$\(presentation\.(\w+)\)", p.get("presentation") or "")
        if not pres or pres.group(1) not in presentations:
            fail("%s: presentation missing" % name)
        refs = {c.get("refId") for c in presentations[pres.group(1)]}
        for el in p.find(NS + "elements"):
            kind, vname = el.tag[len(NS):], el.get("valueName")
            if el.get("id") not in refs:
                fail("%s: element %s has no control in the presentation" % (name, el.get("id")))
            if vname not in keys:
                fail("%s: %s is not a key the agent reads" % (name, vname))
            atype, lo, hi = keys[vname]
            if kind in ("decimal", "longDecimal"):
                if atype != "integer" or el.get("minValue") != lo or el.get("maxValue") != hi:
                    fail("%s: range %s..%s, the agent's is %s..%s" % (name, el.get("minValue"), el.get("maxValue"), lo, hi))
                tests.append((vname, kind, lo))
            elif kind == "enum":
                vals = {i.find(NS + "value/" + NS + "string").text for i in el.iter(NS + "item")}
                if vals != choices.get(vname):
                    fail("%s: choices %s, the agent's are %s" % (name, sorted(vals), sorted(choices.get(vname, ()))))
                tests.append((vname, "enum", sorted(vals)[0]))
            elif kind == "multiText":
                if atype != "list":
                    fail("%s: %s is not a list in the agent" % (name, vname))
                tests.append((vname, "multi", MULTI_VALUES.get(vname, ["test-one.exe", "test-two.exe"])))
            elif kind == "text":
                if vname not in TEXT_VALUES:
                    fail("%s: no test value for %s (add one to TEXT_VALUES)" % (name, vname))
                tests.append((vname, "text", TEXT_VALUES[vname]))
            else:
                fail("%s: element %s not handled" % (name, kind))
    print("admx_check: %d policies, %d strings, every value a key the agent reads" % (n, len(strings)))
    if reg:
        with open(reg, "w", newline="\r\n") as f:
            f.write("REGEDIT4\n\n[HKEY_LOCAL_MACHINE\\%s]\n" % KEY)
            for vname, kind, val in tests:
                if kind == "decimal":
                    f.write('"%s"=dword:%08x\n' % (vname, int(val)))
                elif kind == "longDecimal":
                    b = int(val).to_bytes(8, "little")
                    f.write('"%s"=hex(b):%s\n' % (vname, ",".join("%02x" % x for x in b)))
                elif kind == "multi":
                    data = ("\0".join(val) + "\0\0").encode("ascii")  # REGEDIT4: ANSI multi-strings
                    f.write('"%s"=hex(7):%s\n' % (vname, ",".join("%02x" % x for x in data)))
                else:
                    f.write('"%s"="%s"\n' % (vname, val.replace("\\", "\\\\")))
        for vname, kind, val in tests:
            print("%s=%s" % (vname, IN_FORCE.get(vname, ",".join(val) if isinstance(val, list) else val)))


main()
