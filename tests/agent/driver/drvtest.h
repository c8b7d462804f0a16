/*
 * drvtest.h — a record input for the driver tests: an outbound IPv4 connect block of a
 * process whose UTF-16LE path is `path` (ASCII), cut to `path_units` units when that is larger.
 */
#ifndef WFPW_TEST_DRVTEST_H
#define WFPW_TEST_DRVTEST_H

#include <string.h>

#include "devrec.h"

static inline void drvtest_in(struct wfpw_devrec_in *in, uint8_t *pathbuf, size_t units, const char *ascii)
{
    size_t i, n = strlen(ascii);
    memset(in, 0, sizeof(*in));
    for (i = 0; i < units; i++) {
        pathbuf[2 * i] = (uint8_t)ascii[i % n];
        pathbuf[2 * i + 1] = 0;
    }
    in->time = 134075520000000000ull;  /* 2025-11-14T00:00:00Z as FILETIME */
    in->process_id = 3872;
    in->filter_id = 324367;
    in->flags = WFPW_DEV_F_PROCESS_ID | WFPW_DEV_F_PATH | WFPW_DEV_F_FILTER_ID | WFPW_DEV_F_DISCARD;
    in->discard_module = WFPW_DEV_DISCARD_MODULE_GENERAL;
    in->discard_reason = WFPW_DEV_DISCARD_FIREWALL_POLICY;
    in->layer_id = 49;  /* ALE_AUTH_CONNECT_V4_DISCARD */
    in->local_port = 51200, in->remote_port = 443;
    in->direction = 0, in->ip_version = 4, in->protocol = 6;
    in->local_addr[0] = 10, in->local_addr[1] = 20, in->local_addr[2] = 30, in->local_addr[3] = 42;
    in->remote_addr[0] = 20, in->remote_addr[1] = 42, in->remote_addr[2] = 65, in->remote_addr[3] = 84;
    in->path = units ? pathbuf : NULL;
    in->path_bytes = 2 * units;
}

#endif
