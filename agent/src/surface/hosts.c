/*
 * hosts.c — hosts file reader (see hosts.h).
 */
#include "hosts.h"

#include <stdio.h>
#include <string.h>

#include "netaddr.h"
#include "wfpw/errors.h"
#include "wfpw/mem.h"
#include "wfpw/utf8.h"

void wfpw_hosts_init(struct wfpw_hosts *h)
{
    memset(h, 0, sizeof(*h));
    wfpw_arena_init(&h->arena);
}

void wfpw_hosts_free(struct wfpw_hosts *h)
{
    wfpw_free(h->e);
    wfpw_arena_free(&h->arena);
    memset(h, 0, sizeof(*h));
}

static int add(struct wfpw_hosts *h, const char *addr, size_t al, const char *name, size_t nl, unsigned line)
{
    struct wfpw_host_entry *e;
    char *n, *a;
    size_t i;
    if (h->n == h->cap) {
        size_t nc = h->cap ? h->cap * 2 : 64;
        void *p = wfpw_realloc(h->e, nc * sizeof(*h->e));
        if (p == NULL)
            return WFPW_ENOMEM;
        h->e = p, h->cap = nc;
    }
    e = &h->e[h->n];
    if ((a = wfpw_arena_strndup(&h->arena, addr, al)) == NULL || (n = wfpw_arena_strndup(&h->arena, name, nl)) == NULL)
        return WFPW_ENOMEM;
    for (i = 0; a[i]; i++) /* IPv6 hex digits: one spelling */
        if (a[i] >= 'A' && a[i] <= 'Z')
            a[i] = (char)(a[i] + 32);
    e->addr = a;
    for (i = 0; n[i]; i++)
        if (n[i] >= 'A' && n[i] <= 'Z')
            n[i] = (char)(n[i] + 32);
    while (i > 1 && n[i - 1] == '.') /* "a.example." is "a.example" */
        n[--i] = '\0';
    e->name = n;
    e->line = line;
    h->n++;
    return 0;
}

/* lenient: a malformed line is counted (the first one kept for the report) and *rc cleared */
static int skip(struct wfpw_hosts *h, int lenient, const char *what, int *rc)
{
    if (!lenient)
        return 0;
    if (h->skipped++ == 0)
        snprintf(h->first_skip, sizeof(h->first_skip), "%s", what);
    *rc = 0;
    return 1;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; /* a lone CR separates too */
}

int wfpw_hosts_parse(struct wfpw_hosts *h, const char *fname, const uint8_t *data, size_t len, int lenient, char *err,
                     size_t errlen)
{
    char *txt;
    size_t tlen, off = 0;
    const char *p, *end;
    unsigned line = 0;
    int rc = 0;

    if (data == NULL) /* an empty buffer may have no storage */
        data = (const uint8_t *)"", len = 0;
    wfpw_hosts_free(h);
    wfpw_hosts_init(h);
    if (len >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) || (data[0] == 0xFE && data[1] == 0xFF))) {
        if (data[0] == 0xFE || len % 2) {
            snprintf(err, errlen, "%s:1: %s", fname,
                     data[0] == 0xFE ? "UTF-16 big-endian (Windows reads hosts as 8-bit text)"
                                     : "UTF-16LE file with an odd number of bytes");
            return WFPW_EINVAL;
        }
        if ((txt = wfpw_malloc((len - 2) / 2 * 3 + 1)) == NULL)
            return WFPW_ENOMEM;
        tlen = wfpw_utf16le_to_utf8(data + 2, len - 2, txt);
        h->utf16 = 1;
    } else {
        if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
            off = 3;
        if (wfpw_utf8_valid((const char *)data + off, len - off)) {
            if ((txt = wfpw_malloc(len - off + 1)) == NULL)
                return WFPW_ENOMEM;
            memcpy(txt, data + off, len - off);
            tlen = len - off;
        } else { /* an 8-bit code page (Windows reads hosts as ANSI): Latin-1 stands in for it */
            size_t i;
            if ((txt = wfpw_malloc(2 * (len - off) + 1)) == NULL)
                return WFPW_ENOMEM;
            for (i = off, tlen = 0; i < len; i++)
                if (data[i] < 0x80) {
                    txt[tlen++] = (char)data[i];
                } else {
                    txt[tlen++] = (char)(0xC0 | data[i] >> 6);
                    txt[tlen++] = (char)(0x80 | (data[i] & 0x3F));
                }
        }
        txt[tlen] = '\0';
    }
    if ((h->file = wfpw_arena_strdup(&h->arena, fname)) == NULL) {
        wfpw_free(txt);
        return WFPW_ENOMEM;
    }
    for (p = txt, end = txt + tlen; p < end && rc == 0;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end, *s = p, *hash, *f;
        size_t al;
        struct wfpw_netaddr a;
        char abuf[80];
        int names = 0;
        line++;
        p = nl ? nl + 1 : end;
        hash = memchr(s, '#', (size_t)(le - s));
        if (hash)
            le = hash;
        while (le > s && (le[-1] == '\r' || is_blank(le[-1])))
            le--;
        while (s < le && is_blank(*s))
            s++;
        if (s == le)
            continue;
        if (memchr(s, '\0', (size_t)(le - s))) {
            snprintf(err, errlen, "%s:%u: a NUL byte in the line", fname, line);
            rc = WFPW_EINVAL;
            if (skip(h, lenient, err, &rc))
                continue;
            break;
        }
        for (f = s; f < le && !is_blank(*f); f++)
            ;
        al = (size_t)(f - s);
        if (al >= sizeof(abuf) || (memcpy(abuf, s, al), abuf[al] = '\0', strchr(abuf, '/')) ||
            wfpw_netaddr_parse(abuf, &a) != 0) {
            snprintf(err, errlen, "%s:%u: the first field '%.*s' is not an IPv4 or IPv6 address", fname, line,
                     (int)(al > 64 ? 64 : al), s);
            rc = WFPW_EINVAL;
            if (skip(h, lenient, err, &rc))
                continue;
            break;
        }
        for (;;) {
            const char *n;
            while (f < le && is_blank(*f))
                f++;
            if (f >= le)
                break;
            for (n = f; f < le && !is_blank(*f); f++)
                ;
            if ((size_t)(f - n) > 255) {
                snprintf(err, errlen, "%s:%u: a name longer than 255 bytes", fname, line);
                rc = WFPW_EINVAL;
                skip(h, lenient, err, &rc); /* lenient: the line's other names still count */
                if (rc)
                    break;
                continue;
            }
            if ((rc = add(h, s, al, n, (size_t)(f - n), line)) != 0)
                break;
            names++;
        }
        if (rc == 0 && names == 0) {
            snprintf(err, errlen, "%s:%u: the address %s has no name after it", fname, line, abuf);
            rc = WFPW_EINVAL;
            skip(h, lenient, err, &rc);
        }
    }
    wfpw_free(txt);
    if (rc != 0) {
        int utf16 = h->utf16;
        wfpw_hosts_free(h);
        wfpw_hosts_init(h);
        h->utf16 = utf16;
    }
    return rc;
}
