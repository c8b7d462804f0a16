#!/usr/bin/python3
"""make-host-dumps.py — writes tests/data/netsh/host-filters.xml and host-state.xml: what
`netsh wfp show filters` and `netsh wfp show state` print on one ordinary Windows workstation
(WS-FIN-0042, Defender Firewall, a third-party VPN client with its own callout, no attack).
Constructed by wfpwatch, not captured: the keys, ids, names, paths, SIDs and weights are our
own; the element layout is netsh's (tabs, <x/> for empty elements, numItems counts, the
symbolic FWPM_* names netsh prints for Windows' own objects, and the second root element
<firewallState> netsh writes after </wfpstate>).

The objects cover what the unit tests check on such dumps (tests/agent/detect, tests/agent/wfp):
a provider-less callout filter with no flags, a firewall-rule filter with five conditions of
five value types (app id blob, SDDL, port, interface, protocol), persistent and provider-context
filters, a GUID-keyed Windows provider, a third-party provider and sublayer, SID, range and
address-mask values, EMPTY/UINT8/UINT64 weights, Windows' catch-all filters (Default Outbound,
WSH Default Outbound Block, Quarantine Default ...) beside a service-hardening block of one
program, and in the state dump: sessions, two layers with their callouts (one whose symbolic
name no SDK header defines, one with an undocumented flag bit) and nested filters, provider
contexts, sublayer weights 0..65535, subscriptions whose templates hold keys and conditions
that are not filters, and connected endpoints. No filter is an attack: the rules stay quiet.

Deterministic: run it again and both files are byte-identical."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def el(name, body=None, attrs=""):
    """An element: body None -> <name/>, str -> text, list -> children."""
    return (name, body, attrs)


def items(name, children, count=True):
    """<name numItems="N"> of <item>s, or <name/> when empty."""
    if not children:
        return el(name)
    return el(name, children, ' numItems="%d"' % len(children) if count else "")


def render(node, depth, out):
    name, body, attrs = node
    tabs = "\t" * depth
    if body is None:
        out.append("%s<%s%s/>" % (tabs, name, attrs))
    elif isinstance(body, str):
        out.append("%s<%s%s>%s</%s>" % (tabs, name, attrs, esc(body), name))
    else:
        out.append("%s<%s%s>" % (tabs, name, attrs))
        for child in body:
            render(child, depth + 1, out)
        out.append("%s</%s>" % (tabs, name))


def display(name, desc=None):
    return el("displayData", [el("name", name) if name else el("name"), el("description", desc) if desc else el("description")])


def flags(kind, names):
    return items("flags", [el("item", n if n[0].isdigit() else "FWPM_%s_FLAG_%s" % (kind, n)) for n in names])


def blob_utf16(path):
    """An app id as netsh prints it: the UTF-16LE bytes with their NUL, and the path."""
    return "".join("%02x%02x" % (b & 0xFF, b >> 8) for b in (ord(c) for c in path + "\0"))


def pdata(hexbytes):
    """providerData: 8 bytes of the firewall's rule index, printed with a dotted asString."""
    if hexbytes is None:
        return el("providerData")
    raw = bytes.fromhex(hexbytes)
    return el("providerData", [el("data", hexbytes), el("asString", "".join(chr(b) if 32 <= b < 127 else "." for b in raw))])


# condition values: (type, value-element(s))
def u8(v): return ("FWP_UINT8", [el("uint8", str(v))])
def u16(v): return ("FWP_UINT16", [el("uint16", str(v))])
def u32(v): return ("FWP_UINT32", [el("uint32", str(v))])
def u64(v): return ("FWP_UINT64", [el("uint64", str(v))])
def sd(s): return ("FWP_SECURITY_DESCRIPTOR_TYPE", [el("sd", s)])
def sid(s): return ("FWP_SID", [el("sid", s)])
def empty(): return ("FWP_EMPTY", [])
def app(path): return ("FWP_BYTE_BLOB_TYPE", [el("byteBlob", [el("data", blob_utf16(path)), el("asString", path)])])
def v4mask(a, m): return ("FWP_V4_ADDR_MASK", [el("v4AddrMask", [el("addr", a), el("mask", m)])])


