/*
 * fuzz-http.c — libFuzzer driver for the collector's request parser (http_parse.c): feeds
 * the input in two pieces (split at a position taken from the first byte), answers every
 * complete request, and checks that the parser never reports more bytes than it was given
 * and that the kept header values stay NUL-terminated within their buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void feed_all(struct wfpw_http_parser *p, const char *d, size_t n)
{
    while (n > 0) {
        size_t used = 0;
        int rc = wfpw_http_feed(p, d, n, &used);
        if (used > n)
            abort();
        if (rc == WFPW_HTTP_ERROR) {
            if (p->status < 400 || p->error == NULL)
                abort();
            return;
        }
        if (rc == WFPW_HTTP_REQUEST) {
            if (strlen(p->req.path) >= sizeof(p->req.path) || strlen(p->req.query) >= sizeof(p->req.query) ||
                strlen(p->req.authorization) >= sizeof(p->req.authorization) ||
                p->req.body.len > p->max_body_bytes)
                abort();
            wfpw_http_next(p);
        }
        d += used;
        n -= used;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wfpw_http_parser p;
    size_t cut;
    if (size == 0)
        return 0;
    cut = data[0] % size;
    wfpw_http_init(&p, 2048, 4096, NULL);
    feed_all(&p, (const char *)data + 1, cut > 0 ? cut - 1 : 0);
    if (p.status == 0)
        feed_all(&p, (const char *)data + (cut > 0 ? cut : 1), size - (cut > 0 ? cut : 1));
    wfpw_http_free(&p);
    return 0;
}
