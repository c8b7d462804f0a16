/*
 * wellknown.c — tables of Windows' WFP providers and sublayers (see wellknown.h).
 */
#include "wellknown.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

static const struct wfpw_known providers[] = {
    {"FWPM_PROVIDER_MPSSVC_WF", "{decc16ca-3f33-4346-be1e-8fb4ae0f3d62}", "Windows Firewall (MPSSVC)"},
    {"FWPM_PROVIDER_MPSSVC_WSH", "{4b153735-1049-4480-aab4-d1b9bdc03710}", "Windows Service Hardening and Quarantine"},
    {"FWPM_PROVIDER_MPSSVC_APP_ISOLATION", "{3cc2631f-2d5d-43a0-b174-614837d863a1}", "App Isolation"},
    {"FWPM_PROVIDER_MPSSVC_EDP", "{a90296f7-46b8-4457-8f84-b05e05d3c622}", "Enterprise Data Protection"},
    {"FWPM_PROVIDER_MPSSVC_TENANT_RESTRICTIONS", "{d0718ff9-44da-4f50-9dc2-c963a4247613}", "Tenant Restrictions"},
    {"FWPM_PROVIDER_IKEEXT", "{10ad9216-ccde-456c-8b16-e9f04e60a90b}", "IKEEXT"},
    {"FWPM_PROVIDER_IPSEC_DOSP_CONFIG", "{3c6c05a9-c05c-4bb9-8338-2327814ce8bf}", "IPsec DoS Protection"},
    {"FWPM_PROVIDER_IPSEC_DOS_CONFIG", "{3c6c0519-c05c-4bb9-8338-2327814ce8bf}", "IPsec DoS Protection (Windows 7)"},
    {"FWPM_PROVIDER_TCP_CHIMNEY_OFFLOAD", "{896aa19e-9a34-4bcb-ae79-beb9127c84b9}", "TCP Chimney Offload"},
    {"FWPM_PROVIDER_TCP_TEMPLATES", "{76cfcd30-3394-432d-bed3-441ae50e63c3}", "TCP Templates"},
    {NULL, "{aa6a7d87-7f8f-4d2a-be53-fda555cd5fe3}", "IPsec Policy Agent"},
    {NULL, "{1bebc969-61a5-4732-a177-847a0817862a}", "Windows Defender Firewall IPsec"},
    {NULL, "{893a4f22-9bba-49b7-8c66-3d40929c8fd5}", "Teredo firewall"},
    {NULL, "{9113f8a3-4dfd-46fc-aaa7-4ec9715c5309}", "edge traversal socket option authorization"},
    {NULL, "{8e44982a-f477-11df-85ce-78e7d1810190}", "Network Data Usage (NDU)"},
};

static const struct wfpw_known sublayers[] = {
    {"FWPM_SUBLAYER_UNIVERSAL", "{eebecc03-ced4-4380-819a-2734397b2b74}", "WFP Built-in Universal Sublayer"},
    {"FWPM_SUBLAYER_MPSSVC_WSH", "{b3cdd441-af90-41ba-a745-7c6008ff2300}", "MPSSVC WSH"},
    {"FWPM_SUBLAYER_MPSSVC_WF", "{b3cdd441-af90-41ba-a745-7c6008ff2301}", "MPSSVC WF"},
    {"FWPM_SUBLAYER_MPSSVC_QUARANTINE", "{b3cdd441-af90-41ba-a745-7c6008ff2302}", "MPSSVC Quarantine"},
    {"FWPM_SUBLAYER_MPSSVC_EDP", "{09a47e38-fa97-471b-b123-18bcd7e65071}", "MPSSVC EDP"},
    {"FWPM_SUBLAYER_MPSSVC_TENANT_RESTRICTIONS", "{1ec6c7e1-fdd9-478a-b55f-ff8ba1d2c17d}", "MPSSVC Tenant Restrictions"},
    {"FWPM_SUBLAYER_MPSSVC_APP_ISOLATION", "{ffe221c3-92a8-4564-a59f-dafb70756020}", "MPSSVC App Isolation"},
    {"FWPM_SUBLAYER_INSPECTION", "{877519e1-e6a9-41a5-81b4-8c4f118e4a60}", "WFP Built-in Inspection Sublayer"},
    {"FWPM_SUBLAYER_TEREDO", "{ba69dc66-5176-4979-9c89-26a7b46a8327}", "WFP Built-in Edge Traversal Sublayer"},
    {"FWPM_SUBLAYER_LIPS", "{1b75c0ce-ff60-4711-a70f-b4958cc3b2d0}", "LIPS"},
    {"FWPM_SUBLAYER_RPC_AUDIT", "{758c84f4-fb48-4de9-9aeb-3ed9551ab1fd}", "RPC Audit"},
    {"FWPM_SUBLAYER_IPSEC_TUNNEL", "{83f299ed-9ff4-4967-aff4-c309f4dab827}", "IPsec Tunnel"},
    /* the live inventory (FwpmFilterEnum0) sees these as GUIDs, netsh prints their symbols */
    {"FWPM_SUBLAYER_SECURE_SOCKET", "{15a66e17-3f3c-4f7b-aa6c-812aa613dd82}", "Secure Socket"},
    {"FWPM_SUBLAYER_TCP_CHIMNEY_OFFLOAD", "{337608b9-b7d5-4d5f-82f9-3618618bc058}", "TCP Chimney Offload"},
    {"FWPM_SUBLAYER_TCP_TEMPLATES", "{24421dcf-0ac5-4caa-9e14-50f6e3636af0}", "TCP Templates"},
    {"FWPM_SUBLAYER_IPSEC_SECURITY_REALM", "{37a57701-5884-4964-92b8-3e704688b0ad}", "IPsec Security Realm"},
    {"FWPM_SUBLAYER_IPSEC_DOSP", "{e076d572-5d3d-48ef-802b-909eddb098bd}", "IPsec DoS Protection"},
    {"FWPM_SUBLAYER_IPSEC_FORWARD_OUTBOUND_TUNNEL", "{a5082e73-8f71-4559-8a9a-101cea04ef87}",
     "IPsec Forward Outbound Tunnel"},
    {NULL, "{7b6b11f6-cbb5-433c-ae06-6a4f0076e49e}", "Teredo authorization"},
    {NULL, "{9ba30013-c84e-47e5-ac6e-1e1aed72fa69}", "Microsoft Corporation (MPSSVC IPsec)"},
};

