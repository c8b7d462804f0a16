/*
 * peerlimit.c — per-address connection cap and handshake rate (peerlimit.h).
 *
 * Open addressing with linear probing on a hash of the address text; entries are never
 * emptied, only reused: a lookup that misses takes the first empty entry on its probe path or,
 * once the table has no empty entry left, the idle entry (no open connection) seen longest
 * ago (a scan of the whole table, as long as the table is full: an address is then found
 * wherever it was put). An address whose entry was reused starts with a full bucket, which is
 * what a new address gets.
 */
#include "net/peerlimit.h"

#include <stdio.h>
#include <string.h>

#include "wfpw/errors.h"
#include "wfpw/mem.h"

struct entry {
    char addr[48];                /* "" = never used */
    int open;                     /* connections open now */
    double tokens;                /* handshake budget */
    uint64_t last_ms;             /* last refill / use */
};

static struct {
    struct wfpw_peerlimit_cfg cfg;
    struct entry *t;
    size_t n;
} L;

int wfpw_peerlimit_init(const struct wfpw_peerlimit_cfg *cfg)
{
    size_t n = 64;
    L.cfg = *cfg;
    while (n < cfg->slots * 2)
        n *= 2;
    wfpw_free(L.t);
    if ((L.t = wfpw_calloc(n, sizeof(*L.t))) == NULL)
        return WFPW_ENOMEM;
    L.n = n;
    return 0;
}

void wfpw_peerlimit_free(void)
{
    wfpw_free(L.t);
    L.t = NULL;
    L.n = 0;
}

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct entry *lookup(const char *addr, uint64_t now_ms)
{
    size_t i, mask = L.n - 1, start = (size_t)hash(addr) & mask;
    struct entry *free_e = NULL, *stalest = NULL;
    for (i = 0; i < L.n; i++) {
        struct entry *e = &L.t[(start + i) & mask];
        if (e->addr[0] == '\0') {
            free_e = free_e ? free_e : e;
            break; /* the address would have been placed here or earlier */
        }
        if (strcmp(e->addr, addr) == 0)
            return e;
        if (e->open == 0 && (stalest == NULL || e->last_ms < stalest->last_ms))
            stalest = e;
    }
    if (free_e == NULL)
        free_e = stalest;
    if (free_e == NULL)
        return NULL; /* every entry holds open connections: more addresses than slots */
    snprintf(free_e->addr, sizeof(free_e->addr), "%s", addr);
    free_e->open = 0;
    free_e->tokens = (double)L.cfg.handshake_burst;
    free_e->last_ms = now_ms;
    return free_e;
}

int wfpw_peerlimit_open(const char *addr, uint64_t now_ms, int *slot)
{
    struct entry *e = L.t ? lookup(addr, now_ms) : NULL;
    *slot = -1;
    if (e == NULL)
        return WFPW_PEER_OK; /* not tracked (table full of busy addresses): the global cap holds */
    if (now_ms > e->last_ms)
        e->tokens += (double)(now_ms - e->last_ms) * (double)L.cfg.handshakes_per_s / 1000.0;
    if (e->tokens > (double)L.cfg.handshake_burst)
        e->tokens = (double)L.cfg.handshake_burst;
    e->last_ms = now_ms;
    if (e->open >= L.cfg.max_per_address)
        return WFPW_PEER_TOO_MANY;
    if (e->tokens < 1.0)
        return WFPW_PEER_TOO_FAST;
    e->tokens -= 1.0;
    e->open++;
    *slot = (int)(e - L.t);
    return WFPW_PEER_OK;
}

void wfpw_peerlimit_closed(int slot)
{
    if (slot >= 0 && (size_t)slot < L.n && L.t[slot].open > 0)
        L.t[slot].open--;
}
