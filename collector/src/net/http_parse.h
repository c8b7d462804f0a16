/*
 * http_parse.h — HTTP/1.1 request parsing (llhttp) with the collector's limits: header bytes,
 * URI length, body size. No sockets and no TLS here, so it can be unit-tested and fuzzed;
 * server.c feeds it decrypted bytes and dispatches complete requests.
 *
 * The parser pauses after each complete request (wfpw_http_feed returns WFPW_HTTP_REQUEST);
 * the caller answers it, then calls wfpw_http_next before feeding the rest. A limit or a
 * syntax error yields WFPW_HTTP_ERROR with the status to answer (then close). The body buffer
 * is released by wfpw_http_next, so an idle connection holds no body memory.
 */
#ifndef WFPW_HTTP_PARSE_H
#define WFPW_HTTP_PARSE_H

#include <stddef.h>

#include <llhttp.h>

#include "net/http.h"

enum { WFPW_HTTP_MORE = 0, WFPW_HTTP_REQUEST = 1, WFPW_HTTP_ERROR = -1 };

struct wfpw_http_hooks {
    void *owner;
    void (*on_begin)(void *owner);                      /* first byte of a request */
    /* Headers complete (req has its path, headers, content_length and chunked): returns 0
     * and sets *max_body for this request, or an HTTP status (with *why) to refuse it now,
     * before any body byte is read. */
    int (*on_headers)(void *owner, struct wfpw_req *req, int expect_continue, size_t *max_body,
                      const char **why);
};

struct wfpw_http_parser {
    llhttp_t parser;
    struct wfpw_req req;          /* the request being parsed; body owned here */
    size_t max_header_bytes, max_body_bytes;
    size_t body_limit;            /* this request's limit (on_headers may lower max_body_bytes) */
    struct wfpw_http_hooks hooks;
    char field[64];               /* current header name (truncated), lower case */
    size_t field_len;
    int value_target;
    size_t value_len;
    size_t header_bytes;
    char expect[32];
    int status;                   /* error status to answer (413, 414, 431, 400, 503) */
    const char *error;            /* and its text */
};

void wfpw_http_init(struct wfpw_http_parser *p, size_t max_header_bytes, size_t max_body_bytes,
                    const struct wfpw_http_hooks *hooks);
void wfpw_http_free(struct wfpw_http_parser *p);
/* Parse data[0..len); *used = bytes consumed. WFPW_HTTP_MORE: all consumed, need more;
 * WFPW_HTTP_REQUEST: p->req is complete, bytes after *used belong to the next request;
 * WFPW_HTTP_ERROR: answer p->status with p->error and close. */
int wfpw_http_feed(struct wfpw_http_parser *p, const char *data, size_t len, size_t *used);
/* Ready for the next request after a WFPW_HTTP_REQUEST was answered. */
void wfpw_http_next(struct wfpw_http_parser *p);
/* Whether the connection may stay open after the current request. */
int wfpw_http_keep_alive(struct wfpw_http_parser *p);

#endif
