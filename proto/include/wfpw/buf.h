/*
 * buf.h — growable byte buffer with a hard size cap (the curl dynbuf habit).
 *
 * Every buffer gets its cap at init; growing past it fails with WFPW_ETOOBIG. Errors are
 * sticky: after a failed append the buffer stays failed (b->err) and later appends do
 * nothing, so writers can append a whole document and check once at the end.
 * The buffer owns b->data; wfpw_buf_free releases it. The content is always followed by a
 * NUL byte (not counted in len) once anything was appended.
 */
#ifndef WFPW_BUF_H
#define WFPW_BUF_H

#include <stddef.h>

#include "wfpw/attr.h"

struct wfpw_buf {
    char *data;   /* owned; NULL until the first append */
    size_t len;   /* bytes used, excluding the trailing NUL */
    size_t cap;   /* bytes allocated */
    size_t max;   /* hard cap on len */
    int err;      /* 0, or the first WFPW_E* error; sticky */
};

void wfpw_buf_init(struct wfpw_buf *b, size_t max);
int wfpw_buf_append(struct wfpw_buf *b, const void *data, size_t len);
int wfpw_buf_puts(struct wfpw_buf *b, const char *s);
/* One byte: inline, as the JSON writer puts every quote, colon and comma with it. */
static inline int wfpw_buf_putc(struct wfpw_buf *b, char c)
{
    if (b->err == 0 && b->len + 2 <= b->cap && b->len < b->max) { /* room for c and the NUL */
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return 0;
    }
    return wfpw_buf_append(b, &c, 1);
}
int wfpw_buf_printf(struct wfpw_buf *b, const char *fmt, ...) WFPW_PRINTF(2, 3);
/* Forget the content and any error; keep the memory. */
void wfpw_buf_reset(struct wfpw_buf *b);
/* Hand the content to the caller (who frees it with wfpw_free); the buffer is left empty. */
char *wfpw_buf_detach(struct wfpw_buf *b, size_t *len);
void wfpw_buf_free(struct wfpw_buf *b);

#endif /* WFPW_BUF_H */
