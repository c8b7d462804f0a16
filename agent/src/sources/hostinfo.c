/*
 * hostinfo.c — see hostinfo.h.
 */
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "hostinfo.h"
#include "platform.h"
#include "wfpw/errors.h"

#define MISS_REFRESH_MS 60000

int wfpw_hostinfo_refresh(struct wfpw_hostinfo *h, char *err, size_t errlen)
{
    static char text[8192];
    uv_interface_address_t *ifs;
    int n, i, rc = 0;
    if (wfpw__plat_dos_devices(text, sizeof(text)) == 0 && wfpw_devmap_parse(&h->devmap, text, err, errlen) != 0)
        rc = 1;
    h->naddrs = 0;
    if (uv_interface_addresses(&ifs, &n) == 0) {
        for (i = 0; i < n && h->naddrs < WFPW_HOSTINFO_ADDRS; i++) {
            if (ifs[i].address.address4.sin_family == AF_INET)
                uv_ip4_name(&ifs[i].address.address4, h->addrs[h->naddrs++], 64);
            else if (ifs[i].address.address6.sin6_family == AF_INET6)
                uv_ip6_name(&ifs[i].address.address6, h->addrs[h->naddrs++], 64);
        }
        uv_free_interface_addresses(ifs, n);
    }
    return rc;
}

int wfpw_hostinfo_map_path(void *ctx, const char *nt, char *out, size_t len)
{
    struct wfpw_hostinfo *h = ctx;
    int rc = wfpw_devmap_map(&h->devmap, nt, out, len);
    if (rc == WFPW_ENOENT && h->now_ms) {
        int64_t now = h->now_ms(h->now_ctx);
        char err[256];
        if (now - h->missed_ms >= MISS_REFRESH_MS) {  /* a volume mounted since? look once more */
            h->missed_ms = now;
            wfpw_hostinfo_refresh(h, err, sizeof(err));
            rc = wfpw_devmap_map(&h->devmap, nt, out, len);
        }
    }
    return rc;
}

int wfpw_hostinfo_is_local(void *ctx, const char *ip)
{
    struct wfpw_hostinfo *h = ctx;
    size_t i;
    if (h->naddrs == 0)
        return -1;
    for (i = 0; i < h->naddrs; i++)
        if (strcmp(h->addrs[i], ip) == 0)
            return 1;
    return 0;
}