def port_range(lo, hi):
    return ("FWP_RANGE_TYPE", [el("rangeValue", [el("valueLow", [el("type", "FWP_UINT16"), el("uint16", str(lo))]),
                                                 el("valueHigh", [el("type", "FWP_UINT16"), el("uint16", str(hi))])])])


def cond(field, match, value):
    vtype, velems = value
    return el("item", [el("fieldKey", "FWPM_CONDITION_" + field), el("matchType", "FWP_MATCH_" + match),
                       el("conditionValue", [el("type", vtype)] + velems)])


def weight(tag, w):
    if w is None:
        return el(tag, [el("type", "FWP_EMPTY")])
    kind, v = w
    return el(tag, [el("type", "FWP_" + kind), el(kind.lower(), str(v))])


def filt(key, name, desc, fl, provider, pd, layer, sublayer, w, conds, action, callout=None, ctx=None,
         fid=0, eff=0):
    body = [el("filterKey", key), display(name, desc), flags("FILTER", fl),
            el("providerKey", provider) if provider else el("providerKey"), pdata(pd),
            el("layerKey", "FWPM_LAYER_" + layer), el("subLayerKey", sublayer), weight("weight", w),
            items("filterCondition", conds),
            el("action", [el("type", "FWP_ACTION_" + action), el("filterType", callout) if callout else el("filterType")])]
    # netsh prints the union member that is set: the provider context key or the raw context
    body.append(el("providerContextKey", ctx) if ctx else el("rawContext", "0"))
    body += [el("reserved"), el("filterId", str(fid)), weight("effectiveWeight", ("UINT64", eff))]
    return el("item", body)


def provider(key, name, desc, fl, service=None):
    return el("item", [el("providerKey", key), display(name, desc), flags("PROVIDER", fl), el("providerData"),
                       el("serviceName", service) if service else el("serviceName")])


def sublayer(key, name, provider_key, w, fl=()):
    return el("item", [el("subLayerKey", key), display(name), flags("SUBLAYER", fl),
                       el("providerKey", provider_key) if provider_key else el("providerKey"), el("providerData"),
                       el("weight", str(w))])


def callout(key, name, desc, fl, layer, cid, provider_key=None):
    return el("item", [el("calloutKey", key), display(name, desc), flags("CALLOUT", fl),
                       el("providerKey", provider_key) if provider_key else el("providerKey"), el("providerData"),
                       el("applicableLayer", "FWPM_LAYER_" + layer), el("calloutId", str(cid))])


# ---- the host's objects ------------------------------------------------------------------------

VOL = "\\device\\harddiskvolume2\\"
SYNC = VOL + "program files\\contoso\\sync\\contososync.exe"
PRINTSVC = VOL + "windows\\system32\\printfilterpipelinesvc.exe"
WSEARCH = VOL + "windows\\system32\\searchprotocolhost.exe"
VPN_PROVIDER = "{6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a09}"       # "Northwind VPN" (third party)
VPN_SUBLAYER = "{6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a10}"
VPN_CALLOUT = "{6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a11}"
NAT_CALLOUT = "{2a7c9e41-5d3b-4f68-9e17-c0b4a8d6e352}"
NDU_PROVIDER = "{8e44982a-f477-11df-85ce-78e7d1810190}"        # Windows' Network Data Usage provider (GUID only)
USER_SDDL = "O:SYG:SYD:(A;;CCRC;;;S-1-5-21-3623811015-3361044348-30300820-1104)"
SVC_SDDL = "O:SYG:SYD:(A;;CCRC;;;S-1-5-80-1717374390-2847165209-3012481187-1052211345-7731900)"