/* SDK values (fwpmu.h); the connect layers also in shared/facts/edrsilencer.md */
static const struct wfpw_known layers[] = {
    {"ALE_AUTH_CONNECT_V4", "{c38d57d1-05a7-4c33-904f-7fbceee60e82}", "ALE Connect v4 Layer"},
    {"ALE_AUTH_CONNECT_V6", "{4a72393b-319f-44bc-84c3-ba54dcb3b6b4}", "ALE Connect v6 Layer"},
    {"ALE_AUTH_RECV_ACCEPT_V4", "{e1cd9fe7-f4b5-4273-96c0-592e487b8650}", "ALE Receive/Accept v4 Layer"},
    {"ALE_AUTH_RECV_ACCEPT_V6", "{a3b42c97-9f04-4672-b87e-cee9c483257f}", "ALE Receive/Accept v6 Layer"},
};

static const struct wfpw_known *lookup(const struct wfpw_known *t, size_t n, const char *key)
{
    size_t i;
    if (key == NULL)
        return NULL;
    for (i = 0; i < n; i++)
        if ((t[i].symbol && strcmp(t[i].symbol, key) == 0) || (t[i].guid && strcasecmp(t[i].guid, key) == 0))
            return &t[i];
    return NULL;
}

const struct wfpw_known *wfpw_known_provider(const char *key)
{
    return lookup(providers, sizeof(providers) / sizeof(providers[0]), key);
}

const struct wfpw_known *wfpw_known_sublayer(const char *key)
{
    return lookup(sublayers, sizeof(sublayers) / sizeof(sublayers[0]), key);
}

const struct wfpw_known *wfpw_known_layer(const char *name_or_guid)
{
    return lookup(layers, sizeof(layers) / sizeof(layers[0]), name_or_guid);
}

int wfpw_layer_is_ale_auth(const char *layer)
{
    static const char *const ale[] = {"ALE_AUTH_CONNECT_V4", "ALE_AUTH_CONNECT_V6",
                                      "ALE_AUTH_RECV_ACCEPT_V4", "ALE_AUTH_RECV_ACCEPT_V6"};
    size_t i;
    for (i = 0; layer && i < 4; i++)
        if (strcmp(layer, ale[i]) == 0)
            return 1;
    return 0;
}

int wfpw_layer_is_outbound(const char *layer)
{
    static const char *const out[] = {"ALE_AUTH_CONNECT_V4", "ALE_AUTH_CONNECT_V6", "ALE_FLOW_ESTABLISHED_V4",
                                      "ALE_FLOW_ESTABLISHED_V6", "OUTBOUND_TRANSPORT_V4", "OUTBOUND_TRANSPORT_V6",
                                      "OUTBOUND_IPPACKET_V4", "OUTBOUND_IPPACKET_V6", "STREAM_V4", "STREAM_V6",
                                      "DATAGRAM_DATA_V4", "DATAGRAM_DATA_V6"};
    size_t i;
    for (i = 0; layer && i < sizeof(out) / sizeof(out[0]); i++)
        if (strcmp(layer, out[i]) == 0)
            return 1;
    return 0;
}
