/*
 * peerlimit.h — per-address bounds on what an unauthenticated client can hold: open
 * connections (a cap) and new connections, each a TLS handshake, per second (a token bucket).
 *
 * One fixed table, sized at start from the connection limit, so its memory is bounded
 * whatever the number of addresses: an address's entry lives while it has connections open
 * and is reused afterwards (the one idle longest first). Loop thread only.
 */
#ifndef WFPW_PEERLIMIT_H
#define WFPW_PEERLIMIT_H

#include <stddef.h>
#include <stdint.h>

struct wfpw_peerlimit_cfg {
    int max_per_address;          /* open connections per address */
    int handshakes_per_s;         /* sustained new connections per address per second */
    int handshake_burst;          /* ... and the burst above it */
    size_t slots;                 /* table size (at least the global connection limit) */
};

enum { WFPW_PEER_OK = 0, WFPW_PEER_TOO_MANY = 1, WFPW_PEER_TOO_FAST = 2 };

int wfpw_peerlimit_init(const struct wfpw_peerlimit_cfg *cfg);
void wfpw_peerlimit_free(void);
/* A new connection from addr at now_ms: WFPW_PEER_OK (counted as open; call
 * wfpw_peerlimit_closed later with *slot) or why it is refused (nothing counted). */
int wfpw_peerlimit_open(const char *addr, uint64_t now_ms, int *slot);
void wfpw_peerlimit_closed(int slot);

#endif