FILTERS = [
    # 0: a provider-less built-in callout filter: no flags, no description, UINT64 weight
    filt("{0d4c7a19-63e2-4b85-a1f0-9c3e7b52d861}", "IPv4 inbound NAT callout", None, [], None, None,
         "INBOUND_IPPACKET_V4", "FWPM_SUBLAYER_UNIVERSAL", ("UINT64", 18446744073709551612),
         [cond("FLAGS", "FLAGS_NONE_SET", u32(64))], "CALLOUT_TERMINATING", callout=NAT_CALLOUT,
         fid=71203, eff=18446744073709551612),
    # 1: a firewall rule: five conditions of five value types, UINT8 weight, provider data
    filt("{9b2e4f70-1c8d-4a36-b5e2-7f0a9d3c6e14}", "Contoso Sync (TCP-In)",
         "Inbound rule for Contoso Sync to allow peer synchronisation. [TCP 22000]", [], "FWPM_PROVIDER_MPSSVC_WF",
         "1a41000000000000", "ALE_AUTH_RECV_ACCEPT_V4", "FWPM_SUBLAYER_MPSSVC_WF", ("UINT8", 11),
         [cond("ALE_APP_ID", "EQUAL", app(SYNC)), cond("ALE_USER_ID", "EQUAL", sd(USER_SDDL)),
          cond("IP_LOCAL_PORT", "EQUAL", u16(22000)), cond("IP_LOCAL_INTERFACE", "EQUAL", u64(281479271677952)),
          cond("IP_PROTOCOL", "EQUAL", u8(6))], "PERMIT", fid=88410, eff=12682136550675316736),
    # 2: Windows' quarantine catch-all: persistent, provider context, filter origin
    filt("{c51f8e26-7a04-4d9b-8e3a-2b6d0f1c9a57}", "Quarantine Default Inbound Block",
         "Blocks inbound non-loopback traffic while the network is in quarantine.",
         ["PERSISTENT", "HAS_PROVIDER_CONTEXT", "HAS_FILTER_ORIGIN"], "FWPM_PROVIDER_MPSSVC_WF", "ffffffffffffffff",
         "ALE_AUTH_RECV_ACCEPT_V6", "FWPM_SUBLAYER_MPSSVC_QUARANTINE", ("UINT8", 0),
         [cond("FLAGS", "FLAGS_NONE_SET", u32(1))], "BLOCK", ctx="{e8a1c4f2-3b97-4d06-9a5c-1f7e2b8d4c63}",
         fid=66517, eff=8070450532247928832),
    # 3: a Windows provider known only by GUID (netsh prints no symbol), no provider data
    filt("{47e0b9d3-8f21-4c6a-b7d5-0e9a3c1f2b86}", "Network data usage: count loopback", None, [], NDU_PROVIDER, None,
         "ALE_FLOW_ESTABLISHED_V4", "FWPM_SUBLAYER_UNIVERSAL", ("UINT64", 5),
         [cond("FLAGS", "FLAGS_ALL_SET", u32(1)), cond("IP_LOCAL_ADDRESS_TYPE", "EQUAL", u8(1))], "PERMIT",
         fid=70114, eff=5),
    # 4: a third-party callout filter in its own sublayer, EMPTY weight
    filt("{d2f6a8c1-9e35-4b70-8c14-6a2e0f9b3d75}", "Northwind VPN DNS redirect", "Sends DNS of tunnelled names to the VPN.",
         [], VPN_PROVIDER, None, "ALE_AUTH_CONNECT_V4", VPN_SUBLAYER, None,
         [cond("IP_REMOTE_PORT", "EQUAL", u16(53)), cond("IP_PROTOCOL", "EQUAL", u8(17))], "CALLOUT_TERMINATING",
         callout=VPN_CALLOUT, fid=90211, eff=1970324836974592),
    # 5: a firewall rule with a port range and an address mask (IPv4 subnet)
    filt("{1e8b3f57-6c20-4d9a-a4f3-8b7c5d2e0a61}", "Contoso Backup (TCP-Out)", "Backup uploads to the office NAS.",
         ["INDEXED"], "FWPM_PROVIDER_MPSSVC_WF", "2b41000000000000", "ALE_AUTH_CONNECT_V4", "FWPM_SUBLAYER_MPSSVC_WF",
         ("UINT8", 12), [cond("IP_REMOTE_PORT", "RANGE", port_range(8443, 8445)),
                         cond("IP_REMOTE_ADDRESS", "EQUAL", v4mask("192.0.2.0", "255.255.255.0")),
                         cond("IP_PROTOCOL", "EQUAL", u8(6))], "PERMIT", fid=88412, eff=12682136550675316748),
    # 6: app isolation: a SID value with NOT_EQUAL, EMPTY weight
    filt("{5a9c2e84-0b7f-4d31-96e8-c3f1a7d5b209}", "App container default outbound block", None,
         ["HAS_PROVIDER_CONTEXT", "HAS_FILTER_ORIGIN"], "FWPM_PROVIDER_MPSSVC_APP_ISOLATION", "0000000000000000",
         "ALE_AUTH_CONNECT_V6", "FWPM_SUBLAYER_MPSSVC_APP_ISOLATION", None,
         [cond("ALE_PACKAGE_ID", "NOT_EQUAL", sid("S-1-0-0")), cond("ORIGINAL_PROFILE_ID", "EQUAL", u32(2))], "BLOCK",
         ctx="{b4d7e1a9-2c58-4f03-8e6b-9a1d3c7f5e20}", fid=67890, eff=1152921504606846976),
    # 7: service hardening: one program may not connect out (a policy block, not the catch-all)
    filt("{8f3d1b6e-4a27-4c95-b0e8-5d9a2f7c1e43}", "Block all outbound traffic from PrintFilterPipelineSvc", None,
         ["HAS_PROVIDER_CONTEXT", "INDEXED", "HAS_FILTER_ORIGIN"], "FWPM_PROVIDER_MPSSVC_WSH", "b240000000000000",
         "ALE_AUTH_CONNECT_V4", "FWPM_SUBLAYER_MPSSVC_WSH", None, [cond("ALE_APP_ID", "EQUAL", app(PRINTSVC))], "BLOCK",
         ctx="{3c6e9a12-7d40-4b8f-a5e1-0f2c8b6d9a37}", fid=131207, eff=274877906944),
    # 8: service hardening's catch-all: a service SID, no app id
    filt("{e6a0c3d8-15b9-4f72-9d4e-a8c2f0b61e95}", "WSH Default Outbound Block", None,
         ["HAS_PROVIDER_CONTEXT", "HAS_FILTER_ORIGIN"], "FWPM_PROVIDER_MPSSVC_WSH", "0000000000000000",
         "ALE_AUTH_CONNECT_V4", "FWPM_SUBLAYER_MPSSVC_WSH", None, [cond("ALE_USER_ID", "EQUAL", sd(SVC_SDDL))], "BLOCK",
         ctx="{7a2f5c9e-0d63-4b18-b9e4-2c7a1f8d3e50}", fid=131301, eff=274877906943),
    # 9: the boot-time filter's persistent twin
    filt("{4b7e2a90-d3c1-4e58-8f26-1a9c5e0d7b34}", "Boot Time Filter", "This filter is in effect before the service starts.",
         ["PERSISTENT", "HAS_PROVIDER_CONTEXT", "HAS_FILTER_ORIGIN"], "FWPM_PROVIDER_MPSSVC_WF", "ffffffffffffffff",
         "ALE_AUTH_RECV_ACCEPT_V4", "FWPM_SUBLAYER_MPSSVC_WF", ("UINT64", 18446744073709551615),
         [cond("FLAGS", "FLAGS_ALL_SET", u32(1))], "PERMIT", ctx="{9d1e6b3a-5f48-4c27-a0e9-3b8d2f6c1a74}",
         fid=66231, eff=18446744073709551615),
    # 10: the firewall's outbound default, two profile conditions
    filt("{0c9f4e27-8a15-4d6b-93e0-7b2d5a1f8c46}", "Default Outbound", None, [], "FWPM_PROVIDER_MPSSVC_WF",
         "0000000000000000", "ALE_AUTH_CONNECT_V6", "FWPM_SUBLAYER_MPSSVC_WF", ("UINT8", 1),
         [cond("ORIGINAL_PROFILE_ID", "EQUAL", u32(4)), cond("CURRENT_PROFILE_ID", "EQUAL", u32(4))], "PERMIT",
         fid=66480, eff=576460752303423489),
]

