/*
 * netaddr.h — IPv4 and IPv6 text addresses and prefixes for the surface rules, without the
 * socket API (portable, no OS call): parse, classify (loopback, unspecified, private,
 * link-local) and test whether two prefixes overlap.
 */
#ifndef WFPW_NETADDR_H
#define WFPW_NETADDR_H

#include <stdint.h>

struct wfpw_netaddr {
    int family;            /* 4 or 6 */
    uint8_t a[16];         /* v4 in a[0..4) */
    int prefix;            /* bits; 32 / 128 for an address */
};

/* "a.b.c.d", an IPv6 literal (RFC 4291 text, optionally in [brackets], %zone ignored),
 * each optionally "/len". 0 or -1. */
int wfpw_netaddr_parse(const char *s, struct wfpw_netaddr *out);
/* The same for an IPv4 address with a dotted mask ("10.0.0.0" + "255.255.0.0"); a
 * non-contiguous mask is -1. */
int wfpw_netaddr_parse_mask(const char *addr, const char *mask, struct wfpw_netaddr *out);

#define WFPW_ADDR_PUBLIC      0
#define WFPW_ADDR_LOOPBACK    1  /* 127/8, ::1 */
#define WFPW_ADDR_UNSPECIFIED 2  /* 0.0.0.0, :: */
#define WFPW_ADDR_PRIVATE     3  /* 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7 */
#define WFPW_ADDR_LINKLOCAL   4  /* 169.254/16, fe80::/10 */
/* The class of the address (the prefix is ignored); v4-mapped IPv6 classed as its IPv4. */
int wfpw_netaddr_class(const struct wfpw_netaddr *a);
/* "loopback", "unspecified", "private", "link-local", "public". */
const char *wfpw_netaddr_class_name(int cls);
/* 1 when the two prefixes share an address (same family). */
int wfpw_netaddr_overlap(const struct wfpw_netaddr *x, const struct wfpw_netaddr *y);

#endif /* WFPW_NETADDR_H */
