/*
 * http.h — the contract between the network front (net/) and the API (api/): one HTTP request
 * as the API sees it, the limits the API sets for it when its headers are complete, and how
 * the API answers.
 *
 * net/server.c owns connections (TCP, TLS, llhttp parsing, timeouts, per-address limits). It
 * calls the API twice per request, through the functions in struct wfpw_http_handler (so net/
 * includes nothing of api/): classify() when the headers are complete — before any body byte
 * is read, 100 Continue is sent or memory is spent on the body — and dispatch() when the
 * request is complete. A route answers with wfpw_respond(), now or later (after a store job):
 * the connection stays busy — reading no further requests — until it does. If the connection
 * closed meanwhile, wfpw_respond on its handle is a no-op: the route holds a wfpw_conn_ref and
 * checks nothing itself.
 */
#ifndef WFPW_HTTP_H
#define WFPW_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "wfpw/buf.h"

struct wfpw_conn;

/* A handle that outlives the connection: routes keep it while a job runs. */
struct wfpw_conn_ref {
    struct wfpw_conn *conn;   /* NULL once the connection is gone */
    int refs;
};

/* What the client proved in the TLS handshake (all "" without a verified certificate). */
struct wfpw_peer {
    char cn[128];                /* subject CN: the agent id */
    char ou[80];                 /* subject OU: the host name the CA certified ("" when none) */
    char serial[80];             /* serial number, lower-case hex */
    int cert_present;            /* a certificate was presented (verified or not) */
    char addr[64];               /* the client's IP address (rate limits, logs) */
};

struct wfpw_req {
    int method;                  /* llhttp method (HTTP_GET, HTTP_POST, ...) */
    int route;                   /* set by classify(); counts the answer in metrics */
    char path[1024];             /* URL path, percent-decoded segments not applied */
    char query[2048];            /* raw query string (after '?'), may be empty */
    char content_type[128];
    char content_encoding[64];
    char authorization[512];
    char accept[256];
    int64_t content_length;      /* -1 when the request has no Content-Length */
    int chunked;                 /* Transfer-Encoding: chunked */
    struct wfpw_buf body;        /* owned by the connection; released after each request */
    const char *peer_cn;         /* peer.cn when a certificate the CA vouched for was presented, else NULL */
    int peer_cert_present;
    char peer_addr[64];
    const struct wfpw_peer *peer;/* borrowed from the connection, valid until the answer */
    struct wfpw_conn_ref *ref;   /* for asynchronous answers */
};

/* classify()'s verdict on a request whose headers are complete. */
struct wfpw_http_policy {
    size_t max_body;             /* the most body bytes this request may carry (0: none) */
    int status;                  /* 0: go on; else refuse now with this status (and close) */
    const char *why;             /* the refusal's message (static) */
    const char *extra_headers;   /* the refusal's extra header lines, or NULL */
};

struct wfpw_http_handler {
    /* Headers complete: set req->route and fill *pol (zeroed by the caller). */
    void (*classify)(struct wfpw_req *req, struct wfpw_http_policy *pol);
    /* The request is complete (its body read): answer it. */
    void (*dispatch)(struct wfpw_req *req);
};

/* Answer the request on ref's connection (if it still exists). body is copied. extra_headers:
 * NULL or "Name: value\r\n..." lines. */
void wfpw_respond(struct wfpw_conn_ref *ref, int status, const char *content_type, const char *body,
                  size_t len, const char *extra_headers);
/* JSON error body {"error":msg,"field":field} (field may be NULL). */
void wfpw_respond_error(struct wfpw_conn_ref *ref, int status, const char *msg, const char *field);
/* As wfpw_respond_error, with extra header lines (e.g. "Retry-After: 1\r\n"). */
void wfpw_respond_error_h(struct wfpw_conn_ref *ref, int status, const char *msg, const char *field,
                          const char *extra_headers);
/* Take and release a reference to a connection (to answer after a job). */
void wfpw_conn_ref_hold(struct wfpw_conn_ref *ref);
void wfpw_conn_ref_release(struct wfpw_conn_ref *ref);

#endif