PROVIDERS = [
    provider("FWPM_PROVIDER_IKEEXT", "Microsoft Corporation",
             "Microsoft Windows WFP Built-in IKEEXT provider used to identify filters added by IKE/AuthIP.",
             ["DISABLED"], "IKEEXT"),
    provider("FWPM_PROVIDER_MPSSVC_WF", "Microsoft Corporation", "Microsoft Windows Firewall provider.", [], "mpssvc"),
    provider("FWPM_PROVIDER_MPSSVC_WSH", "Microsoft Corporation", "Microsoft Windows Service Hardening provider.",
             [], "mpssvc"),
    provider("FWPM_PROVIDER_MPSSVC_APP_ISOLATION", "@%SystemRoot%\\system32\\mpssvc.dll,-31004",
             "@%SystemRoot%\\system32\\mpssvc.dll,-31005", [], "mpssvc"),
    provider("FWPM_PROVIDER_TCP_TEMPLATES", "Microsoft Corporation", "Microsoft Windows WFP Built-in TCP Templates provider.", []),
    provider(NDU_PROVIDER, "Microsoft Corporation", "Network data usage provider.", ["PERSISTENT", "DISABLED"], "Ndu"),
    provider(VPN_PROVIDER, "Northwind Traders", "Northwind VPN client provider.", ["PERSISTENT"], "NwVpnSvc"),
]


