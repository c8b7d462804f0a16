/*
 * buf.c — growable, capped byte buffer (see buf.h). Doubles its allocation on growth.
 */
#include "wfpw/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wfpw/errors.h"
#include "wfpw/mem.h"

void wfpw_buf_init(struct wfpw_buf *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max;
}

static int grow(struct wfpw_buf *b, size_t extra)
{
    size_t need, ncap;
    char *p;
    if (b->err)
        return b->err;
    if (extra > b->max || b->len > b->max - extra)
        return b->err = WFPW_ETOOBIG;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    ncap = b->cap ? b->cap : 256;
    while (ncap < need)
        ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
    p = wfpw_realloc(b->data, ncap);
    if (p == NULL)
        return b->err = WFPW_ENOMEM;
    b->data = p;
    b->cap = ncap;
    return 0;
}

int wfpw_buf_append(struct wfpw_buf *b, const void *data, size_t len)
{
    int rc = grow(b, len);
    if (rc)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int wfpw_buf_puts(struct wfpw_buf *b, const char *s)
{
    return wfpw_buf_append(b, s, strlen(s));
}

int wfpw_buf_printf(struct wfpw_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n, rc;

    if (b->err)
        return b->err;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return b->err = WFPW_EINVAL;
    if ((size_t)n < sizeof(small))
        return wfpw_buf_append(b, small, (size_t)n);
    rc = grow(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void wfpw_buf_reset(struct wfpw_buf *b)
{
    b->len = 0;
    b->err = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *wfpw_buf_detach(struct wfpw_buf *b, size_t *len)
{
    char *p = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void wfpw_buf_free(struct wfpw_buf *b)
{
    wfpw_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->err = 0;
}
