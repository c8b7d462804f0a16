/*
 * netaddr.c — text addresses and prefixes (see netaddr.h).
 */
#include "netaddr.h"

#include <stdlib.h>
#include <string.h>

static int v4(const char *s, size_t n, uint8_t *out)
{
    size_t i = 0;
    int part;
    for (part = 0; part < 4; part++) {
        unsigned v = 0;
        int digits = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4)
            v = v * 10 + (unsigned)(s[i++] - '0'), digits++;
        if (digits == 0 || digits > 3 || v > 255)
            return -1;
        out[part] = (uint8_t)v;
        if (part < 3) {
            if (i >= n || s[i] != '.')
                return -1;
            i++;
        }
    }
    return i == n ? 0 : -1;
}

static int hexv(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int v6(const char *s, size_t n, uint8_t *out)
{
    uint16_t g[8];
    int ng = 0, gap = -1;
    size_t i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n > 0 && s[0] == ':') {
        return -1;
    }
    while (i < n) {
        size_t j = i;
        unsigned v = 0;
        while (j < n && hexv((unsigned char)s[j]) >= 0 && j - i < 5)
            v = v << 4 | (unsigned)hexv((unsigned char)s[j++]);
        if (j < n && s[j] == '.') { /* trailing dotted IPv4 */
            uint8_t q[4];
            if (ng > 6 || v4(s + i, n - i, q) != 0)
                return -1;
            g[ng++] = (uint16_t)(q[0] << 8 | q[1]);
            g[ng++] = (uint16_t)(q[2] << 8 | q[3]);
            i = n;
            break;
        }
        if (j == i || j - i > 4 || ng >= 8)
            return -1;
        g[ng++] = (uint16_t)v;
        i = j;
        if (i == n)
            break;
        if (s[i] != ':')
            return -1;
        i++;
        if (i < n && s[i] == ':') {
            if (gap >= 0)
                return -1;
            gap = ng;
            i++;
        } else if (i == n) {
            return -1; /* trailing single colon */
        }
    }
    if (gap < 0 && ng != 8)
        return -1;
    if (gap >= 0 && ng > 7)
        return -1;
    {
        int k, fill = 8 - ng;
        uint16_t full[8];
        for (k = 0; k < 8; k++)
            full[k] = 0;
        for (k = 0; k < ng; k++)
            full[gap >= 0 && k >= gap ? k + fill : k] = g[k];
        for (k = 0; k < 8; k++)
            out[2 * k] = (uint8_t)(full[k] >> 8), out[2 * k + 1] = (uint8_t)full[k];
    }
    return 0;
}

int wfpw_netaddr_parse(const char *s, struct wfpw_netaddr *out)
{
    const char *slash, *end;
    size_t n;
    memset(out, 0, sizeof(*out));
    if (s == NULL)
        return -1;
    slash = strchr(s, '/');
    end = slash ? slash : s + strlen(s);
    if (end > s && s[0] == '[') {
        if (end[-1] != ']')
            return -1;
        s++, end--;
    }
    {
        const char *pct = memchr(s, '%', (size_t)(end - s));
        if (pct)
            end = pct;
    }
    n = (size_t)(end - s);
    if (memchr(s, ':', n)) {
        out->family = 6, out->prefix = 128;
        if (v6(s, n, out->a) != 0)
            return -1;
    } else {
        out->family = 4, out->prefix = 32;
        if (v4(s, n, out->a) != 0)
            return -1;
    }
    if (slash) {
        char *e;
        long len = strtol(slash + 1, &e, 10);
        if (e == slash + 1 || *e != '\0' || len < 0 || len > (out->family == 4 ? 32 : 128))
            return -1;
        out->prefix = (int)len;
    }
    return 0;
}

int wfpw_netaddr_parse_mask(const char *addr, const char *mask, struct wfpw_netaddr *out)
{
    uint8_t m[4];
    int len = 0, i, ended = 0;
    if (wfpw_netaddr_parse(addr, out) != 0 || out->family != 4 || strchr(addr, '/') ||
        v4(mask, strlen(mask), m) != 0)
        return -1;
    for (i = 0; i < 32; i++) {
        int bit = m[i / 8] >> (7 - i % 8) & 1;
        if (bit && ended)
            return -1;
        if (bit)
            len++;
        else
            ended = 1;
    }
    out->prefix = len;
    return 0;
}

int wfpw_netaddr_class(const struct wfpw_netaddr *x)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    const uint8_t *a = x->a;
    int i, zero = 1;
    if (x->family == 6 && memcmp(a, mapped, 12) == 0) {
        struct wfpw_netaddr y;
        memset(&y, 0, sizeof(y));
        y.family = 4, y.prefix = 32;
        memcpy(y.a, a + 12, 4);
        return wfpw_netaddr_class(&y);
    }
    if (x->family == 4) {
        if (a[0] == 127)
            return WFPW_ADDR_LOOPBACK;
        if (a[0] == 0)
            return WFPW_ADDR_UNSPECIFIED; /* 0.0.0.0/8: "this network", never a real peer */
        if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xF0) == 16) || (a[0] == 192 && a[1] == 168) ||
            (a[0] == 100 && (a[1] & 0xC0) == 64))
            return WFPW_ADDR_PRIVATE;
        if (a[0] == 169 && a[1] == 254)
            return WFPW_ADDR_LINKLOCAL;
        return WFPW_ADDR_PUBLIC;
    }
    for (i = 0; i < 15; i++)
        if (a[i])
            zero = 0;
    if (zero && a[15] == 1)
        return WFPW_ADDR_LOOPBACK;
    if (zero && a[15] == 0)
        return WFPW_ADDR_UNSPECIFIED;
    if ((a[0] & 0xFE) == 0xFC)
        return WFPW_ADDR_PRIVATE;
    if (a[0] == 0xFE && (a[1] & 0xC0) == 0x80)
        return WFPW_ADDR_LINKLOCAL;
    return WFPW_ADDR_PUBLIC;
}

const char *wfpw_netaddr_class_name(int cls)
{
    switch (cls) {
    case WFPW_ADDR_LOOPBACK: return "loopback";
    case WFPW_ADDR_UNSPECIFIED: return "unspecified";
    case WFPW_ADDR_PRIVATE: return "private";
    case WFPW_ADDR_LINKLOCAL: return "link-local";
    default: return "public";
    }
}

int wfpw_netaddr_overlap(const struct wfpw_netaddr *x, const struct wfpw_netaddr *y)
{
    int bits = x->prefix < y->prefix ? x->prefix : y->prefix, i;
    if (x->family != y->family)
        return 0;
    for (i = 0; i < bits; i++)
        if ((x->a[i / 8] >> (7 - i % 8) & 1) != (y->a[i / 8] >> (7 - i % 8) & 1))
            return 0;
    return 1;
}