def filters_dump():
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
           "<!-- wfpwatch test fixture (constructed, not a capture), written by tests/data/netsh/make-host-dumps.py:",
           "     `netsh wfp show filters` of an ordinary workstation; see that script for what it covers. -->"]
    render(el("wfpdiag", [items("filters", FILTERS), items("providers", PROVIDERS)]), 0, out)
    return "\n".join(out) + "\n"


# ---- the state dump: the same host seen through `netsh wfp show state` ----------------------------

def layer_def(name, title, fields, default_sublayer, layer_id):
    return el("layer", [el("layerKey", "FWPM_LAYER_" + name), display(title),
                        flags("LAYER", ["KERNEL", "BUILTIN"]),
                        items("field", [el("item", [el("fieldKey", "FWPM_CONDITION_" + f), el("type", "FWPM_FIELD_" + t),
                                                    el("dataType", "FWP_" + d)]) for f, t, d in fields]),
                        el("defaultSubLayerKey", default_sublayer), el("layerId", str(layer_id))])


CONNECT_V6 = el("item", [
    layer_def("ALE_AUTH_CONNECT_V6", "ALE Connect v6 Layer",
              [("ALE_APP_ID", "RAW_DATA", "BYTE_BLOB_TYPE"), ("IP_REMOTE_ADDRESS", "IP_ADDRESS", "BYTE_ARRAY16_TYPE"),
               ("IP_REMOTE_PORT", "RAW_DATA", "UINT16"), ("FLAGS", "FLAGS", "UINT32")], "FWPM_SUBLAYER_UNIVERSAL", 50),
    items("callouts", [
        callout("FWPM_CALLOUT_IPSEC_ALE_CONNECT_V6", "WFP Built-in IPsec ALE Connect v6 Layer Callout",
                "Applies IPsec policy modifiers to client applications.", ["USES_PROVIDER_CONTEXT", "REGISTERED"],
                "ALE_AUTH_CONNECT_V6", 16),
        # netsh prints a symbolic name that no SDK header defines, and a flag bit it cannot name
        callout("FWPM_CALLOUT_BUILT_IN_RESERVED_3", "WFP Built-in Reserved callout 3", "WFP Built-in Reserved callout",
                ["REGISTERED", "00000300"], "ALE_AUTH_CONNECT_V6", 44),
        callout(VPN_CALLOUT, "Northwind VPN DNS redirect callout", "Sends DNS of tunnelled names to the VPN.",
                ["REGISTERED"], "ALE_AUTH_CONNECT_V6", 312, provider_key=VPN_PROVIDER),
    ]),
    items("filters", [FILTERS[6], FILTERS[10]]),
])

