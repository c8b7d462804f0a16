/*
 * netevent-build.c — a WFP net event (src/wfp/fwpm_netevent.h) built from one line of text, as
 * FwpmNetEventSubscribe0..4 hand it to their callbacks: the native stand-in engine
 * (fake-wfp.c) and the stand-in fwpuclnt.dll (tests/windows/standin/) feed the agent with it.
 * A line: "version type v6 proto local lport remote rport filter layer direction path" (path
 * last, may hold spaces; local/remote IPv4 or IPv6 text; direction in hex).
 */
#include <stdio.h>
#include <string.h>

#include "netevent-build.h"

/* text address -> bytes, without the C library's network functions (the stand-in DLL has none) */
static int parse_v4(const char *s, uint32_t *out)
{
    unsigned a, b, c, d;
    if (sscanf(s, "%u.%u.%u.%u", &a, &b, &c, &d) != 4 || a > 255 || b > 255 || c > 255 || d > 255)
        return -1;
    *out = a << 24 | b << 16 | c << 8 | d;
    return 0;
}

static int parse_v6(const char *s, uint8_t out[16])
{
    uint16_t head[8], tail[8];
    size_t nh = 0, nt = 0, i;
    int in_tail = 0;
    const char *p = s;
    memset(out, 0, 16);
    while (*p) {
        unsigned v = 0, digits = 0;
        if (p[0] == ':' && p[1] == ':') {
            if (in_tail)
                return -1;
            in_tail = 1;
            p += 2;
            continue;
        }
        if (*p == ':')
            p++;
        while (*p && *p != ':' && digits < 5) {
            char ch = *p++;
            v = v * 16 + (unsigned)(ch >= 'a' ? ch - 'a' + 10 : ch >= 'A' ? ch - 'A' + 10 : ch - '0');
            digits++;
        }
        if (digits == 0 || v > 0xffff || nh + nt >= 8)
            return -1;
        if (in_tail)
            tail[nt++] = (uint16_t)v;
        else
            head[nh++] = (uint16_t)v;
    }
    for (i = 0; i < nh; i++)
        out[2 * i] = (uint8_t)(head[i] >> 8), out[2 * i + 1] = (uint8_t)head[i];
    for (i = 0; i < nt; i++)
        out[16 - 2 * (nt - i)] = (uint8_t)(tail[i] >> 8), out[16 - 2 * (nt - i) + 1] = (uint8_t)tail[i];
    return 0;
}

const void *wfpw_test_netevent_build(struct wfpw_test_netevent *b, unsigned version, const char *line, unsigned *type_out)
{
    unsigned ver, type, v6, proto, lport, rport, layer, dir;
    unsigned long long filter;
    char local[64], remote[64], app[600];
    size_t i, n;
    uint64_t ft = 116444736000000000ull + (uint64_t)1795183200000 * 10000;  /* 2026-11-20T14:00:00Z */
    if (sscanf(line, "%u %u %u %u %63s %u %63s %u %llu %u %x %599[^\n]", &ver, &type, &v6, &proto, local, &lport,
               remote, &rport, &filter, &layer, &dir, app) != 12)
        return NULL;
    (void)ver;
    memset(b, 0, sizeof(*b));
    b->h.time.low = (uint32_t)ft, b->h.time.high = (uint32_t)(ft >> 32);
    b->h.flags = WFPW_NE_F_IP_PROTOCOL | WFPW_NE_F_LOCAL_ADDR | WFPW_NE_F_REMOTE_ADDR | WFPW_NE_F_LOCAL_PORT |
                 WFPW_NE_F_REMOTE_PORT | WFPW_NE_F_APP_ID | WFPW_NE_F_IP_VERSION;
    b->h.ip_version = v6, b->h.ip_protocol = (uint8_t)proto;
    if (v6 ? parse_v6(local, b->h.local.v6) != 0 || parse_v6(remote, b->h.remote.v6) != 0
           : parse_v4(local, &b->h.local.v4) != 0 || parse_v4(remote, &b->h.remote.v4) != 0)
        return NULL;
    b->h.local_port = (uint16_t)lport, b->h.remote_port = (uint16_t)rport;
    n = strlen(app);
    for (i = 0; i < n; i++)
        b->app16[i] = (uint16_t)(unsigned char)app[i];
    b->app16[n] = 0;
    b->h.app_id.size = (uint32_t)(n + 1) * 2, b->h.app_id.data = (uint8_t *)b->app16;
    b->d2.filter_id = b->d1.filter_id = b->cd.filter_id = filter;
    b->d2.layer_id = b->d1.layer_id = (uint16_t)layer;
    b->d2.ms_fwp_direction = b->d1.ms_fwp_direction = dir;
    *type_out = type;
    {
        const void *detail = type == WFPW_NE_CAPABILITY_DROP ? (const void *)&b->cd
                             : version == 0                 ? (const void *)&b->d1
                                                            : (const void *)&b->d2;
        if (version == 0) {
            memcpy(&b->e1.header, &b->h, sizeof(struct wfpw_ne_header0));
            b->e1.type = type, b->e1.detail = detail;
            return &b->e1;
        }
        if (version == 1) {
            memcpy(&b->e2.header, &b->h, sizeof(struct wfpw_ne_header0));
            b->e2.type = type, b->e2.detail = detail;
            return &b->e2;
        }
        b->e3.header = b->h;
        b->e3.type = type, b->e3.detail = detail;
        return &b->e3;
    }
}
