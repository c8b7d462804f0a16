/*
 * http.h — one HTTP request as the routes see it, and how they answer.
 *
 * server.c owns connections (TCP, TLS, llhttp parsing, timeouts) and hands each complete
 * request to wfpw_route(). A route answers with wfpw_respond(), now or later (after a
 * store job): the connection stays busy — reading no further requests — until it does.
 * If the connection closed meanwhile, wfpw_respond on its handle is a no-op: the route
 * holds a wfpw_conn_ref and checks nothing itself.
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

struct wfpw_req {
    int method;                  /* llhttp method (HTTP_GET, HTTP_POST, ...) */
    char path[1024];             /* URL path, percent-decoded segments not applied */
    char query[2048];            /* raw query string (after '?'), may be empty */
    char content_type[128];
    char content_encoding[64];
    char authorization[512];
    char accept[256];
    struct wfpw_buf body;        /* owned by the connection */
    const char *peer_cn;         /* CN of a client certificate the CA vouched for, or NULL */
    int peer_cert_present;       /* a certificate was presented (verified or not) */
    char peer_addr[64];          /* the client's IP address (rate limits, logs) */
    struct wfpw_conn_ref *ref;   /* for asynchronous answers */
};

/* Answer the request on ref's connection (if it still exists). body is copied. extra_headers:
 * NULL or "Name: value\r\n..." lines. */
void wfpw_respond(struct wfpw_conn_ref *ref, int status, const char *content_type, const char *body,
                  size_t len, const char *extra_headers);
/* JSON error body {"error":msg,"field":field} (field may be NULL). */
void wfpw_respond_error(struct wfpw_conn_ref *ref, int status, const char *msg, const char *field);
/* Release a reference taken with wfpw_conn_ref_hold. */
void wfpw_conn_ref_hold(struct wfpw_conn_ref *ref);
void wfpw_conn_ref_release(struct wfpw_conn_ref *ref);

/* Implemented by routes.c: dispatch one complete request. */
void wfpw_route(struct wfpw_req *req);
/* Route names for metrics; index returned by wfpw_route_id(path, method). */
int wfpw_route_id(const char *path);
extern const char *const wfpw_route_names[];
#define WFPW_ROUTE_COUNT 11

#endif