RECV_ACCEPT_V4 = el("item", [
    layer_def("ALE_AUTH_RECV_ACCEPT_V4", "ALE Receive/Accept v4 Layer",
              [("ALE_APP_ID", "RAW_DATA", "BYTE_BLOB_TYPE"), ("IP_LOCAL_PORT", "RAW_DATA", "UINT16"),
               ("IP_PROTOCOL", "RAW_DATA", "UINT8")], "FWPM_SUBLAYER_UNIVERSAL", 44),
    el("callouts"),
    items("filters", [FILTERS[1], FILTERS[9]]),
])

OUTBOUND_V4 = el("item", [  # a layer with neither callouts nor filters
    layer_def("OUTBOUND_TRANSPORT_V4", "Outbound Transport v4 Layer", [("IP_PROTOCOL", "RAW_DATA", "UINT8")],
              "FWPM_SUBLAYER_UNIVERSAL", 22),
    el("callouts"),
    el("filters"),
])

SESSIONS = [
    el("item", [el("sessionKey", "{5e0b8c24-9a71-4d3f-b6e2-0c8f4a1d7e93}"),
                display("Windows Defender Firewall Dynamic Session"), flags("SESSION", ["DYNAMIC"]),
                el("txnWaitTimeoutInMSec", "18000000"), el("processId", "2716"), el("sid", "S-1-5-19"),
                el("username", "NT AUTHORITY\\LOCAL SERVICE"), el("kernelMode", "false")]),
    el("item", [el("sessionKey", "{a3f7d1e9-2b64-4c08-9e5a-7d1b3f6c8a20}"), display(None), el("flags"),
                el("txnWaitTimeoutInMSec", "6000000"), el("processId", "2716"), el("sid", "S-1-5-19"),
                el("username", "NT AUTHORITY\\LOCAL SERVICE"), el("kernelMode", "true")]),
    el("item", [el("sessionKey", "{71c4e0b8-6d93-4a25-8f1e-b0a6c2d9e457}"), display("wfputil"), el("flags"),
                el("txnWaitTimeoutInMSec", "4294967295"), el("processId", "9044"),
                el("sid", "S-1-5-21-3623811015-3361044348-30300820-1104"), el("username", "CORP\\adm-jdoe"),
                el("kernelMode", "false")]),
]

PROVIDER_CONTEXTS = [
    el("item", [el("providerContextKey", "{e8a1c4f2-3b97-4d06-9a5c-1f7e2b8d4c63}"),
                display("Quarantine provider context"), flags("PROVIDER_CONTEXT", ["PERSISTENT"]),
                el("providerKey", "FWPM_PROVIDER_MPSSVC_WF"), el("providerData"), el("type", "FWPM_GENERAL_CONTEXT"),
                el("dataBuffer", [el("data", "0100000000000000"), el("asString", "........")]),
                el("providerContextId", "9223372036854775812")]),
    el("item", [el("providerContextKey", "{2d8f6a1c-4e93-4b70-a5d2-8c1e7f3b9a06}"),
                display("Default IPsec main mode policy"), el("flags"), el("providerKey"), el("providerData"),
                el("type", "FWPM_IPSEC_AUTHIP_MM_CONTEXT"),
                el("authIpMmPolicy", [el("softExpirationTime", "0"),
                                      items("authenticationMethods", [el("item", [el("authenticationMethodType", "IKEEXT_KERBEROS")])]),
                                      items("ikeProposals", [el("item", [el("cipherAlgorithm", [el("algoIdentifier", "IKEEXT_CIPHER_AES_256")]),
                                                                         el("maxLifetimeSeconds", "28800"), el("flags")])]),
                                      el("flags"), el("maxDynamicFilters", "0")]),
                el("providerContextId", "9223372036854775813")]),
]

