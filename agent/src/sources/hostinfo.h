/*
 * hostinfo.h — what the live Windows sources need to know about this host to make their
 * events readable: the drive-letter map (NT device paths -> C:\..., devmap.h, from the
 * platform's QueryDosDevice) and the host's own addresses (local versus remote). Refreshed
 * periodically by its owner and, when a path does not map (a volume mounted since), at most
 * once a minute on demand. Loop thread only.
 */
#ifndef WFPW_HOSTINFO_H
#define WFPW_HOSTINFO_H

#include <stddef.h>
#include <stdint.h>

#include "devmap.h"

#define WFPW_HOSTINFO_ADDRS 64

struct wfpw_hostinfo {
    struct wfpw_devmap devmap;
    char addrs[WFPW_HOSTINFO_ADDRS][64];
    size_t naddrs;
    int64_t missed_ms;           /* last on-demand refresh */
    int64_t (*now_ms)(void *ctx);
    void *now_ctx;
};

/* Read the map and the addresses again; a malformed map is reported in err (1 returned). */
int wfpw_hostinfo_refresh(struct wfpw_hostinfo *h, char *err, size_t errlen);
/* Hooks in the shape evtxml and netevent take (ctx = the hostinfo). */
int wfpw_hostinfo_map_path(void *ctx, const char *nt_path, char *out, size_t len);
int wfpw_hostinfo_is_local(void *ctx, const char *ip);

#endif