SUBLAYERS = [
    sublayer("FWPM_SUBLAYER_INSPECTION", "WFP Built-in Inspection Sublayer", None, 0),
    sublayer("FWPM_SUBLAYER_MPSSVC_WF", "WFP Built-in MPSSVC Windows Firewall Sublayer", "FWPM_PROVIDER_MPSSVC_WF", 2),
    sublayer("FWPM_SUBLAYER_MPSSVC_WSH", "WFP Built-in MPSSVC Windows Service Hardening Sublayer",
             "FWPM_PROVIDER_MPSSVC_WSH", 3),
    sublayer("FWPM_SUBLAYER_MPSSVC_QUARANTINE", "WFP Built-in MPSSVC Quarantine Sublayer", "FWPM_PROVIDER_MPSSVC_WSH", 4),
    sublayer("FWPM_SUBLAYER_MPSSVC_APP_ISOLATION", "WFP Built-in MPSSVC App Isolation Sublayer",
             "FWPM_PROVIDER_MPSSVC_APP_ISOLATION", 5),
    sublayer(VPN_SUBLAYER, "Northwind VPN sublayer", VPN_PROVIDER, 16384, ["PERSISTENT"]),
    sublayer("FWPM_SUBLAYER_UNIVERSAL", "WFP Built-in Universal Sublayer", None, 32768),
    sublayer("FWPM_SUBLAYER_RPC_AUDIT", "RPC Built-in Audit Sublayer", None, 49152),
    sublayer("{0f5a3c7e-9b21-4d68-8e4a-c7b2d1f0e936}", "Contoso diagnostics sublayer", None, 65535),
]


def subscription():
    """A filter subscription: its template names a provider, a layer and conditions, none a filter."""
    return el("item", [el("enumTemplate", [el("providerKey", VPN_PROVIDER), el("layerKey", "FWPM_LAYER_ALE_AUTH_CONNECT_V4"),
                                           el("enumType", "FWP_FILTER_ENUM_OVERLAPPING"), el("flags"),
                                           el("providerContextTemplate"),
                                           items("filterCondition", [cond("IP_PROTOCOL", "EQUAL", u8(17))]),
                                           items("actionMask", [el("item", "FWP_ACTION_FLAG_TERMINATING"),
                                                                el("item", "FWP_ACTION_FLAG_CALLOUT")]),
                                           el("calloutKey")]),
                       flags("SUBSCRIPTION", ["NOTIFY_ON_ADD", "NOTIFY_ON_DELETE"]),
                       el("sessionKey", "{5e0b8c24-9a71-4d3f-b6e2-0c8f4a1d7e93}")])


def endpoint():
    path = VOL + "windows\\system32\\svchost.exe"
    raw = bytes.fromhex(blob_utf16(path))
    return el("item", [el("endpointId", "4811"), el("ipVersion", "FWP_IP_VERSION_V6"),
                       el("localV6Address", "2001:db8:42::17"), el("remoteV6Address", "2001:db8:7::443"),
                       el("ipProtocol", "6"), el("localPort", "50122"), el("remotePort", "443"),
                       el("localTokenModifiedId", "612840"), el("mmSaId", "0"), el("qmSaId", "0"),
                       el("ipsecStatus", "0 (ERROR_SUCCESS)"), el("flags"),
                       el("appId", [el("data", raw.hex()),
                                    el("asString", "".join(chr(b) if 32 <= b < 127 else "." for b in raw))])])


def state_dump():
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
           "<!-- wfpwatch test fixture (constructed, not a capture), written by tests/data/netsh/make-host-dumps.py:",
           "     `netsh wfp show state` of the host of host-filters.xml, with the second root element",
           "     <firewallState> netsh writes after </wfpstate> (the file is not well-formed XML, as netsh's is not). -->"]
    render(el("wfpstate", [
        el("timeStamp", "2026-11-20T13:58:02.417Z"),
        items("sessions", SESSIONS),
        items("layers", [CONNECT_V6, RECV_ACCEPT_V4, OUTBOUND_V4]),
        items("providers", PROVIDERS),
        items("providerContexts", PROVIDER_CONTEXTS),
        items("subLayers", SUBLAYERS),
        el("subscriptions", [el("calloutSubscriptions"), items("filterSubscriptions", [subscription()]),
                             el("providerSubscriptions"), el("providerContextSubscriptions"),
                             el("subLayerSubscriptions")]),
        items("aleConnectedEndpoints", [endpoint()]),
    ]), 0, out)
    render(el("firewallState", [el("dynamicKeywordAddresses")]), 0, out)
    return "\n".join(out) + "\n"


def main():
    for name, text in (("host-filters.xml", filters_dump()), ("host-state.xml", state_dump())):
        with open(os.path.join(HERE, name), "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
